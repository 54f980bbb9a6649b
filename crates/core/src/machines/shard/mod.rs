//! An arrival shard: numbers fans from a block of arrival numbers leased from the coordinator, so
//! that joins spread over several Durable Objects and the coordinator works per block, not per fan.
//!
//! A block is used for at most its lease's lifetime ([`BLOCK_TTL_MS`]) after it arrived, by the
//! shard's own clock: a lease carries a lifetime, not an instant, so neither clock skew nor a
//! slow round trip to the coordinator makes it arrive expired. Blocks are leased in increasing
//! order, so a fan can be passed only by fans who arrived within that long of them (plus the time
//! the lease took to arrive, normally milliseconds).

use crate::ids::{FanId, Seq, SeqRange};
use crate::machines::edge_block::{EdgeLease, EdgeReport, Lent};
use crate::machines::protocol::{Answer, Command, Reply, ShardJoined, ShardServed};
use crate::queue::{fan_id_for, BlockLease, QueueError, BLOCK_TTL_MS, MAX_BLOCK};
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};

mod lent_rows;
pub use lent_rows::LentRow;

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
    /// The fan's number; for a member, the place storage found for them (`again`).
    Joined(ShardJoined),
    /// Ask the coordinator for this lease ([`LeaseRequest::command`]), hand its answer to
    /// [`ArrivalShard::supply`], and join again.
    Lease(LeaseRequest),
    /// A member's join asks what storage holds: look it up and hand what was found to
    /// [`ArrivalShard::supply_member`].
    Need(MemberNeed),
    /// A member's new place: save the shard's state, record the place under the member's key,
    /// then answer it. A record that fails fails the join: the number is lost as a gap rather
    /// than given to a member and then to another fan.
    Record(MemberPlace),
}

/// What a member's join needs from the shard's storage (its SQLite table `members`; a map in
/// tests), by [`crate::fairness::invitation::member_key`]. Storage that cannot be read fails the
/// join: read as "no place", it would give a member a second one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberNeed {
    /// The place stored for this member key, if any.
    PlaceOf(String),
}

/// A member's new place, to record under their key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberPlace {
    pub member_key: String,
    pub place: ShardJoined,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRequest {
    /// The block it closes: its start, and how many of its numbers went to fans.
    pub closing: Option<SeqRange>,
    pub want: u64,
    /// The shard's stored state was unreadable and replaced (the coordinator counts it).
    #[serde(default)]
    pub replaced_unreadable: bool,
    /// Unused numbers inside the closing block's used extent (sub-blocks' unused tails).
    #[serde(default)]
    pub closing_gaps: Vec<SeqRange>,
    /// The shard's other blocks that wait for their sub-blocks' reports: not lost.
    #[serde(default)]
    pub keep_open: Vec<Seq>,
    /// Requests the shard served since it last told the coordinator.
    #[serde(default)]
    pub served: ShardServed,
}

/// A block the shard tells the coordinator is closed: `used` numbers from its start (the rest are
/// gaps), and the unused numbers inside them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockClose {
    pub start: Seq,
    pub used: u64,
    pub gaps: Vec<SeqRange>,
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
    /// Sub-blocks lent to edge isolates out of this block, in order. Stored one row each, not
    /// in the state's row ([`LentRow`]); read from it when a version before the rows wrote it.
    #[serde(default, skip_serializing)]
    lent: Vec<Lent>,
    /// Sub-blocks a version that kept at most 256 one by one lent past them, as it stored them:
    /// counted, deemed fully used at their bound. None are lent untracked now.
    #[serde(default, skip_serializing_if = "is_zero")]
    untracked: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Active {
    /// Whether every sub-block lent from it is reported or deemed used.
    fn settled(&self, now: UnixMillis) -> bool {
        self.lent.iter().all(|l| l.settled(now))
            && (self.untracked == 0 || now >= self.untracked_settle_at())
    }

    /// When the untracked sub-blocks read as fully used: as an unreported sub-block would.
    fn untracked_settle_at(&self) -> UnixMillis {
        Lent {
            start: self.lease.start,
            len: 0,
            until: self.until,
            reported: None,
        }
        .deemed_used_at()
    }

    /// When it can be closed at the latest: its end, or its last unreported sub-block's bound.
    fn close_at(&self) -> UnixMillis {
        self.lent
            .iter()
            .filter(|l| l.reported.is_none())
            .map(Lent::deemed_used_at)
            .chain((self.untracked > 0).then(|| self.untracked_settle_at()))
            .fold(self.until, UnixMillis::max)
    }

    fn close(&self) -> BlockClose {
        BlockClose {
            start: self.lease.start,
            used: self.used,
            gaps: self.lent.iter().filter_map(Lent::gap).collect(),
        }
    }

    /// Takes an isolate's report: the sub-block it changed, to store again.
    fn report(&mut self, report: EdgeReport, now: UnixMillis) -> Option<LentRow> {
        let lent = self.lent.iter_mut().find(|l| l.start == report.start)?;
        if !lent.report(report.used, now) {
            return None;
        }
        Some(LentRow::Put {
            block: self.lease.start,
            lent: lent.clone(),
        })
    }

    /// The rows to delete once it is forgotten.
    fn forget(&self) -> Option<LentRow> {
        (!self.lent.is_empty()).then_some(LentRow::DeleteBlock(self.lease.start))
    }
}

/// One shard's state: its current block, and how large a block to ask for next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalShard {
    block: Option<Active>,
    want: u64,
    /// This state replaced one that could not be read; the next lease says so.
    #[serde(default)]
    replaced_unreadable: bool,
    /// Blocks no longer numbered from whose sub-blocks are not all reported yet: closed once
    /// they are (or deemed used).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired: Vec<Active>,
    #[serde(default)]
    served: ShardServed,
    /// Changes to the stored sub-blocks the adapter has not applied yet ([`LentRow`]).
    #[serde(skip)]
    lent_rows: Vec<LentRow>,
}

impl Default for ArrivalShard {
    fn default() -> Self {
        Self {
            block: None,
            want: MIN_BLOCK,
            replaced_unreadable: false,
            retired: Vec::new(),
            served: ShardServed::default(),
            lent_rows: Vec::new(),
        }
    }
}

impl LeaseRequest {
    /// The command that asks the coordinator for this lease, for shard number `shard`.
    pub fn command(&self, shard: u32) -> Command {
        Command::LeaseBlock {
            shard,
            closing: self.closing,
            want: self.want,
            replaced_unreadable: self.replaced_unreadable,
            closing_gaps: self.closing_gaps.clone(),
            keep_open: self.keep_open.clone(),
            served: self.served,
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
            Ok((fan_id, seq)) => {
                self.served.joins += 1;
                ShardStep::Joined(ShardJoined {
                    fan_id,
                    seq,
                    again: false,
                })
            }
            Err(request) => ShardStep::Lease(request),
        }
    }

    /// A member's join (invitation-only sales): asks for the place the member already has
    /// ([`ShardStep::Need`]); [`ArrivalShard::supply_member`] answers it or numbers a new one.
    /// Between the look-up, the numbering and the record nothing else may run (the caller holds
    /// no await between them), so concurrent joins of one member, from any device, end in one
    /// place: a join that had to lease first looks again when it retries.
    pub fn handle_member(&self, member_key: &str, _now: UnixMillis) -> ShardStep {
        ShardStep::Need(MemberNeed::PlaceOf(member_key.to_owned()))
    }

    /// Takes what storage `found` for `need` at `now`: the member's stored place is answered
    /// (`again`, nothing numbered); with none, a new place is numbered, to be recorded
    /// ([`ShardStep::Record`]), or a lease is asked for first.
    pub fn supply_member(
        &mut self,
        need: MemberNeed,
        found: Option<ShardJoined>,
        now: UnixMillis,
    ) -> ShardStep {
        let MemberNeed::PlaceOf(member_key) = need;
        if let Some(place) = found {
            return ShardStep::Joined(ShardJoined {
                again: true,
                ..place
            });
        }
        match self.handle(now) {
            ShardStep::Joined(place) => ShardStep::Record(MemberPlace { member_key, place }),
            other => other,
        }
    }

    /// Takes the coordinator's answer to `request`, arrived at `now`. `Ok(true)` when it
    /// installed a new block (its state changed and its alarm is due at
    /// [`ArrivalShard::next_deadline`]); `Ok(false)` when the shard already holds that block or a
    /// later one: the coordinator leases blocks in increasing order, so an older lease that
    /// arrives after a newer one was installed (two joins' leases overtaking each other) must not
    /// replace it. The coordinator closes the older block as used when this shard next leases.
    pub fn supply(
        &mut self,
        request: &LeaseRequest,
        answer: Answer,
        now: UnixMillis,
    ) -> Result<bool, LeaseFailed> {
        if let Ok(Reply::Lease(_)) = &answer {
            self.served = self.served.minus(request.served);
        }
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

    /// When to wake the shard to report a block closed: the current one's end (or its last
    /// unreported sub-block's bound), and each retired one's.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        self.block
            .iter()
            .chain(&self.retired)
            .map(Active::close_at)
            .min()
            .map(|at| at.plus_millis(ALARM_SLACK_MS))
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
        self.lease_request_for(now, 1)
    }

    /// The lease to ask for now, for at least `need` numbers. The current block is closed with
    /// it if every sub-block lent from it is settled; else it is kept open (retired) until they
    /// are, and so are the retired ones.
    fn lease_request_for(&self, now: UnixMillis, need: u64) -> LeaseRequest {
        let mut keep_open: Vec<Seq> = self.retired.iter().map(|b| b.lease.start).collect();
        let Some(b) = &self.block else {
            return LeaseRequest {
                closing: None,
                want: self.want.max(need).min(MAX_BLOCK),
                replaced_unreadable: self.replaced_unreadable,
                closing_gaps: Vec::new(),
                keep_open,
                served: self.served,
            };
        };
        let elapsed = b.installed_at.millis_until(now).clamp(1, BLOCK_TTL_MS);
        let per_ttl = b.used * BLOCK_TTL_MS / elapsed;
        let want = (per_ttl + per_ttl / 2)
            .max(need)
            .clamp(MIN_BLOCK, MAX_BLOCK);
        let (closing, closing_gaps) = if b.settled(now) {
            let close = b.close();
            (Some(SeqRange::new(close.start, close.used)), close.gaps)
        } else {
            keep_open.push(b.lease.start);
            (None, Vec::new())
        };
        LeaseRequest {
            closing,
            want,
            replaced_unreadable: self.replaced_unreadable,
            closing_gaps,
            keep_open,
            served: self.served,
        }
    }

    /// Takes a block the coordinator leased in answer to `request`, arrived at `now`: usable for
    /// the lease's lifetime from now, by this shard's clock, and never past the next whole second
    /// of that clock (so the edge isolates leasing from it line up: about one lease each per
    /// second). The block it replaces is retired if the request did not close it.
    pub fn install(&mut self, request: &LeaseRequest, lease: BlockLease, now: UnixMillis) {
        self.want = request.want;
        self.replaced_unreadable = false;
        if let Some(old) = self.block.take() {
            if request.closing.map(|c| c.start) != Some(old.lease.start) {
                self.retired.push(old);
            } else {
                self.lent_rows.extend(old.forget());
            }
        }
        let until = now
            .plus_millis(lease.ttl_ms)
            .min(UnixMillis((now.0 / BLOCK_TTL_MS + 1) * BLOCK_TTL_MS));
        let until = lease.use_before.map_or(until, |at| until.min(at));
        self.block = Some(Active {
            lease,
            used: 0,
            installed_at: now,
            until,
            lent: Vec::new(),
            untracked: 0,
        });
    }

    /// Lends an edge isolate a sub-block of `want` numbers out of the current block, ending with
    /// it; or says which lease to ask for first (the current block is over, or has not `want`
    /// numbers left).
    pub fn lend(&mut self, now: UnixMillis, want: u64) -> Result<EdgeLease, LeaseRequest> {
        let want = want.clamp(1, MAX_BLOCK);
        let Some(block) = self
            .block
            .as_mut()
            .filter(|b| now < b.until && b.lease.len - b.used >= want)
        else {
            return Err(self.lease_request_for(now, want));
        };
        let start = block.lease.start + block.used;
        block.used += want;
        let lent = Lent {
            start,
            len: want,
            until: block.until,
            reported: None,
        };
        block.lent.push(lent.clone());
        self.lent_rows.push(LentRow::Put {
            block: block.lease.start,
            lent,
        });
        self.served.edge_leases += 1;
        Ok(EdgeLease {
            start,
            len: want,
            ttl_ms: now.millis_until(block.until),
            fan_salt: block.lease.fan_salt.clone(),
        })
    }

    /// An edge isolate's request with nothing but reports (`ReportEdge`): counted, then
    /// [`ArrivalShard::report`].
    pub fn report_alone(&mut self, reports: &[EdgeReport], now: UnixMillis) -> bool {
        self.served.edge_reports += 1;
        self.report(reports, now)
    }

    /// Takes edge isolates' reports of how many numbers of their sub-blocks went to fans.
    /// A report of a sub-block unknown, already reported, or past its bound changes nothing.
    /// Whether any changed the state (each change is a row to write).
    pub fn report(&mut self, reports: &[EdgeReport], now: UnixMillis) -> bool {
        let mut changed = false;
        for report in reports {
            if let Some(row) = self
                .block
                .iter_mut()
                .chain(self.retired.iter_mut())
                .find(|b| (b.lease.start..b.lease.start + b.lease.len).contains(&report.start))
                .and_then(|block| block.report(*report, now))
            {
                self.lent_rows.push(row);
                changed = true;
            }
        }
        changed
    }

    /// A block to report closed (for an alarm): a retired one whose sub-blocks are all settled,
    /// or the current one once its time is up and its sub-blocks are settled.
    pub fn closable(&self, now: UnixMillis) -> Option<BlockClose> {
        self.retired
            .iter()
            .chain(self.block.iter().filter(|b| now >= b.until))
            .find(|b| b.settled(now))
            .map(Active::close)
    }

    /// The block to report as closed because its time is up, if any (for an alarm): its start and
    /// how many of its numbers went to fans.
    pub fn expired(&self, now: UnixMillis) -> Option<SeqRange> {
        self.closable(now).map(|c| SeqRange::new(c.start, c.used))
    }

    /// Requests served since the coordinator was last told, to send with a close.
    pub fn served(&self) -> ShardServed {
        self.served
    }

    /// Forgets a block after the coordinator was told it is closed, and the requests counted
    /// that the close carried.
    pub fn closed(&mut self, start: Seq) {
        self.closed_with(start, ShardServed::default());
    }

    /// [`ArrivalShard::closed`], with the served counts the close delivered.
    pub fn closed_with(&mut self, start: Seq, delivered: ShardServed) {
        self.served = self.served.minus(delivered);
        if self.block.as_ref().is_some_and(|b| b.lease.start == start) {
            self.lent_rows
                .extend(self.block.take().and_then(|b| b.forget()));
        }
        if let Some(i) = self.retired.iter().position(|b| b.lease.start == start) {
            let forgotten = self.retired.remove(i);
            self.lent_rows.extend(forgotten.forget());
        }
    }

    /// The start of the block in use, if any.
    pub fn current_start(&self) -> Option<Seq> {
        self.block.as_ref().map(|b| b.lease.start)
    }

    /// Sub-blocks kept one by one, and those a version before the rows lent untracked, over the
    /// current and retired blocks.
    pub fn lent_counts(&self) -> (usize, u64) {
        let blocks = || self.block.iter().chain(&self.retired);
        (
            blocks().map(|b| b.lent.len()).sum(),
            blocks().map(|b| b.untracked).sum(),
        )
    }

    /// When the current block stops being usable, for an alarm.
    pub fn block_until(&self) -> Option<UnixMillis> {
        self.block.as_ref().map(|b| b.until)
    }
}

/// For tests: what each shard's alarm does once its block's time is up (shard `k` of `shards`).
#[cfg(test)]
pub(crate) fn ring_alarms(
    c: &mut crate::queue::Queue,
    shards: &mut [ArrivalShard],
    now: UnixMillis,
) {
    for (k, shard) in shards.iter_mut().enumerate() {
        if let Some(used) = shard.expired(now) {
            c.close_block(now, k as u32, used.start, used.len);
            shard.closed(used.start);
        }
    }
}

#[cfg(test)]
mod lent_tests;
#[cfg(test)]
mod tests;
