//! A request to a protected site (path protection, docs/api.md "Path protection"): the core
//! decides ([`waitroom_core::protect::decide`]); this carries it out. A bypassed request or a
//! fan with a session passes through to the origin ([`crate::pass_through`]); a fan without one
//! goes through the sale's door: their turn (by their page's cookie) starts a session, anyone
//! else gets the sale's waiting page. A place bound to a device needs the device's proof for its
//! turn: a page load, which carries none, gets the page whose script makes one and comes back
//! with it (`Device-Proof`), and only then does the session start. When the sale's coordinator cannot be reached, the sale's
//! `fail_mode` says what a fan without a session gets: the origin (`open`) or the busy page
//! (`closed`).
//!
//! The gate worker (`workers/gate`, `routes::backstage::Gate`) and the full worker run this; the
//! edge worker links none of it: it hands a protected host's request to the gate.
//!
//! A sale with a safety net (`protect.queue_when`) lets a fan without a session pass straight
//! through with one while its cached snapshot says the net is down
//! ([`waitroom_core::protect::net::passes_straight_through`]: no object call), and counts the
//! sessions it starts, renews and sees ended for the coordinator ([`crate::session_tally`]).

use super::backstage::{Unrouted, Whose};
use super::fan::{self, PageTurn};
use crate::ctx::Ctx;
use crate::edge_cache::outcomes;
use crate::edge_cache::protected_sites::{self, Guard};
use crate::error::ApiError;
use crate::http;
use crate::objects::Coordinator;
use crate::pages::{self, DoorConfirmPage, SaleLook};
use crate::pass_through::{self, Extra};
use crate::random;
use crate::response::CacheControl;
use crate::session_tally::{self, Event};
use std::net::IpAddr;
use waitroom_core::keys::device::DeviceError;
use waitroom_core::keys::token::TOKEN_TTL_S;
use waitroom_core::machines::protocol::{Command, Reply};
use waitroom_core::protect::decide::{decide, Bypassed, Decision, Request as Facts};
use waitroom_core::protect::forward::{BYPASS_HEADER, FAN_HEADER, PASS_HEADER, SESSION_HEADER};
use waitroom_core::protect::net::passes_straight_through;
use waitroom_core::protect::session::{Session, KEY_PURPOSE};
use waitroom_core::protect::{FailMode, Protect};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::queue::Claim;
use waitroom_core::{FanId, SaleId, Seq};
use worker::{Request, Response, Url};

/// Our own static folders (`static/`): never a protected origin's.
pub fn is_our_file(path: &str) -> bool {
    ["/assets/", "/admin/"]
        .iter()
        .any(|ours| path.starts_with(ours))
        || path == "/admin"
}

/// The request's host as its URL names it, with the port if not the scheme's default.
fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

/// A request no route of ours takes: our own file, or, on a host a sale protects, its answer
/// ([`answer`]); any other is a static file.
pub async fn unrouted(req: Request, ctx: &Ctx, url: &Url) -> Result<Unrouted, ApiError> {
    if !is_our_file(url.path()) {
        if let Some(guard) = protected_sites::lookup(ctx, &host_of(url), url.path()).await? {
            let answer = answer(req, ctx, guard).await?;
            let whose = match answer.from_origin {
                true => Whose::Origin,
                false => Whose::Ours,
            };
            return Ok(Unrouted {
                response: answer.response,
                whose,
            });
        }
    }
    super::static_asset(req, ctx).await.map(Unrouted::ours)
}

/// The session cookie of `sale`'s protected paths.
pub fn session_cookie_name(sale: &SaleId) -> String {
    format!("__Host-wr_session_{sale}")
}

fn session_cookie(sale: &SaleId, value: &str, max_age_s: u64) -> String {
    format!(
        "{}={value}; Path=/; Max-Age={max_age_s}; HttpOnly; Secure; SameSite=Lax",
        session_cookie_name(sale)
    )
}

/// An answer to a request on a protected site: the origin's (passed through), or one of our
/// pages (the waiting page, the busy page).
pub struct Answer {
    pub response: Response,
    pub from_origin: bool,
}

fn origin(response: Response) -> Answer {
    Answer {
        response,
        from_origin: true,
    }
}

fn ours(response: Response) -> Answer {
    Answer {
        response,
        from_origin: false,
    }
}

/// The answer to a request on a host `guard` guards.
pub async fn answer(req: Request, ctx: &Ctx, guard: Guard) -> Result<Answer, ApiError> {
    let (sale, protect) = (&guard.sale.id, &guard.sale.protect);
    if !guard.guards_path {
        // Another path of a protected site: the origin's, with no session.
        return through(req, protect, None).await.map(origin);
    }
    let keys = ctx.config()?.secrets.token_keys.derive(KEY_PURPOSE);
    let url = req.url()?;
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let staff_header = protect.bypass.header.as_deref().and_then(header);
    let staff_cookie = protect
        .bypass
        .cookie
        .as_deref()
        .and_then(|name| http::cookie(&req, name));
    let session = http::cookie(&req, &session_cookie_name(sale))
        .map(|text| Session::verify(&text, &keys, sale, ctx.now));
    let ip = header("CF-Connecting-IP").and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    let held_until = session
        .as_ref()
        .and_then(|s| s.as_ref().ok())
        .map(|s| s.exp);
    let facts = Facts {
        path: url.path(),
        ip,
        staff_header: staff_header.as_deref(),
        staff_cookie: staff_cookie.as_deref(),
        session,
    };
    match decide(protect, facts, ctx.now) {
        Decision::Bypass(why) => through(req, protect, Some(bypass_word(why)))
            .await
            .map(origin),
        Decision::Pass { session, renewed } => {
            if let (true, Some(from)) = (renewed, held_until) {
                let to = session.exp;
                tally(ctx, sale, protect, Event::Renewed { from, to }).await;
            }
            let cookie = renewed.then(|| session.sign(&keys[0]));
            with_session(req, ctx, protect, session, cookie)
                .await
                .map(origin)
        }
        Decision::Door => match door(req, ctx, sale, protect, &keys[0]).await {
            Ok(answer) => Ok(answer),
            Err((e, Some(req))) if e.is_busy() && protect.fail_mode == FailMode::Open => {
                worker::console_warn!("request {}: fail open: {e:?}", ctx.request_id);
                through(req, protect, Some("fail_open")).await.map(origin)
            }
            Err((e, _)) if e.is_busy() => Ok(ours(fan::busy_page(sale, None, 0, ctx.lang.lang))),
            Err((e, _)) => Err(e),
        },
    }
}

/// The fan id of a session started straight through by a down safety net (no place in line).
pub const NET_FAN_PREFIX: &str = "net_";

/// Counts a session's `event` for the sale's safety net, if it has one.
async fn tally(ctx: &Ctx, sale: &SaleId, protect: &Protect, event: Event) {
    if protect.queue_when.is_some() {
        session_tally::note(&ctx.objects, sale, protect.session_s, event, ctx.now).await;
    }
}

fn bypass_word(why: Bypassed) -> &'static str {
    match why {
        Bypassed::Path => "path",
        Bypassed::Staff => "staff",
        Bypassed::Address => "address",
    }
}

/// A fan without a session: their turn starts one, and so does a down safety net; anyone else
/// waits on the sale's page. A busy
/// coordinator hands the request back (for `fail_mode: open`) when it was not used up.
async fn door(
    req: Request,
    ctx: &Ctx,
    sale: &SaleId,
    protect: &Protect,
    key: &[u8; 32],
) -> Result<Answer, (ApiError, Option<Request>)> {
    let snap = match fan::snapshot(ctx, sale).await {
        Ok(snap) => snap,
        Err(e) => return Err((e, Some(req))),
    };
    let start = |fan: (String, u64), pass: String| {
        Session::new(sale.clone(), fan, pass, ctx.now, protect.session_s)
    };
    let session = match fan::turn_of_page(&req, ctx, &snap).await {
        Ok(PageTurn::Start(token, pass)) => Session {
            hand: token.hand,
            ..start((token.fan_id.to_string(), token.seq), pass)
        },
        // The safety net is down: straight through, with a session of no place and no pass.
        Ok(PageTurn::Over | PageTurn::None | PageTurn::ConfirmDevice { .. })
            if passes_straight_through(&snap, ctx.now) =>
        {
            let fan = format!("{NET_FAN_PREFIX}{}", random::hex::<10>());
            start((fan, 0), String::new())
        }
        Ok(PageTurn::Over) => {
            return fan::turn_over_page(&snap, ctx)
                .map(ours)
                .map_err(|e| (e, None))
        }
        // A place bound to a device, its turn come, without a proof: an app is told to send one;
        // a page load (which cannot) gets the page whose script makes it and comes back with it.
        Ok(PageTurn::ConfirmDevice { .. }) if fan::wants_json(&req) => {
            return Err((DeviceError::ProofRequired.into(), None))
        }
        Ok(PageTurn::ConfirmDevice { seq }) => {
            return confirm_device_page(&snap, ctx, seq)
                .map(ours)
                .map_err(|e| (e, None))
        }
        Ok(PageTurn::None) => return waiting_page(req, ctx, sale, protect).await,
        Err(e) => return Err((e, Some(req))),
    };
    tally(ctx, sale, protect, Event::Started { exp: session.exp }).await;
    let cookie = Some(session.sign(key));
    with_session(req, ctx, protect, session, cookie)
        .await
        .map(origin)
        .map_err(|e| (e, None))
}

/// The door's page for a place bound to a device at its turn (docs/api.md, "Path protection"):
/// its script confirms the device with a proof and goes through; without JavaScript it says why
/// it cannot. No session, no pass, nothing cached.
fn confirm_device_page(snap: &Snapshot, ctx: &Ctx, seq: Seq) -> Result<Response, ApiError> {
    let lang = ctx.lang.lang;
    let page = DoorConfirmPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        seq,
    };
    pages::render(&page, 200, CacheControl::NoStore)
}

/// The sale's waiting page, which takes a place; a busy answer there is the busy page already,
/// or, failing open, the origin's (the request kept for it: a GET has no body to copy).
async fn waiting_page(
    req: Request,
    ctx: &Ctx,
    sale: &SaleId,
    protect: &Protect,
) -> Result<Answer, (ApiError, Option<Request>)> {
    let spare = match protect.fail_mode {
        FailMode::Open => req.clone().ok(),
        FailMode::Closed => None,
    };
    match fan::sale_page(req, ctx, Some(sale.clone())).await {
        Ok(page) if page.status_code() == 503 && spare.is_some() => {
            Err((ApiError::Busy("the sale page was busy".into()), spare))
        }
        page => page.map(ours).map_err(|e| (e, spare)),
    }
}

/// Passes `req` through with `session` (its pass and fan in headers for the origin), setting
/// the session cookie when it is new or renewed (`cookie`), or clearing it when the origin ends
/// the session.
async fn with_session(
    req: Request,
    ctx: &Ctx,
    protect: &Protect,
    session: Session,
    cookie: Option<String>,
) -> Result<Response, ApiError> {
    let by_net = session.pass.is_empty();
    let mut headers = vec![(FAN_HEADER, session.fan.clone())];
    if by_net {
        headers.push((SESSION_HEADER, format!("exp={}; net", session.exp)));
    } else {
        headers.push((PASS_HEADER, session.pass.clone()));
        headers.push((SESSION_HEADER, format!("exp={}", session.exp)));
    }
    let answered =
        pass_through::forward(req, protect.origin.as_url(), Extra { headers: &headers }).await?;
    let mut response = answered.response;
    let set = if answered.ends_session {
        let exp = session.exp;
        tally(ctx, &session.sale, protect, Event::Ended { exp }).await;
        if !by_net {
            end_turn(ctx, &session).await;
        }
        Some(session_cookie(&session.sale, "", 0))
    } else {
        cookie.map(|value| session_cookie(&session.sale, &value, protect.session_s))
    };
    if let Some(set) = set {
        response.headers_mut().append("Set-Cookie", &set)?;
    }
    Ok(response)
}

/// Passes `req` through with no session (`why`: the bypass, told to the origin).
async fn through(
    req: Request,
    protect: &Protect,
    why: Option<&'static str>,
) -> Result<Response, ApiError> {
    let headers: Vec<(&'static str, String)> = why
        .map(|w| (BYPASS_HEADER, w.to_owned()))
        .into_iter()
        .collect();
    let answered =
        pass_through::forward(req, protect.origin.as_url(), Extra { headers: &headers }).await?;
    Ok(answered.response)
}

/// The origin ended the fan's session: their turn is complete at the coordinator (their place
/// is not theirs again, and in `capacity` mode the next fan may come in), and this isolate
/// forgets what it cached of it. A failure is logged: the cookie is cleared all the same.
async fn end_turn(ctx: &Ctx, session: &Session) {
    let Ok(fan_id) = FanId::parse(&session.fan) else {
        return;
    };
    let command = Command::Complete { fan_id };
    match ctx
        .objects
        .ask::<_, Reply>(&Coordinator(&session.sale), &command)
        .await
    {
        Ok(Reply::Assignment(assignment)) => {
            // What this data centre's isolates answer the fan's page from, now completed (others
            // ask again within the turn's cache life, `TURN_CACHE_MS`).
            let pass_ttl_s = match fan::snapshot(ctx, &session.sale).await {
                Ok(snap) => snap.sale.pass_ttl_s,
                Err(_) => return outcomes::forget(&session.sale, session.seq),
            };
            let claim = Claim::Turn {
                assignment,
                pass_ttl_s,
                pass: Some(session.pass.clone()),
            };
            let token_expires = ctx.now.plus_secs(TOKEN_TTL_S);
            let of = outcomes::Of {
                seq: session.seq,
                hand: session.hand,
            };
            outcomes::put(
                &ctx.origin,
                &session.sale,
                of,
                claim,
                ctx.now,
                token_expires,
            )
            .await;
        }
        Ok(_) => outcomes::forget(&session.sale, session.seq),
        Err(e) => worker::console_warn!(
            "request {}: the origin ended a session, the turn could not be completed: {e:?}",
            ctx.request_id
        ),
    }
}
