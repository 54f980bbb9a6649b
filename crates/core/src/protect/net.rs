//! The safety net of a protected sale with `queue_when` ([`super::queue_when`]): dormant (down)
//! while its sessions stay at or below the thresholds, so fans pass straight through with a
//! session; up once either is crossed, so new fans queue in arrival order (those with a session
//! keep passing).
//!
//! It has hysteresis, so it does not flap: it rises the moment a threshold is crossed, and falls
//! only when the measures have stayed at or below both thresholds, **with nobody waiting in
//! line**, for `quiet_s` (a fan in line never sees a later fan pass straight through ahead of
//! them). Its up periods are kept for the sale's report (the last [`MAX_PERIODS`]).
//!
//! The coordinator runs it: [`SafetyNet::count`] takes the gate's tallies
//! ([`super::tally`]); [`SafetyNet::update`] brings it to `now` and says which period to store;
//! the snapshot the gate caches carries whether it is down ([`passes_straight_through`]).
//!
//! **Its error, bounded.** The gate learns the net rose from its cached snapshot, and the
//! coordinator hears of sessions from tallies sent at most once a second per isolate. So after a
//! threshold is crossed, fans may still pass straight through for up to a tally's interval plus
//! the snapshot's age: at most `arrival rate × (1 s + snapshot age)` sessions beyond the threshold,
//! with the snapshot's age at most [`NET_FRESH_MS`] (an older snapshot queues everyone).

use super::queue_when::QueueWhen;
use super::tally::{SessionCounts, SessionTally};
use crate::queue::snapshot::Snapshot;
use crate::sale::Phase;
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Up periods kept (in memory and storage); older ones are forgotten.
pub const MAX_PERIODS: usize = 50;
/// The oldest snapshot whose "net down" the gate believes: an older one (the coordinator not
/// answering) queues fans without a session, as if the net were up.
pub const NET_FRESH_MS: u64 = 3_000;
/// How often at most an isolate tells a sale's coordinator its tally.
pub const TALLY_EVERY_MS: u64 = 1_000;

/// A time the net was up: from `from` until `until` (none: up now), with the highest measures
/// seen while it was (as of its last stored change).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetPeriod {
    #[serde(with = "rfc3339")]
    pub from: UnixMillis,
    #[serde(with = "rfc3339::option", default)]
    pub until: Option<UnixMillis>,
    pub peak_active_sessions: u64,
    pub peak_new_sessions_per_min: u64,
}

/// The net as the sale's report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetReport {
    pub up: bool,
    /// The coordinator's estimates now.
    pub active_sessions: u64,
    pub new_sessions_per_min: u64,
    /// The up periods, oldest first (the last [`MAX_PERIODS`]).
    pub periods: Vec<NetPeriod>,
}

/// A sale's safety net.
#[derive(Clone, Debug, Default)]
pub struct SafetyNet {
    counts: SessionCounts,
    /// When the measures last crossed a threshold or someone was waiting, while up.
    last_busy: Option<UnixMillis>,
    periods: VecDeque<NetPeriod>,
}

impl SafetyNet {
    /// The net as storage kept it: its periods (an open one: up since, and it holds a quiet
    /// period from the first update after the restart). The counts start empty (they fill again
    /// from the next tallies: new sessions within a minute, active ones as they are renewed,
    /// within half a session).
    pub fn restore(mut periods: Vec<NetPeriod>) -> Self {
        periods.sort_by_key(|p| p.from);
        let skip = periods.len().saturating_sub(MAX_PERIODS);
        Self {
            counts: SessionCounts::default(),
            // Up: the quiet period starts at the first update after the restart.
            last_busy: None,
            periods: periods.into_iter().skip(skip).collect(),
        }
    }

    pub fn is_up(&self) -> bool {
        self.periods.back().is_some_and(|p| p.until.is_none())
    }

    /// Adds an isolate's tally, told at `now`.
    pub fn count(&mut self, tally: &SessionTally, session_s: u64, now: UnixMillis) {
        self.counts.add(tally, session_s, now);
    }

    /// Brings the net to `now` under `when` (none: the sale has no safety net, so it is not up),
    /// with `waiting` fans in line. The period that rose or fell, to store.
    pub fn update(
        &mut self,
        when: Option<&QueueWhen>,
        waiting: u64,
        now: UnixMillis,
    ) -> Option<NetPeriod> {
        self.counts.sweep(now);
        let (active, per_min) = (self.counts.active(now), self.counts.new_per_min(now));
        let up = self.is_up();
        let Some(when) = when else {
            return up.then(|| self.fall(now));
        };
        let crossed = when.crossed(active, per_min);
        if let Some(open) = self.periods.back_mut().filter(|_| up) {
            open.peak_active_sessions = open.peak_active_sessions.max(active);
            open.peak_new_sessions_per_min = open.peak_new_sessions_per_min.max(per_min);
        }
        match (up, crossed || (up && waiting > 0)) {
            (false, false) => None,
            (false, true) => {
                if self.periods.len() == MAX_PERIODS {
                    self.periods.pop_front();
                }
                let period = NetPeriod {
                    from: now,
                    until: None,
                    peak_active_sessions: active,
                    peak_new_sessions_per_min: per_min,
                };
                self.periods.push_back(period);
                self.last_busy = Some(now);
                Some(period)
            }
            (true, true) => {
                self.last_busy = Some(now);
                None
            }
            (true, false) => {
                let calm_since = *self.last_busy.get_or_insert(now);
                (now >= calm_since.plus_secs(when.quiet_s)).then(|| self.fall(now))
            }
        }
    }

    fn fall(&mut self, now: UnixMillis) -> NetPeriod {
        self.last_busy = None;
        let open = self.periods.back_mut().expect("up: an open period");
        open.until = Some(now);
        *open
    }

    pub fn report(&self, now: UnixMillis) -> NetReport {
        NetReport {
            up: self.is_up(),
            active_sessions: self.counts.active(now),
            new_sessions_per_min: self.counts.new_per_min(now),
            periods: self.periods.iter().copied().collect(),
        }
    }
}

/// Whether a fan without a session passes straight through with one, by the gate's snapshot at
/// `now`: the sale has a safety net that is down, the sale is open, and the snapshot is fresh
/// enough to believe ([`NET_FRESH_MS`]).
pub fn passes_straight_through(snapshot: &Snapshot, now: UnixMillis) -> bool {
    snapshot.net_down
        && snapshot.phase_at(now) == Phase::Open
        && snapshot.taken_at.millis_until(now) <= NET_FRESH_MS
}

#[cfg(test)]
mod tests;
