//! Fans: the sale page ([`page`]), joining the line and polling for their turn as JSON
//! ([`api`]), and where a fan stands, which both tell ([`standing`]). What they share is here:
//! the sale's snapshot, the token a request presents, the cookie.

mod api;
mod page;
mod standing;

pub use api::{challenge, draw, join, sale_info, status};
pub use page::{busy_page, busy_tries, rejoin, sale_page};

use crate::ctx::Ctx;
use crate::door::Held;
use crate::edge_cache::snapshots;
use crate::error::ApiError;
use crate::http;
use crate::objects::Coordinator;
use crate::random;
use crate::response::CacheControl;
use crate::routes::answers::SaleInfo;
use std::rc::Rc;
use waitroom_core::codec::tag_first::Only;
use waitroom_core::keys::token::{QueueToken, TOKEN_TTL_S};
use waitroom_core::machines::protocol::{Command, Reply};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{Request, Response};

/// Pages that change only when a promoter acts (not on sale, closed, no such sale) are cached
/// publicly for this long; the not-on-sale page never past `opens_at`.
const PUBLIC_PAGE_MAX_AGE_S: u64 = 5;
const PUBLIC_PAGE: CacheControl = CacheControl::Public {
    max_age_s: PUBLIC_PAGE_MAX_AGE_S,
};
/// Sale info is as old as the snapshot it comes from, at most.
const SALE_INFO: CacheControl = CacheControl::Public {
    max_age_s: snapshots::SNAPSHOT_MAX_AGE_S,
};

/// The snapshot of a sale as fans see it; `None` if it does not exist (known at the edge for ids
/// nobody created: their objects are never reached), and for a reserved id (the monitor's
/// canary), which no fan route reaches.
async fn snapshot_of(ctx: &Ctx, sale: &SaleId) -> Result<Option<Rc<Snapshot>>, ApiError> {
    if sale.is_reserved() {
        return Ok(None);
    }
    match ctx.require_sale(sale).await {
        Ok(()) => {
            let ask = async {
                let asked: Only<Reply, Snapshot> = ctx
                    .objects
                    .ask(&Coordinator(sale), &Command::Snapshot)
                    .await?;
                Ok(asked.into_inner())
            };
            snapshots::snapshot(&ctx.origin, sale, ctx.now, ask).await
        }
        Err(ApiError::Queue(QueueError::SaleNotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn snapshot(ctx: &Ctx, sale: &SaleId) -> Result<Rc<Snapshot>, ApiError> {
    snapshot_of(ctx, sale)
        .await?
        .ok_or(ApiError::Queue(QueueError::SaleNotFound))
}

/// Where a presented token came from: a bad cookie is ignored when joining, a bad bearer is not.
pub(super) enum Presented {
    Bearer(String),
    Cookie(String),
}

pub(super) fn presented(req: &Request, sale: &SaleId) -> Option<Presented> {
    http::bearer(req)
        .map(Presented::Bearer)
        .or_else(|| http::cookie(req, &http::token_cookie_name(sale)).map(Presented::Cookie))
}

pub(super) fn verify(ctx: &Ctx, sale: &SaleId, text: &str) -> Result<QueueToken, ApiError> {
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

fn sale_info_of(snap: &Snapshot, now: UnixMillis) -> SaleInfo<'_> {
    SaleInfo {
        id: &snap.sale.id,
        name: &snap.sale.name,
        phase: snap.phase_at(now),
        opens_at: snap.sale.opens_at,
        prequeue_opens_at: snap.sale.prequeue_opens_at,
        draw_commitment: snap.draw.as_ref().map(|d| d.commitment.as_str()),
        server_time: now,
        admission: snap.sale.admission,
    }
}

/// The token a request presents, verified: a bad cookie is ignored (as no token), a bad bearer
/// is refused.
fn held(req: &Request, ctx: &Ctx, sale: &SaleId) -> Result<Option<Held>, ApiError> {
    Ok(match presented(req, sale) {
        Some(Presented::Bearer(text)) => Some(Held {
            token: verify(ctx, sale, &text)?,
            text,
        }),
        Some(Presented::Cookie(text)) => held_cookie(ctx, sale, text),
        None => None,
    })
}

/// The fan page's token (its cookie), if valid.
fn held_by_page(req: &Request, ctx: &Ctx, sale: &SaleId) -> Option<Held> {
    let text = http::cookie(req, &http::token_cookie_name(sale))?;
    held_cookie(ctx, sale, text)
}

fn held_cookie(ctx: &Ctx, sale: &SaleId, text: String) -> Option<Held> {
    let token = verify(ctx, sale, &text).ok()?;
    Some(Held { token, text })
}

fn set_token_cookie(response: &mut Response, sale: &SaleId, token: &str) -> Result<(), ApiError> {
    response
        .headers_mut()
        .set("Set-Cookie", &http::token_cookie(sale, token, TOKEN_TTL_S))?;
    Ok(())
}

pub fn wants_json(req: &Request) -> bool {
    req.headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}
