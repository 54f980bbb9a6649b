//! Snapshots of a sale's line, cached for about a second so polls never reach the coordinator.
//!
//! Three layers, each consulted only when the one before has nothing fresh:
//! 1. isolate memory (free),
//! 2. the Workers Cache API (shared by the isolates of a data centre),
//! 3. the sale's coordinator, asked by one request per isolate at a time.
//!
//! A snapshot can only be behind the coordinator, never ahead: `head` never moves back, so a stale
//! one makes a fan wait up to a second longer, and never lets anyone skip the line.

use crate::coordinator_client::{ask, unexpected};
use crate::error::ApiError;
use crate::response::CacheControl;
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
/// A snapshot's TTL in whole seconds, for `Cache-Control: max-age` (of the cached snapshot, and
/// of answers made from it).
pub const SNAPSHOT_MAX_AGE_S: u64 = SNAPSHOT_TTL_MS.div_ceil(1000);

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

/// A snapshot past its TTL is still served for this long after it was taken, but only while
/// another request of this isolate is fetching its successor.
const MAX_STALE_MS: u64 = 2 * SNAPSHOT_TTL_MS;
/// A refresh that has not finished by then is presumed lost, and the next request tries again.
const REFRESH_TIMEOUT_MS: u64 = 1_000;

#[derive(Default)]
struct Cached {
    entry: Option<Entry>,
    /// Set while one request of this isolate refreshes the entry through the Cache API.
    refreshing_since: Option<UnixMillis>,
    /// Snapshots taken before this (a promoter's change) are out of date.
    not_before: UnixMillis,
}

thread_local! {
    static MEMORY: RefCell<HashMap<SaleId, Cached>> = RefCell::new(HashMap::new());
}

/// The Cache API key of a sale's snapshot, on the Worker's own origin.
fn cache_key(origin: &str, sale: &SaleId) -> String {
    format!("{origin}/__waitroom/snapshot/{sale}")
}

enum Plan {
    Answer(Entry),
    /// Refresh through the Cache API: this request is the isolate's one refresher.
    Refresh {
        not_before: UnixMillis,
    },
    /// Ask the coordinator directly: another request is refreshing and nothing fresh enough is
    /// here. Rare: only while an isolate starts, or just after a promoter's change.
    Direct,
}

/// The sale's snapshot, at most [`SNAPSHOT_TTL_MS`] old (or [`MAX_STALE_MS`] while this isolate
/// refreshes it); `None` if there is no such sale.
///
/// Requests never wait on each other (the runtime cancels a request that waits on another
/// request's I/O): when the snapshot goes stale, the first request to notice refreshes it and the
/// others answer from the stale one meanwhile, so an isolate asks at most once at a time. Only
/// that one request touches the Cache API.
pub async fn snapshot(
    env: &Env,
    origin: &str,
    sale: &SaleId,
    now: UnixMillis,
) -> Result<Option<Rc<Snapshot>>, ApiError> {
    let plan = MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        let cached = memory.entry(sale.clone()).or_default();
        let refreshing = cached
            .refreshing_since
            .is_some_and(|t| now < t.plus_millis(REFRESH_TIMEOUT_MS));
        match &cached.entry {
            Some(entry) if entry.is_fresh(now) => Plan::Answer(entry.clone()),
            Some(entry) if refreshing && now < entry.taken_at().plus_millis(MAX_STALE_MS) => {
                Plan::Answer(entry.clone())
            }
            _ if refreshing => Plan::Direct,
            _ => {
                cached.refreshing_since = Some(now);
                Plan::Refresh {
                    not_before: cached.not_before,
                }
            }
        }
    });
    let (entry, refresher) = match plan {
        Plan::Answer(entry) => return Ok(entry.into_snapshot()),
        Plan::Refresh { not_before } => {
            let key = cache_key(origin, sale);
            (fetch(env, Some((&key, not_before)), sale, now).await, true)
        }
        Plan::Direct => (fetch(env, None, sale, now).await, false),
    };
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        let cached = memory.entry(sale.clone()).or_default();
        if refresher {
            cached.refreshing_since = None;
        }
        if let Ok(entry) = &entry {
            let newer = cached
                .entry
                .as_ref()
                .is_none_or(|old| old.taken_at() <= entry.taken_at());
            if newer && entry.taken_at() >= cached.not_before {
                cached.entry = Some(entry.clone());
            }
        }
    });
    entry.map(Entry::into_snapshot)
}

/// Forgets the sale's snapshot in this isolate after a promoter changed the sale, so this isolate
/// sees the change at once (others within [`SNAPSHOT_TTL_MS`]).
pub fn invalidate(sale: &SaleId, now: UnixMillis) {
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        let cached = memory.entry(sale.clone()).or_default();
        cached.entry = None;
        // The Cache API may hold the old snapshot for up to a second: refuse it. (Deleting it
        // instead could race the refresher's put.)
        cached.not_before = now;
    });
}

/// Reads the snapshot from the Cache API (when `cached` names the key, and the oldest snapshot
/// still good) or else from the coordinator, caching what the coordinator said.
async fn fetch(
    env: &Env,
    cached: Option<(&str, UnixMillis)>,
    sale: &SaleId,
    now: UnixMillis,
) -> Result<Entry, ApiError> {
    let cache = Cache::default();
    if let Some((key, not_before)) = cached {
        match cache.get(key, true).await {
            Ok(Some(mut hit)) => match hit.json::<Entry>().await {
                Ok(entry) if entry.is_fresh(now) && entry.taken_at() >= not_before => {
                    return Ok(entry)
                }
                Ok(_) => {}
                Err(e) => worker::console_warn!("unreadable cached snapshot of {sale}: {e}"),
            },
            Ok(None) => {}
            Err(e) => worker::console_warn!("cache lookup for {sale} failed: {e}"),
        }
    }
    let entry = match ask(env, sale, &Command::Snapshot).await {
        Ok(Reply::Snapshot(s)) => Entry::Sale(Rc::new(s)),
        Ok(other) => return Err(unexpected(other)),
        Err(ApiError::Queue(QueueError::SaleNotFound)) => Entry::Missing { checked_at: now },
        // Refusals (a sale whose settings cannot be read) keep their own answer.
        Err(e) => return Err(e),
    };
    if let Some((key, _)) = cached {
        if let Err(e) = store(&cache, key, &entry).await {
            // Polls still work from isolate memory; the next refresh asks the coordinator.
            worker::console_warn!("could not cache the snapshot of {sale}: {e}");
        }
    }
    Ok(entry)
}

async fn store(cache: &Cache, key: &str, entry: &Entry) -> worker::Result<()> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let max_age = CacheControl::Public {
        max_age_s: SNAPSHOT_MAX_AGE_S,
    };
    headers.set("Cache-Control", &max_age.header())?;
    let body = serde_json::to_string(entry).map_err(|e| worker::Error::RustError(e.to_string()))?;
    cache
        .put(key, Response::ok(body)?.with_headers(headers))
        .await
}
