//! The sale registry as its callers reach it: its commands, and the one check every client's
//! request about a sale goes through ([`Objects::sale_exists`]): the registry's list of sales as
//! the edge keeps it ([`known_sales`]), never a question about one id.

use super::{json_request, Bare, Call, CallError, Object, Objects, OBJECT_PATH, REGISTRY_BINDING};
use crate::edge_cache::{self, known_sales, known_sales::SaleList};
use serde::Serialize;
use std::collections::BTreeMap;
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{Headers, Method, Request};

/// The registry is one object: sales are created rarely, by promoters.
const REGISTRY_NAME: &str = "sales";
/// An id an older list lacks: the list is looked at again this often...
const WAIT_STEP_MS: u64 = 25;
/// ... for at most this long (a refresh under way), then the request is busy.
const MAX_WAIT_MS: u64 = 1_000;

/// The sale registry: which sales were created.
pub struct Registry;

impl Object for Registry {
    const BINDING: &'static str = REGISTRY_BINDING;
    fn name(&self) -> String {
        REGISTRY_NAME.into()
    }
}

impl Call<Registry> for RegistryCommand {
    type Wire = Bare;
    fn request(&self, _: &Registry, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Post, OBJECT_PATH, self, headers)
    }
}

/// The registry's commands. `Add`, `List` and `Exists` answer the list of ids they found or
/// added; `Catalog` answers the whole versioned list ([`known_sales::SaleCatalog`]); the test
/// switch answers a [`RegistryFaultReport`].
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RegistryCommand {
    Add {
        id: SaleId,
    },
    /// The newest sales, at most 500 (the promoter's list).
    List,
    /// `[id]` if the sale is registered, else `[]` (an edge of the previous release asks it).
    Exists {
        id: SaleId,
    },
    /// Every sale, with the registry's version: what the edge keeps.
    Catalog,
    /// Sets (or, with `None`, removes) the sale's path protection in the lists the edge and the
    /// gate read; answers `[id]`.
    Protect {
        id: SaleId,
        /// The sale's `protect` as JSON text (stored as it is): a text, so the edge, which sends
        /// registry commands, links no writer of the protection's fields.
        spec: Option<String>,
    },
    /// The list of protected sales, answered as a [`ProtectedSites`] (what the gate keeps).
    Protected,
    /// Tests only (`WAITROOM_TEST_FAULTS=1`): fail every other command from now on (or stop).
    TestFault(RegistryFault),
}

/// Most protected sales the registry lists: a `PUT` that would add one more is refused
/// (`too_many_protected`, nothing changed), so the list every gate isolate reads stays bounded.
pub const MAX_PROTECTED: usize = 200;

/// Whether sale `id` may protect paths, with `listed` protected now: one of them already, or
/// fewer than [`MAX_PROTECTED`]. The promoter's `PUT` asks it of the registry's list before it
/// changes anything, and the registry again as it stores the protection (docs/api.md, "Path
/// protection", `too_many_protected`).
pub fn may_protect(id: &SaleId, listed: &[SaleId]) -> bool {
    listed.contains(id) || listed.len() < MAX_PROTECTED
}

/// Every sale's path protection, as the registry keeps it for the gate worker
/// (`RegistryCommand::Protected`): `version` counts the changes, so an isolate can tell a new list
/// from the one it holds.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct ProtectedSites {
    pub version: u64,
    pub sales: Vec<ProtectedSale>,
}

/// One protected sale.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ProtectedSale {
    pub id: SaleId,
    pub protect: waitroom_core::protect::Protect,
}

/// The registry's test switch (docs/api.md, "Testing").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryFault {
    #[serde(default)]
    pub fail: bool,
}

/// What the registry's test switch answers: the switch, and the commands the registry was asked
/// since it started, by kind (failed ones included).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RegistryFaultReport {
    pub fail: bool,
    pub calls_by_kind: BTreeMap<String, u64>,
}

impl RegistryCommand {
    /// Its kind, for the registry's counts.
    pub fn kind(&self) -> &'static str {
        match self {
            RegistryCommand::Add { .. } => "add",
            RegistryCommand::List => "list",
            RegistryCommand::Exists { .. } => "exists",
            RegistryCommand::Catalog => "catalog",
            RegistryCommand::Protect { .. } => "protect",
            RegistryCommand::Protected => "protected",
            RegistryCommand::TestFault(_) => "test_fault",
        }
    }
}

impl Objects {
    /// Whether `sale` was created, from the list of sales the edge keeps (the registry asked for
    /// the whole list by one request per isolate at a time, never about one id): `Ok` if listed;
    /// refused [`QueueError::SaleNotFound`] if a fresh list lacks it; busy if the list is too old
    /// to say or cannot be had. Either way, an id nobody created reaches no object.
    pub(super) async fn sale_exists(
        &self,
        origin: &str,
        sale: &SaleId,
        now: UnixMillis,
    ) -> Result<(), CallError> {
        // The synthetic monitor's canary is kept out of the registry (and the dashboard's list),
        // but its promoter routes work: it is one reserved id, so it costs no lookup.
        if sale.is_reserved() {
            return Ok(());
        }
        let mut now = now;
        let waited_until = now.plus_millis(MAX_WAIT_MS);
        loop {
            let listed = match self.sale_list(origin, now).await {
                Ok(listed) => Some(listed),
                Err(e) => {
                    worker::console_warn!("no list of sales: {e}");
                    known_sales::held()
                }
            };
            match known_sales::verdict(listed.as_deref(), sale, now) {
                known_sales::Verdict::Exists => return Ok(()),
                known_sales::Verdict::Unknown => {
                    return Err(CallError::Refused(QueueError::SaleNotFound))
                }
                // An older list (another request of this isolate refreshes it, or the registry
                // fails): look again shortly, for a while, then busy.
                known_sales::Verdict::Unsure if now < waited_until && listed.is_some() => {
                    worker::Delay::from(std::time::Duration::from_millis(WAIT_STEP_MS)).await;
                    now = crate::clock::now();
                }
                known_sales::Verdict::Unsure => {
                    return Err(CallError::Busy(format!(
                        "the list of sales is out of date and lacks {sale}"
                    )))
                }
            }
        }
    }

    /// Whether a sale protects `url`'s host (path protection), by the list of sales this isolate
    /// keeps (the registry asked for it at most once per [`known_sales::LIST_TTL_MS`], not per
    /// request); with no list at hand, the last one held, or none: such a request is then served
    /// as ours (a static file or 404), never passed on.
    pub async fn protects_host(&self, url: &worker::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let Some((origin, now)) = &self.client else {
            return false;
        };
        let listed = match self.sale_list(origin, *now).await {
            Ok(listed) => Some(listed),
            Err(_) => known_sales::held(),
        };
        listed.is_some_and(|l| l.catalog.protects_host(&host))
    }

    /// The list of sales at `now`, as the edge keeps it: the registry asked for it on a miss.
    async fn sale_list(
        &self,
        origin: &str,
        now: UnixMillis,
    ) -> Result<std::rc::Rc<known_sales::Listed>, crate::error::ApiError> {
        edge_cache::get::<SaleList, _, _>(origin, &(), now, |now| async move {
            let catalog = self.ask(&Registry, &RegistryCommand::Catalog).await?;
            Ok(known_sales::kept(catalog, now))
        })
        .await
    }

    /// A promoter created or changed `sale` through this isolate: unless its list holds it
    /// already, the registry's new list, in this isolate and this data centre's Cache API at
    /// once (other isolates within [`known_sales::LIST_TTL_MS`]).
    pub async fn sale_created(&self, origin: &str, sale: &SaleId, now: UnixMillis) {
        if known_sales::held().is_some_and(|l| l.catalog.contains(sale)) {
            return;
        }
        match self
            .ask::<_, known_sales::SaleCatalog>(&Registry, &RegistryCommand::Catalog)
            .await
        {
            Ok(catalog) if catalog.contains(sale) => {
                edge_cache::put::<SaleList>(origin, &(), known_sales::kept(catalog, now), now)
                    .await;
            }
            Ok(_) => known_sales::add_locally(sale, now),
            Err(e) => {
                worker::console_warn!("no new list of sales after creating {sale}: {e}");
                known_sales::add_locally(sale, now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// A sale protects paths while fewer than the bound do, or if it is one of them already (a
    /// `PUT` that changes its protection); the next new one is refused.
    #[test]
    fn the_list_of_protected_sales_is_bounded_and_a_listed_sale_may_change() {
        use super::{may_protect, MAX_PROTECTED};
        use waitroom_core::SaleId;
        let id = |n: usize| SaleId::parse(&format!("s{n}")).unwrap();
        let almost: Vec<SaleId> = (0..MAX_PROTECTED - 1).map(id).collect();
        assert!(may_protect(&id(MAX_PROTECTED), &almost));
        let full: Vec<SaleId> = (0..MAX_PROTECTED).map(id).collect();
        assert!(!may_protect(&id(MAX_PROTECTED), &full), "the next new one");
        assert!(may_protect(&id(0), &full), "one of them, changed");
        assert!(may_protect(&id(MAX_PROTECTED - 1), &full));
    }
}
