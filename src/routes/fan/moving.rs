//! "Continue on another device" (docs/api.md, "Move my place"): the device that holds a place
//! makes a one-time link ([`MoveLink`], signed here at the edge: no object request), and the
//! device that opens it takes the place over with one request to the coordinator
//! ([`Command::Move`]), which hands the place to a new hand; the old hand's token stops holding
//! it (the snapshot names moved places, so the edge answers the old device "moved" from it).
//!
//! What a move link shares with a party link (the signed link with its code in the fragment,
//! which browsers never send, its page, the form that uses the code) is
//! [`super::handed_link`]'s. JSON for apps
//! (`POST /api/sales/{sale}/move-link`, `POST /api/sales/{sale}/move`) and pages for browsers
//! (`POST /s/{sale}/move-link`: the link and its QR code; `GET /s/{sale}/move`: the page that
//! takes the place, by script from the fragment or, without JavaScript, from the typed code).
//!
//! A sale that binds places to devices (docs/api.md, "Bound to this device"): a bound place's
//! link needs a `Device-Proof` of purpose `move` (the rule checked here, so a copied token costs
//! no object a request; the signature by the coordinator, [`Command::ProveMove`]: one request per
//! link made), and the device that takes the place presents its own `device_key`: the new hand's
//! token is bound to that key, and the old device's key claims nothing any more.

use super::handed_link::{self, form_field, link_asked, SignedLink, Used};
use super::sale::snapshot;
use super::token::{device_proof, set_token_cookie};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::i18n::Lang;
use crate::objects::Coordinator;
use crate::pages::{self, HandedLink, MovePage, SaleLook};
use crate::response::{json, CacheControl};
use serde::{Deserialize, Serialize};
use waitroom_core::codec::tag_first::Only;
use waitroom_core::keys::device::{DeviceError, DeviceJwk, DeviceKey, DeviceProof, ProofPurpose};
use waitroom_core::keys::move_link::{MoveLink, MoveLinkError, MOVE_LINK_TTL_S};
use waitroom_core::keys::token::QueueToken;
use waitroom_core::machines::protocol::{Command, DeviceClaim, Moved, Proven, Reply};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::queue::MAX_MOVES;
use waitroom_core::{Phase, QueueError, SaleId, Seq};
use worker::Request;

/// `POST /api/sales/{sale}/move-link`'s answer (its code is for one move).
#[derive(Serialize)]
struct MoveLinkAnswer {
    #[serde(flatten)]
    link: SignedLink,
    /// Moves the place has left after this one.
    moves_left: u8,
}

/// `POST /api/sales/{sale}/move`'s answer: the place, now this device's.
#[derive(Serialize)]
struct MovedAnswer<'a> {
    sale: &'a SaleId,
    token: &'a str,
    fan_id: &'a waitroom_core::FanId,
    seq: Seq,
    /// How many times the place has moved.
    hand: u8,
    status_url: String,
}

#[derive(Deserialize)]
struct MoveBody {
    code: String,
    /// The taking device's public key (a P-256 JWK), for a sale that binds places to devices.
    #[serde(default)]
    device_key: Option<DeviceJwk>,
}

/// The link `token`'s place may be moved with, if the token still holds it: the sale is not
/// over, the place did not move away already, and it has moves left (the coordinator checks it
/// all again when the link is used). A bound place's only with its device's `proof`.
async fn make_link(
    ctx: &Ctx,
    snap: &Snapshot,
    token: &QueueToken,
    proof: Option<&str>,
) -> Result<MoveLinkAnswer, ApiError> {
    if snap.phase_at(ctx.now) == Phase::Closed {
        return Err(QueueError::Closed.into());
    }
    if snap.hand_of(token.seq) > token.hand {
        return Err(QueueError::PlaceMoved.into());
    }
    if token.hand >= MAX_MOVES {
        return Err(QueueError::MovesUsedUp { max: MAX_MOVES }.into());
    }
    prove_device(ctx, &snap.sale.id, token, proof).await?;
    let link = MoveLink::new(token.seq, token.hand, ctx.now);
    let code = link.sign(&ctx.config()?.secrets.token_keys, &snap.sale.id);
    let moves_left = MAX_MOVES - token.hand - 1;
    let handed = HandedLink::Move { moves_left };
    Ok(MoveLinkAnswer {
        link: SignedLink::new(ctx, snap.sale.id.clone(), handed, code, link.expires_at()),
        moves_left,
    })
}

/// A bound place's move proof: the rule here (no proof, another key, place, sale or purpose, or
/// a stale one: refused without asking anyone), the hand and the signature by the coordinator.
/// An unbound place needs none. (A party link of a bound place needs the same proof.)
pub(super) async fn prove_device(
    ctx: &Ctx,
    sale: &SaleId,
    token: &QueueToken,
    proof: Option<&str>,
) -> Result<(), ApiError> {
    let Some(bound) = &token.device else {
        return Ok(());
    };
    let text = proof.ok_or(DeviceError::ProofRequired)?;
    DeviceProof::parse(text)?.check(bound, sale, token.seq, ProofPurpose::Move, ctx.now)?;
    let command = Command::ProveMove {
        seq: token.seq,
        hand: token.hand,
        device: DeviceClaim {
            key: bound.clone(),
            proof: text.to_owned(),
        },
    };
    let _: Only<Reply, Proven> = ctx.objects.ask(&Coordinator(sale), &command).await?;
    Ok(())
}

/// Takes the place `code` names for this device: one request to the coordinator, then the new
/// hand's token (in a sale that binds places, bound to this device's `key`, which it needs).
async fn take_over(
    ctx: &Ctx,
    sale: &SaleId,
    code: &str,
    key: Option<DeviceKey>,
) -> Result<(QueueToken, String), ApiError> {
    let keys = &ctx.config()?.secrets.token_keys;
    let link = MoveLink::verify(code, keys, sale, ctx.now).map_err(ApiError::MoveLink)?;
    // Before the move, so a refused key changes nothing.
    let device = match (snapshot(ctx, sale).await?.sale.device_binding, key) {
        (false, _) => None,
        (true, Some(key)) => Some(key.thumbprint()),
        (true, None) => return Err(DeviceError::KeyRequired.into()),
    };
    let command = Command::Move {
        seq: link.seq,
        hand: link.hand,
    };
    let moved: Only<Reply, Moved> = ctx.objects.ask(&Coordinator(sale), &command).await?;
    let Moved { hand, fan_id } = moved.into_inner();
    let token = QueueToken {
        hand,
        ..QueueToken::new(sale.clone(), fan_id, link.seq, ctx.now)
    }
    .bound_to(device);
    let text = keys.sign(&token);
    Ok((token, text))
}

/// `POST /api/sales/{sale}/move-link`.
pub async fn link(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    let (token, snap) = link_asked(&req, ctx, &sale).await?;
    let proof = device_proof(&req);
    Ok(json(
        201,
        &make_link(ctx, &snap, &token, proof.as_deref()).await?,
    ))
}

/// `POST /api/sales/{sale}/move` with `{"code"}`: the place, moved to this device (its token
/// as the answer and as the cookie).
pub async fn take(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let body: MoveBody = http::read_json(&mut req).await?;
    let key = body
        .device_key
        .as_ref()
        .map(DeviceKey::from_jwk)
        .transpose()?;
    let (token, text) = take_over(ctx, &sale, &body.code, key).await?;
    let answer = MovedAnswer {
        sale: &sale,
        token: &text,
        fan_id: &token.fan_id,
        seq: token.seq,
        hand: token.hand,
        status_url: format!("/api/sales/{sale}/status"),
    };
    let mut response = json(200, &answer);
    set_token_cookie(&mut response, &sale, &text)?;
    Ok(response)
}

/// `POST /s/{sale}/move-link`: the waiting page's "continue on another device" form: the page
/// with the link and its QR code (drawn by the page's script; the link and code as text for a
/// page without JavaScript). A bound place's proof comes as the form field `device_proof`
/// (waiting.js makes it; a page without JavaScript has no key, and no such form).
pub async fn link_page(
    mut req: Request,
    ctx: &Ctx,
    sale: SaleId,
) -> Result<worker::Response, ApiError> {
    let (token, snap) = link_asked(&req, ctx, &sale).await?;
    let proof = match &token.device {
        Some(_) => form_field(&mut req, "device_proof").await?,
        None => None,
    };
    let answer = make_link(ctx, &snap, &token, proof.as_deref()).await?;
    let handed = HandedLink::Move {
        moves_left: answer.moves_left,
    };
    handed_link::link_page(ctx, &snap, handed, &answer.link, MOVE_LINK_TTL_S)
}

/// `GET /s/{sale}/move`: the page that takes the place over (its script reads the code from the
/// fragment and posts the form; without JavaScript the fan types the code).
pub async fn page(
    ctx: &Ctx,
    sale: SaleId,
    refused: Option<&ApiError>,
) -> Result<worker::Response, ApiError> {
    let snap = snapshot(ctx, &sale).await?;
    let lang = ctx.lang.lang;
    let page = MovePage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        refused: refused.map(|e| refusal_words(lang, e)),
    };
    let status = if refused.is_some() { 409 } else { 200 };
    pages::render(&page, status, CacheControl::PrivateNoStore)
}

/// `POST /s/{sale}/move` with the form field `code`: the place, moved to this browser (its
/// cookie), and on to the sale page; a refused code gets the page again, saying why.
pub async fn take_page(
    mut req: Request,
    ctx: &Ctx,
    sale: SaleId,
) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let code = form_field(&mut req, "code").await?.unwrap_or_default();
    // The form carries no key: a sale that binds places takes a place over only by the page's
    // script (`POST /api/sales/{sale}/move` with the device's key).
    let taken = take_over(ctx, &sale, &code, None).await;
    match handed_link::used(&sale, taken.map(|(_, text)| text))? {
        Used::Taken(response) => Ok(response),
        Used::Refused(e) => page(ctx, sale, Some(&e)).await,
    }
}

/// Why a code was refused, in the page's words (the JSON API's `error` says it by its code).
fn refusal_words(lang: Lang, refused: &ApiError) -> &'static str {
    match refused {
        ApiError::MoveLink(MoveLinkError::Invalid) => lang.move_refused_invalid(),
        ApiError::MoveLink(MoveLinkError::Expired) => lang.move_refused_expired(),
        ApiError::Queue(QueueError::PlaceMoved) => lang.move_refused_moved(),
        ApiError::Queue(QueueError::MovesUsedUp { .. }) => lang.move_refused_moves_used_up(),
        ApiError::Queue(QueueError::TurnTaken) => lang.move_refused_turn_taken(),
        ApiError::Queue(QueueError::Closed) => lang.move_refused_closed(),
        // A bound sale's form (no JavaScript, so no key): the place stays where it is.
        ApiError::Device(DeviceError::KeyRequired) => lang.move_refused_needs_script(),
        _ => lang.move_refused_other(),
    }
}
