//! The JSON routes of a fan (apps, and the pages' scripts): the sale, its challenge and draw,
//! joining the line and the status polls.

use super::sale::{sale_info_of, snapshot};
use super::standing::{fan_state, jittered, status_answer, status_url};
use super::token::{device_proof, held, presented, set_token_cookie, verify, Presented};
use crate::ctx::Ctx;
use crate::door;
use crate::edge_cache::snapshots;
use crate::error::ApiError;
use crate::http;
use crate::place_cost;
use crate::response::{json, json_with, CacheControl};
use crate::routes::answers;
use waitroom_core::fairness::pow::Solution;
use waitroom_core::keys::device::{DeviceJwk, DeviceKey};
use waitroom_core::keys::token::TokenError;
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::queue::Joined;
use waitroom_core::SaleId;
use worker::{Request, Response};

/// Sale info is as old as the snapshot it comes from, at most.
const SALE_INFO: CacheControl = CacheControl::Public {
    max_age_s: snapshots::SNAPSHOT_MAX_AGE_S,
};

/// `GET /api/sales/{sale}`.
pub async fn sale_info(ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let snap = snapshot(ctx, &sale).await?;
    Ok(json_with(200, &sale_info_of(&snap, ctx.now), SALE_INFO))
}

/// `GET /api/sales/{sale}/challenge`: a proof-of-work challenge at this address's price.
pub async fn challenge(req: &Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let snap = snapshot(ctx, &sale).await?;
    Ok(json(200, &place_cost::challenge(req, ctx, &snap)?))
}

/// `GET /api/sales/{sale}/draw`: from the snapshot, which carries the key only once drawn.
pub async fn draw(ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let snap = snapshot(ctx, &sale).await?;
    let info = snap.draw.as_deref().ok_or(ApiError::NoDraw)?;
    let body = answers::Draw {
        sale: &snap.sale.id,
        phase: snap.phase_at(ctx.now),
        prequeue_opens_at: snap.sale.prequeue_opens_at,
        opens_at: snap.sale.opens_at,
        drawn: info.key.is_some(),
        info,
    };
    Ok(json_with(200, &body, SALE_INFO))
}

fn joined_answer<'a>(
    sale: &'a SaleId,
    token: &'a str,
    joined: &'a Joined,
    poll_after_ms: u64,
) -> answers::Joined<'a> {
    answers::Joined {
        sale,
        token,
        fan_id: &joined.fan_id,
        seq: joined.seq,
        position: joined.position,
        ahead: joined.ahead,
        poll_after_ms,
        status_url: status_url(sale),
    }
}

/// `POST /api/sales/{sale}/join`: the door ([`door::take`]) for a JSON client.
pub async fn join(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    http::require_same_site(&req)?;
    // Joining ends in signing a token: with the keys misconfigured, say so before anything else.
    ctx.config()?;
    let held = held(&req, ctx, &sale)?;
    let snap = snapshot(ctx, &sale).await?;
    // The body, read once, for the gates that take a field from it.
    let body = join_body(&mut req, &snap).await?;
    let presented = door::Presented {
        held,
        pow: body.pow,
        turnstile: body.turnstile_token,
        invitation: body.invitation,
        device_key: body
            .device_key
            .map(|jwk| DeviceKey::from_jwk(&jwk))
            .transpose()?,
    };
    let place = door::take(&req, ctx, &snap, presented).await?;
    let phase = snap.phase_at(ctx.now);
    let poll_after_ms = jittered(waitroom_core::queue::snapshot::poll_after_ms(
        phase,
        place.joined.ahead,
        None,
    ));
    let answer = joined_answer(&sale, &place.token, &place.joined, poll_after_ms);
    let mut response = json(if place.created() { 201 } else { 200 }, &answer);
    if place.new_token {
        set_token_cookie(&mut response, &sale, &place.token)?;
    }
    Ok(response)
}

/// `GET /api/sales/{sale}/status`.
pub async fn status(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let text = match presented(&req, &sale) {
        Some(Presented::Bearer(text) | Presented::Cookie(text)) => text,
        None => return Err(TokenError::Malformed.into()),
    };
    let token = verify(ctx, &sale, &text)?;
    let snap = snapshot(ctx, &sale).await?;
    let proof = device_proof(&req);
    let state = fan_state(ctx, &snap, &token, proof.as_deref()).await?;
    Ok(json(200, &status_answer(&snap, &token, &state, ctx.now)))
}

/// The fields a join's JSON body may carry for the door's gates, read once. A sale with proof of
/// work, Turnstile or invitations refuses a body that is not JSON (400 `bad_json`); any other
/// sale ignores one (its only field then is the price of an address over its budget).
#[derive(Default, serde::Deserialize)]
struct JoinBody {
    /// `{"challenge", "nonce"}`: a solved proof-of-work challenge (see [`place_cost`]).
    #[serde(default)]
    pow: Option<Solution>,
    #[serde(default)]
    turnstile_token: Option<String>,
    #[serde(default)]
    invitation: Option<String>,
    /// The device's public key (a P-256 JWK), for a sale that binds places to devices.
    #[serde(default)]
    device_key: Option<DeviceJwk>,
}

async fn join_body(req: &mut Request, snap: &Snapshot) -> Result<JoinBody, ApiError> {
    let strict = !snap.sale.pow_bits.is_off()
        || snap.sale.device_binding
        || snap.sale.turnstile_site_key.is_some()
        || !snap.sale.access.is_open();
    match http::read_optional_json(req).await {
        Ok(body) => Ok(body),
        // An open sale without proof of work or Turnstile takes anything as its body; only an
        // address over its budget brings a field (`pow`, its price: crate::place_cost).
        Err(ApiError::BadJson(_)) if !strict => Ok(JoinBody::default()),
        Err(e) => Err(e),
    }
}
