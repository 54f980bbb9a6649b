//! Snapshots of a sale's line, cached for about a second so polls never reach the coordinator.
//!
//! Three layers, each consulted only when the one before has nothing fresh:
//! 1. isolate memory (free),
//! 2. the Workers Cache API (shared by the isolates of a data centre),
//! 3. the sale's coordinator, asked by one request per isolate at a time (single flight).
//!
//! A snapshot can only be behind the coordinator, never ahead: `head` never moves back, so a stale
//! one makes a fan wait up to a second longer, and never lets anyone skip the line.

use crate::coordinator_client::{ask, unexpected};
use crate::error::ApiError;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use waitroom_core::protocol::{Command, Reply};
use waitroom_core::snapshot::Snapshot;
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{Cache, Env, Headers, Response};

/// How long a snapshot answers polls.
pub const SNAPSHOT_TTL_MS: u64 = 1_000;

/// What the cache layers hold: a snapshot, or the fact that the sale does not exist.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Entry {
    Sale(Rc<Snapshot>),
    Missing { checked_at: UnixMillis },
}

impl Entry {
    fn taken_at(&self) -> UnixMillis {
        match self {
            Entry::Sale(s) => s.taken_at,
            Entry::Missing { checked_at } => *checked_at,
        }
    }

    fn is_fresh(&self, now: UnixMillis) -> bool {
        now < self.taken_at().plus_millis(SNAPSHOT_TTL_MS)
    }

    fn into_snapshot(self) -> Option<Rc<Snapshot>> {
        match self {
            Entry::Sale(s) => Some(s),
            Entry::Missing { .. } => None,
        }
    }
}

type Flight = Shared<LocalBoxFuture<'static, Result<Entry, String>>>;

thread_local! {
    static MEMORY: RefCell<HashMap<SaleId, Entry>> = RefCell::new(HashMap::new());
    static IN_FLIGHT: RefCell<HashMap<SaleId, Flight>> = RefCell::new(HashMap::new());
}

/// The Cache API key of a sale's snapshot, on the Worker's own origin.
fn cache_key(origin: &str, sale: &SaleId) -> String {
    format!("{origin}/__waitroom/snapshot/{sale}")
}

/// The sale's snapshot, at most [`SNAPSHOT_TTL_MS`] old; `None` if there is no such sale.
pub async fn snapshot(
    env: &Env,
    origin: &str,
    sale: &SaleId,
    now: UnixMillis,
) -> Result<Option<Rc<Snapshot>>, ApiError> {
    if let Some(entry) = MEMORY.with(|m| m.borrow().get(sale).filter(|e| e.is_fresh(now)).cloned())
    {
        return Ok(entry.into_snapshot());
    }
    let flight = IN_FLIGHT.with(|f| {
        f.borrow_mut()
            .entry(sale.clone())
            .or_insert_with(|| {
                fetch(env.clone(), cache_key(origin, sale), sale.clone(), now)
                    .boxed_local()
                    .shared()
            })
            .clone()
    });
    let result = flight.await;
    IN_FLIGHT.with(|f| f.borrow_mut().remove(sale));
    let entry = result.map_err(ApiError::Internal)?;
    MEMORY.with(|m| m.borrow_mut().insert(sale.clone(), entry.clone()));
    Ok(entry.into_snapshot())
}

/// Forgets the sale's snapshot here, after a promoter changed it, so this data centre sees the
/// change at once (others within [`SNAPSHOT_TTL_MS`]).
pub async fn invalidate(origin: &str, sale: &SaleId) {
    MEMORY.with(|m| m.borrow_mut().remove(sale));
    if let Err(e) = Cache::default()
        .delete(cache_key(origin, sale).as_str(), true)
        .await
    {
        worker::console_warn!("could not drop the cached snapshot of {sale}: {e}");
    }
}

async fn fetch(env: Env, key: String, sale: SaleId, now: UnixMillis) -> Result<Entry, String> {
    let cache = Cache::default();
    match cache.get(key.as_str(), true).await {
        Ok(Some(mut hit)) => match hit.json::<Entry>().await {
            Ok(entry) if entry.is_fresh(now) => return Ok(entry),
            Ok(_) => {}
            Err(e) => worker::console_warn!("unreadable cached snapshot of {sale}: {e}"),
        },
        Ok(None) => {}
        Err(e) => worker::console_warn!("cache lookup for {sale} failed: {e}"),
    }
    let entry = match ask(&env, &sale, &Command::Snapshot).await {
        Ok(Reply::Snapshot(s)) => Entry::Sale(Rc::new(s)),
        Ok(other) => return Err(unexpected(other).message()),
        Err(ApiError::Queue(QueueError::SaleNotFound)) => Entry::Missing { checked_at: now },
        Err(e) => return Err(format!("{e:?}")),
    };
    if let Err(e) = store(&cache, &key, &entry).await {
        // Polls still work from isolate memory; the next isolate asks the coordinator.
        worker::console_warn!("could not cache the snapshot of {sale}: {e}");
    }
    Ok(entry)
}

async fn store(cache: &Cache, key: &str, entry: &Entry) -> worker::Result<()> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set(
        "Cache-Control",
        &format!("public, max-age={}", SNAPSHOT_TTL_MS.div_ceil(1000)),
    )?;
    let body = serde_json::to_string(entry).map_err(|e| worker::Error::RustError(e.to_string()))?;
    cache
        .put(key, Response::ok(body)?.with_headers(headers))
        .await
}
