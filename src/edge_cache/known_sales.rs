//! Which sales exist, as the edge learns it: the registry's whole list of sales ([`SaleCatalog`],
//! versioned), cached as one key in isolate memory and the Cache API, so a request for a sale id
//! nobody created is answered without any object request, and never reaches (and so creates) a
//! coordinator or shard object. A flood of random ids costs the registry nothing: the list is
//! refreshed by one request per isolate at a time, about once per [`LIST_TTL_MS`] (and an isolate
//! finds a colleague's fresh copy in its data centre's Cache API first), whatever the ids asked.
//!
//! What an id gets ([`verdict`]): in the list, it exists (a sale is never deleted, so even an
//! old list says so truly); not in a list fresher than [`LIST_TTL_MS`], 404; not in an older one
//! (the registry is slow or failing, and the sale may be newer than the list), or no list at all,
//! 503 `busy` with `Retry-After`: never the coordinator.
//!
//! A new sale: the isolate that created it asks the registry for the list at once and writes it
//! to memory and its data centre's Cache API; every other isolate finds it within
//! [`LIST_TTL_MS`] of its creation (docs/operations.md, "Which sales exist"). The one caller that
//! asks the registry is [`crate::objects::Objects`].

use super::{Kind, Memory, Rules};
use crate::lru::Lru;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::{SaleId, UnixMillis};

/// How long a list answers as fresh: how long a sale created elsewhere may still be 404 here.
pub const LIST_TTL_MS: u64 = 5_000;
/// How long an older list still answers for the sales it holds while the registry cannot be
/// asked (sales are never deleted: what it holds stays true).
pub const LIST_STALE_MS: u64 = 24 * 3_600_000;

/// Every sale the registry holds, as it listed them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleCatalog {
    /// The registry's count of sales plus its count of path protection changes: one more with
    /// every creation (sales are never deleted) and every change of a protection, so a larger
    /// version is a newer list.
    pub version: u64,
    /// Every sale id, sorted.
    pub ids: Vec<SaleId>,
    /// The host patterns of the protected sales (path protection), sorted: a request no route of
    /// ours takes, on one of these hosts, is the gate worker's (`routes::backstage`).
    #[serde(default)]
    pub protected_hosts: Vec<String>,
}

impl SaleCatalog {
    /// A catalog of `ids` (sorted here).
    pub fn new(mut ids: Vec<SaleId>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        Self {
            version: ids.len() as u64,
            ids,
            protected_hosts: Vec::new(),
        }
    }

    /// With the protected sales' host patterns, after `changes` changes of protection.
    pub fn with_protected_hosts(mut self, changes: u64, mut hosts: Vec<String>) -> Self {
        hosts.sort();
        hosts.dedup();
        self.version += changes;
        self.protected_hosts = hosts;
        self
    }

    /// Whether a sale protects `host` (the request's, maybe with its port).
    pub fn protects_host(&self, host: &str) -> bool {
        self.protected_hosts
            .iter()
            .any(|p| waitroom_core::protect::path::host_matches(p, host))
    }

    pub fn contains(&self, sale: &SaleId) -> bool {
        self.ids.binary_search(sale).is_ok()
    }

    /// Adds `sale` (a creation); whether it was new.
    pub fn add(&mut self, sale: SaleId) -> bool {
        match self.ids.binary_search(&sale) {
            Ok(_) => false,
            Err(at) => {
                self.ids.insert(at, sale);
                self.version += 1;
                true
            }
        }
    }
}

/// The list as the edge keeps it: the registry's catalog and when the registry gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub catalog: SaleCatalog,
    pub at: UnixMillis,
}

/// What the edge knows of one id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Created: its objects may be reached.
    Exists,
    /// Not in a fresh list: 404.
    Unknown,
    /// Not in a list too old to say (or no list): 503 `busy`, never the coordinator.
    Unsure,
}

/// What `listed` (the newest list at hand at `now`, if any) says of `sale`.
pub fn verdict(listed: Option<&Listed>, sale: &SaleId, now: UnixMillis) -> Verdict {
    match listed {
        Some(l) if l.catalog.contains(sale) => Verdict::Exists,
        Some(l) if now < l.at.plus_millis(LIST_TTL_MS) => Verdict::Unknown,
        _ => Verdict::Unsure,
    }
}

/// The list of sales: one key.
pub struct SaleList;

impl Kind for SaleList {
    type Key = ();
    type Value = Rc<Listed>;
    const NAME: &'static str = "sale-list";
    const RULES: Rules = Rules {
        stale_ms: LIST_STALE_MS,
        one_refresher: true,
        // One registry request per isolate per TTL at most, however the registry fails.
        backoff_ms: LIST_TTL_MS,
        max_backoff_ms: 60_000,
    };

    fn path(_: &()) -> String {
        "all".into()
    }

    fn memory() -> &'static Memory<(), Rc<Listed>> {
        thread_local! {
            static MEMORY: RefCell<Lru<(), super::plan::Slot<Rc<Listed>>>> =
                RefCell::new(Lru::new(1));
        }
        &MEMORY
    }
}

/// The registry's `catalog` as listed at `now`, kept fresh for [`LIST_TTL_MS`].
pub fn kept(catalog: SaleCatalog, now: UnixMillis) -> super::Kept<Rc<Listed>> {
    super::Kept {
        value: Rc::new(Listed { catalog, at: now }),
        at: now,
        fresh_until: now.plus_millis(LIST_TTL_MS),
    }
}

/// The list this isolate holds, fresh or not (without asking anyone).
pub fn held() -> Option<Rc<Listed>> {
    SaleList::memory().with(|m| m.borrow_mut().get_mut(&()).and_then(|s| s.value().cloned()))
}

/// A promoter created `sale` through this isolate and the registry could not give the new list:
/// this isolate's list holds it anyway (others learn it from the registry).
pub fn add_locally(sale: &SaleId, now: UnixMillis) {
    let mut catalog = held().map(|l| l.catalog.clone()).unwrap_or_default();
    catalog.add(sale.clone());
    super::remember::<SaleList>(&(), kept(catalog, now));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> SaleId {
        SaleId::parse(s).unwrap()
    }

    #[test]
    fn an_id_exists_if_listed_is_unknown_if_a_fresh_list_lacks_it_else_unsure() {
        let listed = Listed {
            catalog: SaleCatalog::new(vec![id("b"), id("a")]),
            at: UnixMillis(10_000),
        };
        let fresh = UnixMillis(10_000 + LIST_TTL_MS - 1);
        let old = UnixMillis(10_000 + LIST_TTL_MS);
        assert_eq!(verdict(Some(&listed), &id("a"), fresh), Verdict::Exists);
        // A sale is never deleted: an old list still says so.
        assert_eq!(verdict(Some(&listed), &id("b"), old), Verdict::Exists);
        assert_eq!(verdict(Some(&listed), &id("zz"), fresh), Verdict::Unknown);
        // Maybe created since: never 404, never the coordinator.
        assert_eq!(verdict(Some(&listed), &id("zz"), old), Verdict::Unsure);
        assert_eq!(verdict(None, &id("a"), fresh), Verdict::Unsure);
    }

    #[test]
    fn a_creation_makes_a_newer_list() {
        let mut catalog = SaleCatalog::new(vec![id("c"), id("a"), id("a")]);
        assert_eq!(catalog.version, 2);
        assert!(catalog.add(id("b")));
        assert!(!catalog.add(id("b")));
        assert_eq!(catalog.version, 3);
        assert_eq!(catalog.ids, vec![id("a"), id("b"), id("c")]);
        assert!(catalog.contains(&id("b")) && !catalog.contains(&id("d")));
    }

    #[test]
    fn protected_hosts_ride_on_the_catalog_and_a_change_makes_a_newer_list() {
        let catalog = SaleCatalog::new(vec![id("a"), id("b")]).with_protected_hosts(
            3,
            vec![
                "shop.example".into(),
                "*.tickets.example".into(),
                "shop.example".into(),
            ],
        );
        assert_eq!(catalog.version, 5);
        assert_eq!(catalog.protected_hosts.len(), 2);
        assert!(catalog.protects_host("shop.example:8443"));
        assert!(catalog.protects_host("eu.tickets.example"));
        assert!(!catalog.protects_host("tickets.example"));
        assert!(!catalog.protects_host("queue.example"));
        // A list without protected hosts (an older registry's) still reads.
        let old: SaleCatalog = serde_json::from_str(r#"{"version":1,"ids":["a"]}"#).unwrap();
        assert!(old.protected_hosts.is_empty());
    }
}
