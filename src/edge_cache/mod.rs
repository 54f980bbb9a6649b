//! What the edge keeps of the objects' answers, so repeated requests never reach them: one
//! two-level cache, isolate memory (bounded, [`Lru`]) in front of the Workers Cache API (shared by
//! the isolates of a data centre), with one stored format ([`Kept`]) and typed keys ([`Kind`]).
//!
//! Each layer is consulted only when the one before has nothing fresh; then the object is asked
//! (by the caller's `load`: the cache itself calls no object), by one request per isolate at a time
//! where the kind's [`Rules`] say so, and after a failure not again before a backoff. What a
//! request does is decided without I/O ([`plan`]); this module only carries it out.
//!
//! The kinds: a sale's [`snapshots`] (fresh for about a second, stale up to a minute while its
//! coordinator is slow or failing), which sales exist ([`known_sales`]) and what a fan whose
//! number was reached found ([`outcomes`]).

pub mod known_sales;
pub mod outcomes;
pub mod plan;
pub mod protected_sites;
pub mod snapshots;

use crate::error::ApiError;
use crate::lru::Lru;
use crate::response::CacheControl;
pub use plan::{Kept, Rules};
use plan::{Plan, Slot};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::future::Future;
use std::hash::Hash;
use std::thread::LocalKey;
use waitroom_core::UnixMillis;
use worker::{Cache, Headers, Response};

/// A request with nothing to answer from while another refreshes its key looks again this
/// often...
const WAIT_STEP_MS: u64 = 25;
/// ... for at most this long, then answers busy.
const MAX_WAIT_MS: u64 = 5_000;

/// The isolate's memory of one kind: each key's [`Slot`], least recently used first out.
pub type Memory<K, V> = LocalKey<RefCell<Lru<K, Slot<V>>>>;

/// One kind of cached answer: its key, its value and its rules.
pub trait Kind: 'static {
    type Key: Clone + Eq + Hash;
    type Value: Clone + Serialize + DeserializeOwned;
    /// Its folder of the Cache API's internal URLs.
    const NAME: &'static str;
    const RULES: Rules;
    /// The key in a URL path.
    fn path(key: &Self::Key) -> String;
    /// This isolate's memory of the kind (a `thread_local!` of its own, with its bound).
    fn memory() -> &'static Memory<Self::Key, Self::Value>;
}

/// Runs `f` on the slot of `key` (made if needed).
fn with_slot<K: Kind, T>(key: &K::Key, f: impl FnOnce(&mut Slot<K::Value>) -> T) -> T {
    K::memory().with(|m| f(m.borrow_mut().get_or_insert_with(key, Slot::default)))
}

/// The Cache API's key for `key`, on the Worker's own origin.
fn url<K: Kind>(origin: &str, key: &K::Key) -> String {
    format!(
        "{origin}/__waitroom/edge-cache/{}/{}",
        K::NAME,
        K::path(key)
    )
}

/// The value of `key`: fresh from memory or the Cache API, else from `load` (asked with the time
/// the refresh started), else stale as the kind's rules allow.
///
/// Requests never wait on another request's I/O (the runtime cancels a request that does): with
/// [`Rules::one_refresher`], the first request to find the value stale refreshes it and the
/// others answer from the stale one meanwhile; with nothing to answer from, they look again
/// every [`WAIT_STEP_MS`] until the refresher is done.
pub async fn get<K: Kind, F, Fut>(
    origin: &str,
    key: &K::Key,
    now: UnixMillis,
    load: F,
) -> Result<K::Value, ApiError>
where
    F: FnOnce(UnixMillis) -> Fut,
    Fut: Future<Output = Result<Kept<K::Value>, ApiError>>,
{
    let mut now = now;
    let waited_until = now.plus_millis(MAX_WAIT_MS);
    let busy = |why: &str| ApiError::Busy(format!("no {}/{}: {why}", K::NAME, K::path(key)));
    loop {
        match with_slot::<K, _>(key, |s| s.plan(now, &K::RULES)) {
            Plan::Answer(value) => return Ok(value),
            Plan::Busy => return Err(busy("its refreshes fail")),
            Plan::Refused(refusal) => return Err(refusal.into()),
            Plan::Wait if now < waited_until => {
                worker::Delay::from(std::time::Duration::from_millis(WAIT_STEP_MS)).await;
                now = crate::clock::now();
            }
            Plan::Wait => return Err(busy("another request's refresh is not done")),
            Plan::Refresh { not_before } => {
                let (fetched, from_cache) =
                    refresh::<K, _, _>(&url::<K>(origin, key), not_before, now, load).await;
                let done = crate::clock::now().max(now);
                return with_slot::<K, _>(key, |s| {
                    s.settle(now, fetched, from_cache, done, &K::RULES)
                });
            }
        }
    }
}

/// Reads `url` from the Cache API (if fresh, and not true before `not_before`) or else asks
/// `load`, caching what it said. Also returns what the Cache API held if it was not fresh, as a
/// stale fallback.
async fn refresh<K: Kind, F, Fut>(
    url: &str,
    not_before: UnixMillis,
    now: UnixMillis,
    load: F,
) -> (Result<Kept<K::Value>, ApiError>, Option<Kept<K::Value>>)
where
    F: FnOnce(UnixMillis) -> Fut,
    Fut: Future<Output = Result<Kept<K::Value>, ApiError>>,
{
    let mut stale = None;
    if let Some(text) = read(url).await {
        match serde_json::from_str::<Kept<K::Value>>(&text) {
            Ok(kept) if kept.is_fresh(now) && kept.at >= not_before => return (Ok(kept), None),
            Ok(kept) => stale = Some(kept),
            Err(e) => worker::console_warn!("unreadable cached {url}: {e}"),
        }
    }
    let fetched = load(now).await;
    if let Ok(kept) = &fetched {
        store::<K>(url, kept, now).await;
    }
    (fetched, stale)
}

/// Keeps `kept` as the value of `key`, in this isolate and in the Cache API: what this isolate
/// just learned (a sale it created, an outcome it decided).
pub async fn put<K: Kind>(origin: &str, key: &K::Key, kept: Kept<K::Value>, now: UnixMillis) {
    if kept.answers_until(&K::RULES) <= now {
        return;
    }
    let url = url::<K>(origin, key);
    store::<K>(&url, &kept, now).await;
    with_slot::<K, _>(key, |s| s.put(kept));
}

/// Keeps `kept` as the value of `key` in this isolate only.
pub fn remember<K: Kind>(key: &K::Key, kept: Kept<K::Value>) {
    with_slot::<K, _>(key, |s| s.put(kept));
}

/// Forgets `key` in this isolate (others keep it as long as they would).
pub fn forget<K: Kind>(key: &K::Key) {
    K::memory().with(|m| m.borrow_mut().remove(key));
}

/// Takes what this isolate and the Cache API hold of `key` as out of date from `now` (a
/// promoter's change): this isolate sees the change at once, others within the value's
/// freshness. The old value answers only as a stale fallback (deleting the cached one instead
/// could race a refresher's put).
pub fn invalidate<K: Kind>(key: &K::Key, now: UnixMillis) {
    with_slot::<K, _>(key, |s| s.invalidate(now));
}

/// The text cached at `url`, if any (a failed lookup is logged and taken as none).
async fn read(url: &str) -> Option<String> {
    match Cache::default().get(url, true).await {
        Ok(Some(mut hit)) => hit.text().await.ok(),
        Ok(None) => None,
        Err(e) => {
            worker::console_warn!("cache lookup of {url} failed: {e}");
            None
        }
    }
}

/// Writes `kept` to the Cache API for as long as it may answer; one that may not (fresh for no
/// time) is not written. A failure is logged: the isolate's memory still answers.
async fn store<K: Kind>(url: &str, kept: &Kept<K::Value>, now: UnixMillis) {
    let answers_for = now.millis_until(kept.answers_until(&K::RULES));
    if answers_for == 0 {
        return;
    }
    let body = match serde_json::to_string(kept) {
        Ok(body) => body,
        Err(e) => return worker::console_warn!("could not encode {url}: {e}"),
    };
    if let Err(e) = write(url, body, answers_for.div_ceil(1000)).await {
        worker::console_warn!("could not cache {url}: {e}");
    }
}

async fn write(url: &str, body: String, max_age_s: u64) -> worker::Result<()> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set(
        "Cache-Control",
        &CacheControl::Public { max_age_s }.header(),
    )?;
    Cache::default()
        .put(url, Response::ok(body)?.with_headers(headers))
        .await
}
