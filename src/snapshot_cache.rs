//! Snapshots of a sale's line, cached for about a second so polls never reach the coordinator.
//!
//! Three layers, each consulted only when the one before has nothing fresh:
//! 1. isolate memory (free),
//! 2. the Workers Cache API (shared by the isolates of a data centre),
//! 3. the sale's coordinator, asked by one request per isolate at a time, and after a failure not
//!    again before a backoff: about one request per TTL per isolate and sale at most, whether
//!    the coordinator answers in 5 ms, 3 s or fails.
//!
//! While a refresh is under way or failing, polls are answered from the newest snapshot at hand,
//! up to [`MAX_STALE_MS`] old. A snapshot can only be behind the coordinator, never ahead: `head`
//! never moves back, so a stale one makes a fan wait longer, and never lets anyone skip the line.

use crate::coordinator_client::{ask_for, Objects};
use crate::error::ApiError;
use crate::lru::Lru;
use crate::response::CacheControl;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::machines::protocol::Command;
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{Cache, Headers, Response};

/// How long a snapshot answers polls.
pub const SNAPSHOT_TTL_MS: u64 = 1_000;
/// A snapshot's TTL in whole seconds, for `Cache-Control: max-age` (of the cached snapshot, and
/// of answers made from it).
pub const SNAPSHOT_MAX_AGE_S: u64 = SNAPSHOT_TTL_MS.div_ceil(1000);

/// What the cache layers hold: a snapshot, or the fact that the sale does not exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// A snapshot past its TTL is still served, up to this long after it was taken, while this
/// isolate refreshes it or after a refresh failed: stale beats none. A stale snapshot only
/// under-states progress (`head` never moves back), so it never lets anyone skip the line. The
/// core's bound ([`waitroom_core::queue::snapshot::MAX_STALE_MS`]): its rules count on it.
pub const MAX_STALE_MS: u64 = waitroom_core::queue::snapshot::MAX_STALE_MS;
/// A refresh that has not finished by then is presumed lost, and the next request tries again.
/// Longer than any answer a slow coordinator gives, so a slow one never has two at once.
const REFRESH_TIMEOUT_MS: u64 = 10_000;
/// After `n` failed refreshes in a row, the next is tried `TTL * 2^(n-1)` after the last one
/// ended, at most this long: never more than one coordinator request per TTL per isolate and
/// sale, however the coordinator fails.
const MAX_BACKOFF_MS: u64 = 4 * SNAPSHOT_TTL_MS;
/// A request with no snapshot to answer from while another refreshes it looks again this often...
const WAIT_STEP_MS: u64 = 25;
/// ... for at most this long, then answers busy.
const MAX_WAIT_MS: u64 = 5_000;
/// Most sales an isolate keeps snapshots of.
const MAX_SALES: usize = 1_000;

#[derive(Default)]
struct Cached {
    entry: Option<Entry>,
    /// Set while one request of this isolate refreshes the entry.
    refreshing_since: Option<UnixMillis>,
    /// Snapshots taken before this (a promoter's change) are out of date: served only as stale.
    not_before: UnixMillis,
    /// Failed refreshes in a row, and when the next may start.
    failures: u32,
    retry_at: UnixMillis,
    /// What the coordinator refused the last refresh with (a sale whose settings cannot be
    /// read): the answer, rather than busy, until the next refresh.
    refused: Option<QueueError>,
}

thread_local! {
    static MEMORY: RefCell<Lru<SaleId, Cached>> = RefCell::new(Lru::new(MAX_SALES));
}

/// The Cache API key of a sale's snapshot, on the Worker's own origin.
fn cache_key(origin: &str, sale: &SaleId) -> String {
    format!("{origin}/__waitroom/snapshot/{sale}")
}

/// What a request does about a sale's snapshot.
#[derive(Debug, PartialEq)]
enum Plan {
    Answer(Entry),
    /// Refresh it (Cache API, then coordinator): this request is the isolate's one refresher.
    Refresh {
        not_before: UnixMillis,
    },
    /// Nothing to answer from, and another request refreshes it: look again shortly.
    Wait,
    /// Nothing to answer from, and refreshes are failing: answer busy.
    Busy,
    /// Nothing to answer from, and the coordinator refused the last refresh: the same refusal.
    Refused(QueueError),
}

impl Cached {
    /// The entry to answer with while no fresh one can be had: one taken within [`MAX_STALE_MS`].
    fn stale(&self, now: UnixMillis) -> Option<&Entry> {
        self.entry
            .as_ref()
            .filter(|e| now < e.taken_at().plus_millis(MAX_STALE_MS))
    }

    /// What a request at `now` does; a request that is to refresh is marked as the refresher.
    fn plan(&mut self, now: UnixMillis) -> Plan {
        if let Some(entry) = &self.entry {
            if entry.is_fresh(now) && entry.taken_at() >= self.not_before {
                return Plan::Answer(entry.clone());
            }
        }
        let refreshing = self
            .refreshing_since
            .is_some_and(|t| now < t.plus_millis(REFRESH_TIMEOUT_MS));
        if refreshing || now < self.retry_at {
            return match (self.stale(now), &self.refused) {
                (_, Some(refusal)) if !refreshing => Plan::Refused(refusal.clone()),
                (Some(entry), _) => Plan::Answer(entry.clone()),
                (None, _) if refreshing => Plan::Wait,
                (None, _) => Plan::Busy,
            };
        }
        self.refreshing_since = Some(now);
        Plan::Refresh {
            not_before: self.not_before,
        }
    }

    /// The refresher's result at `now` (with what the Cache API held, even if stale): the answer.
    /// A failure backs off and answers from the newest stale snapshot, if there is one.
    fn settle(
        &mut self,
        started: UnixMillis,
        fetched: Result<Entry, ApiError>,
        from_cache: Option<Entry>,
        now: UnixMillis,
    ) -> Result<Entry, ApiError> {
        // A refresh that was given up on (timed out, or overtaken by a promoter's change) does
        // not end the one under way now.
        if self.refreshing_since == Some(started) {
            self.refreshing_since = None;
        }
        if let Some(cached) = from_cache {
            self.keep(cached);
        }
        match fetched {
            Ok(entry) => {
                self.failures = 0;
                self.retry_at = UnixMillis(0);
                self.refused = None;
                if entry.taken_at() >= self.not_before {
                    self.keep(entry.clone());
                }
                Ok(entry)
            }
            Err(e) => {
                self.failures = self.failures.saturating_add(1);
                let backoff = SNAPSHOT_TTL_MS
                    .saturating_mul(1 << (self.failures - 1).min(16))
                    .min(MAX_BACKOFF_MS);
                self.retry_at = now.plus_millis(backoff);
                // Refusals (no such sale, unreadable settings) are answers, not failures to hide.
                let failed = matches!(e, ApiError::Busy(_) | ApiError::Queue(QueueError::Busy));
                self.refused = match &e {
                    ApiError::Queue(refusal) if !failed => Some(refusal.clone()),
                    _ => None,
                };
                match self.stale(now) {
                    Some(entry) if failed => Ok(entry.clone()),
                    _ => Err(e),
                }
            }
        }
    }

    /// Keeps `entry` if it is newer than what is kept.
    fn keep(&mut self, entry: Entry) {
        if self
            .entry
            .as_ref()
            .is_none_or(|old| old.taken_at() <= entry.taken_at())
        {
            self.entry = Some(entry);
        }
    }
}

/// The sale's snapshot: at most [`SNAPSHOT_TTL_MS`] old, or up to [`MAX_STALE_MS`] old while this
/// isolate refreshes it or the coordinator fails; `None` if there is no such sale.
///
/// Requests never wait on another request's I/O (the runtime cancels a request that does): when
/// the snapshot goes stale, the first request to notice refreshes it (Cache API first, then the
/// coordinator) and the others answer from the stale one meanwhile, so an isolate asks at most
/// once at a time, and after a failure not again for a while. With no snapshot at all (an isolate
/// starting), the others look again every [`WAIT_STEP_MS`] until the refresher is done.
pub async fn snapshot(
    objects: &Objects,
    origin: &str,
    sale: &SaleId,
    now: UnixMillis,
) -> Result<Option<Rc<Snapshot>>, ApiError> {
    let mut now = now;
    let waited_until = now.plus_millis(MAX_WAIT_MS);
    loop {
        let plan = MEMORY.with(|m| {
            m.borrow_mut()
                .get_or_insert_with(sale, Cached::default)
                .plan(now)
        });
        match plan {
            Plan::Answer(entry) => return Ok(entry.into_snapshot()),
            Plan::Busy => {
                return Err(ApiError::Busy(format!(
                    "no snapshot of {sale}, and its refreshes fail"
                )))
            }
            Plan::Refused(refusal) => return Err(refusal.into()),
            Plan::Wait if now < waited_until => {
                worker::Delay::from(std::time::Duration::from_millis(WAIT_STEP_MS)).await;
                now = crate::clock::now();
            }
            Plan::Wait => {
                return Err(ApiError::Busy(format!(
                    "no snapshot of {sale} within {MAX_WAIT_MS} ms"
                )))
            }
            Plan::Refresh { not_before } => {
                let key = cache_key(origin, sale);
                let (fetched, from_cache) = fetch(objects, &key, not_before, sale, now).await;
                let done = crate::clock::now().max(now);
                return MEMORY
                    .with(|m| {
                        m.borrow_mut()
                            .get_or_insert_with(sale, Cached::default)
                            .settle(now, fetched, from_cache, done)
                    })
                    .map(Entry::into_snapshot);
            }
        }
    }
}

/// Forgets the sale's snapshot in this isolate after a promoter changed the sale, so this isolate
/// sees the change at once (others within [`SNAPSHOT_TTL_MS`]).
pub fn invalidate(sale: &SaleId, now: UnixMillis) {
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        let cached = memory.get_or_insert_with(sale, Cached::default);
        // The old snapshot is kept only as a stale fallback; the Cache API may hold it too:
        // refuse both as fresh. (Deleting the cached one instead could race the refresher's put.)
        cached.not_before = now;
        // The next request refreshes at once, even if one was under way or backing off.
        cached.refreshing_since = None;
        cached.failures = 0;
        cached.retry_at = UnixMillis(0);
    });
}

/// Reads the snapshot from the Cache API (if fresh, and not older than `not_before`) or else
/// from the coordinator, caching what the coordinator said. Also returns what the Cache API held
/// if it was not fresh, as a stale fallback.
async fn fetch(
    objects: &Objects,
    key: &str,
    not_before: UnixMillis,
    sale: &SaleId,
    now: UnixMillis,
) -> (Result<Entry, ApiError>, Option<Entry>) {
    let cache = Cache::default();
    let mut stale = None;
    match cache.get(key, true).await {
        Ok(Some(mut hit)) => match hit.json::<Entry>().await {
            Ok(entry) if entry.is_fresh(now) && entry.taken_at() >= not_before => {
                return (Ok(entry), None)
            }
            Ok(entry) => stale = Some(entry),
            Err(e) => worker::console_warn!("unreadable cached snapshot of {sale}: {e}"),
        },
        Ok(None) => {}
        Err(e) => worker::console_warn!("cache lookup for {sale} failed: {e}"),
    }
    let entry = match ask_for(objects, sale, &Command::Snapshot).await {
        Ok(s) => Entry::Sale(Rc::new(s)),
        Err(ApiError::Queue(QueueError::SaleNotFound)) => Entry::Missing { checked_at: now },
        // Refusals (a sale whose settings cannot be read) keep their own answer.
        Err(e) => return (Err(e), stale),
    };
    if let Err(e) = store(&cache, key, &entry).await {
        // Polls still work from isolate memory; the next refresh asks the coordinator.
        worker::console_warn!("could not cache the snapshot of {sale}: {e}");
    }
    (Ok(entry), stale)
}

async fn store(cache: &Cache, key: &str, entry: &Entry) -> worker::Result<()> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    // Kept as long as it may be served stale; whether it is fresh is read from `taken_at`.
    let max_age = CacheControl::Public {
        max_age_s: MAX_STALE_MS / 1000,
    };
    headers.set("Cache-Control", &max_age.header())?;
    let body = serde_json::to_string(entry).map_err(|e| worker::Error::RustError(e.to_string()))?;
    cache
        .put(key, Response::ok(body)?.with_headers(headers))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> UnixMillis {
        UnixMillis(ms)
    }

    fn taken(ms: u64) -> Entry {
        Entry::Missing { checked_at: at(ms) }
    }

    fn busy() -> ApiError {
        ApiError::Busy("the coordinator timed out".into())
    }

    /// Runs the refresh of one request: plan at `start`, settle at `end` with `result`.
    fn refresh(c: &mut Cached, start: u64, end: u64, result: Result<Entry, ApiError>) {
        assert!(matches!(c.plan(at(start)), Plan::Refresh { .. }));
        let _ = c.settle(at(start), result, None, at(end));
    }

    #[test]
    fn a_fresh_snapshot_answers_and_a_stale_one_is_refreshed_by_one_request() {
        let mut c = Cached::default();
        assert_eq!(c.plan(at(0)), Plan::Refresh { not_before: at(0) });
        // Nothing to answer from while the first refresh runs: wait, never a second request.
        assert_eq!(c.plan(at(10)), Plan::Wait);
        assert_eq!(
            c.settle(at(0), Ok(taken(5)), None, at(20)).unwrap(),
            taken(5)
        );
        assert_eq!(c.plan(at(900)), Plan::Answer(taken(5)));
        assert!(matches!(c.plan(at(1_100)), Plan::Refresh { .. }));
        // While it refreshes, the others answer from the stale one.
        assert_eq!(c.plan(at(1_200)), Plan::Answer(taken(5)));
    }

    #[test]
    fn a_slow_coordinator_is_asked_once_at_a_time_and_polls_stay_answered() {
        let mut c = Cached::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        // Each refresh takes 3 s: every poll meanwhile is answered, and the coordinator is asked
        // once per refresh.
        let mut asked = 0;
        let mut refreshing: Option<u64> = None;
        for t in (1_000..30_000).step_by(50) {
            if let Some(started) = refreshing.filter(|s| t >= s + 3_000) {
                let _ = c.settle(at(started), Ok(taken(t - 10)), None, at(t));
                refreshing = None;
            }
            match c.plan(at(t)) {
                Plan::Answer(_) => {}
                Plan::Refresh { .. } => {
                    asked += 1;
                    refreshing = Some(t);
                }
                other => panic!("at {t}: {other:?}"),
            }
        }
        assert!(asked <= 29 / 4 + 1, "{asked} refreshes in 29 s");
    }

    #[test]
    fn a_failing_coordinator_backs_off_and_stale_answers_for_a_minute() {
        let mut c = Cached::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        let mut asked = 0;
        for t in (1_000..MAX_STALE_MS).step_by(10) {
            match c.plan(at(t)) {
                Plan::Answer(e) => assert_eq!(e, taken(5)),
                Plan::Refresh { .. } => {
                    asked += 1;
                    // The refresher too answers from the stale snapshot.
                    assert_eq!(
                        c.settle(at(t), Err(busy()), None, at(t + 1)).unwrap(),
                        taken(5)
                    );
                }
                other => panic!("at {t}: {other:?}"),
            }
        }
        // 1 s, 2 s, then every 4 s: at most one request per TTL.
        assert!(asked <= MAX_STALE_MS / SNAPSHOT_TTL_MS, "{asked}");
        assert!(asked >= 10, "{asked}");
        // Past the bound nothing stale is served: busy until a refresh succeeds.
        let late = MAX_STALE_MS + 5;
        let mut t = late;
        while let Plan::Refresh { .. } = c.plan(at(t)) {
            assert!(c.settle(at(t), Err(busy()), None, at(t)).is_err());
            t += 1;
        }
        assert_eq!(c.plan(at(t)), Plan::Busy);
    }

    #[test]
    fn refusals_are_answers_and_a_newer_cached_snapshot_is_kept() {
        let mut c = Cached::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        assert!(matches!(c.plan(at(2_000)), Plan::Refresh { .. }));
        let refused = ApiError::Queue(QueueError::SaleUnavailable);
        assert!(c.settle(at(2_000), Err(refused), None, at(2_001)).is_err());
        assert_eq!(
            c.plan(at(2_002)),
            Plan::Refused(QueueError::SaleUnavailable)
        );
        // Until the next refresh, the refusal is the answer (the stale snapshot is not).
        let mut broken = Cached::default();
        assert!(matches!(broken.plan(at(0)), Plan::Refresh { .. }));
        let refused = ApiError::Queue(QueueError::SaleUnavailable);
        assert!(broken.settle(at(0), Err(refused), None, at(1)).is_err());
        assert_eq!(
            broken.plan(at(2)),
            Plan::Refused(QueueError::SaleUnavailable)
        );
        // The Cache API had a newer (stale) one than memory: it is what answers next.
        c.retry_at = at(0);
        assert!(matches!(c.plan(at(4_000)), Plan::Refresh { .. }));
        let answer = c.settle(at(4_000), Err(busy()), Some(taken(2_500)), at(4_001));
        assert_eq!(answer.unwrap(), taken(2_500));
        assert_eq!(c.plan(at(4_002)), Plan::Answer(taken(2_500)));
    }

    #[test]
    fn a_promoters_change_is_seen_at_once_by_its_isolate() {
        let mut c = Cached::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        assert!(matches!(c.plan(at(900)), Plan::Answer(_)));
        // Even with a refresh under way (started before the change), the next request refreshes.
        assert!(matches!(c.plan(at(1_100)), Plan::Refresh { .. }));
        c.not_before = at(1_200);
        c.refreshing_since = None;
        assert_eq!(
            c.plan(at(1_300)),
            Plan::Refresh {
                not_before: at(1_200)
            }
        );
        // The old refresh's result (taken before the change) answers its request, but is not
        // kept as fresh.
        let answer = c.settle(at(1_100), Ok(taken(1_150)), None, at(1_350));
        assert_eq!(answer.unwrap(), taken(1_150));
        assert_eq!(c.plan(at(1_360)), Plan::Answer(taken(5)));
        let _ = c.settle(at(1_300), Ok(taken(1_310)), None, at(1_370));
        assert_eq!(c.plan(at(1_380)), Plan::Answer(taken(1_310)));
    }
}
