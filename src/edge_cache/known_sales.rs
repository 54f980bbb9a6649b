//! Which sales exist, as the registry said, cached at the edge: a request for a sale id nobody
//! created is answered 404 without reaching (and so creating) a coordinator or shard object. The
//! registry is asked on a miss by the one caller that reads it, [`crate::objects::Objects`].
//!
//! A sale that exists is remembered for [`KNOWN_TTL_MS`], an unknown id for [`UNKNOWN_TTL_MS`]
//! only, so a new sale is found by every isolate within that long of its creation (at once by the
//! isolate that created it).

use super::{Kept, Kind, Memory, Rules};
use crate::lru::Lru;
use std::cell::RefCell;
use waitroom_core::{SaleId, UnixMillis};

/// How long a sale known to exist is taken as existing without asking again (sales are never
/// deleted: this only bounds how stale an isolate's memory can be).
pub const KNOWN_TTL_MS: u64 = 3_600_000;
/// How long an unknown id is taken as unknown: how long after its creation a new sale may still
/// be 404 in an isolate that looked for it just before.
pub const UNKNOWN_TTL_MS: u64 = 5_000;
/// Most ids an isolate remembers.
const MAX_IDS: usize = 10_000;

/// Whether a sale id was ever created.
pub struct KnownSales;

impl Kind for KnownSales {
    type Key = SaleId;
    type Value = bool;
    const NAME: &'static str = "sale-exists";
    const RULES: Rules = Rules::ASK_WHEN_NOT_FRESH;

    fn path(sale: &SaleId) -> String {
        sale.to_string()
    }

    fn memory() -> &'static Memory<SaleId, bool> {
        thread_local! {
            static MEMORY: RefCell<Lru<SaleId, super::plan::Slot<bool>>> =
                RefCell::new(Lru::new(MAX_IDS));
        }
        &MEMORY
    }
}

/// What the registry said at `now`, kept as long as its answer's TTL.
pub fn known(exists: bool, now: UnixMillis) -> Kept<bool> {
    let ttl_ms = if exists { KNOWN_TTL_MS } else { UNKNOWN_TTL_MS };
    Kept {
        value: exists,
        at: now,
        fresh_until: now.plus_millis(ttl_ms),
    }
}

/// A promoter created (or updated) the sale: known at once in this isolate, and in the Cache API
/// (replacing an "unknown" that may be cached there).
pub async fn created(origin: &str, sale: &SaleId, now: UnixMillis) {
    super::put::<KnownSales>(origin, sale, known(true, now), now).await;
}

/// The registry listed these sales: known in this isolate without asking it about each.
pub fn listed(sales: &[SaleId], now: UnixMillis) {
    for sale in sales {
        super::remember::<KnownSales>(sale, known(true, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_are_rechecked_soon_and_known_ones_rarely() {
        let unknown = known(false, UnixMillis(1_000));
        assert!(unknown.is_fresh(UnixMillis(1_000 + UNKNOWN_TTL_MS - 1)));
        assert!(!unknown.is_fresh(UnixMillis(1_000 + UNKNOWN_TTL_MS)));
        let exists = known(true, UnixMillis(1_000));
        assert!(exists.is_fresh(UnixMillis(1_000 + KNOWN_TTL_MS - 1)));
    }
}
