//! The HTTP contract (docs/api.md): each path parsed to its [`Route`], the route to its handler,
//! every failure to one error shape, and the request's log line.

mod admin;
pub mod answers;
pub mod backstage;
pub mod fan;
mod origin;
mod protected;
mod report;
mod route;
mod socket;

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http::sale_id;
use crate::objects::Objects;
use crate::request_log::{self, RequestLine};
use crate::response::{self, json};
use answers::Health;
use std::rc::Rc;
use waitroom_core::SaleId;
use worker::{Env, Method, Request, Response};

/// The binding of the static files (`static/`: scripts, styles, the dashboard).
pub const ASSETS_BINDING: &str = "ASSETS";

pub use backstage::{Backstage, Unrouted, Whose};
pub use route::Route;

/// Answers one request, with the fetch event's context for work after the answer; `backstage`
/// is what this Worker does with the routes on no fan's path. Never fails: every error becomes
/// its JSON (or HTML) answer here, and every answer gets the security headers.
pub async fn handle<B: Backstage>(
    req: Request,
    env: Env,
    background: worker::Context,
    backstage: &B,
) -> Response {
    let (mut response, whose) = answer(req, env, Some(Rc::new(background)), backstage).await;
    // A protected origin's answer keeps its own headers (our policies are for our pages); the
    // gate worker's has its own already.
    if whose != Whose::Ours {
        return response;
    }
    if let Err(e) = response::set_security_headers(response.headers_mut()) {
        worker::console_error!("could not set the security headers: {e}");
    }
    response
}

/// The test switch's header (only where test faults are allowed): the language table this
/// request needs fails to load, as when the ASSETS binding cannot serve it.
const TABLE_FAULT_HEADER: &str = "X-Waitroom-Test-Fault-Table";

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
) -> (Response, Whose) {
    let request_id = request_id(&req);
    let url = match req.url() {
        Ok(url) => url,
        Err(e) => {
            let error = ApiError::Internal(e.to_string());
            return (error.into_response_for(&request_id), Whose::Ours);
        }
    };
    // The test clock's offset as the request came (a move of it is no time the request took).
    let offset_ms = crate::clock::offset_ms();
    let (now, origin) = (crate::clock::now(), url.origin().ascii_serialization());
    let lang = crate::i18n::Chosen::of(
        url.query_pairs()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
            .as_deref(),
        crate::http::cookie(&req, crate::i18n::LANG_COOKIE).as_deref(),
        req.headers()
            .get("Accept-Language")
            .ok()
            .flatten()
            .as_deref(),
    );
    let path = url.path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let route = Route::parse(&segments);
    // A page in a language other than English needs its table (once per isolate); a static
    // file does not, but a protected site's request may get one of our pages (the gate's door).
    let faults_allowed = crate::test_faults::allowed(&env, &url);
    let our_page_maybe = route.is_some() || (B::GUARDS_SITES && !protected::is_our_file(&path));
    let lang = if our_page_maybe {
        // The test switch (docs/api.md, "Testing"): this request's table load fails.
        let table_fault = faults_allowed && req.headers().has(TABLE_FAULT_HEADER).unwrap_or(false);
        lang.loaded(&env, &request_id, table_fault).await
    } else {
        lang
    };
    let ctx = Ctx {
        lang,
        faults_allowed,
        objects: Objects::for_request(env.clone(), origin.clone(), now),
        env,
        now,
        origin,
        request_id,
        background,
    };
    let method = req.method().to_string();
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
    let mut whose = Whose::Ours;
    let answered = match (route, crate::http::refuse_declared_oversize(&req)) {
        (Some(_), Err(too_large)) => Err(too_large),
        (Some(route), Ok(())) => dispatch(route, req, &ctx, backstage).await,
        (None, _) if segments.first() == Some(&"api") => Err(ApiError::NotFound),
        // A static file, or a protected site's request (this Worker's choice).
        (None, _) => backstage.unrouted(req, &ctx, &url).await.map(|answer| {
            whose = answer.whose;
            answer.response
        }),
    };
    let outcome = match &answered {
        Ok(_) if whose == Whose::Origin => "passed_through",
        Ok(_) if forwarded || whose == Whose::Gate => "forwarded",
        // The busy page answers a busy error.
        Ok(page) if page.status_code() == 503 => "busy",
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    let mut response = answered.unwrap_or_else(|e| e.into_response_for(&ctx.request_id));
    if ctx.lang.degraded {
        // English in place of another language: a shared cache must not keep it under that
        // language's Vary key.
        let _ = response.headers_mut().set("Cache-Control", "no-store");
    }
    request_log::log(
        &RequestLine {
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
        },
        &ctx.env,
    );
    (response, whose)
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
            let answer = busy_as_page(answer, sale.filter(|_| as_page), tries, ctx);
            // A language chosen with `?lang=` is kept for the next pages.
            match (answer, ctx.lang.cookie()) {
                (Ok(mut response), Some(cookie)) => {
                    response.headers_mut().append("Set-Cookie", &cookie)?;
                    Ok(response)
                }
                (answer, _) => answer,
            }
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
pub(super) fn busy_as_page(
    answer: Result<Response, ApiError>,
    page_of: Option<SaleId>,
    tries: u32,
    ctx: &Ctx,
) -> Result<Response, ApiError> {
    match (answer, page_of) {
        (Err(e), Some(sale)) if e.is_busy() => {
            worker::console_warn!("request {}: busy page: {e}", ctx.request_id);
            Ok(fan::busy_page(&sale, None, tries, ctx.lang.lang))
        }
        (Err(ApiError::RateLimited { retry_after_ms }), Some(sale)) => Ok(
            crate::place_cost::rate_limited_page(&sale, retry_after_ms, ctx.lang.lang),
        ),
        (answer, _) => answer,
    }
}

/// A fan page for a sale id that cannot exist is the 404 page, not a JSON error.
fn sale_or_404(segment: &str) -> Result<Option<SaleId>, ApiError> {
    Ok(SaleId::parse(segment).ok())
}

/// Anything else is a static file (the dashboard, scripts, styles), or a 404.
pub(crate) async fn static_asset(req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let asset = ctx.env.assets(ASSETS_BINDING)?.fetch_request(req).await?;
    if asset.status_code() == 404 {
        return Err(ApiError::NotFound);
    }
    Ok(response::own_copy(asset)?)
}
