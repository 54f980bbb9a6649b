//! An arrival shard: numbers fans from a block of arrival numbers leased from the coordinator, so
//! that joins spread over several Durable Objects and the coordinator works per block, not per fan.
//!
//! A block is used for at most its lease's lifetime ([`BLOCK_TTL_MS`]) after it arrived, by the
//! shard's own clock: a lease carries a lifetime, not an instant, so neither clock skew nor a
//! slow round trip to the coordinator makes it arrive expired. Blocks are leased in increasing
//! order, so a fan can be passed only by fans who arrived within that long of them (plus the time
//! the lease took to arrive, normally milliseconds).

use crate::coordinator::{fan_id_for, BlockLease, QueueError, BLOCK_TTL_MS, MAX_BLOCK};
use crate::ids::{FanId, Seq};
use crate::protocol::{Answer, Command, Reply, ShardJoined};
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};

/// The smallest block asked for.
pub const MIN_BLOCK: u64 = 8;
/// The most blocks one join leases before it gives up. One is the rule; a block can only be gone
/// again before the join runs if the lease took longer than a block lives.
pub const MAX_LEASE_ATTEMPTS: usize = 4;
/// The alarm that closes a block rings this long after the block's time is up.
const ALARM_SLACK_MS: u64 = 20;

/// What a join at the shard comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardStep {
    /// The fan's number.
    Joined(ShardJoined),
    /// Ask the coordinator for this lease ([`LeaseRequest::command`]), hand its answer to
    /// [`ArrivalShard::supply`], and join again.
    Lease(LeaseRequest),
}

/// Where an invitation-only sale's shard keeps each member's place (its SQLite table `members`;
/// a map in tests), by [`crate::invitation::member_key`].
/// A book that cannot be read or written fails the join (its error says why): read as "no
/// place", an unreadable book would give a member a second one.
pub trait MemberBook {
    /// The place `member_key` already has, if any.
    fn place_of(&self, member_key: &str) -> Result<Option<ShardJoined>, String>;
    /// Records `member_key`'s place.
    fn record(&mut self, member_key: &str, place: &ShardJoined) -> Result<(), String>;
}

/// Why a lease brought no block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaseFailed {
    /// The coordinator refused (the sale is not open, or closed): the join's answer.
    Refused(QueueError),
    /// The coordinator answered something that is not a lease.
    Unexpected(String),
}

/// What a shard asks the coordinator for: a new block, reporting how much of the last one it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRequest {
    pub closing: Option<(Seq, u64)>,
    pub want: u64,
    /// The shard's stored state was unreadable and replaced (the coordinator counts it).
    #[serde(default)]
    pub replaced_unreadable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Active {
    lease: BlockLease,
    used: u64,
    /// When the block arrived, and until when it may be used, by the shard's clock. (Missing in
    /// state stored before they existed: such a block is used up and closed at the next join.)
    #[serde(default)]
    installed_at: UnixMillis,
    #[serde(default)]
    until: UnixMillis,
}

/// One shard's state: its current block, and how large a block to ask for next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalShard {
    block: Option<Active>,
    want: u64,
    /// This state replaced one that could not be read; the next lease says so.
    #[serde(default)]
    replaced_unreadable: bool,
}

impl Default for ArrivalShard {
    fn default() -> Self {
        Self {
            block: None,
            want: MIN_BLOCK,
            replaced_unreadable: false,
        }
    }
}

impl LeaseRequest {
    /// The command that asks the coordinator for this lease, for shard number `shard`.
    pub fn command(self, shard: u32) -> Command {
        Command::LeaseBlock {
            shard,
            closing: self.closing,
            want: self.want,
            replaced_unreadable: self.replaced_unreadable,
        }
    }
}

impl ArrivalShard {
    /// A fresh state in place of a stored one that could not be read. The block the old state
    /// held is closed by the coordinator as lost (counted as used); the next lease reports the
    /// replacement, for the sale's `bad_records`.
    pub fn replacing_unreadable() -> Self {
        Self {
            replaced_unreadable: true,
            ..Self::default()
        }
    }

    /// A join: numbers a fan, or asks for a lease first.
    pub fn handle(&mut self, now: UnixMillis) -> ShardStep {
        match self.join(now) {
            Ok((fan_id, seq)) => ShardStep::Joined(ShardJoined {
                fan_id,
                seq,
                again: false,
            }),
            Err(request) => ShardStep::Lease(request),
        }
    }

    /// A member's join (invitation-only sales): the place the member already has, or a new one,
    /// recorded in `book` in the same step. Between the look-up and the record nothing else runs
    /// (the caller holds no await between them), so concurrent joins of one member, from any
    /// device, end in one place: a join that had to lease first looks again when it retries.
    pub fn handle_member(
        &mut self,
        book: &mut impl MemberBook,
        member_key: &str,
        now: UnixMillis,
    ) -> Result<ShardStep, String> {
        if let Some(place) = book.place_of(member_key)? {
            return Ok(ShardStep::Joined(ShardJoined {
                again: true,
                ..place
            }));
        }
        let step = self.handle(now);
        if let ShardStep::Joined(place) = &step {
            book.record(member_key, place)?;
        }
        Ok(step)
    }

    /// Takes the coordinator's answer to `request`, arrived at `now`. `Ok(true)` when it
    /// installed a new block (its state changed and its alarm is due at
    /// [`ArrivalShard::next_deadline`]); `Ok(false)` when the shard already holds that block or a
    /// later one: the coordinator leases blocks in increasing order, so an older lease that
    /// arrives after a newer one was installed (two joins' leases overtaking each other) must not
    /// replace it. The coordinator closes the older block as used when this shard next leases.
    pub fn supply(
        &mut self,
        request: LeaseRequest,
        answer: Answer,
        now: UnixMillis,
    ) -> Result<bool, LeaseFailed> {
        match answer {
            Ok(Reply::Lease(lease))
                if self
                    .current_start()
                    .is_some_and(|start| start >= lease.start) =>
            {
                Ok(false)
            }
            Ok(Reply::Lease(lease)) => {
                self.install(request, lease, now);
                Ok(true)
            }
            Ok(other) => Err(LeaseFailed::Unexpected(format!(
                "unexpected coordinator reply: {other:?}"
            ))),
            Err(refusal) => Err(LeaseFailed::Refused(refusal)),
        }
    }

    /// When to wake the shard to report its block closed.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        self.block_until().map(|at| at.plus_millis(ALARM_SLACK_MS))
    }

    /// Numbers a fan from the current block, or says which lease to ask for first.
    pub fn join(&mut self, now: UnixMillis) -> Result<(FanId, Seq), LeaseRequest> {
        let Some(block) = self
            .block
            .as_mut()
            .filter(|b| now < b.until && b.used < b.lease.len)
        else {
            return Err(self.lease_request(now));
        };
        let seq = block.lease.start + block.used;
        block.used += 1;
        Ok((fan_id_for(&block.lease.fan_salt, seq), seq))
    }

    /// The lease to ask for now: close the current block and size the next one for about one
    /// block lifetime of arrivals at the rate the last block saw (with headroom).
    pub fn lease_request(&self, now: UnixMillis) -> LeaseRequest {
        let Some(b) = &self.block else {
            return LeaseRequest {
                closing: None,
                want: self.want,
                replaced_unreadable: self.replaced_unreadable,
            };
        };
        let elapsed = b.installed_at.millis_until(now).clamp(1, BLOCK_TTL_MS);
        let per_ttl = b.used * BLOCK_TTL_MS / elapsed;
        let want = (per_ttl + per_ttl / 2).clamp(MIN_BLOCK, MAX_BLOCK);
        LeaseRequest {
            closing: Some((b.lease.start, b.used)),
            want,
            replaced_unreadable: self.replaced_unreadable,
        }
    }

    /// Takes a block the coordinator leased in answer to `request`, arrived at `now`: usable for
    /// the lease's lifetime from now, by this shard's clock.
    pub fn install(&mut self, request: LeaseRequest, lease: BlockLease, now: UnixMillis) {
        self.want = request.want;
        self.replaced_unreadable = false;
        let until = now.plus_millis(lease.ttl_ms);
        let until = lease.use_before.map_or(until, |at| until.min(at));
        self.block = Some(Active {
            lease,
            used: 0,
            installed_at: now,
            until,
        });
    }

    /// The block to report as closed because its time is up, if any (for an alarm).
    pub fn expired(&self, now: UnixMillis) -> Option<(Seq, u64)> {
        self.block
            .as_ref()
            .filter(|b| now >= b.until)
            .map(|b| (b.lease.start, b.used))
    }

    /// Forgets the current block after the coordinator was told it is closed.
    pub fn closed(&mut self, start: Seq) {
        if self.block.as_ref().is_some_and(|b| b.lease.start == start) {
            self.block = None;
        }
    }

    /// The start of the block in use, if any.
    pub fn current_start(&self) -> Option<Seq> {
        self.block.as_ref().map(|b| b.lease.start)
    }

    /// When the current block stops being usable, for an alarm.
    pub fn block_until(&self) -> Option<UnixMillis> {
        self.block.as_ref().map(|b| b.until)
    }
}

#[cfg(test)]
mod tests;
