//! Fans: the sale page, joining the line, and polling for their turn.

use super::Ctx;
use crate::coordinator_client::{ask, unexpected};
use crate::error::ApiError;
use crate::http::{self, json};
use crate::pages::{self, Page};
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
use worker::{Request, Response, Url};

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
    sale: &SaleId,
    existing: Option<&QueueToken>,
) -> Result<Joined, ApiError> {
    match ask(
        &ctx.env,
        sale,
        &Command::Join {
            existing: existing.map(|t| t.seq),
        },
    )
    .await?
    {
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
    let config = ctx.config()?;
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
    let joined = take_place(ctx, &sale, held.as_ref().map(|(t, _)| t)).await?;
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
    let token = config.secrets.token_keys.sign(&QueueToken::new(
        sale.clone(),
        joined.fan_id.clone(),
        joined.seq,
        ctx.now,
    ));
    let mut response = json(201, &joined_json(&sale, &token, &joined, poll_after_ms));
    response.headers_mut().set(
        "Set-Cookie",
        &http::token_cookie(&sale, &token, TOKEN_TTL_S),
    )?;
    Ok(response)
}

/// `GET /api/sales/{sale}/status`: answered from the token and the cached snapshot, unless the
/// fan's number has been reached.
pub async fn status(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let text = match presented(&req, &sale) {
        Some(Presented::Bearer(text) | Presented::Cookie(text)) => text,
        None => return Err(TokenError::Malformed.into()),
    };
    let token = verify(ctx, &sale, &text)?;
    let snap = snapshot(ctx, &sale).await?;
    let phase = snap.phase_at(ctx.now);
    let base = json!({ "sale": sale, "fan_id": token.fan_id, "seq": token.seq, "phase": phase });
    let body = match snap.fan_view(token.seq, ctx.now) {
        FanView::Waiting {
            position,
            ahead,
            eta_s,
            poll_after_ms,
        } => waiting_json(base, position, ahead, eta_s, jittered(poll_after_ms)),
        FanView::Closed => merge(
            base,
            json!({ "state": "closed", "position": null, "ahead": null, "eta_s": null, "poll_after_ms": null }),
        ),
        FanView::Reached => match ask(&ctx.env, &sale, &Command::Claim { seq: token.seq }).await? {
            Reply::Claim(Claim::Waiting { position, ahead }) => waiting_json(
                base,
                position,
                ahead,
                None,
                jittered(waitroom_core::snapshot::POLL_MIN_MS),
            ),
            Reply::Claim(Claim::Turn {
                assignment,
                pass_ttl_s,
            }) => {
                let config = ctx.config()?;
                let claims =
                    PassClaims::for_assignment(&config.pass_issuer, &sale, &assignment, pass_ttl_s);
                let pass = config.secrets.pass_signer.sign(&claims);
                let mut purchase_url = Url::parse(&snap.sale.purchase_url)
                    .map_err(|e| ApiError::Internal(format!("stored purchase_url: {e}")))?;
                purchase_url.query_pairs_mut().append_pair("pass", &pass);
                merge(
                    base,
                    json!({
                        "state": "your_turn", "position": 0, "ahead": 0, "eta_s": 0, "poll_after_ms": null,
                        "pass": pass, "pass_expires_at": claims.expires_at().to_rfc3339(),
                        "purchase_url": purchase_url.as_str(), "window": assignment.window,
                        "assignment_state": assignment.state,
                    }),
                )
            }
            Reply::Claim(Claim::Lapsed { assignment }) => merge(
                base,
                json!({
                    "state": "lapsed", "position": null, "ahead": null, "eta_s": null, "poll_after_ms": null,
                    "reason": assignment.state, "join_url": format!("/api/sales/{sale}/join"),
                }),
            ),
            other => return Err(unexpected(other)),
        },
    };
    Ok(json(200, &body))
}

fn waiting_json(
    base: Value,
    position: u64,
    ahead: u64,
    eta_s: Option<u64>,
    poll_after_ms: u64,
) -> Value {
    merge(
        base,
        json!({ "state": "waiting", "position": position, "ahead": ahead, "eta_s": eta_s, "poll_after_ms": poll_after_ms }),
    )
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// `GET /s/{sale}`: the page a fan lands on.
pub async fn sale_page(
    req: Request,
    ctx: &Ctx,
    sale: Option<SaleId>,
) -> Result<Response, ApiError> {
    let wants_json = req
        .headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    let snap = match sale {
        Some(sale) => snapshot_cache::snapshot(&ctx.env, &ctx.origin, &sale, ctx.now).await?,
        None => None,
    };
    let Some(snap) = snap else {
        if wants_json {
            return Err(QueueError::SaleNotFound.into());
        }
        return pages::render(&ctx.env, Page::NotFound, 404, &[], "public, max-age=5").await;
    };
    let sale = snap.sale.id.clone();
    let phase = snap.phase_at(ctx.now);
    let opens_at = snap
        .sale
        .opens_at
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let vars = [
        ("sale_id", sale.as_str()),
        ("sale_name", snap.sale.name.as_str()),
        ("opens_at", opens_at.as_str()),
        ("phase", phase.as_str()),
    ];
    match phase {
        Phase::Scheduled => {
            let until_open = snap.sale.opens_at.map(|t| ctx.now.millis_until(t) / 1000);
            let max_age = until_open.map_or(SCHEDULED_PAGE_MAX_AGE_S, |s| {
                s.min(SCHEDULED_PAGE_MAX_AGE_S)
            });
            if wants_json {
                let mut response = json(200, &sale_json(&snap, ctx));
                response
                    .headers_mut()
                    .set("Cache-Control", &format!("public, max-age={max_age}"))?;
                return Ok(response);
            }
            pages::render(
                &ctx.env,
                Page::NotOnSale,
                200,
                &vars,
                &format!("public, max-age={max_age}"),
            )
            .await
        }
        Phase::Closed if wants_json => Ok(json(200, &sale_json(&snap, ctx))),
        Phase::Closed => {
            pages::render(&ctx.env, Page::Closed, 200, &vars, "public, max-age=5").await
        }
        Phase::Open | Phase::Paused => {
            let cookie_name = http::token_cookie_name(&sale);
            let held =
                http::cookie(&req, &cookie_name).filter(|text| verify(ctx, &sale, text).is_ok());
            let new_token =
                match held {
                    Some(_) => None,
                    None => match take_place(ctx, &sale, None).await {
                        Ok(joined) => Some(ctx.config()?.secrets.token_keys.sign(
                            &QueueToken::new(sale.clone(), joined.fan_id, joined.seq, ctx.now),
                        )),
                        // Closed between the snapshot and the join.
                        Err(ApiError::Queue(QueueError::Closed)) => {
                            return pages::render(&ctx.env, Page::Closed, 200, &vars, "no-store")
                                .await
                        }
                        Err(e) => return Err(e),
                    },
                };
            let mut response = if wants_json {
                let mut body = sale_json(&snap, ctx);
                body["status_url"] = json!(status_url(&sale));
                json(200, &body)
            } else {
                pages::render(&ctx.env, Page::Waiting, 200, &vars, "private, no-store").await?
            };
            if let Some(token) = new_token {
                response.headers_mut().set(
                    "Set-Cookie",
                    &http::token_cookie(&sale, &token, TOKEN_TTL_S),
                )?;
            }
            Ok(response)
        }
    }
}
