//! The arrival shard Durable Object: numbers fans for one sale from blocks leased from the sale's
//! coordinator, so joins spread over several objects (`{sale}#{k}`) and the coordinator sees one
//! request per block instead of one per fan.

use crate::clock;
use crate::coordinator_client::{call_coordinator, CallError};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use waitroom_core::protocol::{Answer, Command, ShardCommand, ShardJoined};
use waitroom_core::shard::{
    ArrivalShard as Numbering, LeaseFailed, LeaseRequest, ShardStep, MAX_LEASE_ATTEMPTS,
};
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorageValue, State,
};

/// How long after a failed close the alarm tries again.
const RETRY_MS: u64 = 1_000;

#[durable_object]
pub struct ArrivalShard {
    state: State,
    env: Env,
    inner: RefCell<Option<Stored>>,
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

#[derive(Deserialize)]
struct Body {
    body: String,
}

impl ArrivalShard {
    fn load(&self) -> Result<Option<Stored>> {
        if let Some(stored) = self.inner.borrow().clone() {
            return Ok(Some(stored));
        }
        let sql = self.state.storage().sql();
        sql.exec("CREATE TABLE IF NOT EXISTS shard (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)", None)?;
        let stored = match sql
            .exec("SELECT body FROM shard", None)?
            .to_array::<Body>()?
            .pop()
        {
            Some(row) => Some(
                serde_json::from_str(&row.body)
                    .map_err(|e| worker::Error::RustError(e.to_string()))?,
            ),
            None => None,
        };
        *self.inner.borrow_mut() = stored.clone();
        Ok(stored)
    }

    fn save(&self, stored: Stored) -> Result<()> {
        let body =
            serde_json::to_string(&stored).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.state.storage().sql().exec(
            "INSERT OR REPLACE INTO shard (id, body) VALUES (1, ?)",
            vec![SqlStorageValue::String(body)],
        )?;
        *self.inner.borrow_mut() = Some(stored);
        Ok(())
    }

    /// Numbers one fan, leasing a block first when the current one is used up or too old; gives
    /// up after [`MAX_LEASE_ATTEMPTS`] leases.
    async fn join(&self, sale: SaleId, shard: u32) -> std::result::Result<ShardJoined, LeaseError> {
        let failed = |e: worker::Error| LeaseError::Failed(e.to_string());
        for _ in 0..=MAX_LEASE_ATTEMPTS {
            let now = clock::now();
            let mut stored = self.load().map_err(failed)?.unwrap_or_else(|| Stored {
                sale: sale.clone(),
                shard,
                numbering: Numbering::default(),
            });
            let request = match stored.numbering.handle(now) {
                ShardStep::Joined(joined) => {
                    self.save(stored).map_err(failed)?;
                    return Ok(joined);
                }
                ShardStep::Lease(request) => request,
            };
            let answer = self.lease(&stored, request).await?;
            // Other joins may have run meanwhile: install into the state as it is now.
            let mut stored = self.load().map_err(failed)?.unwrap_or(stored);
            if stored.numbering.supply(request, answer)? {
                let alarm_at = stored.numbering.next_deadline();
                self.save(stored).map_err(failed)?;
                if let Some(at) = alarm_at {
                    if let Err(e) = self
                        .state
                        .storage()
                        .set_alarm(clock::until(at, clock::now()))
                        .await
                    {
                        worker::console_error!(
                            "arrival shard {shard} of {sale}: could not set its alarm: {e}"
                        );
                    }
                }
            }
        }
        Err(LeaseError::Failed(format!(
            "no number after {MAX_LEASE_ATTEMPTS} leases"
        )))
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
        let env = self.env.clone();
        let (sale, shard) = (stored.sale.clone(), stored.shard);
        let outcome = self.state.block_concurrency_while(async move {
            Ok(call_coordinator(&env, &sale, &request.command(shard)).await)
        });
        Ok(outcome
            .await
            .map_err(|e| LeaseError::Failed(e.to_string()))??)
    }

    async fn close_expired(&self, now: UnixMillis) -> Result<Option<UnixMillis>> {
        let Some(stored) = self.load()? else {
            return Ok(None);
        };
        let Some((start, used)) = stored.numbering.expired(now) else {
            return Ok(stored.numbering.next_deadline());
        };
        let command = Command::CloseBlock {
            shard: stored.shard,
            start,
            used,
        };
        match call_coordinator(&self.env, &stored.sale, &command).await {
            Ok(Ok(_)) => {
                // Joins may have leased a new block while the coordinator answered: forget the
                // closed block only if it is still the current one.
                if let Some(mut current) = self.load()? {
                    if current.numbering.current_start() == Some(start) {
                        current.numbering.closed(start);
                        self.save(current)?;
                    }
                }
                Ok(None)
            }
            Ok(Err(refusal)) => {
                worker::console_error!(
                    "arrival shard {} of {}: could not close block {start}: {refusal}",
                    stored.shard,
                    stored.sale
                );
                Ok(Some(now.plus_millis(RETRY_MS)))
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

impl DurableObject for ArrivalShard {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            inner: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let ShardCommand::Join { sale, shard } = match req.json::<ShardCommand>().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a shard command: {e}"), 400),
        };
        let answer: std::result::Result<ShardJoined, QueueError> =
            match self.join(sale, shard).await {
                Ok(joined) => Ok(joined),
                Err(LeaseError::Refused(refusal)) => Err(refusal),
                Err(LeaseError::Failed(e)) => {
                    return Response::error(format!("lease failed: {e}"), 500)
                }
            };
        Response::from_json(&answer)
    }

    /// Reports the block closed once its time is up, so its unused numbers never hold the line.
    async fn alarm(&self) -> Result<Response> {
        let now = clock::now();
        if let Some(at) = self.close_expired(now).await? {
            self.state
                .storage()
                .set_alarm(clock::until(at, now).max(std::time::Duration::from_millis(10)))
                .await?;
        }
        Response::ok("ok")
    }
}
