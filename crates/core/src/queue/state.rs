//! What one sale's queue holds, all together: its parts (see [`super::parts`]), the sale they serve,
//! and the changes to write. The rules ([`super::rules`]) take it whole; what several of them ask
//! (the phase now, a fan's id, a number's line position) is answered here.

use crate::ids::{FanId, Position, Seq};
use crate::queue::parts::assignments::{Assignments, PassTime};
use crate::queue::parts::blocks::OpenBlocks;
use crate::queue::parts::fan_key::FanIdKey;
use crate::queue::parts::line::Line;
use crate::queue::parts::minutes::Minutes;
use crate::queue::parts::moves::Moves;
use crate::queue::parts::parties::Parties;
use crate::queue::parts::prequeue::PreQueue;
use crate::queue::parts::presence::Presence;
use crate::queue::parts::pulls::PullLog;
use crate::queue::parts::waits::{ArrivalClock, WaitHistogram};
use crate::queue::records::{Change, Claim};
use crate::sale::{Phase, Sale};
use crate::time::UnixMillis;

#[derive(Clone, Debug)]
pub(crate) struct QueueState {
    pub(crate) sale: Sale,
    pub(crate) line: Line,
    pub(crate) blocks: OpenBlocks,
    pub(crate) assignments: Assignments,
    pub(crate) pulls: PullLog,
    pub(crate) minutes: Minutes,
    pub(crate) presence: Presence,
    /// When arrival numbers were taken (not stored: a restart rebuilds it from the blocks it
    /// reads back), and the waits of the fans admitted (stored).
    pub(crate) arrivals: ArrivalClock,
    /// The arrival numbers granted the assisted lane (at most its `max_places`: stored, one row
    /// each).
    pub(crate) assisted: std::collections::BTreeSet<crate::ids::Seq>,
    pub(crate) waits: WaitHistogram,
    /// Places moved to another device, by the hand they are in now.
    pub(crate) moves: Moves,
    /// Parties: the members queuing on a leader's place, and the places they gave up.
    pub(crate) parties: Parties,
    /// In `rate` mode, the schedule's theoretical time of the next admission, in microseconds
    /// (see [`crate::sale::admission`]). Not stored: a restart derives it from the newest
    /// admission.
    pub(crate) rate_tat_us: u64,
    /// The pre-queue's draw, once the sale has had a pre-queue set (see
    /// [`super::rules::prequeue`]).
    pub(crate) prequeue: Option<PreQueue>,
    /// Keyed with `sale.fan_salt`, which never changes (an upsert of a sale that exists changes
    /// only its settings).
    pub(crate) fan_key: FanIdKey,
    /// The records changed since the caller last took them ([`super::Queue::take_changes`]).
    pub(crate) changes: Vec<Change>,
    /// Turns claimed for fans holding a socket as they were admitted, for the object to push
    /// ([`super::Queue::take_pushed_turns`]).
    pub(crate) pushed_turns: Vec<Claim>,
    /// The places whose fans asked to be called back by Web Push (stored, one row each).
    pub(crate) callers: crate::queue::parts::callers::Callers,
    /// The Web Push calls to send ([`super::rules::calling::take_calls`]).
    pub(crate) calls: Vec<crate::queue::rules::calling::Call>,
    /// A protected sale's safety net (see [`super::rules::net`]).
    pub(crate) net: crate::protect::SafetyNet,
    /// What the net reads of the sale's `protect`, read when the settings change (restored,
    /// updated), not at each sweep.
    pub(crate) net_settings: Option<crate::queue::rules::net::NetSettings>,
}

impl QueueState {
    pub(crate) fn phase_at(&self, now: UnixMillis) -> Phase {
        self.sale.phase_at(now)
    }

    pub(crate) fn fan_id(&self, seq: Seq) -> FanId {
        self.fan_key.fan_id(seq)
    }

    /// The line position of arrival number `seq` (its drawn position for a pre-queue fan after
    /// the draw; else the number itself).
    pub(crate) fn position_of(&self, seq: Seq) -> Position {
        self.prequeue
            .as_ref()
            .map_or(Position(seq), |p| p.position_of(seq))
    }

    /// The arrival number at line position `position`.
    pub(crate) fn seq_at(&self, position: Position) -> Seq {
        self.prequeue
            .as_ref()
            .map_or(position.0, |p| p.seq_at(position))
    }

    /// Fans admitted per second recently, for wait estimates and the presence zone.
    pub(crate) fn admission_rate(&self, now: UnixMillis) -> f64 {
        self.minutes.admission_rate(now, self.sale.created_at)
    }

    /// How long a claimed admission lasts, and its pass (see
    /// [`crate::sale::admission::Admission::claimed_for_s`]).
    pub(crate) fn claimed_for_s(&self) -> u64 {
        self.sale
            .settings
            .admission
            .claimed_for_s(self.sale.settings.pass_ttl_s)
    }

    /// [`QueueState::claimed_for_s`], and the assisted lane's multiplier of it.
    pub(crate) fn pass_time(&self) -> PassTime {
        PassTime {
            secs: self.claimed_for_s(),
            assist_multiplier: self.assist_multiplier(),
        }
    }

    /// The assisted lane's multiplier (1: the sale has none).
    pub(crate) fn assist_multiplier(&self) -> u64 {
        self.sale
            .settings
            .assist
            .map_or(1, |a| u64::from(a.multiplier))
    }

    /// Checks every invariant of the parts together; for tests and simulations.
    pub(crate) fn check(&self) -> Result<(), String> {
        self.line.check()?;
        let permuted_end = self.prequeue.as_ref().map_or(0, PreQueue::end);
        self.blocks
            .check(self.line.head(), permuted_end, |seq| self.position_of(seq))?;
        self.assignments.check(
            self.line.head(),
            |seq| self.fan_id(seq),
            |seq| self.position_of(seq),
            self.line.gaps_behind(),
        )
    }
}
