//! An arrival shard: numbers fans from a block of arrival numbers leased from the coordinator, so
//! that joins spread over several Durable Objects and the coordinator works per block, not per fan.
//!
//! A block is used for at most [`BLOCK_TTL_MS`] after it was leased. Blocks are leased in
//! increasing order, so a fan can be passed only by fans who arrived within that long of them.

use crate::coordinator::{fan_id_for, BlockLease, BLOCK_TTL_MS, MAX_BLOCK};
use crate::ids::{FanId, Seq};
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};

/// The smallest block asked for.
pub const MIN_BLOCK: u64 = 8;

/// What a shard asks the coordinator for: a new block, reporting how much of the last one it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRequest {
    pub closing: Option<(Seq, u64)>,
    pub want: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Active {
    lease: BlockLease,
    used: u64,
}

/// One shard's state: its current block, and how large a block to ask for next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalShard {
    block: Option<Active>,
    want: u64,
}

impl Default for ArrivalShard {
    fn default() -> Self {
        Self {
            block: None,
            want: MIN_BLOCK,
        }
    }
}

impl ArrivalShard {
    fn usable(&self, now: UnixMillis) -> Option<&Active> {
        self.block
            .as_ref()
            .filter(|b| now < b.lease.until && b.used < b.lease.len)
    }

    /// Numbers a fan from the current block, or says which lease to ask for first.
    pub fn join(&mut self, now: UnixMillis) -> Result<(FanId, Seq), LeaseRequest> {
        if self.usable(now).is_none() {
            return Err(self.lease_request(now));
        }
        let block = self.block.as_mut().expect("usable");
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
            };
        };
        let elapsed = b.lease.leased_at.millis_until(now).clamp(1, BLOCK_TTL_MS);
        let per_ttl = b.used * BLOCK_TTL_MS / elapsed;
        let want = (per_ttl + per_ttl / 2).clamp(MIN_BLOCK, MAX_BLOCK);
        LeaseRequest {
            closing: Some((b.lease.start, b.used)),
            want,
        }
    }

    /// Takes a block the coordinator leased in answer to `request`.
    pub fn install(&mut self, request: LeaseRequest, lease: BlockLease) {
        self.want = request.want;
        self.block = Some(Active { lease, used: 0 });
    }

    /// The block to report as closed because its time is up, if any (for an alarm).
    pub fn expired(&self, now: UnixMillis) -> Option<(Seq, u64)> {
        self.block
            .as_ref()
            .filter(|b| now >= b.lease.until)
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
        self.block.as_ref().map(|b| b.lease.until)
    }
}

#[cfg(test)]
mod tests;
