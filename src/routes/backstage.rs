//! The routes on no fan's path ([`Route::served_by_full_worker`]: the promoter's, the origin's
//! and the JWKS), and what each Worker does with them (docs/operations.md, "Two Workers"): the
//! full worker serves them ([`Serve`]); the edge worker hands them to the full worker
//! ([`HandOver`]), so their code (sale settings, reports, pulls, invitation signing, the monitor)
//! and their keys stay out of the module every data centre starts at the opening second
//! (docs/capacity.md, "Cold start"). Each Worker's crate names its choice; the route handling is
//! generic over it, so the edge's module links none of [`Serve`]'s code.
//!
//! The same choice says what a Worker does with a request no route of ours takes ([`Unrouted`]):
//! a protected site's (path protection, docs/api.md) is the gate worker's (`workers/gate`,
//! [`Gate`]): it guards it, and so does the full worker (which serves everything); the edge
//! worker serves a static file, or, on a host the list of sales says a sale protects, hands the
//! request to the gate through its service binding, so the edge's module links none of the
//! protection's code (the session cookie, the path readings, the pass-through).

use super::route::Route;
use super::{admin, origin, protected, report};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http::sale_id;
use crate::pages;
use crate::response::{json, own_copy, CacheControl};
use std::future::Future;
use waitroom_core::SaleId;
use worker::{Method, Request, Response, Url};

/// The full worker, as the edge worker's service binding (wrangler.edge.toml `[[services]]`).
pub const FULL_WORKER_BINDING: &str = "FULL";
/// The gate worker, as the edge worker's service binding (wrangler.edge.toml `[[services]]`).
pub const GATE_WORKER_BINDING: &str = "GATE";

/// Whose answer a request no route takes got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whose {
    /// Ours (a static file, our waiting or busy page): it gets our security headers.
    Ours,
    /// A protected origin's, passed through: its own headers, as the origin sent them.
    Origin,
    /// The gate worker's, handed on as it came (it set its own headers).
    Gate,
}

/// The answer to a request no route takes, and whose it is.
pub struct Unrouted {
    pub response: Response,
    pub whose: Whose,
}

impl Unrouted {
    pub fn ours(response: Response) -> Self {
        Self {
            response,
            whose: Whose::Ours,
        }
    }
}

/// What a Worker does with the routes on no fan's path.
pub trait Backstage {
    /// Whether the answer is another Worker's (logged as `forwarded`).
    const HANDS_OVER: bool;
    /// Whether it guards protected sites itself ([`Backstage::unrouted`] may answer with one of
    /// our pages, the door's, in the fan's language).
    const GUARDS_SITES: bool;

    /// The answer to `route` (one of [`Route::served_by_full_worker`]).
    fn answer<'a>(
        &'a self,
        route: Route<'a>,
        req: Request,
        ctx: &'a Ctx,
    ) -> impl Future<Output = Result<Response, ApiError>> + 'a;

    /// The answer to a request no route takes (outside `/api/`; `url`: its URL): a static file,
    /// or a protected site's.
    fn unrouted<'a>(
        &'a self,
        req: Request,
        ctx: &'a Ctx,
        url: &'a Url,
    ) -> impl Future<Output = Result<Unrouted, ApiError>> + 'a;
}

/// The full worker's: it serves them.
pub struct Serve;

impl Backstage for Serve {
    const HANDS_OVER: bool = false;
    const GUARDS_SITES: bool = true;

    async fn answer<'a>(
        &'a self,
        route: Route<'a>,
        req: Request,
        ctx: &'a Ctx,
    ) -> Result<Response, ApiError> {
        let method = req.method();
        let is = |m: Method| method == m || (m == Method::Get && method == Method::Head);
        match route {
            Route::Jwks if is(Method::Get) => origin::jwks(ctx),
            Route::Pull(sale) if is(Method::Post) => origin::pull(req, ctx, sale_id(sale)?).await,
            // `.../assignments/batch/{complete|release}`: many in one request.
            Route::Finish {
                sale,
                fan: origin::BATCH,
                outcome,
            } if is(Method::Post) => origin::finish_many(req, ctx, sale_id(sale)?, outcome).await,
            Route::Finish { sale, fan, outcome } if is(Method::Post) => {
                origin::finish(req, ctx, sale_id(sale)?, fan, outcome).await
            }
            Route::Assignments(sale) if is(Method::Get) => {
                origin::assignments(req, ctx, sale_id(sale)?).await
            }
            Route::AdminSales if is(Method::Get) => admin::list(req, ctx).await,
            Route::AdminSale(sale) if is(Method::Get) => {
                admin::report(req, ctx, sale_id(sale)?).await
            }
            Route::AdminSale(sale) if is(Method::Put) => {
                admin::upsert(req, ctx, sale_id(sale)?).await
            }
            Route::AdminControl { sale, action } if is(Method::Post) => {
                admin::control(req, ctx, sale_id(sale)?, action).await
            }
            Route::AdminFault(_) | Route::TestPoison | Route::TestClock | Route::TestRegistry
                if !ctx.faults_allowed =>
            {
                Err(ApiError::NotFound)
            }
            Route::AdminFault(sale) if is(Method::Put) => {
                admin::fault(req, ctx, sale_id(sale)?).await
            }
            Route::TestClock if is(Method::Post) => admin::test_clock(req, ctx).await,
            Route::TestRegistry if is(Method::Put) => admin::test_registry(req, ctx).await,
            Route::AdminMonitor if is(Method::Get) => admin::monitor(req, ctx).await,
            Route::PublicReport(sale) if is(Method::Get) => {
                report::json_report(req, ctx, sale_id(sale)?).await
            }
            Route::ReportPage(sale) => match SaleId::parse(sale) {
                Ok(sale) if is(Method::Get) => report::page(req, ctx, sale).await,
                Ok(_) => Err(ApiError::MethodNotAllowed { allow: "GET" }),
                Err(_) => pages::render(
                    &pages::NotFoundPage {
                        lang: ctx.lang.lang,
                    },
                    404,
                    CacheControl::NoStore,
                ),
            },
            // A fan's rare asks, never at the opening second: kept out of the edge's module.
            Route::Assist(sale) if is(Method::Post) => {
                super::fan::assist(req, ctx, sale_id(sale)?).await
            }
            Route::AssistForm(sale) if is(Method::Post) => {
                let sale = sale_id(sale)?;
                let answer = super::fan::assist_form(req, ctx, sale.clone()).await;
                super::busy_as_page(answer, Some(sale), 0, ctx)
            }
            Route::MoveLink(sale) if is(Method::Post) => {
                super::fan::moving::link(req, ctx, sale_id(sale)?).await
            }
            Route::Move(sale) if is(Method::Post) => {
                super::fan::moving::take(req, ctx, sale_id(sale)?).await
            }
            Route::Push(sale)
                if is(Method::Get) || method == Method::Post || method == Method::Delete =>
            {
                super::fan::push::api(req, ctx, sale_id(sale)?).await
            }
            Route::MoveLinkPage(sale) if is(Method::Post) => {
                let sale = sale_id(sale)?;
                let answer = super::fan::moving::link_page(req, ctx, sale.clone()).await;
                super::busy_as_page(answer, Some(sale), 0, ctx)
            }
            Route::PartyLink(sale) if is(Method::Post) => {
                super::fan::party::link(req, ctx, sale_id(sale)?).await
            }
            Route::Party(sale) if is(Method::Get) => {
                super::fan::party::view(req, ctx, sale_id(sale)?).await
            }
            Route::PartyJoin(sale) if is(Method::Post) => {
                super::fan::party::join(req, ctx, sale_id(sale)?).await
            }
            Route::PartyLeave(sale) if is(Method::Post) => {
                super::fan::party::leave(req, ctx, sale_id(sale)?).await
            }
            Route::PartyLinkPage(sale) if is(Method::Post) => {
                let sale = sale_id(sale)?;
                let answer = super::fan::party::link_page(req, ctx, sale.clone()).await;
                super::busy_as_page(answer, Some(sale), 0, ctx)
            }
            Route::PartyPage(sale) if is(Method::Get) => {
                super::fan::party::page(&req, ctx, sale_id(sale)?, None).await
            }
            Route::PartyPage(sale) if is(Method::Post) => {
                let sale = sale_id(sale)?;
                let answer = super::fan::party::join_page(req, ctx, sale.clone()).await;
                super::busy_as_page(answer, Some(sale), 0, ctx)
            }
            Route::PartyLeavePage(sale) if is(Method::Post) => {
                let sale = sale_id(sale)?;
                let answer = super::fan::party::leave_page(req, ctx, sale.clone()).await;
                super::busy_as_page(answer, Some(sale), 0, ctx)
            }
            Route::MovePage(sale) if is(Method::Get) => {
                super::fan::moving::page(ctx, sale_id(sale)?, None).await
            }
            Route::MovePage(sale) if is(Method::Post) => {
                let sale = sale_id(sale)?;
                let answer = super::fan::moving::take_page(req, ctx, sale.clone()).await;
                super::busy_as_page(answer, Some(sale), 0, ctx)
            }
            Route::AdminReport(sale) if is(Method::Get) => {
                report::admin_get(req, ctx, sale_id(sale)?).await
            }
            Route::AdminReport(sale) if is(Method::Put) => {
                report::admin_put(req, ctx, sale_id(sale)?).await
            }
            Route::AdminInvitations(sale) if is(Method::Post) => {
                admin::invitations(req, ctx, sale_id(sale)?).await
            }
            Route::TestPoison if is(Method::Post) => admin::test_poison(ctx).await,
            route => Err(ApiError::MethodNotAllowed {
                allow: route.allow(),
            }),
        }
    }

    /// The full worker serves every route, a protected site's too (a deployment without the
    /// edge and gate workers in front).
    async fn unrouted<'a>(
        &'a self,
        req: Request,
        ctx: &'a Ctx,
        url: &'a Url,
    ) -> Result<Unrouted, ApiError> {
        protected::unrouted(req, ctx, url).await
    }
}

/// The edge worker's: the full worker's answer, as it gave it (status, headers, body, errors
/// included; it logs its own line for the request). A full worker that cannot be reached is
/// `busy`, like an object that cannot be reached.
pub struct HandOver;

impl Backstage for HandOver {
    const HANDS_OVER: bool = true;
    const GUARDS_SITES: bool = false;

    async fn answer<'a>(
        &'a self,
        route: Route<'a>,
        req: Request,
        ctx: &'a Ctx,
    ) -> Result<Response, ApiError> {
        hand_over(route, req, ctx, true).await
    }

    /// A static file; on a host a sale protects (by the list of sales this isolate keeps: no
    /// object request per request), the gate worker's answer, as it gave it. Our own folders
    /// (`/assets/`, `/admin/`) are never a protected site's.
    async fn unrouted<'a>(
        &'a self,
        req: Request,
        ctx: &'a Ctx,
        url: &'a Url,
    ) -> Result<Unrouted, ApiError> {
        if protected::is_our_file(url.path()) || !ctx.objects.protects_host(url).await {
            return super::static_asset(req, ctx).await.map(Unrouted::ours);
        }
        let gate = ctx.env.service(GATE_WORKER_BINDING)?;
        let response = gate
            .fetch_request(req)
            .await
            .map_err(|e| ApiError::Busy(format!("the gate worker: {e}")))?;
        Ok(Unrouted {
            response,
            whose: Whose::Gate,
        })
    }
}

/// The gate worker's (`workers/gate`): the routes on no fan's path handed to the full worker as
/// the edge does ([`HandOver`]); a request no route takes guarded (path protection).
pub struct Gate;

impl Backstage for Gate {
    const HANDS_OVER: bool = true;
    const GUARDS_SITES: bool = true;

    async fn answer<'a>(
        &'a self,
        route: Route<'a>,
        req: Request,
        ctx: &'a Ctx,
    ) -> Result<Response, ApiError> {
        hand_over(route, req, ctx, false).await
    }

    async fn unrouted<'a>(
        &'a self,
        req: Request,
        ctx: &'a Ctx,
        url: &'a Url,
    ) -> Result<Unrouted, ApiError> {
        protected::unrouted(req, ctx, url).await
    }
}

/// `route` handed to the full worker; its answer, as it gave it. Locally (tests, `make dev`) the
/// edge hands a move of the test clock to the gate instead (`clock_via_gate`, when it has the
/// binding), which hands it to the full worker and learns the new offset as the edge does: so
/// all three Workers' clocks move together.
async fn hand_over(
    route: Route<'_>,
    req: Request,
    ctx: &Ctx,
    clock_via_gate: bool,
) -> Result<Response, ApiError> {
    // A promoter's change: this isolate sees it at once, as the isolate that made it always
    // has.
    let changes = match route {
        Route::AdminSale(sale) if req.method() == Method::Put => Some(sale),
        Route::AdminControl { sale, .. } => Some(sale),
        Route::AdminReport(sale) if req.method() == Method::Put => Some(sale),
        _ => None,
    };
    let clock_through_gate = clock_via_gate
        && matches!(route, Route::TestClock)
        && ctx.faults_allowed
        && ctx.env.service(GATE_WORKER_BINDING).is_ok();
    let binding = match clock_through_gate {
        true => GATE_WORKER_BINDING,
        false => FULL_WORKER_BINDING,
    };
    let worker = ctx.env.service(binding)?;
    let answer = worker
        .fetch_request(req)
        .await
        .map_err(|e| ApiError::Busy(format!("the full worker: {e}")))?;
    let changed = changes.and_then(|sale| SaleId::parse(sale).ok());
    if let Some(sale) = changed.filter(|_| (200..300).contains(&answer.status_code())) {
        admin::sale_changed(ctx, &sale).await;
    }
    if matches!(route, Route::TestClock) && ctx.faults_allowed && answer.status_code() == 200 {
        return learn_clock(answer).await;
    }
    Ok(own_copy(answer)?)
}

/// The full worker moved the test clock (see [`crate::clock`]): this isolate (the edge's or the
/// gate's) moves its own as far, and hands the answer on.
async fn learn_clock(mut answer: Response) -> Result<Response, ApiError> {
    let text = answer.text().await?;
    let moved: crate::clock::Moved = serde_json::from_str(&text)
        .map_err(|e| ApiError::Internal(format!("the full worker's clock answer: {e}")))?;
    crate::clock::learn_offset(moved.offset_ms);
    Ok(json(200, &moved))
}
