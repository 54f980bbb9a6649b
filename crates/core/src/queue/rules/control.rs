//! The promoter's hand on the sale: new settings, live, and opening, pausing and closing it; and
//! the rule every new place follows, that it is taken only while the sale admits joins.

use super::{admission, prequeue};
use crate::queue::draw::DrawKey;
use crate::queue::error::QueueError;
use crate::queue::records::Change;
use crate::queue::snapshot::SHARDS_CHANGE_SETTLES_MS;
use crate::queue::state::QueueState;
use crate::sale::{Control, Phase, ReportVisibility, SaleSettings, ShardsChange};
use crate::time::UnixMillis;

/// New settings, live: a new admission mode admits by its own rule from now on, and a shorter
/// session ends the claimed admissions it has run out for (at the sweep that follows). Refused
/// ([`QueueError::ShardsFixed`]) for a change of `shards` when the sale is or becomes
/// invitation-only and numbers have been handed out, and ([`QueueError::ShardsChanging`]) for one
/// within [`SHARDS_CHANGE_SETTLES_MS`] of the last (recorded in
/// [`crate::sale::Sale::shards_changed`], for [`crate::queue::snapshot::home_shard`]). Once the
/// pre-queue has opened its window is fixed ([`QueueError::PrequeueFixed`]): neither
/// `prequeue_opens_at` nor `opens_at` may change (so the draw happens once, when fans were told).
/// A pre-queue set for the first time takes `draw_key`.
pub(crate) fn update_settings(
    q: &mut QueueState,
    settings: SaleSettings,
    draw_key: Option<DrawKey>,
    now: UnixMillis,
) -> Result<(), QueueError> {
    let old = &q.sale.settings;
    let invite = !old.access.is_open() || !settings.access.is_open();
    if invite && old.shards != settings.shards && q.line.next_seq() > 1 {
        return Err(QueueError::ShardsFixed);
    }
    if old.prequeue_opens_at.is_some_and(|at| now >= at)
        && (settings.prequeue_opens_at != old.prequeue_opens_at
            || settings.opens_at != old.opens_at)
    {
        return Err(QueueError::PrequeueFixed);
    }
    // Also before the sale opens: challenges are handed out then, and spent from the
    // opening second by edges whose snapshots may be a minute apart.
    if old.shards != settings.shards {
        let settles = |c: ShardsChange| c.at.plus_millis(SHARDS_CHANGE_SETTLES_MS);
        if let Some(until) = q.sale.shards_changed.map(settles).filter(|t| now < *t) {
            return Err(QueueError::ShardsChanging { until });
        }
    }
    if settings.prequeue_opens_at.is_some() {
        prequeue::choose_draw_key(q, draw_key)?;
    }
    if settings.shards != q.sale.settings.shards {
        q.sale.shards_changed = Some(ShardsChange {
            from: q.sale.settings.shards,
            at: now,
        });
    }
    if settings.admission != q.sale.settings.admission {
        // A new rate schedules from the newest admission, as after a restart.
        q.rate_tat_us =
            admission::rate_schedule_after(&settings.admission, q.assignments.newest_admission());
    }
    q.sale.settings = settings;
    q.net_settings = super::net::settings_of(&q.sale);
    q.sale.updated_at = now;
    q.changes.push(Change::Sale(q.sale.clone()));
    Ok(())
}

fn set_control(q: &mut QueueState, control: Control, now: UnixMillis) {
    if q.sale.control != control {
        q.sale.control = control;
        q.sale.closed_at = (control == Control::Closed).then_some(now);
        q.sale.updated_at = now;
        q.changes.push(Change::Sale(q.sale.clone()));
    }
}

pub(crate) fn open(q: &mut QueueState, now: UnixMillis) -> Result<(), QueueError> {
    match q.phase_at(now) {
        Phase::Closed => Err(QueueError::AlreadyClosed),
        // The draw happens at `opens_at`, as fans were told.
        Phase::Prequeue => Err(QueueError::PrequeueFixed),
        _ => {
            set_control(q, Control::Open, now);
            Ok(())
        }
    }
}

/// Pausing needs a sale that takes joins (open or paused).
pub(crate) fn pause(q: &mut QueueState, now: UnixMillis) -> Result<(), QueueError> {
    if q.phase_at(now) == Phase::Prequeue {
        return Err(QueueError::PrequeueFixed);
    }
    check_joinable(q, now)?;
    set_control(q, Control::Paused, now);
    Ok(())
}

pub(crate) fn close(q: &mut QueueState, now: UnixMillis) {
    set_control(q, Control::Closed, now);
}

/// The promoter says who may see the sale's public report.
pub(crate) fn show_report(q: &mut QueueState, visibility: ReportVisibility, now: UnixMillis) {
    if q.sale.report != visibility {
        q.sale.report = visibility;
        q.sale.updated_at = now;
        q.changes.push(Change::Sale(q.sale.clone()));
    }
}

/// Fans take new places only while the sale admits joins ([`Phase::admits_joins`]).
pub(crate) fn check_joinable(q: &QueueState, now: UnixMillis) -> Result<(), QueueError> {
    match q.phase_at(now) {
        // (A pre-queue always has its draw key; without one, no fan may enter it.)
        Phase::Prequeue if q.prequeue.is_none() => Err(QueueError::NotOpen {
            opens_at: q.sale.settings.opens_at,
        }),
        phase if phase.admits_joins() => Ok(()),
        Phase::Scheduled | Phase::Prequeue => Err(QueueError::NotOpen {
            opens_at: q.sale.settings.opens_at,
        }),
        _ => Err(QueueError::Closed),
    }
}
