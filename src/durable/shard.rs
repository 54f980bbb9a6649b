//! The arrival shard Durable Object: numbers fans for one sale from blocks leased from the sale's
//! coordinator, so joins spread over several objects (`{sale}#{k}`) and the coordinator sees one
//! request per block instead of one per fan.

use crate::clock;
use crate::coordinator_client::{ask, unexpected};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use waitroom_core::coordinator::BlockLease;
use waitroom_core::protocol::{Command, Reply, ShardCommand, ShardJoined};
use waitroom_core::shard::{ArrivalShard as Numbering, LeaseRequest};
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

type LeaseOutcome = std::result::Result<(LeaseRequest, BlockLease), LeaseError>;

#[derive(Clone, Debug)]
enum LeaseError {
    Refused(QueueError),
    Failed(String),
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

    /// Numbers one fan, leasing a block first when the current one is used up or too old.
    async fn join(&self, sale: SaleId, shard: u32) -> std::result::Result<ShardJoined, LeaseError> {
        let failed = |e: worker::Error| LeaseError::Failed(e.to_string());
        loop {
            let now = clock::now();
            let mut stored = self.load().map_err(failed)?.unwrap_or_else(|| Stored {
                sale: sale.clone(),
                shard,
                numbering: Numbering::default(),
            });
            let request = match stored.numbering.join(now) {
                Ok((fan_id, seq)) => {
                    self.save(stored).map_err(failed)?;
                    return Ok(ShardJoined { fan_id, seq });
                }
                Err(request) => request,
            };
            let (request, lease) = self.lease(&stored, request).await?;
            let mut stored = self.load().map_err(failed)?.unwrap_or(stored);
            if stored.numbering.current_start() != Some(lease.start) {
                stored.numbering.install(request, lease.clone());
                self.save(stored).map_err(failed)?;
                let alarm_at = lease.until.plus_millis(20);
                if let Err(e) = self
                    .state
                    .storage()
                    .set_alarm(clock::until(alarm_at, clock::now()))
                    .await
                {
                    worker::console_error!(
                        "arrival shard {shard} of {sale}: could not set its alarm: {e}"
                    );
                }
            }
        }
    }

    /// Asks the coordinator for a block with every other event held back meanwhile
    /// (`blockConcurrencyWhile`), so concurrent joins never lease twice: they run after it and
    /// find the new block. (A future shared between requests would not do: the runtime cancels a
    /// request that waits on another request's I/O.)
    async fn lease(&self, stored: &Stored, request: LeaseRequest) -> LeaseOutcome {
        let env = self.env.clone();
        let (sale, shard) = (stored.sale.clone(), stored.shard);
        let outcome = self.state.block_concurrency_while(async move {
            let command = Command::LeaseBlock {
                shard,
                closing: request.closing,
                want: request.want,
            };
            Ok(match ask(&env, &sale, &command).await {
                Ok(Reply::Lease(lease)) => Ok((request, lease)),
                Ok(other) => Err(LeaseError::Failed(unexpected(other).message())),
                Err(ApiError::Queue(refusal)) => Err(LeaseError::Refused(refusal)),
                Err(e) => Err(LeaseError::Failed(format!("{e:?}"))),
            })
        });
        outcome
            .await
            .map_err(|e| LeaseError::Failed(e.to_string()))?
    }

    async fn close_expired(&self, now: UnixMillis) -> Result<Option<UnixMillis>> {
        let Some(stored) = self.load()? else {
            return Ok(None);
        };
        let Some((start, used)) = stored.numbering.expired(now) else {
            return Ok(stored.numbering.block_until());
        };
        let command = Command::CloseBlock {
            shard: stored.shard,
            start,
            used,
        };
        match ask(&self.env, &stored.sale, &command).await {
            Ok(_) => {
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
            Err(e) => {
                worker::console_error!(
                    "arrival shard {} of {}: could not close block {start}: {e:?}",
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
