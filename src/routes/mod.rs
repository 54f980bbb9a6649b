//! The HTTP contract (docs/api.md): each path to its handler, and every failure to one error shape.

mod admin;
pub mod answers;
mod fan;
mod origin;

use crate::config::{self, Config};
use crate::error::ApiError;
use crate::http::sale_id;
use crate::response::{self, json, json_with, CacheControl};
use admin::SaleAction;
use answers::Health;
use origin::Outcome;
use std::rc::Rc;
use waitroom_core::{SaleId, UnixMillis};
use worker::{Env, Headers, Method, Request, Response};

/// The binding of the static files (`static/`: scripts, styles, the dashboard).
pub const ASSETS_BINDING: &str = "ASSETS";

/// The JWKS changes only when the pass signing key does; origins may keep it this long.
const JWKS_MAX_AGE_S: u64 = 300;

/// What every handler gets besides the request.
pub struct Ctx {
    pub env: Env,
    pub now: UnixMillis,
    /// `scheme://host[:port]` of this request, for cache keys and links.
    pub origin: String,
}

impl Ctx {
    pub fn config(&self) -> Result<Rc<Config>, ApiError> {
        Ok(config::load(&self.env)?)
    }
}

/// A path of the contract, with its parameters.
enum Route<'a> {
    Health,
    Jwks,
    SalePage(&'a str),
    SaleInfo(&'a str),
    Join(&'a str),
    Status(&'a str),
    Pull(&'a str),
    Finish {
        sale: &'a str,
        fan: &'a str,
        outcome: Outcome,
    },
    Assignments(&'a str),
    AdminSales,
    AdminSale(&'a str),
    AdminControl {
        sale: &'a str,
        action: SaleAction,
    },
    AdminMonitor,
    /// Test-only (`WAITROOM_TEST_FAULTS=1`, loopback): puts an undecodable message on the queue.
    TestPoison,
}

impl<'a> Route<'a> {
    /// The route of a path, with its actions parsed: an unknown action is no route (404).
    fn parse(segments: &[&'a str]) -> Option<Self> {
        Some(match segments {
            ["healthz"] => Route::Health,
            [".well-known", "jwks.json"] => Route::Jwks,
            ["s", sale] => Route::SalePage(sale),
            ["api", "sales", sale] => Route::SaleInfo(sale),
            ["api", "sales", sale, "join"] => Route::Join(sale),
            ["api", "sales", sale, "status"] => Route::Status(sale),
            ["api", "origin", "sales", sale, "pull"] => Route::Pull(sale),
            ["api", "origin", "sales", sale, "assignments"] => Route::Assignments(sale),
            ["api", "origin", "sales", sale, "assignments", fan, action] => Route::Finish {
                sale,
                fan,
                outcome: Outcome::parse(action)?,
            },
            ["api", "admin", "monitor"] => Route::AdminMonitor,
            ["__test", "events", "poison"] => Route::TestPoison,
            ["api", "admin", "sales"] => Route::AdminSales,
            ["api", "admin", "sales", sale] => Route::AdminSale(sale),
            ["api", "admin", "sales", sale, action] => Route::AdminControl {
                sale,
                action: SaleAction::parse(action)?,
            },
            _ => return None,
        })
    }

    /// The methods the path takes, as for an `Allow` header.
    fn allow(&self) -> &'static str {
        match self {
            Route::Health | Route::Jwks | Route::SaleInfo(_) | Route::Status(_) => "GET",
            Route::SalePage(_) => "GET, POST",
            Route::Assignments(_) | Route::AdminSales | Route::AdminMonitor => "GET",
            Route::Join(_)
            | Route::Pull(_)
            | Route::Finish { .. }
            | Route::AdminControl { .. }
            | Route::TestPoison => "POST",
            Route::AdminSale(_) => "GET, PUT",
        }
    }
}

/// Answers one request. Never fails: every error becomes its JSON (or HTML) answer here, and
/// every answer gets the security headers.
pub async fn handle(req: Request, env: Env) -> Response {
    let mut response = answer(req, env).await;
    if let Err(e) = response::set_security_headers(response.headers_mut()) {
        worker::console_error!("could not set the security headers: {e}");
    }
    response
}

async fn answer(req: Request, env: Env) -> Response {
    let url = match req.url() {
        Ok(url) => url,
        Err(e) => return ApiError::Internal(e.to_string()).into_response(),
    };
    let ctx = Ctx {
        env,
        now: crate::clock::now(),
        origin: url.origin().ascii_serialization(),
    };
    let path = url.path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match Route::parse(&segments) {
        Some(route) => dispatch(route, req, &ctx)
            .await
            .unwrap_or_else(ApiError::into_response),
        None if segments.first() == Some(&"api") => ApiError::NotFound.into_response(),
        None => static_asset(req, &ctx)
            .await
            .unwrap_or_else(ApiError::into_response),
    }
}

async fn dispatch(route: Route<'_>, req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let method = req.method();
    let is = |m: Method| method == m || (m == Method::Get && method == Method::Head);
    match route {
        Route::Health if is(Method::Get) => Ok(json(200, &Health { ok: true })),
        Route::Jwks if is(Method::Get) => jwks(ctx),
        Route::SalePage(sale) if is(Method::Get) => {
            fan::sale_page(req, ctx, sale_or_404(sale)?).await
        }
        Route::SalePage(sale) if is(Method::Post) => fan::rejoin(req, ctx, sale_id(sale)?).await,
        Route::SaleInfo(sale) if is(Method::Get) => fan::sale_info(ctx, sale_id(sale)?).await,
        Route::Join(sale) if is(Method::Post) => fan::join(req, ctx, sale_id(sale)?).await,
        Route::Status(sale) if is(Method::Get) => fan::status(req, ctx, sale_id(sale)?).await,
        Route::Pull(sale) if is(Method::Post) => origin::pull(req, ctx, sale_id(sale)?).await,
        Route::Finish { sale, fan, outcome } if is(Method::Post) => {
            origin::finish(req, ctx, sale_id(sale)?, fan, outcome).await
        }
        Route::Assignments(sale) if is(Method::Get) => {
            origin::assignments(req, ctx, sale_id(sale)?).await
        }
        Route::AdminSales if is(Method::Get) => admin::list(req, ctx).await,
        Route::AdminSale(sale) if is(Method::Get) => admin::report(req, ctx, sale_id(sale)?).await,
        Route::AdminSale(sale) if is(Method::Put) => admin::upsert(req, ctx, sale_id(sale)?).await,
        Route::AdminControl { sale, action } if is(Method::Post) => {
            admin::control(req, ctx, sale_id(sale)?, action).await
        }
        Route::AdminMonitor if is(Method::Get) => admin::monitor(req, ctx).await,
        Route::TestPoison if is(Method::Post) => admin::test_poison(ctx).await,
        route => Err(ApiError::MethodNotAllowed {
            allow: route.allow(),
        }),
    }
}

/// A fan page for a sale id that cannot exist is the 404 page, not a JSON error.
fn sale_or_404(segment: &str) -> Result<Option<SaleId>, ApiError> {
    Ok(SaleId::parse(segment).ok())
}

fn jwks(ctx: &Ctx) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let cache = CacheControl::Public {
        max_age_s: JWKS_MAX_AGE_S,
    };
    Ok(json_with(200, &config.secrets.pass_signer.jwks(), cache))
}

/// Anything else is a static file (the dashboard, scripts, styles), or a 404.
async fn static_asset(req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let mut asset = ctx.env.assets(ASSETS_BINDING)?.fetch_request(req).await?;
    if asset.status_code() == 404 {
        return Err(ApiError::NotFound);
    }
    // The assets binding's headers are immutable: copy them onto a response of our own.
    let headers = Headers::new();
    for (name, value) in asset.headers().entries() {
        headers.set(&name, &value)?;
    }
    let status = asset.status_code();
    Ok(Response::from_bytes(asset.bytes().await?)?
        .with_status(status)
        .with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_parsed_at_routing_and_unknown_ones_are_no_route() {
        assert!(matches!(
            Route::parse(&["api", "admin", "sales", "s", "pause"]),
            Some(Route::AdminControl {
                action: SaleAction::Pause,
                ..
            })
        ));
        assert!(matches!(
            Route::parse(&["api", "origin", "sales", "s", "assignments", "f", "release"]),
            Some(Route::Finish {
                outcome: Outcome::Release,
                ..
            })
        ));
        for unknown in [
            &["api", "admin", "sales", "s", "delete"][..],
            &["api", "admin", "sales", "s", "Close"][..],
            &["api", "origin", "sales", "s", "assignments", "f", "cancel"][..],
            &["api", "origin", "sales", "s", "assignments", "f", ""][..],
        ] {
            assert!(Route::parse(unknown).is_none(), "{unknown:?}");
        }
    }
}
