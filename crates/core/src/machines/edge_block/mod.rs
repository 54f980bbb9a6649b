//! Arrival numbers leased to the edge: an edge isolate numbers the fans who join through it from a
//! sub-block lent by an arrival shard, so a plain join of an open sale costs no object request
//! except the isolate's lease about once a second.
//!
//! Two sides, both here because they are one rule:
//! - [`EdgeNumbering`]: one isolate's numbering for one sale. [`EdgeNumbering::join`] gives the
//!   fan's `(fan_id, seq)`, or the lease to ask for (carrying the report of the sub-block that
//!   ended: its start and how many numbers it used).
//! - [`Lent`]: what the shard remembers of each sub-block it lent out of its current coordinator
//!   block (see [`crate::machines::shard::ArrivalShard::lend`]). A sub-block lives no later than the shard's
//!   block, so the ordering bound stays the coordinator block's ([`BLOCK_TTL_MS`]); one not
//!   reported within [`EDGE_REPORT_BOUND_MS`] after its end reads as fully used, so an isolate
//!   that dies loses no fan's place and holds the line for at most block life + that bound.
//!
//! A sub-block's lifetime travels as a lifetime (`ttl_ms`), not an instant, like
//! [`crate::queue::BlockLease::ttl_ms`]: the isolate counts it from its own clock.

use crate::ids::{FanId, Seq, SeqRange};
use crate::queue::{fan_id_for, BLOCK_TTL_MS, MAX_BLOCK};
use crate::sale::FanSalt;
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};

/// A sub-block not reported this long after its end reads as fully used (its unused numbers
/// then read as fans who left). The isolate reports at its next lease, or from `waitUntil` a
/// moment after the sub-block's end: this leaves room for that call's round trip.
pub const EDGE_REPORT_BOUND_MS: u64 = 1_500;
/// The smallest sub-block an isolate asks for.
pub const MIN_SUB_BLOCK: u64 = 4;
/// The largest: an isolate numbering more than about this many fans a second leases more often.
pub const MAX_SUB_BLOCK: u64 = MAX_BLOCK / 2;
/// A join that finds another join of the same isolate leasing waits for that lease this long at
/// most, then leases itself (the other one may have failed without telling).
pub const LEASE_WAIT_MS: u64 = 2_000;
/// The shortest time the isolate's rate is measured over: one join right after a lease does not
/// read as a thousand a second.
const MIN_RATE_WINDOW_MS: u64 = 100;

/// A sub-block as the shard lends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeLease {
    pub start: Seq,
    pub len: u64,
    /// Use it for at most this long after it arrives, by the isolate's own clock.
    pub ttl_ms: u64,
    /// The sale's fan-id key: fan ids are derived from it and the number, as everywhere.
    pub fan_salt: FanSalt,
}

/// How a sub-block ended: `used` of its numbers (a prefix) went to fans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeReport {
    pub start: Seq,
    pub used: u64,
}

/// What an isolate asks its shard for: a new sub-block of about `want` numbers, reporting the
/// ones that ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeLeaseRequest {
    pub shard: u32,
    pub reports: Vec<EdgeReport>,
    pub want: u64,
}

/// What a join at the edge comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeStep {
    /// The fan's id and number.
    Joined(FanId, Seq),
    /// Ask the shard for this lease, hand its answer to [`EdgeNumbering::install`] (or, if it
    /// failed, call [`EdgeNumbering::lease_failed`]), and join again.
    Lease(EdgeLeaseRequest),
    /// Another join of this isolate is leasing: join again in a moment.
    Wait,
}

#[derive(Clone, Debug)]
struct Sub {
    lease: EdgeLease,
    used: u64,
    installed_at: UnixMillis,
    until: UnixMillis,
}

/// One isolate's numbering for one sale: at most one sub-block, from one shard (chosen once, at
/// random, by the caller: its reports then always go to the shard that lent).
#[derive(Clone, Debug)]
pub struct EdgeNumbering {
    shard: u32,
    sub: Option<Sub>,
    want: u64,
    /// Reports not yet delivered (a sub-block replaced by a lease that raced another).
    unreported: Vec<EdgeReport>,
    /// A lease is on its way, asked at this instant.
    leasing_since: Option<UnixMillis>,
}

impl EdgeNumbering {
    pub fn new(shard: u32) -> Self {
        Self {
            shard,
            sub: None,
            want: MIN_SUB_BLOCK,
            unreported: Vec::new(),
            leasing_since: None,
        }
    }

    /// The shard this isolate leases from.
    pub fn shard(&self) -> u32 {
        self.shard
    }

    /// A new fan: their number from the sub-block, or the lease to ask for first.
    pub fn join(&mut self, now: UnixMillis) -> EdgeStep {
        if let Some(sub) = self
            .sub
            .as_mut()
            .filter(|s| now < s.until && s.used < s.lease.len)
        {
            let seq = sub.lease.start + sub.used;
            sub.used += 1;
            return EdgeStep::Joined(fan_id_for(&sub.lease.fan_salt, seq), seq);
        }
        if self
            .leasing_since
            .is_some_and(|at| now < at.plus_millis(LEASE_WAIT_MS))
        {
            return EdgeStep::Wait;
        }
        self.leasing_since = Some(now);
        let want = self.next_want(now);
        if let Some(sub) = self.sub.take() {
            self.unreported.push(EdgeReport {
                start: sub.lease.start,
                used: sub.used,
            });
        }
        EdgeStep::Lease(EdgeLeaseRequest {
            shard: self.shard,
            reports: self.unreported.clone(),
            want,
        })
    }

    /// About one second of this isolate's joins at the rate the last sub-block saw, with
    /// headroom: it grows when a sub-block ran out before its time and shrinks when one was
    /// mostly unused.
    /// A sub-block that lived too short to measure (lent just before its shard's block ended)
    /// changes nothing unless it ran out.
    fn next_want(&self, now: UnixMillis) -> u64 {
        let Some(sub) = &self.sub else {
            return self.want;
        };
        let ran_out = sub.used >= sub.lease.len;
        let lived = sub.installed_at.millis_until(now.min(sub.until));
        if !ran_out && lived < MIN_RATE_WINDOW_MS {
            return self.want;
        }
        let per_second = sub.used * BLOCK_TTL_MS / lived.clamp(MIN_RATE_WINDOW_MS, BLOCK_TTL_MS);
        let want = (per_second + per_second / 2).clamp(MIN_SUB_BLOCK, MAX_SUB_BLOCK);
        if ran_out {
            want.max(self.want)
        } else {
            want
        }
    }

    /// The shard lent `lease` in answer to `request`, arrived at `now`. The reports the request
    /// carried were delivered. A sub-block still usable (a lease that raced this one) is
    /// reported with the next lease.
    pub fn install(&mut self, request: &EdgeLeaseRequest, lease: EdgeLease, now: UnixMillis) {
        self.leasing_since = None;
        self.want = request.want;
        self.unreported.retain(|r| !request.reports.contains(r));
        if let Some(old) = self.sub.take() {
            self.unreported.push(EdgeReport {
                start: old.lease.start,
                used: old.used,
            });
        }
        let until = now.plus_millis(lease.ttl_ms);
        self.sub = Some(Sub {
            lease,
            used: 0,
            installed_at: now,
            until,
        });
    }

    /// The lease brought no sub-block: the next join asks again (reports included).
    pub fn lease_failed(&mut self) {
        self.leasing_since = None;
    }

    /// When the current sub-block ends, for reporting it if no join comes.
    pub fn until(&self) -> Option<(Seq, UnixMillis)> {
        self.sub.as_ref().map(|s| (s.lease.start, s.until))
    }

    /// The report of the sub-block starting at `start`, if its time is up and no join has
    /// reported it yet: it is forgotten here (the caller sends it with
    /// `ShardCommand::ReportEdge`), and any other undelivered report with it.
    pub fn take_due_report(&mut self, start: Seq, now: UnixMillis) -> Vec<EdgeReport> {
        let due = self
            .sub
            .as_ref()
            .is_some_and(|s| s.lease.start == start && now >= s.until);
        if !due && self.unreported.is_empty() {
            return Vec::new();
        }
        if due {
            if let Some(sub) = self.sub.take() {
                self.unreported.push(EdgeReport {
                    start: sub.lease.start,
                    used: sub.used,
                });
            }
        }
        std::mem::take(&mut self.unreported)
    }
}

/// A sub-block the shard lent, as it keeps it (persisted with its state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lent {
    pub start: Seq,
    pub len: u64,
    /// Its end, by the shard's clock (never after the shard block's own).
    pub until: UnixMillis,
    /// How many of its numbers went to fans, as its isolate reported; `None` until then.
    #[serde(default)]
    pub reported: Option<u64>,
}

impl Lent {
    /// After this, an unreported sub-block reads as fully used.
    pub fn deemed_used_at(&self) -> UnixMillis {
        self.until.plus_millis(EDGE_REPORT_BOUND_MS)
    }

    /// Whether the shard may close its block as far as this sub-block goes.
    pub fn settled(&self, now: UnixMillis) -> bool {
        self.reported.is_some() || now >= self.deemed_used_at()
    }

    /// Takes its isolate's report: only the first, and only before the bound (once it was
    /// deemed fully used, a report can no longer lower that). Whether it took it.
    pub fn report(&mut self, used: u64, now: UnixMillis) -> bool {
        if self.settled(now) {
            return false;
        }
        self.reported = Some(used.min(self.len));
        true
    }

    /// Its unused numbers, as the shard reports them to the coordinator: those a report said
    /// went unused; none of one never reported (it reads as fully used).
    pub fn gap(&self) -> Option<SeqRange> {
        let used = self.reported?;
        (used < self.len).then(|| SeqRange::new(self.start + used, self.len - used))
    }
}

#[cfg(test)]
mod tests;
