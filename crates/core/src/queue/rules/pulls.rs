//! Windows pull: an origin's window takes up to `max` waiting fans, in arrival order, in a sale
//! whose admission mode is `pull`; a retry with the same `request_id` gets the same fans.

use super::admission;
use crate::ids::{Position, RequestId, WindowId};
use crate::queue::error::QueueError;
use crate::queue::limits::MAX_PULL;
use crate::queue::records::{Change, PullRecord, Pulled};
use crate::queue::split::NextWaiting;
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;

/// A pull asks for 1 to [`MAX_PULL`] fans.
pub(crate) fn check_size(max: u32) -> Result<(), QueueError> {
    if !(1..=MAX_PULL).contains(&max) {
        return Err(QueueError::BadPullSize { max });
    }
    Ok(())
}

/// A window takes up to `max` waiting fans, in arrival order (or, for a retry, what the pull it
/// repeats took).
pub(crate) fn pull(
    q: &mut QueueState,
    now: UnixMillis,
    window: WindowId,
    max: u32,
    request_id: Option<RequestId>,
    before: Option<Position>,
) -> Result<Pulled, QueueError> {
    let phase = q.phase_at(now);
    if let Some(replay) = q.pulls.replay(request_id.as_ref(), &window, max) {
        let assignments = replay?
            .iter()
            .filter_map(|s| q.assignments.get(*s))
            .cloned()
            .collect();
        return Ok(Pulled {
            assignments,
            phase,
            replayed: true,
            party_waiting: None,
        });
    }
    let mode = q.sale.settings.admission;
    if !mode.is_pull() {
        return Err(QueueError::NotPullMode { admission: mode });
    }
    let admitted = if phase == Phase::Open {
        let before = before.unwrap_or(q.line.end());
        admission::admit_before(q, now, &window, max as usize, before)
    } else {
        admission::Admitted::default()
    };
    let assignments = admitted.assignments;
    if let Some(request_id) = request_id {
        let record = PullRecord {
            request_id,
            window,
            max,
            seqs: assignments.iter().map(|a| a.seq).collect(),
            at: now,
        };
        q.pulls.record(record.clone());
        q.changes.push(Change::Pull(record));
    }
    Ok(Pulled {
        assignments,
        phase,
        replayed: false,
        party_waiting: admitted.party_waiting,
    })
}

/// Forgets the pulls too old to be retried. (A step of the sweep.)
pub(crate) fn forget_old(q: &mut QueueState, now: UnixMillis) {
    if let Some(horizon) = q.pulls.forget_expired(now) {
        q.changes.push(Change::ForgetPullsBefore(horizon));
    }
}

/// A line object's next `max` waiting positions, for the rate's admitter of a split line (see
/// [`crate::queue::Queue::next_waiting`]): from the front, skipping gaps, up to the first
/// position whose number is in a block still pending.
pub(crate) fn next_waiting(q: &QueueState, max: usize) -> NextWaiting {
    let (line, blocks) = (&q.line, &q.blocks);
    // A pending block's numbers may sit anywhere among drawn positions: ask of each.
    let held = |at: Position| blocks.first().is_some() && blocks.holds(q.seq_at(at));
    let mut positions = Vec::new();
    let mut at = line.head();
    let mut gaps = line.gaps_iter();
    let mut until = None;
    'listing: while positions.len() < max && at < line.end() {
        let gap = gaps.by_ref().find(|gap| gap.end() > at);
        let free_until = gap.map_or(line.end(), |gap| gap.start.min(line.end()));
        while at < free_until && positions.len() < max {
            if held(at) {
                until = Some(at);
                break 'listing;
            }
            positions.push(at);
            at = Position(at.0 + 1);
        }
        match gap {
            Some(gap) if positions.len() < max => at = at.max(gap.end()),
            _ => break,
        }
    }
    let until = until.unwrap_or(if positions.len() >= max {
        Position(positions.last().map_or(at.0, |p| p.0 + 1))
    } else {
        Position(u64::MAX)
    });
    NextWaiting { positions, until }
}
