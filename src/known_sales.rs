//! Which sales exist, as the registry says, cached at the edge: a request for a sale id nobody
//! created is answered 404 without reaching (and so creating) a coordinator or shard object.
//!
//! An isolate keeps what it learned (bounded), and shares it through the Cache API: a sale that
//! exists is remembered for [`KNOWN_TTL_MS`], an unknown id for [`UNKNOWN_TTL_MS`] only, so a new
//! sale is found by every isolate within that long of its creation (at once by the isolate that
//! created it).

use crate::coordinator_client::{sale_exists, Objects};
use crate::error::ApiError;
use crate::lru::Lru;
use crate::response::CacheControl;
use std::cell::RefCell;
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{Cache, Headers, Response};

/// How long a sale known to exist is taken as existing without asking again (sales are never
/// deleted: this only bounds how stale an isolate's memory can be).
pub const KNOWN_TTL_MS: u64 = 3_600_000;
/// How long an unknown id is taken as unknown: how long after its creation a new sale may still
/// be 404 in an isolate that looked for it just before.
pub const UNKNOWN_TTL_MS: u64 = 5_000;
/// Most ids an isolate remembers.
const MAX_IDS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Known {
    exists: bool,
    checked_at: UnixMillis,
}

impl Known {
    fn ttl_ms(self) -> u64 {
        if self.exists {
            KNOWN_TTL_MS
        } else {
            UNKNOWN_TTL_MS
        }
    }

    fn is_fresh(self, now: UnixMillis) -> bool {
        now < self.checked_at.plus_millis(self.ttl_ms())
    }
}

thread_local! {
    static MEMORY: RefCell<Lru<SaleId, Known>> = RefCell::new(Lru::new(MAX_IDS));
}

fn cache_key(origin: &str, sale: &SaleId) -> String {
    format!("{origin}/__waitroom/sale-exists/{sale}")
}

fn remember(sale: &SaleId, known: Known) {
    MEMORY.with(|m| m.borrow_mut().insert(sale.clone(), known));
}

/// Refuses a sale id that was never created ([`QueueError::SaleNotFound`]). If the registry
/// cannot be asked, the sale is taken as existing (its coordinator answers for it): a registry
/// outage must not stop real sales.
pub async fn require(
    objects: &Objects,
    origin: &str,
    sale: &SaleId,
    now: UnixMillis,
) -> Result<(), ApiError> {
    if exists(objects, origin, sale, now).await {
        Ok(())
    } else {
        Err(QueueError::SaleNotFound.into())
    }
}

async fn exists(objects: &Objects, origin: &str, sale: &SaleId, now: UnixMillis) -> bool {
    // The synthetic monitor's canary is kept out of the registry (and the dashboard's list), but
    // its promoter routes work: it is one reserved id, so it costs no lookup.
    if sale.is_reserved() {
        return true;
    }
    let remembered = MEMORY.with(|m| m.borrow_mut().get_mut(sale).copied());
    if let Some(known) = remembered.filter(|k| k.is_fresh(now)) {
        return known.exists;
    }
    let cache = Cache::default();
    let key = cache_key(origin, sale);
    match cache.get(&key, true).await {
        Ok(Some(mut hit)) => {
            if let Ok(text) = hit.text().await {
                if let Some((exists, at)) = text.split_once(' ') {
                    if let Ok(at) = at.parse::<u64>() {
                        let known = Known {
                            exists: exists == "1",
                            checked_at: UnixMillis(at),
                        };
                        if known.is_fresh(now) {
                            remember(sale, known);
                            return known.exists;
                        }
                    }
                }
            }
        }
        Ok(None) => {}
        Err(e) => worker::console_warn!("cache lookup for sale {sale} failed: {e}"),
    }
    let exists = match sale_exists(objects, sale).await {
        Ok(exists) => exists,
        Err(e) => {
            worker::console_warn!("the registry could not say whether {sale} exists: {e:?}");
            return true;
        }
    };
    let known = Known {
        exists,
        checked_at: now,
    };
    remember(sale, known);
    if let Err(e) = store(&cache, &key, known).await {
        worker::console_warn!("could not cache whether {sale} exists: {e}");
    }
    exists
}

async fn store(cache: &Cache, key: &str, known: Known) -> worker::Result<()> {
    let headers = Headers::new();
    let max_age = CacheControl::Public {
        max_age_s: known.ttl_ms() / 1000,
    };
    headers.set("Cache-Control", &max_age.header())?;
    let body = format!("{} {}", u8::from(known.exists), known.checked_at.0);
    cache
        .put(key, Response::ok(body)?.with_headers(headers))
        .await
}

/// A promoter created (or updated) the sale: known at once in this isolate, and in the Cache API
/// (replacing an "unknown" that may be cached there).
pub async fn created(origin: &str, sale: &SaleId, now: UnixMillis) {
    let known = Known {
        exists: true,
        checked_at: now,
    };
    remember(sale, known);
    if let Err(e) = store(&Cache::default(), &cache_key(origin, sale), known).await {
        worker::console_warn!("could not cache that {sale} exists: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_are_rechecked_soon_and_known_ones_rarely() {
        let unknown = Known {
            exists: false,
            checked_at: UnixMillis(1_000),
        };
        assert!(unknown.is_fresh(UnixMillis(1_000 + UNKNOWN_TTL_MS - 1)));
        assert!(!unknown.is_fresh(UnixMillis(1_000 + UNKNOWN_TTL_MS)));
        let known = Known {
            exists: true,
            ..unknown
        };
        assert!(known.is_fresh(UnixMillis(1_000 + KNOWN_TTL_MS - 1)));
    }
}
