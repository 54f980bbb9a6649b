//! The HTTP contract (docs/api.md): each path to its handler, and every failure to one error shape.

mod admin;
pub mod answers;
pub mod backstage;
pub mod fan;
mod origin;
mod socket;

pub use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http::sale_id;
use crate::objects::Objects;
use crate::request_log::{self, RequestLine};
use crate::response::{self, json};
use admin::SaleAction;
use answers::Health;
use origin::Outcome;
use std::rc::Rc;
use waitroom_core::SaleId;
use worker::{Env, Headers, Method, Request, Response};

/// The binding of the static files (`static/`: scripts, styles, the dashboard).
pub const ASSETS_BINDING: &str = "ASSETS";

pub use backstage::Backstage;

/// A path of the contract, with its parameters. (The edge worker parses the routes it hands to
/// the full worker too, to refuse a bad path at once.)
pub enum Route<'a> {
    Health,
    Jwks,
    /// A sale page's colours: `/brand/{rrggbb}.css`.
    BrandCss(&'a str),
    SalePage(&'a str),
    SaleInfo(&'a str),
    Join(&'a str),
    /// A proof-of-work challenge for a new place.
    Challenge(&'a str),
    Status(&'a str),
    /// The fan's WebSocket (the turn, pushed).
    Socket(&'a str),
    /// The pre-queue's draw: `GET /api/sales/{sale}/draw`.
    Draw(&'a str),
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
    /// `POST /api/admin/sales/{sale}/invitations`: invitation links signed by us.
    AdminInvitations(&'a str),
    /// Test-only (`WAITROOM_TEST_FAULTS=1`, loopback): puts an undecodable message on the queue.
    TestPoison,
    /// The test fault switch: no route unless test faults are on (see [`crate::test_faults`]).
    AdminFault(&'a str),
    /// The test clock (`POST /api/admin/test/clock`): no route unless test faults are on (see
    /// [`crate::clock`]).
    TestClock,
}

impl<'a> Route<'a> {
    /// The route of a path, with its actions parsed: an unknown action is no route (404).
    fn parse(segments: &[&'a str]) -> Option<Self> {
        Some(match segments {
            ["healthz"] => Route::Health,
            [".well-known", "jwks.json"] => Route::Jwks,
            ["brand", file] => Route::BrandCss(file),
            ["s", sale] => Route::SalePage(sale),
            ["api", "sales", sale] => Route::SaleInfo(sale),
            ["api", "sales", sale, "join"] => Route::Join(sale),
            ["api", "sales", sale, "status"] => Route::Status(sale),
            ["api", "sales", sale, "challenge"] => Route::Challenge(sale),
            ["api", "sales", sale, "socket"] => Route::Socket(sale),
            ["api", "sales", sale, "draw"] => Route::Draw(sale),
            ["api", "origin", "sales", sale, "pull"] => Route::Pull(sale),
            ["api", "origin", "sales", sale, "assignments"] => Route::Assignments(sale),
            ["api", "origin", "sales", sale, "assignments", fan, action] => Route::Finish {
                sale,
                fan,
                outcome: Outcome::parse(action)?,
            },
            ["api", "admin", "monitor"] => Route::AdminMonitor,
            ["__test", "events", "poison"] => Route::TestPoison,
            ["api", "admin", "test", "clock"] => Route::TestClock,
            ["api", "admin", "sales"] => Route::AdminSales,
            ["api", "admin", "sales", sale] => Route::AdminSale(sale),
            ["api", "admin", "sales", sale, "fault"] => Route::AdminFault(sale),
            ["api", "admin", "sales", sale, "invitations"] => Route::AdminInvitations(sale),
            ["api", "admin", "sales", sale, action] => Route::AdminControl {
                sale,
                action: SaleAction::parse(action)?,
            },
            _ => return None,
        })
    }

    /// The route's name, for the request log.
    fn name(&self) -> &'static str {
        match self {
            Route::Health => "health",
            Route::Jwks => "jwks",
            Route::BrandCss(_) => "brand_css",
            Route::SalePage(_) => "sale_page",
            Route::SaleInfo(_) => "sale_info",
            Route::Join(_) => "join",
            Route::Status(_) => "status",
            Route::Challenge(_) => "challenge",
            Route::Socket(_) => "socket",
            Route::Draw(_) => "draw",
            Route::Pull(_) => "pull",
            Route::Finish { .. } => "finish",
            Route::Assignments(_) => "assignments",
            Route::AdminSales => "admin_sales",
            Route::AdminSale(_) => "admin_sale",
            Route::AdminControl { .. } => "admin_control",
            Route::AdminFault(_) => "admin_fault",
            Route::AdminMonitor => "admin_monitor",
            Route::AdminInvitations(_) => "admin_invitations",
            Route::TestPoison => "test_poison",
            Route::TestClock => "test_clock",
        }
    }

    /// The sale id segment of the path, if it has one.
    fn sale(&self) -> Option<&'a str> {
        match *self {
            Route::SalePage(sale)
            | Route::SaleInfo(sale)
            | Route::Join(sale)
            | Route::Status(sale)
            | Route::Challenge(sale)
            | Route::Socket(sale)
            | Route::Draw(sale)
            | Route::Pull(sale)
            | Route::Finish { sale, .. }
            | Route::Assignments(sale)
            | Route::AdminSale(sale)
            | Route::AdminControl { sale, .. }
            | Route::AdminInvitations(sale)
            | Route::AdminFault(sale) => Some(sale),
            Route::Health
            | Route::Jwks
            | Route::BrandCss(_)
            | Route::AdminSales
            | Route::AdminMonitor
            | Route::TestPoison
            | Route::TestClock => None,
        }
    }

    /// Whether the edge worker hands this route to the full worker, which serves every route
    /// (docs/operations.md, "Two Workers"): the promoter's and the origin's calls and the JWKS.
    /// None of them is on a fan's path, and their code (sale settings, reports, pulls, invitation
    /// signing, the monitor) then stays out of the module each data centre starts at the opening
    /// second (docs/capacity.md, "Cold start"). Everything a fan's page or app calls stays at the
    /// edge.
    fn served_by_full_worker(&self) -> bool {
        match self {
            Route::Jwks
            | Route::Pull(_)
            | Route::Finish { .. }
            | Route::Assignments(_)
            | Route::AdminSales
            | Route::AdminSale(_)
            | Route::AdminControl { .. }
            | Route::AdminMonitor
            | Route::AdminInvitations(_)
            | Route::AdminFault(_)
            | Route::TestPoison
            | Route::TestClock => true,
            Route::Health
            | Route::BrandCss(_)
            | Route::SalePage(_)
            | Route::SaleInfo(_)
            | Route::Join(_)
            | Route::Status(_)
            | Route::Challenge(_)
            | Route::Socket(_)
            | Route::Draw(_) => false,
        }
    }

    /// The methods the path takes, as for an `Allow` header.
    fn allow(&self) -> &'static str {
        match self {
            Route::Health
            | Route::Jwks
            | Route::BrandCss(_)
            | Route::SaleInfo(_)
            | Route::Challenge(_)
            | Route::Status(_)
            | Route::Socket(_) => "GET",
            Route::Draw(_) => "GET",
            Route::SalePage(_) => "GET, POST",
            Route::Assignments(_) | Route::AdminSales | Route::AdminMonitor => "GET",
            Route::Join(_)
            | Route::Pull(_)
            | Route::Finish { .. }
            | Route::AdminControl { .. }
            | Route::AdminInvitations(_)
            | Route::TestPoison
            | Route::TestClock => "POST",
            Route::AdminSale(_) => "GET, PUT",
            Route::AdminFault(_) => "PUT",
        }
    }
}

/// Answers one request, with the fetch event's context for work after the answer; `backstage`
/// is what this Worker does with the routes on no fan's path. Never fails: every error becomes
/// its JSON (or HTML) answer here, and every answer gets the security headers.
pub async fn handle<B: Backstage>(
    req: Request,
    env: Env,
    background: worker::Context,
    backstage: &B,
) -> Response {
    let mut response = answer(req, env, Some(Rc::new(background)), backstage).await;
    if let Err(e) = response::set_security_headers(response.headers_mut()) {
        worker::console_error!("could not set the security headers: {e}");
    }
    response
}

/// The id a request is logged under: the platform's `cf-ray`, or a random one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("cf-ray")
        .ok()
        .flatten()
        .filter(|ray| !ray.is_empty() && ray.len() <= 64)
        .unwrap_or_else(crate::random::hex::<8>)
}

async fn answer<B: Backstage>(
    req: Request,
    env: Env,
    background: Option<Rc<worker::Context>>,
    backstage: &B,
) -> Response {
    let request_id = request_id(&req);
    let url = match req.url() {
        Ok(url) => url,
        Err(e) => return ApiError::Internal(e.to_string()).into_response_for(&request_id),
    };
    // The test clock's offset as the request came (a move of it is no time the request took).
    let offset_ms = crate::clock::offset_ms();
    let (now, origin) = (crate::clock::now(), url.origin().ascii_serialization());
    let ctx = Ctx {
        faults_allowed: crate::test_faults::allowed(&env, &url),
        objects: Objects::for_request(env.clone(), origin.clone(), now),
        env,
        now,
        origin,
        request_id,
        background,
    };
    let path = url.path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let method = req.method().to_string();
    let route = Route::parse(&segments);
    let (name, sale) = match &route {
        // Only a well-formed sale id is logged: the path is anyone's input.
        Some(route) => (
            route.name(),
            route.sale().filter(|s| SaleId::parse(s).is_ok()),
        ),
        None if segments.first() == Some(&"api") => ("unknown", None),
        None => ("asset", None),
    };
    // The edge worker hands the routes on no fan's path to the full worker.
    let forwarded = B::HANDS_OVER && route.as_ref().is_some_and(Route::served_by_full_worker);
    // A body declared too large is refused on every route, whether or not it reads one.
    let answered = match (route, crate::http::refuse_declared_oversize(&req)) {
        (Some(_), Err(too_large)) => Err(too_large),
        (Some(route), Ok(())) => dispatch(route, req, &ctx, backstage).await,
        (None, _) if segments.first() == Some(&"api") => Err(ApiError::NotFound),
        (None, _) => static_asset(req, &ctx).await,
    };
    let outcome = match &answered {
        Ok(_) if forwarded => "forwarded",
        // The busy page answers a busy error.
        Ok(page) if page.status_code() == 503 => "busy",
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    let response = answered.unwrap_or_else(|e| e.into_response_for(&ctx.request_id));
    request_log::log(&RequestLine {
        request_id: &ctx.request_id,
        method: &method,
        route: name,
        sale,
        status: response.status_code(),
        duration_ms: ctx
            .now
            .millis_until(crate::clock::now())
            .saturating_sub(crate::clock::offset_ms() - offset_ms),
        object_calls: ctx.objects.calls(),
        outcome,
    });
    response
}

async fn dispatch<B: Backstage>(
    route: Route<'_>,
    req: Request,
    ctx: &Ctx,
    backstage: &B,
) -> Result<Response, ApiError> {
    let method = req.method();
    let is = |m: Method| method == m || (m == Method::Get && method == Method::Head);
    match route {
        Route::Health if is(Method::Get) => Ok(json(200, &Health { ok: true })),
        Route::BrandCss(file) if is(Method::Get) => crate::pages::brand_css(file),
        Route::SalePage(sale) if is(Method::Get) => {
            let as_page = !fan::wants_json(&req);
            let tries = fan::busy_tries(&req);
            let sale = sale_or_404(sale)?;
            let answer = fan::sale_page(req, ctx, sale.clone()).await;
            busy_as_page(answer, sale.filter(|_| as_page), tries, ctx)
        }
        Route::SalePage(sale) if is(Method::Post) => {
            let sale = sale_id(sale)?;
            let answer = fan::rejoin(req, ctx, sale.clone()).await;
            busy_as_page(answer, Some(sale), 0, ctx)
        }
        Route::SaleInfo(sale) if is(Method::Get) => fan::sale_info(ctx, sale_id(sale)?).await,
        Route::Join(sale) if is(Method::Post) => fan::join(req, ctx, sale_id(sale)?).await,
        Route::Status(sale) if is(Method::Get) => fan::status(req, ctx, sale_id(sale)?).await,
        Route::Challenge(sale) if is(Method::Get) => {
            fan::challenge(&req, ctx, sale_id(sale)?).await
        }
        Route::Socket(sale) if method == Method::Get => {
            socket::open(req, ctx, sale_id(sale)?).await
        }
        Route::Draw(sale) if is(Method::Get) => fan::draw(ctx, sale_id(sale)?).await,
        route if route.served_by_full_worker() => backstage.answer(route, req, ctx).await,
        route => Err(ApiError::MethodNotAllowed {
            allow: route.allow(),
        }),
    }
}

/// A browser that asked for a fan page gets the busy page instead of a busy JSON error (and the
/// too-many-requests page instead of a `rate_limited` one).
fn busy_as_page(
    answer: Result<Response, ApiError>,
    page_of: Option<SaleId>,
    tries: u32,
    ctx: &Ctx,
) -> Result<Response, ApiError> {
    match (answer, page_of) {
        (Err(e), Some(sale)) if e.is_busy() => {
            worker::console_warn!("request {}: busy page: {e:?}", ctx.request_id);
            Ok(fan::busy_page(&sale, None, tries))
        }
        (Err(ApiError::RateLimited { retry_after_ms }), Some(sale)) => {
            Ok(crate::place_cost::rate_limited_page(&sale, retry_after_ms))
        }
        (answer, _) => answer,
    }
}

/// A fan page for a sale id that cannot exist is the 404 page, not a JSON error.
fn sale_or_404(segment: &str) -> Result<Option<SaleId>, ApiError> {
    Ok(SaleId::parse(segment).ok())
}

/// Anything else is a static file (the dashboard, scripts, styles), or a 404.
async fn static_asset(req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let asset = ctx.env.assets(ASSETS_BINDING)?.fetch_request(req).await?;
    if asset.status_code() == 404 {
        return Err(ApiError::NotFound);
    }
    Ok(own_copy(asset)?)
}

/// A response of our own with `answer`'s status, headers and body: a fetched response's headers
/// are immutable, and every answer gets the security headers.
pub(crate) fn own_copy(answer: Response) -> worker::Result<Response> {
    let headers = Headers::new();
    for (name, value) in answer.headers().entries() {
        headers.set(&name, &value)?;
    }
    let status = answer.status_code();
    let (_, body) = answer.into_parts();
    Ok(Response::from_body(body)?
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

    #[test]
    fn the_edge_serves_every_fan_route_and_hands_the_rest_to_the_full_worker() {
        let at_edge = |path: &[&str]| {
            let route = Route::parse(path).expect("a route");
            !route.served_by_full_worker()
        };
        for fan in [
            &["healthz"][..],
            &["brand", "112233.css"],
            &["s", "s1"],
            &["api", "sales", "s1"],
            &["api", "sales", "s1", "join"],
            &["api", "sales", "s1", "status"],
            &["api", "sales", "s1", "challenge"],
            &["api", "sales", "s1", "socket"],
            &["api", "sales", "s1", "draw"],
        ] {
            assert!(at_edge(fan), "{fan:?} is a fan's route");
        }
        for other in [
            &[".well-known", "jwks.json"][..],
            &["api", "origin", "sales", "s1", "pull"],
            &["api", "origin", "sales", "s1", "assignments"],
            &[
                "api",
                "origin",
                "sales",
                "s1",
                "assignments",
                "f",
                "complete",
            ],
            &["api", "admin", "sales"],
            &["api", "admin", "sales", "s1"],
            &["api", "admin", "sales", "s1", "open"],
            &["api", "admin", "sales", "s1", "invitations"],
            &["api", "admin", "sales", "s1", "fault"],
            &["api", "admin", "monitor"],
            &["__test", "events", "poison"],
            &["api", "admin", "test", "clock"],
        ] {
            assert!(!at_edge(other), "{other:?} is on no fan's path");
        }
    }
}
