//! Fans: the sale page, joining the line, and polling for their turn.

use super::Ctx;
use crate::coordinator_client::{self, ask, unexpected};
use crate::error::ApiError;
use crate::http::{self, json};
use crate::pages::{self, Page};
use crate::presence;
use crate::random;
use crate::snapshot_cache;
use serde_json::{json, Value};
use std::rc::Rc;
use waitroom_core::coordinator::{Claim, Joined};
use waitroom_core::pass::PassClaims;
use waitroom_core::protocol::{Command, Reply};
use waitroom_core::snapshot::{FanView, Snapshot};
use waitroom_core::token::{QueueToken, TokenError, TOKEN_TTL_S};
use waitroom_core::{Phase, QueueError, SaleId};
use worker::{Method, Request, Response, Url};

/// The not-on-sale page is cached publicly for at most this long, and never past `opens_at`.
const SCHEDULED_PAGE_MAX_AGE_S: u64 = 5;

async fn snapshot(ctx: &Ctx, sale: &SaleId) -> Result<Rc<Snapshot>, ApiError> {
    snapshot_cache::snapshot(&ctx.env, &ctx.origin, sale, ctx.now)
        .await?
        .ok_or(ApiError::Queue(QueueError::SaleNotFound))
}

/// Where a presented token came from: a bad cookie is ignored when joining, a bad bearer is not.
enum Presented {
    Bearer(String),
    Cookie(String),
}

fn presented(req: &Request, sale: &SaleId) -> Option<Presented> {
    http::bearer(req)
        .map(Presented::Bearer)
        .or_else(|| http::cookie(req, &http::token_cookie_name(sale)).map(Presented::Cookie))
}

fn verify(ctx: &Ctx, sale: &SaleId, text: &str) -> Result<QueueToken, ApiError> {
    Ok(ctx
        .config()?
        .secrets
        .token_keys
        .verify(text, sale, ctx.now)?)
}

/// Adds up to 20% random jitter, so a crowd that polled together drifts apart.
fn jittered(ms: u64) -> u64 {
    ms + (ms as f64 * 0.2 * random::fraction()) as u64
}

fn status_url(sale: &SaleId) -> String {
    format!("/api/sales/{sale}/status")
}

/// `GET /api/sales/{sale}`.
pub async fn sale_info(ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let snap = snapshot(ctx, &sale).await?;
    let mut response = json(200, &sale_json(&snap, ctx));
    // Safe to cache briefly: the phase it reports is at most this old.
    response
        .headers_mut()
        .set("Cache-Control", "public, max-age=1")?;
    Ok(response)
}

fn sale_json(snap: &Snapshot, ctx: &Ctx) -> Value {
    json!({
        "id": snap.sale.id,
        "name": snap.sale.name,
        "phase": snap.phase_at(ctx.now),
        "opens_at": snap.sale.opens_at.map(|t| t.to_rfc3339()),
        "server_time": ctx.now.to_rfc3339(),
    })
}

/// Puts a new fan in line (or keeps the place the presented token names).
async fn take_place(
    ctx: &Ctx,
    snap: &Snapshot,
    existing: Option<&QueueToken>,
) -> Result<Joined, ApiError> {
    let sale = &snap.sale.id;
    // New fans of a sharded sale go to a random arrival shard; the coordinator decides the rest.
    if existing.is_none() && snap.sale.shards > 1 {
        let shard = (random::fraction() * f64::from(snap.sale.shards)) as u32;
        let joined =
            coordinator_client::join_at_shard(&ctx.env, sale, shard.min(snap.sale.shards - 1))
                .await?;
        let (position, ahead) = match snap.fan_view(joined.seq, ctx.now) {
            FanView::Waiting {
                position, ahead, ..
            } => (position, ahead),
            FanView::Reached | FanView::Closed => (1, 0),
        };
        return Ok(Joined {
            fan_id: joined.fan_id,
            seq: joined.seq,
            created: true,
            position,
            ahead,
        });
    }
    let command = Command::Join {
        existing: existing.map(|t| t.seq),
    };
    match ask(&ctx.env, sale, &command).await? {
        Reply::Joined(joined) => Ok(joined),
        other => Err(unexpected(other)),
    }
}

fn joined_json(sale: &SaleId, token: &str, joined: &Joined, poll_after_ms: u64) -> Value {
    json!({
        "sale": sale,
        "token": token,
        "fan_id": joined.fan_id,
        "seq": joined.seq,
        "position": joined.position,
        "ahead": joined.ahead,
        "poll_after_ms": poll_after_ms,
        "status_url": status_url(sale),
    })
}

/// `POST /api/sales/{sale}/join`.
pub async fn join(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    // Joining ends in signing a token: with the keys misconfigured, say so before anything else.
    ctx.config()?;
    let held = match presented(&req, &sale) {
        Some(Presented::Bearer(text)) => Some((verify(ctx, &sale, &text)?, text)),
        Some(Presented::Cookie(text)) => verify(ctx, &sale, &text).ok().map(|t| (t, text)),
        None => None,
    };
    let snap = snapshot(ctx, &sale).await?;
    let phase = snap.phase_at(ctx.now);
    match phase {
        Phase::Scheduled => {
            return Err(QueueError::NotOpen {
                opens_at: snap.sale.opens_at,
            }
            .into())
        }
        Phase::Closed => return Err(QueueError::Closed.into()),
        Phase::Open | Phase::Paused => {}
    }
    // A fan still waiting keeps their place without a word to the coordinator.
    if let Some((token, text)) = &held {
        if let FanView::Waiting {
            position,
            ahead,
            poll_after_ms,
            ..
        } = snap.fan_view(token.seq, ctx.now)
        {
            let joined = Joined {
                fan_id: token.fan_id.clone(),
                seq: token.seq,
                created: false,
                position,
                ahead,
            };
            return Ok(json(
                200,
                &joined_json(&sale, text, &joined, jittered(poll_after_ms)),
            ));
        }
    }
    let joined = take_place(ctx, &snap, held.as_ref().map(|(t, _)| t)).await?;
    let poll_after_ms = jittered(waitroom_core::snapshot::poll_after_ms(
        phase,
        joined.ahead,
        None,
    ));
    if !joined.created {
        let (_, text) = held.expect("only a presented token keeps a place");
        return Ok(json(
            200,
            &joined_json(&sale, &text, &joined, poll_after_ms),
        ));
    }
    let (_, token) = issue_token(ctx, &sale, &joined)?;
    let mut response = json(201, &joined_json(&sale, &token, &joined, poll_after_ms));
    set_token_cookie(&mut response, &sale, &token)?;
    Ok(response)
}

/// A queue token for a fan who just took a place: the claims, and the signed text.
fn issue_token(
    ctx: &Ctx,
    sale: &SaleId,
    joined: &Joined,
) -> Result<(QueueToken, String), ApiError> {
    let token = QueueToken::new(sale.clone(), joined.fan_id.clone(), joined.seq, ctx.now);
    let text = ctx.config()?.secrets.token_keys.sign(&token);
    Ok((token, text))
}

fn set_token_cookie(response: &mut Response, sale: &SaleId, token: &str) -> Result<(), ApiError> {
    response
        .headers_mut()
        .set("Set-Cookie", &http::token_cookie(sale, token, TOKEN_TTL_S))?;
    Ok(())
}

/// Where a fan stands, as the status endpoint and the waiting page tell it.
enum FanState {
    Waiting {
        position: u64,
        ahead: u64,
        eta_s: Option<u64>,
        poll_after_ms: u64,
        /// Near the front: the fan must keep polling (even from a hidden tab) to keep the place.
        near_front: bool,
    },
    YourTurn {
        pass: String,
        expires_at: String,
        purchase_url: String,
        window: String,
        assignment: &'static str,
    },
    Lapsed {
        reason: &'static str,
    },
    Closed,
}

/// Answered from the token and the cached snapshot, unless the fan's number has been reached:
/// only then is the coordinator asked, for the fan's assignment.
async fn fan_state(ctx: &Ctx, snap: &Snapshot, token: &QueueToken) -> Result<FanState, ApiError> {
    let sale = &snap.sale.id;
    Ok(match snap.fan_view(token.seq, ctx.now) {
        FanView::Waiting {
            position,
            ahead,
            eta_s,
            poll_after_ms,
        } => {
            let near_front = snap.sale.presence_ttl_s > 0 && ahead < snap.presence_zone;
            // A poll near the front says the fan is still there; fans further back cost the
            // coordinator nothing.
            if near_front {
                presence::seen(&ctx.env, sale, token.seq, ctx.now).await;
            }
            FanState::Waiting {
                position,
                ahead,
                eta_s,
                poll_after_ms: jittered(poll_after_ms),
                near_front,
            }
        }
        FanView::Closed => FanState::Closed,
        FanView::Reached => match ask(&ctx.env, sale, &Command::Claim { seq: token.seq }).await? {
            Reply::Claim(Claim::Waiting { position, ahead }) => FanState::Waiting {
                position,
                ahead,
                eta_s: None,
                poll_after_ms: jittered(waitroom_core::snapshot::POLL_MIN_MS),
                near_front: true,
            },
            Reply::Claim(Claim::Turn {
                assignment,
                pass_ttl_s,
            }) => {
                let config = ctx.config()?;
                let claims =
                    PassClaims::for_assignment(&config.pass_issuer, sale, &assignment, pass_ttl_s);
                let pass = config.secrets.pass_signer.sign(&claims);
                let mut purchase_url = Url::parse(&snap.sale.purchase_url)
                    .map_err(|e| ApiError::Internal(format!("stored purchase_url: {e}")))?;
                purchase_url.query_pairs_mut().append_pair("pass", &pass);
                FanState::YourTurn {
                    pass,
                    expires_at: claims.expires_at().to_rfc3339(),
                    purchase_url: purchase_url.into(),
                    window: assignment.window.to_string(),
                    assignment: assignment.state.as_str(),
                }
            }
            Reply::Claim(Claim::Lapsed { assignment }) => FanState::Lapsed {
                reason: assignment.state.as_str(),
            },
            other => return Err(unexpected(other)),
        },
    })
}

fn status_json(
    snap: &Snapshot,
    token: &QueueToken,
    state: &FanState,
    now: waitroom_core::UnixMillis,
) -> Value {
    let sale = &snap.sale.id;
    let base = json!({ "sale": sale, "fan_id": token.fan_id, "seq": token.seq, "phase": snap.phase_at(now) });
    let rest = match state {
        FanState::Waiting {
            position,
            ahead,
            eta_s,
            poll_after_ms,
            near_front,
        } => json!({
            "state": "waiting", "position": position, "ahead": ahead, "eta_s": eta_s, "poll_after_ms": poll_after_ms,
            "keep_alive": near_front,
        }),
        FanState::YourTurn {
            pass,
            expires_at,
            purchase_url,
            window,
            assignment,
        } => json!({
            "state": "your_turn", "position": 0, "ahead": 0, "eta_s": 0, "poll_after_ms": null,
            "pass": pass, "pass_expires_at": expires_at, "purchase_url": purchase_url, "window": window,
            "assignment_state": assignment,
        }),
        FanState::Lapsed { reason } => json!({
            "state": "lapsed", "position": null, "ahead": null, "eta_s": null, "poll_after_ms": null,
            "reason": reason, "join_url": format!("/api/sales/{sale}/join"),
        }),
        FanState::Closed => json!({
            "state": "closed", "position": null, "ahead": null, "eta_s": null, "poll_after_ms": null,
        }),
    };
    merge(base, rest)
}

/// `GET /api/sales/{sale}/status`.
pub async fn status(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let text = match presented(&req, &sale) {
        Some(Presented::Bearer(text) | Presented::Cookie(text)) => text,
        None => return Err(TokenError::Malformed.into()),
    };
    let token = verify(ctx, &sale, &text)?;
    let snap = snapshot(ctx, &sale).await?;
    let state = fan_state(ctx, &snap, &token).await?;
    Ok(json(200, &status_json(&snap, &token, &state, ctx.now)))
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

fn wants_json(req: &Request) -> bool {
    req.headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// Human words for a wait estimate, for the page without JavaScript.
fn wait_words(eta_s: Option<u64>) -> String {
    match eta_s {
        None => "–".into(),
        Some(s) if s < 60 => "< 1 min".into(),
        Some(s) if s < 3600 => format!("{} min", s.div_ceil(60)),
        Some(s) => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// The template variables every page of a sale has: its name and branding.
fn sale_vars(snap: &Snapshot, phase: Phase) -> Vec<(&'static str, String)> {
    let b = &snap.sale.branding;
    vec![
        ("sale_id", snap.sale.id.to_string()),
        ("sale_name", snap.sale.name.clone()),
        (
            "opens_at",
            snap.sale
                .opens_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
        ),
        ("phase", phase.as_str().to_owned()),
        ("brand_color", b.color().to_owned()),
        ("brand_ink", b.ink().to_owned()),
        (
            "logo_url",
            b.logo_url.clone().unwrap_or_else(|| "data:,".into()),
        ),
        (
            "logo_hidden",
            if b.logo_url.is_some() { "" } else { "hidden" }.into(),
        ),
        ("message", b.message.clone().unwrap_or_default()),
        (
            "message_hidden",
            if b.message.is_some() { "" } else { "hidden" }.into(),
        ),
    ]
}

async fn render(
    ctx: &Ctx,
    page: Page,
    status: u16,
    vars: &[(&'static str, String)],
    cache: &str,
) -> Result<Response, ApiError> {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pages::render(&ctx.env, page, status, &vars, cache).await
}

fn see_other(location: &str) -> Result<Response, ApiError> {
    let mut response = Response::empty()?.with_status(303);
    response.headers_mut().set("Location", location)?;
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// `GET /s/{sale}`: the page a fan lands on (or JSON, for apps that ask for it).
pub async fn sale_page(
    req: Request,
    ctx: &Ctx,
    sale: Option<SaleId>,
) -> Result<Response, ApiError> {
    let as_json = wants_json(&req);
    let snap = match sale {
        Some(sale) => snapshot_cache::snapshot(&ctx.env, &ctx.origin, &sale, ctx.now).await?,
        None => None,
    };
    let Some(snap) = snap else {
        if as_json {
            return Err(QueueError::SaleNotFound.into());
        }
        return pages::render(&ctx.env, Page::NotFound, 404, &[], "public, max-age=5").await;
    };
    let sale = snap.sale.id.clone();
    let phase = snap.phase_at(ctx.now);
    let mut vars = sale_vars(&snap, phase);
    match phase {
        Phase::Scheduled => {
            let until_open = snap.sale.opens_at.map(|t| ctx.now.millis_until(t) / 1000);
            let max_age = until_open.map_or(SCHEDULED_PAGE_MAX_AGE_S, |s| {
                s.min(SCHEDULED_PAGE_MAX_AGE_S)
            });
            let cache = format!("public, max-age={max_age}");
            if as_json {
                let mut response = json(200, &sale_json(&snap, ctx));
                response.headers_mut().set("Cache-Control", &cache)?;
                return Ok(response);
            }
            render(ctx, Page::NotOnSale, 200, &vars, &cache).await
        }
        Phase::Closed if as_json => Ok(json(200, &sale_json(&snap, ctx))),
        Phase::Closed => render(ctx, Page::Closed, 200, &vars, "public, max-age=5").await,
        Phase::Open | Phase::Paused => {
            let held = http::cookie(&req, &http::token_cookie_name(&sale))
                .and_then(|text| verify(ctx, &sale, &text).ok());
            let (token, new_token) = match held {
                Some(token) => (token, None),
                // A HEAD (a link preview, a monitor) looks at the page without taking a place.
                None if req.method() == Method::Head => {
                    return render(ctx, Page::Waiting, 200, &vars, "private, no-store").await
                }
                None => match take_place(ctx, &snap, None).await {
                    Ok(joined) => {
                        let (token, text) = issue_token(ctx, &sale, &joined)?;
                        (token, Some(text))
                    }
                    // Closed between the snapshot and the join.
                    Err(ApiError::Queue(QueueError::Closed)) => {
                        return render(ctx, Page::Closed, 200, &vars, "no-store").await
                    }
                    Err(e) => return Err(e),
                },
            };
            let state = fan_state(ctx, &snap, &token).await?;
            let mut response = if as_json {
                let mut body = status_json(&snap, &token, &state, ctx.now);
                if let Some(text) = &new_token {
                    body["token"] = json!(text);
                }
                body["status_url"] = json!(status_url(&sale));
                json(200, &body)
            } else if let FanState::YourTurn { purchase_url, .. } = &state {
                // Without JavaScript, the page's own refresh lands here: send the fan on.
                see_other(purchase_url)?
            } else {
                vars.extend(waiting_vars(&state));
                render(ctx, Page::Waiting, 200, &vars, "private, no-store").await?
            };
            if let Some(text) = new_token {
                set_token_cookie(&mut response, &sale, &text)?;
            }
            Ok(response)
        }
    }
}

/// What the waiting page shows before its script runs (and without JavaScript, for good).
fn waiting_vars(state: &FanState) -> Vec<(&'static str, String)> {
    let (state_name, position, ahead, eta, refresh_s, notice) = match state {
        FanState::Waiting { position, ahead, eta_s, poll_after_ms, .. } => (
            "waiting",
            position.to_string(),
            ahead.to_string(),
            wait_words(*eta_s),
            // Without JavaScript a refresh is a whole page: not more often than every 5 seconds.
            poll_after_ms.div_ceil(1000).max(5),
            String::new(),
        ),
        FanState::Lapsed { .. } => (
            "lapsed",
            "Turn missed".into(),
            "–".into(),
            "–".into(),
            0,
            "Your turn came, but it was not claimed in time. You can join the line again at the back.".into(),
        ),
        FanState::Closed => ("closed", "Sale closed".into(), "–".into(), "–".into(), 0, "This sale has closed.".into()),
        FanState::YourTurn { .. } => ("your_turn", "It's your turn!".into(), "0".into(), "0".into(), 1, String::new()),
    };
    vec![
        ("state", state_name.into()),
        ("position", position),
        ("ahead", ahead),
        ("eta", eta),
        // 0 would refresh forever; a long refresh on a final state is harmless.
        (
            "refresh_s",
            if refresh_s == 0 { 3600 } else { refresh_s }.to_string(),
        ),
        ("notice", notice.clone()),
        (
            "notice_hidden",
            if notice.is_empty() { "hidden" } else { "" }.into(),
        ),
        (
            "rejoin_hidden",
            if state_name == "lapsed" { "" } else { "hidden" }.into(),
        ),
    ]
}

/// `POST /s/{sale}`: the waiting page's "join again" form, for a fan whose turn lapsed.
pub async fn rejoin(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let held = http::cookie(&req, &http::token_cookie_name(&sale))
        .and_then(|text| verify(ctx, &sale, &text).ok());
    let snap = snapshot(ctx, &sale).await?;
    let joined = take_place(ctx, &snap, held.as_ref()).await?;
    let mut response = see_other(&format!("/s/{sale}"))?;
    if joined.created {
        let (_, text) = issue_token(ctx, &sale, &joined)?;
        set_token_cookie(&mut response, &sale, &text)?;
    }
    Ok(response)
}
