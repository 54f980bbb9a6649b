//! Snapshots of a sale's line, cached for about a second so polls never reach the coordinator.
//!
//! The coordinator is asked by one request per isolate at a time, and after a failure not again
//! before a backoff: about one request per TTL per isolate and sale at most, whether it answers in
//! 5 ms, 3 s or fails. While a refresh is under way or failing, polls are answered from the newest
//! snapshot at hand, up to [`MAX_STALE_MS`] old. A snapshot can only be behind the coordinator,
//! never ahead: `head` never moves back, so a stale one makes a fan wait longer, and never lets
//! anyone skip the line. A sale that does not exist is kept as `None`, the same way. The fan
//! routes ask the coordinator on a miss (`routes::fan::sale`): the cache calls no object.

use super::{Kind, Memory, Rules};
use crate::lru::Lru;
use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{SaleId, UnixMillis};

/// How long a snapshot answers polls.
pub const SNAPSHOT_TTL_MS: u64 = 1_000;
/// A snapshot's TTL in whole seconds, for `Cache-Control: max-age` of answers made from it.
pub const SNAPSHOT_MAX_AGE_S: u64 = SNAPSHOT_TTL_MS.div_ceil(1000);
/// A snapshot past its TTL is still served, up to this long after it was taken, while this
/// isolate refreshes it or after a refresh failed: stale beats none. The core's bound
/// ([`waitroom_core::queue::snapshot::MAX_STALE_MS`]): its rules count on it.
pub const MAX_STALE_MS: u64 = waitroom_core::queue::snapshot::MAX_STALE_MS;
/// Most sales an isolate keeps snapshots of.
const MAX_SALES: usize = 1_000;

/// A sale's snapshot, or `None`: no such sale.
pub struct Snapshots;

impl Kind for Snapshots {
    type Key = SaleId;
    type Value = Option<Rc<Snapshot>>;
    const NAME: &'static str = "snapshot";
    const RULES: Rules = Rules {
        stale_ms: MAX_STALE_MS,
        one_refresher: true,
        // Never more than one coordinator request per TTL per isolate and sale, however the
        // coordinator fails.
        backoff_ms: SNAPSHOT_TTL_MS,
        max_backoff_ms: 4 * SNAPSHOT_TTL_MS,
    };

    fn path(sale: &SaleId) -> String {
        sale.to_string()
    }

    fn memory() -> &'static Memory<SaleId, Self::Value> {
        thread_local! {
            static MEMORY: RefCell<Lru<SaleId, super::plan::Slot<Option<Rc<Snapshot>>>>> =
                RefCell::new(Lru::new(MAX_SALES));
        }
        &MEMORY
    }
}

/// Forgets the sale's snapshot in this isolate after a promoter changed the sale, so this isolate
/// sees the change at once (others within [`SNAPSHOT_TTL_MS`]).
pub fn invalidate(sale: &SaleId, now: UnixMillis) {
    super::invalidate::<Snapshots>(sale, now);
}
