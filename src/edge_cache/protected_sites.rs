//! Which sale guards a host and path (path protection, docs/api.md "Path protection"), as the
//! registry lists it, kept at the edge so a request to a protected site costs no object request:
//! one list for every protected sale, fresh for [`FRESH_MS`], refreshed by one request per
//! isolate at a time and answering stale for up to [`STALE_MS`] while the registry is slow or
//! failing. The list is bounded (the registry keeps at most `MAX_PROTECTED` sales) and versioned
//! (`version` counts the registry's changes). A promoter's change is seen at once by the isolate
//! that made it, and by every other within [`FRESH_MS`].
//!
//! Its own module, apart from which sales exist ([`super::known_sales`]): the lookup is by host
//! and path, not by sale id.

use super::{Kept, Kind, Memory, Rules};
use crate::error::ApiError;
use crate::lru::Lru;
use crate::objects::{ProtectedSale, ProtectedSites, Registry, RegistryCommand};
use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::sale::ProtectSpec;
use waitroom_core::UnixMillis;

/// How long a list is taken as current.
pub const FRESH_MS: u64 = 5_000;
/// How long an old list still answers while the registry cannot be reached.
pub const STALE_MS: u64 = 600_000;

/// The list of protected sales (one key).
pub struct Protected;

impl Kind for Protected {
    type Key = ();
    type Value = Rc<ProtectedSites>;
    const NAME: &'static str = "protected-sites";
    const RULES: Rules = Rules {
        stale_ms: STALE_MS,
        one_refresher: true,
        backoff_ms: 1_000,
        max_backoff_ms: 30_000,
    };

    fn path(_: &()) -> String {
        "all".into()
    }

    fn memory() -> &'static Memory<(), Self::Value> {
        thread_local! {
            static MEMORY: RefCell<Lru<(), super::plan::Slot<Rc<ProtectedSites>>>> =
                RefCell::new(Lru::new(1));
        }
        &MEMORY
    }
}

/// The sale that guards `host` (the request's, with its port) and `raw_path`, if any: the first
/// by sale id whose hosts match and whose paths match by any reading of the path. `Ok(None)`: no
/// sale guards the host. A sale that guards the host but not the path is answered with
/// `guards_path: false` (the path passes through without a session).
pub async fn lookup(
    ctx: &crate::ctx::Ctx,
    host: &str,
    raw_path: &str,
) -> Result<Option<Guard>, ApiError> {
    Ok(find(&sites(ctx).await?.sales, host, raw_path))
}

/// `sale`'s protection, as the list says (the promoter's report shows it).
pub async fn of_sale(
    ctx: &crate::ctx::Ctx,
    sale: &waitroom_core::SaleId,
) -> Result<Option<ProtectSpec>, ApiError> {
    let sites = sites(ctx).await?;
    let found = sites.sales.iter().find(|s| &s.id == sale);
    Ok(found.map(|s| ProtectSpec::of(&s.protect)))
}

/// The list, as this isolate keeps it.
async fn sites(ctx: &crate::ctx::Ctx) -> Result<Rc<ProtectedSites>, ApiError> {
    super::get::<Protected, _, _>(&ctx.origin, &(), ctx.now, |now| async move {
        let sites: ProtectedSites = ctx
            .objects
            .ask(&Registry, &RegistryCommand::Protected)
            .await?;
        Ok(Kept {
            value: Rc::new(sites),
            at: now,
            fresh_until: now.plus_millis(FRESH_MS),
        })
    })
    .await
}

/// A sale that guards a request's host.
pub struct Guard {
    pub sale: ProtectedSale,
    /// Whether it guards the request's path too.
    pub guards_path: bool,
}

fn find(sales: &[ProtectedSale], host: &str, raw_path: &str) -> Option<Guard> {
    let on_host = sales.iter().filter(|s| s.protect.guards_host(host));
    let mut first_on_host = None;
    for sale in on_host {
        if sale.protect.guards_path(raw_path) {
            return Some(Guard {
                sale: sale.clone(),
                guards_path: true,
            });
        }
        first_on_host.get_or_insert(sale);
    }
    first_on_host.map(|sale| Guard {
        sale: sale.clone(),
        guards_path: false,
    })
}

/// A promoter changed a sale: this isolate reads the list again at its next protected request.
pub fn changed(now: UnixMillis) {
    super::invalidate::<Protected>(&(), now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::protect::{Protect, ProtectInput};
    use waitroom_core::SaleId;

    fn sale(id: &str, host: &str, path: &str) -> ProtectedSale {
        ProtectedSale {
            id: SaleId::parse(id).unwrap(),
            protect: Protect::parse(ProtectInput {
                origin: "https://origin.example".into(),
                hosts: vec![host.into()],
                paths: vec![path.into()],
                ..Default::default()
            })
            .unwrap(),
        }
    }

    #[test]
    fn the_sale_that_guards_the_path_wins_and_other_hosts_are_none() {
        let sales = [
            sale("a", "shop.example", "/store/*"),
            sale("b", "shop.example", "/signup"),
        ];
        let found =
            |host, path| find(&sales, host, path).map(|g| (g.sale.id.to_string(), g.guards_path));
        assert_eq!(found("shop.example", "/Store/x"), Some(("a".into(), true)));
        assert_eq!(found("shop.example", "/signup"), Some(("b".into(), true)));
        assert_eq!(found("shop.example", "/about"), Some(("a".into(), false)));
        assert_eq!(found("other.example", "/store"), None);
    }
}
