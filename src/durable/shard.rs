//! The arrival shard Durable Object: numbers fans for one sale from blocks leased from the sale's
//! coordinator, so joins spread over several objects (`{sale}#{k}`) and the coordinator sees one
//! request per block instead of one per fan.
//!
//! Its state is one row, and each sub-block it lent to an edge isolate a row of its own (table
//! `lent`, [`shard_lent`]); if the state row cannot be read it is replaced by a fresh state (logged, and
//! counted in the sale's `bad_records` through the next lease), and the block it held is closed
//! by the coordinator as lost. A join leases at most [`MAX_LEASE_ATTEMPTS`] times; one that gets
//! no number (or cannot reach the coordinator) is answered [`QueueError::Busy`]: nothing was
//! recorded, the fan tries again.

use super::schema::{self, Migration, Step};
use super::shard_lent;
use crate::clock;
use crate::objects::{
    refuse_unanswered_protocol, CallError, ClockPoke, ClockPoked, Coordinator, Objects, CLOCK_URL,
};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use waitroom_core::fairness::pow::{SpentSolutions, MAX_SPENT_SOLUTIONS};
use waitroom_core::machines::edge_block::{EdgeLease, EdgeReport};
use waitroom_core::machines::protocol::{Answer, Command, Reply, ShardCommand, ShardJoined};
use waitroom_core::machines::shard::{
    ArrivalShard as Numbering, BlockClose, LeaseFailed, LeaseRequest, MemberNeed, MemberPlace,
    ShardStep, MAX_LEASE_ATTEMPTS,
};
use waitroom_core::{FanId, QueueError, SaleId, UnixMillis};
use worker::{Env, Request, Response, Result, SqlStorage, SqlStorageValue, State};

/// How long after a failed close the alarm tries again.
const RETRY_MS: u64 = 1_000;
/// How long after a refused close (the sale is gone or cannot be read) it tries again.
const RETRY_REFUSED_MS: u64 = 60_000;

pub struct ArrivalShardObject {
    state: State,
    env: Env,
    inner: RefCell<Option<Stored>>,
    /// The alarm last set, recorded only once `set_alarm` succeeded.
    alarm_at: Cell<Option<UnixMillis>>,
    /// Whether storage was brought to the latest schema version since the object started.
    migrated: Cell<bool>,
    /// Proof-of-work solutions joins here were paid with (the edge sends each solution to the
    /// shard its hash picks, so a replay comes here too).
    spent: RefCell<SpentSolutions>,
}

/// The shard's schema versions (see [`schema`]): one row holding its state; then the places of
/// an invitation-only sale's members, by member key (a hash: no member id is stored); then the
/// sub-blocks it lent, one row each (a state row written before holds them itself, and is still
/// read: the next write moves them to rows).
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        what: "the shard's state",
        steps: &[Step::Sql(
            "CREATE TABLE IF NOT EXISTS shard (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)",
        )],
    },
    Migration {
        version: 2,
        what: "members' places",
        steps: &[Step::Sql(
            "CREATE TABLE IF NOT EXISTS members (member TEXT PRIMARY KEY, seq INTEGER NOT NULL, fan_id TEXT NOT NULL)",
        )],
    },
    Migration {
        version: 3,
        what: "lent sub-blocks, one row each",
        steps: &[Step::Sql(shard_lent::CREATE_TABLE)],
    },
];

/// The place stored for `member_key` in the `members` table, if any. A table that cannot be read
/// fails the join (read as "no place", it would give a member a second one).
fn place_of(
    sql: &SqlStorage,
    member_key: &str,
) -> std::result::Result<Option<ShardJoined>, String> {
    let rows = sql
        .exec(
            "SELECT seq, fan_id FROM members WHERE member = ?",
            vec![SqlStorageValue::String(member_key.to_owned())],
        )
        .and_then(|c| c.to_array::<MemberRow>())
        .map_err(|e| format!("could not read a member's place: {e}"))?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    const UNREADABLE: &str = "a member's stored place is unreadable";
    Ok(Some(ShardJoined {
        fan_id: serde_json::from_value::<FanId>(serde_json::Value::String(row.fan_id))
            .map_err(|_| UNREADABLE.to_owned())?,
        seq: u64::try_from(row.seq).map_err(|_| UNREADABLE.to_owned())?,
        again: true,
    }))
}

/// Records a member's new place in the `members` table. Written after the shard's numbering
/// state (in the same step, nothing else running between): if this write fails, the number is
/// lost as a gap rather than given to a member and then to another fan.
fn record(sql: &SqlStorage, recorded: &MemberPlace) -> std::result::Result<(), String> {
    let MemberPlace { member_key, place } = recorded;
    let seq = i64::try_from(place.seq).map_err(|e| e.to_string())?;
    sql.exec(
        "INSERT INTO members (member, seq, fan_id) VALUES (?, ?, ?)",
        vec![
            SqlStorageValue::String(member_key.clone()),
            SqlStorageValue::Integer(seq),
            SqlStorageValue::String(place.fan_id.to_string()),
        ],
    )
    .map(|_| ())
    .map_err(|e| format!("could not record a member's place: {e}"))
}

#[derive(Deserialize)]
struct MemberRow {
    seq: i64,
    fan_id: String,
}

/// Why a join got no number.
#[derive(Clone, Debug)]
enum LeaseError {
    /// The coordinator refused: the join's answer.
    Refused(QueueError),
    Failed(String),
}

impl From<LeaseFailed> for LeaseError {
    fn from(e: LeaseFailed) -> Self {
        match e {
            LeaseFailed::Refused(refusal) => LeaseError::Refused(refusal),
            LeaseFailed::Unexpected(message) => LeaseError::Failed(message),
        }
    }
}

impl From<CallError> for LeaseError {
    fn from(e: CallError) -> Self {
        LeaseError::Failed(e.to_string())
    }
}

/// What the object keeps: which shard of which sale it is, and its numbering state.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Stored {
    sale: SaleId,
    shard: u32,
    numbering: Numbering,
}

impl ArrivalShardObject {
    /// The shard's state. For a join (`joining`: which shard of which sale this is), a state that
    /// cannot be read is replaced by a fresh one; for the alarm it is as good as none.
    fn load(&self, joining: Option<(&SaleId, u32)>) -> Result<Option<Stored>> {
        if let Some(stored) = self.inner.borrow().clone() {
            return Ok(Some(stored));
        }
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql, "arrival shard", MIGRATIONS)?;
            self.migrated.set(true);
        }
        let rows = sql
            .exec("SELECT body FROM shard", None)?
            .to_array::<serde_json::Value>()?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let body = row.get("body").and_then(|b| b.as_str()).unwrap_or_default();
        let mut stored = match serde_json::from_str::<Stored>(body) {
            Ok(stored) => stored,
            Err(e) => {
                worker::console_error!(
                    "skipped an unreadable stored record: table shard, id 1: {:?} error at line {} column {}; replaced by a fresh state",
                    e.classify(),
                    e.line(),
                    e.column()
                );
                let Some((sale, shard)) = joining else {
                    return Ok(None);
                };
                Stored {
                    sale: sale.clone(),
                    shard,
                    numbering: Numbering::replacing_unreadable(),
                }
            }
        };
        // Its sub-blocks' rows (those of blocks it no longer holds are deleted by its next save).
        stored.numbering.restore_lent(shard_lent::read(&sql)?);
        *self.inner.borrow_mut() = Some(stored.clone());
        Ok(Some(stored))
    }

    /// The state of shard `shard` of `sale` for a join or a lend: as stored, or a fresh one.
    fn load_for(&self, sale: &SaleId, shard: u32) -> std::result::Result<Stored, LeaseError> {
        Ok(self
            .load(Some((sale, shard)))
            .map_err(|e| LeaseError::Failed(e.to_string()))?
            .unwrap_or_else(|| Stored {
                sale: sale.clone(),
                shard,
                numbering: Numbering::default(),
            }))
    }

    /// Sets the alarm for the current block unless it is set already; recorded as set only once
    /// `set_alarm` succeeded, so a failure is retried by the next join.
    async fn ensure_alarm(&self, at: Option<UnixMillis>) -> Result<()> {
        let Some(at) = at else {
            return Ok(());
        };
        if self.alarm_at.get() == Some(at) {
            return Ok(());
        }
        self.state
            .storage()
            .set_alarm(clock::until(at, clock::now()).max(std::time::Duration::from_millis(10)))
            .await?;
        self.alarm_at.set(Some(at));
        Ok(())
    }

    /// Writes the state row and the changes to its sub-blocks' rows, in one step.
    fn save(&self, mut stored: Stored) -> Result<()> {
        let body =
            serde_json::to_string(&stored).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let sql = self.state.storage().sql();
        sql.exec(
            "INSERT OR REPLACE INTO shard (id, body) VALUES (1, ?)",
            vec![SqlStorageValue::String(body)],
        )?;
        shard_lent::apply(&sql, stored.numbering.take_lent_rows())?;
        *self.inner.borrow_mut() = Some(stored);
        Ok(())
    }

    /// Numbers one fan, leasing a block first when the current one is used up or too old; tries
    /// to join after each lease, and gives up after [`MAX_LEASE_ATTEMPTS`] leases.
    async fn join(
        &self,
        sale: SaleId,
        shard: u32,
        member: Option<&str>,
    ) -> std::result::Result<ShardJoined, LeaseError> {
        let failed = |e: worker::Error| LeaseError::Failed(e.to_string());
        let mut leases = 0;
        loop {
            let now = clock::now();
            let mut stored = self.load_for(&sale, shard)?;
            // A member's look-up, numbering and record happen in this one step, with no await
            // between them: a second join of the same member finds the place recorded.
            let mut step = match member {
                None => stored.numbering.handle(now),
                Some(key) => stored.numbering.handle_member(key, now),
            };
            let request = loop {
                let (joined, recorded) = match step {
                    ShardStep::Need(need) => {
                        let MemberNeed::PlaceOf(key) = &need;
                        let found = place_of(&self.state.storage().sql(), key)
                            .map_err(LeaseError::Failed)?;
                        step = stored.numbering.supply_member(need, found, now);
                        continue;
                    }
                    ShardStep::Joined(joined) if joined.again => return Ok(joined),
                    ShardStep::Joined(joined) => (joined, None),
                    ShardStep::Record(recorded) => (recorded.place.clone(), Some(recorded)),
                    ShardStep::Lease(_) if leases == MAX_LEASE_ATTEMPTS => {
                        return Err(LeaseError::Failed(format!(
                            "no number after {MAX_LEASE_ATTEMPTS} leases"
                        )))
                    }
                    ShardStep::Lease(request) => break request,
                };
                let alarm_at = stored.numbering.next_deadline();
                self.save(stored).map_err(failed)?;
                if let Some(recorded) = &recorded {
                    record(&self.state.storage().sql(), recorded).map_err(LeaseError::Failed)?;
                }
                if let Err(e) = self.ensure_alarm(alarm_at).await {
                    worker::console_error!(
                        "arrival shard {shard} of {sale}: could not set its alarm: {e}"
                    );
                }
                return Ok(joined);
            };
            leases += 1;
            self.lease_and_install(stored, &request).await?;
        }
    }

    /// Leases a block for `request` and installs it into the state as it is once the answer is
    /// in (other requests may have run meanwhile), with the lease's lifetime counted from then.
    async fn lease_and_install(
        &self,
        stored: Stored,
        request: &LeaseRequest,
    ) -> std::result::Result<(), LeaseError> {
        let failed = |e: worker::Error| LeaseError::Failed(e.to_string());
        let answer = self.lease(&stored, request.clone()).await?;
        let mut stored = self
            .load(Some((&stored.sale, stored.shard)))
            .map_err(failed)?
            .unwrap_or(stored);
        if stored.numbering.supply(request, answer, clock::now())? {
            self.save(stored).map_err(failed)?;
        }
        Ok(())
    }

    /// Lends an edge isolate a sub-block of `want` numbers, taking its `reports` first; leases a
    /// block first when the current one cannot lend it (at most [`MAX_LEASE_ATTEMPTS`] times).
    async fn lend_edge(
        &self,
        sale: SaleId,
        shard: u32,
        reports: &[EdgeReport],
        want: u64,
    ) -> std::result::Result<EdgeLease, LeaseError> {
        let failed = |e: worker::Error| LeaseError::Failed(e.to_string());
        let mut leases = 0;
        let mut reported = reports.is_empty();
        loop {
            let now = clock::now();
            let mut stored = self.load_for(&sale, shard)?;
            if !reported {
                stored.numbering.report(reports, now);
                reported = true;
            }
            match stored.numbering.lend(now, want) {
                Ok(lease) => {
                    let alarm_at = stored.numbering.next_deadline();
                    self.save(stored).map_err(failed)?;
                    if let Err(e) = self.ensure_alarm(alarm_at).await {
                        worker::console_error!(
                            "arrival shard {shard} of {sale}: could not set its alarm: {e}"
                        );
                    }
                    return Ok(lease);
                }
                Err(_) if leases == MAX_LEASE_ATTEMPTS => {
                    return Err(LeaseError::Failed(format!(
                        "no sub-block after {MAX_LEASE_ATTEMPTS} leases"
                    )))
                }
                Err(request) => {
                    // The reports are kept before the lease (which may fail) is asked for.
                    self.save(stored.clone()).map_err(failed)?;
                    leases += 1;
                    self.lease_and_install(stored, &request).await?;
                }
            }
        }
    }

    /// An edge isolate's reports of sub-blocks that ended with no join after them.
    async fn take_reports(&self, sale: SaleId, shard: u32, reports: &[EdgeReport]) -> Result<()> {
        let Some(mut stored) = self.load(Some((&sale, shard)))? else {
            return Ok(());
        };
        stored.numbering.report_alone(reports, clock::now());
        let alarm_at = stored.numbering.next_deadline();
        self.save(stored)?;
        self.ensure_alarm(alarm_at).await
    }

    /// Asks the coordinator for a block with every other event held back meanwhile
    /// (`blockConcurrencyWhile`), so concurrent joins never lease twice: they run after it and
    /// find the new block. (A future shared between requests would not do: the runtime cancels a
    /// request that waits on another request's I/O.)
    async fn lease(
        &self,
        stored: &Stored,
        request: LeaseRequest,
    ) -> std::result::Result<Answer, LeaseError> {
        let objects = Objects::new(self.env.clone());
        let (sale, shard) = (stored.sale.clone(), stored.shard);
        let command = request.command(shard);
        let outcome = self.state.block_concurrency_while(async move {
            Ok(objects.ask(&Coordinator(&sale), &command).await)
        });
        match outcome
            .await
            .map_err(|e| LeaseError::Failed(e.to_string()))?
        {
            Ok(reply) => Ok(Ok(reply)),
            // The refusal is the lease's answer, as the core reads it.
            Err(CallError::Refused(refusal)) => Ok(Err(refusal)),
            Err(e) => Err(e.into()),
        }
    }

    /// Closes every block that may be closed now (its time up and its sub-blocks settled);
    /// when the next one is due.
    async fn close_expired(&self, now: UnixMillis) -> Result<Option<UnixMillis>> {
        loop {
            let Some(stored) = self.load(None)? else {
                return Ok(None);
            };
            let Some(close) = stored.numbering.closable(now) else {
                return Ok(stored.numbering.next_deadline());
            };
            if let Some(retry_at) = self.close_block(&stored, close).await? {
                return Ok(Some(retry_at));
            }
        }
    }

    /// Tells the coordinator a block is closed; `Some(retry at)` if it could not.
    async fn close_block(&self, stored: &Stored, close: BlockClose) -> Result<Option<UnixMillis>> {
        let now = clock::now();
        let start = close.start;
        let served = stored.numbering.served();
        let command = Command::CloseBlock {
            shard: stored.shard,
            start,
            used: close.used,
            gaps: close.gaps,
            served,
        };
        let closed: std::result::Result<Reply, _> = Objects::new(self.env.clone())
            .ask(&Coordinator(&stored.sale), &command)
            .await;
        match closed {
            Ok(_) => {
                // Joins may have leased a new block while the coordinator answered: forget the
                // closed block wherever it is now, and the counts the close delivered.
                if let Some(mut current) = self.load(None)? {
                    current.numbering.closed_with(start, served);
                    self.save(current)?;
                }
                Ok(None)
            }
            Err(CallError::Refused(refusal)) => {
                worker::console_error!(
                    "arrival shard {} of {}: could not close block {start}: {refusal}",
                    stored.shard,
                    stored.sale
                );
                Ok(Some(now.plus_millis(RETRY_REFUSED_MS)))
            }
            Err(e) => {
                worker::console_error!(
                    "arrival shard {} of {}: could not close block {start}: {e}",
                    stored.shard,
                    stored.sale
                );
                Ok(Some(now.plus_millis(RETRY_MS)))
            }
        }
    }
}

/// What the runtime calls: the full worker's class of the same name hands every event here.
impl ArrivalShardObject {
    pub fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            inner: RefCell::new(None),
            alarm_at: Cell::new(None),
            migrated: Cell::new(false),
            spent: RefCell::new(SpentSolutions::new(MAX_SPENT_SOLUTIONS)),
        }
    }

    pub async fn fetch(&self, mut req: Request) -> Result<Response> {
        if req.url()?.as_str() == CLOCK_URL {
            if !crate::test_faults::enabled(&self.env) {
                return Response::error("not found", 404);
            }
            let poke: ClockPoke = match req.json().await {
                Ok(poke) => poke,
                Err(e) => return Response::error(format!("not a clock poke: {e}"), 400),
            };
            // An alarm set before the clock moved rings too late by it: run a pending one now,
            // which sets the next one from the moved time (see `crate::clock`).
            clock::learn_offset(poke.offset_ms);
            let pending = self.state.storage().get_alarm().await?.is_some();
            if pending {
                self.alarm().await?;
            }
            return Response::from_json(&ClockPoked {
                alarm_ran: pending,
                shards: 0,
            });
        }
        if let Some(refused) = refuse_unanswered_protocol(&req) {
            return refused;
        }
        let (sale, shard, member, pow) = match req.json::<ShardCommand>().await {
            Ok(ShardCommand::Join {
                sale,
                shard,
                member,
                pow,
            }) => (sale, shard, member, pow),
            Ok(ShardCommand::LeaseEdge {
                sale,
                shard,
                want,
                reports,
            }) => {
                let answer: std::result::Result<EdgeLease, QueueError> =
                    match self.lend_edge(sale, shard, &reports, want).await {
                        Ok(lease) => Ok(lease),
                        Err(LeaseError::Refused(refusal)) => Err(refusal),
                        Err(LeaseError::Failed(e)) => {
                            worker::console_error!(
                                "arrival shard {shard}: no sub-block for the edge: {e}"
                            );
                            Err(QueueError::Busy)
                        }
                    };
                return Response::from_json(&answer);
            }
            Ok(ShardCommand::Spend { pow, .. }) => {
                let answer: std::result::Result<(), QueueError> = self
                    .spent
                    .borrow_mut()
                    .spend(pow, clock::now())
                    .map_err(QueueError::from);
                return Response::from_json(&answer);
            }
            Ok(ShardCommand::ReportEdge {
                sale,
                shard,
                reports,
            }) => {
                let answer: std::result::Result<(), QueueError> =
                    match self.take_reports(sale, shard, &reports).await {
                        Ok(()) => Ok(()),
                        Err(e) => {
                            worker::console_error!(
                                "arrival shard {shard}: could not take the edge's reports: {e}"
                            );
                            Err(QueueError::Busy)
                        }
                    };
                return Response::from_json(&answer);
            }
            Err(e) => return Response::error(format!("not a shard command: {e}"), 400),
        };
        if let Err(refused) = self.spent.borrow_mut().spend_for_join(pow, clock::now()) {
            let answer: std::result::Result<ShardJoined, QueueError> = Err(refused.into());
            return Response::from_json(&answer);
        }
        let answer: std::result::Result<ShardJoined, QueueError> =
            match self.join(sale, shard, member.as_deref()).await {
                Ok(joined) => Ok(joined),
                Err(LeaseError::Refused(refusal)) => Err(refusal),
                Err(LeaseError::Failed(e)) => {
                    worker::console_error!("arrival shard {shard}: no number for a join: {e}");
                    Err(QueueError::Busy)
                }
            };
        if let (Some(v), Err(_)) = (&pow, &answer) {
            self.spent.borrow_mut().forget(v);
        }
        Response::from_json(&answer)
    }

    /// Reports the block closed once its time is up, so its unused numbers never hold the line.
    /// An error makes the runtime retry the alarm.
    pub async fn alarm(&self) -> Result<Response> {
        // The alarm that was set has rung.
        self.alarm_at.set(None);
        let now = clock::now();
        self.ensure_alarm(self.close_expired(now).await?).await?;
        Response::ok("ok")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_well_formed() {
        super::schema::assert_well_formed(super::MIGRATIONS);
    }
}
