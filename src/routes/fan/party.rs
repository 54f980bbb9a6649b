//! "Come as a party" (docs/api.md): a fan waiting in line makes a party link
//! ([`PartyLink`], signed here: no object request); friends who open it join the leader's place
//! with one request to the coordinator each ([`Command::JoinParty`]), which answers the member's
//! hand; their token is one of the leader's number with that hand, so their polls cost what the
//! leader's do (the edge answers them from the snapshot) and the party is admitted together. A
//! member who presents a token of their own place gives it up. The party's view and leaving are
//! one coordinator request each. JSON for apps (`/api/sales/{sale}/party-link`, `.../party`,
//! `.../party/join`, `.../party/leave`) and pages for browsers (`POST /s/{sale}/party-link`: the
//! link and its QR code; `GET`/`POST /s/{sale}/party`: the page that joins, or shows a member
//! their party; `POST /s/{sale}/party/leave`), all served by the full worker (a fan's rare asks).
//!
//! What a party link shares with a move link (the signed link with its code in the fragment,
//! its page, the form that uses the code) is [`super::handed_link`]'s.

use super::handed_link::{self, link_asked, take_field, SignedLink, Used};
use super::moving::prove_device;
use super::sale::snapshot;
use super::token::{device_proof, presented_token, set_token_cookie, token_of};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::i18n::Lang;
use crate::objects::Coordinator;
use crate::pages::{self, HandedLink, PartyPage, PartyShows, SaleLook};
use crate::response::{json, CacheControl};
use serde::{Deserialize, Serialize};
use waitroom_core::codec::tag_first::Only;
use waitroom_core::keys::device::{DeviceError, DeviceJwk, DeviceKey, DeviceProof, ProofPurpose};
use waitroom_core::keys::party_link::{PartyLink, PartyLinkError, PARTY_LINK_TTL_S};
use waitroom_core::keys::token::QueueToken;
use waitroom_core::machines::protocol::{Moved, PartyCommand, Reply};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::queue::{PartyView, MEMBER_HAND};
use waitroom_core::{Phase, QueueError, SaleId, Seq};
use worker::Request;

/// `POST /api/sales/{sale}/party-link`'s answer.
#[derive(Serialize)]
struct PartyLinkAnswer {
    #[serde(flatten)]
    link: SignedLink,
    /// The most fans the party may be (the leader included).
    party_max: u8,
}

/// `POST /api/sales/{sale}/party/join`'s answer: the member's token, of the leader's place.
#[derive(Serialize)]
struct JoinedAnswer<'a> {
    sale: &'a SaleId,
    token: &'a str,
    fan_id: &'a waitroom_core::FanId,
    /// The leader's arrival number: the party's place.
    seq: Seq,
    /// The member's seat in the party.
    seat: u8,
    /// The member's own place given up on joining, if they had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    gave_up: Option<Seq>,
    status_url: String,
}

#[derive(Deserialize)]
struct JoinBody {
    code: String,
    /// The joining device's public key (a P-256 JWK), for a sale that binds places to devices:
    /// the member's token is bound to it.
    #[serde(default)]
    device_key: Option<DeviceJwk>,
}

/// A link to `token`'s place, if the sale has parties, the sale is not over and the token holds
/// the place (not as a member: a member does not invite). The coordinator checks it all again
/// when the link is used. A place bound to a device invites only with its device's `proof` (of
/// purpose `move`, as a move link: both hand the place, or a seat in it, to another device), so
/// a copied token or cookie cannot invite its holder in.
async fn make_link(
    ctx: &Ctx,
    snap: &Snapshot,
    token: &QueueToken,
    proof: Option<&str>,
) -> Result<PartyLinkAnswer, ApiError> {
    let party_max = snap.sale.party_max;
    if party_max == 0 {
        return Err(QueueError::PartyOff.into());
    }
    if snap.phase_at(ctx.now) == Phase::Closed {
        return Err(QueueError::Closed.into());
    }
    if token.hand >= MEMBER_HAND {
        return Err(QueueError::InAParty.into());
    }
    if snap.hand_of(token.seq) > token.hand {
        return Err(QueueError::PlaceMoved.into());
    }
    prove_device(ctx, &snap.sale.id, token, proof).await?;
    let link = PartyLink::new(token.seq, token.hand, ctx.now);
    let sale = snap.sale.id.clone();
    let code = link.sign(&ctx.config()?.secrets.token_keys, &sale);
    let handed = HandedLink::Party {
        friends: party_max - 1,
    };
    Ok(PartyLinkAnswer {
        link: SignedLink::new(ctx, sale, handed, code, link.0.expires_at()),
        party_max,
    })
}

/// `POST /api/sales/{sale}/party-link`.
pub async fn link(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    let (token, snap) = link_asked(&req, ctx, &sale).await?;
    let proof = device_proof(&req);
    Ok(json(
        201,
        &make_link(ctx, &snap, &token, proof.as_deref()).await?,
    ))
}

/// Joins the party `code` names, giving up `own`'s place: one request to the coordinator, then
/// the member's token (and its text). In a sale that binds places to devices the member's token
/// is bound to the joining device's `key`, which it needs (checked before anything changes), so
/// a member's turn, like anyone's, is handed only to their own device's proof.
async fn join_with(
    ctx: &Ctx,
    sale: &SaleId,
    own: Option<&QueueToken>,
    code: &str,
    key: Option<DeviceKey>,
    own_proof: Option<&str>,
) -> Result<(QueueToken, String), ApiError> {
    let keys = &ctx.config()?.secrets.token_keys;
    let link = PartyLink::verify(code, keys, sale, ctx.now).map_err(ApiError::PartyLink)?;
    // A bound place of the joiner's own is given up only by its own device (a proof of purpose
    // `move`, the rule and the signature checked here): a copy of its cookie cannot throw it away.
    if let Some(bound) = own.and_then(|t| t.device.as_ref().map(|d| (t.seq, d))) {
        let (seq, device) = bound;
        let text = own_proof.ok_or(DeviceError::ProofRequired)?;
        DeviceProof::parse(text)?.verify(device, sale, seq, ProofPurpose::Move, ctx.now)?;
    }
    let device = match (snapshot(ctx, sale).await?.sale.device_binding, key) {
        (false, _) => None,
        (true, Some(key)) => Some(key.thumbprint()),
        (true, None) => return Err(DeviceError::KeyRequired.into()),
    };
    let command = PartyCommand::JoinParty {
        leader: link.0.seq,
        leader_hand: link.0.hand,
        member: own.map(|t| (t.seq, t.hand)),
    };
    let moved: Only<Reply, Moved> = ctx.objects.ask(&Coordinator(sale), &command).await?;
    let Moved { hand, fan_id } = moved.into_inner();
    let token = QueueToken {
        hand,
        ..QueueToken::new(sale.clone(), fan_id, link.0.seq, ctx.now)
    }
    .bound_to(device);
    let text = keys.sign(&token);
    Ok((token, text))
}

/// `POST /api/sales/{sale}/party/join` with `{"code"}`: this device joins the party; a token it
/// presents (bearer or cookie) names its own place, which is given up.
pub async fn join(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    // The joiner's own token, if they present one: its place is given up.
    let own = presented_token(&req, ctx, &sale)?;
    let body: JoinBody = http::read_json(&mut req).await?;
    let key = device_key(body.device_key.as_ref())?;
    let proof = device_proof(&req);
    let (token, text) =
        join_with(ctx, &sale, own.as_ref(), &body.code, key, proof.as_deref()).await?;
    let answer = JoinedAnswer {
        sale: &sale,
        token: &text,
        fan_id: &token.fan_id,
        seq: token.seq,
        seat: token.hand - MEMBER_HAND,
        gave_up: own.map(|t| t.seq),
        status_url: format!("/api/sales/{sale}/status"),
    };
    let mut response = json(200, &answer);
    set_token_cookie(&mut response, &sale, &text)?;
    Ok(response)
}

/// The joining device's key, if it sent one (a key of another kind or size is refused).
fn device_key(jwk: Option<&DeviceJwk>) -> Result<Option<DeviceKey>, ApiError> {
    Ok(jwk.map(DeviceKey::from_jwk).transpose()?)
}

/// `GET /api/sales/{sale}/party`: the party the token's place has (leader) or the token is in
/// (member).
pub async fn view(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    let token = token_of(&req, ctx, &sale)?;
    Ok(json(200, &party_of(ctx, &sale, &token).await?))
}

async fn party_of(ctx: &Ctx, sale: &SaleId, token: &QueueToken) -> Result<PartyView, ApiError> {
    let command = PartyCommand::Party {
        leader: token.seq,
        hand: token.hand,
    };
    let party: Only<Reply, PartyView> = ctx.objects.ask(&Coordinator(sale), &command).await?;
    Ok(party.into_inner())
}

/// The member `token` leaves their party.
async fn leave_with(ctx: &Ctx, sale: &SaleId, token: &QueueToken) -> Result<(), ApiError> {
    if token.hand < MEMBER_HAND {
        return Err(QueueError::NotAMember.into());
    }
    let command = PartyCommand::LeaveParty {
        leader: token.seq,
        hand: token.hand,
    };
    ctx.objects.tell(&Coordinator(sale), &command).await?;
    Ok(())
}

/// `POST /api/sales/{sale}/party/leave`: the member leaves the party while it waits; their
/// token holds nothing after this.
pub async fn leave(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let token = token_of(&req, ctx, &sale)?;
    leave_with(ctx, &sale, &token).await?;
    Ok(json(
        200,
        &serde_json::json!({ "sale": sale, "left": true }),
    ))
}

/// `POST /s/{sale}/party-link`: the waiting page's "invite friends" form: the page with the link
/// and its QR code (drawn by the page's script; the link and code as text without JavaScript).
pub async fn link_page(
    mut req: Request,
    ctx: &Ctx,
    sale: SaleId,
) -> Result<worker::Response, ApiError> {
    let (token, snap) = link_asked(&req, ctx, &sale).await?;
    // A bound place's form carries the device's proof (waiting.js makes it when it is pressed).
    let proof = match &token.device {
        Some(_) => take_field(&mut http::read_form(&mut req).await?, "device_proof"),
        None => None,
    };
    let answer = make_link(ctx, &snap, &token, proof.as_deref()).await?;
    let handed = HandedLink::Party {
        friends: answer.party_max - 1,
    };
    handed_link::link_page(ctx, &snap, handed, &answer.link, PARTY_LINK_TTL_S)
}

/// `GET /s/{sale}/party`: a member sees their party (one coordinator request) and "leave";
/// anyone else the form that joins the party the link names (its script fills in the code from
/// the fragment; without JavaScript the fan types it), saying that a place of this device's own
/// is given up.
pub async fn page(
    req: &Request,
    ctx: &Ctx,
    sale: SaleId,
    refused: Option<&ApiError>,
) -> Result<worker::Response, ApiError> {
    let snap = snapshot(ctx, &sale).await?;
    let member = match super::token::held_by_page(req, ctx, &sale) {
        Some(held) if held.token.hand >= MEMBER_HAND && refused.is_none() => {
            match party_of(ctx, &sale, &held.token).await {
                Ok(view) => Some(view),
                Err(e) if e.is_busy() => return Err(e),
                Err(_) => None,
            }
        }
        _ => None,
    };
    let lang = ctx.lang.lang;
    let page = PartyPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        shows: member.map_or(PartyShows::Join, |v| PartyShows::Member {
            size: v.size,
            max: v.max,
        }),
        refused: refused.map(|e| refusal_words(lang, e)),
    };
    let status = if refused.is_some() { 409 } else { 200 };
    pages::render(&page, status, CacheControl::PrivateNoStore)
}

/// `POST /s/{sale}/party` with the form field `code`: this browser joins the party (its cookie
/// becomes the member's, and a place of its own is given up), and on to the sale page; a refused
/// code gets the page again, saying why.
pub async fn join_page(
    mut req: Request,
    ctx: &Ctx,
    sale: SaleId,
) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let own = super::token::held_by_page(&req, ctx, &sale).map(|h| h.token);
    let mut form = http::read_form(&mut req).await?;
    let code = take_field(&mut form, "code").unwrap_or_default();
    // A bound sale's form carries the device's public key (party.js adds it; without JavaScript
    // there is none, and the page says why).
    let key = match take_field(&mut form, "device_key") {
        Some(text) => {
            Some(serde_json::from_str::<DeviceJwk>(&text).map_err(|_| DeviceError::BadKey)?)
        }
        None => None,
    };
    let proof = take_field(&mut form, "device_proof");
    let key = device_key(key.as_ref())?;
    let joined = join_with(ctx, &sale, own.as_ref(), &code, key, proof.as_deref()).await;
    match handed_link::used(&sale, joined.map(|(_, text)| text))? {
        Used::Taken(response) => Ok(response),
        Used::Refused(e) => page(&req, ctx, sale, Some(&e)).await,
    }
}

/// `POST /s/{sale}/party/leave`: the member leaves their party; the browser's cookie (which holds
/// nothing any more) is cleared, and the page offers to join the line again at the back.
pub async fn leave_page(
    req: Request,
    ctx: &Ctx,
    sale: SaleId,
) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let token = token_of(&req, ctx, &sale)?;
    leave_with(ctx, &sale, &token).await?;
    let snap = snapshot(ctx, &sale).await?;
    let lang = ctx.lang.lang;
    let page = PartyPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        shows: PartyShows::Left,
        refused: None,
    };
    let mut response = pages::render(&page, 200, CacheControl::PrivateNoStore)?;
    response
        .headers_mut()
        .set("Set-Cookie", &http::token_cookie(&sale, "", 0))?;
    Ok(response)
}

/// Why joining was refused, in the page's words (the JSON API's `error` says it by its code).
fn refusal_words(lang: Lang, refused: &ApiError) -> &'static str {
    match refused {
        ApiError::PartyLink(PartyLinkError::Invalid) => lang.party_refused_invalid(),
        ApiError::PartyLink(PartyLinkError::Expired) => lang.party_refused_expired(),
        ApiError::Queue(QueueError::PartyFull) => lang.party_refused_full(),
        ApiError::Queue(QueueError::InAParty) => lang.party_refused_in_a_party(),
        ApiError::Queue(QueueError::PlaceMoved) => lang.party_refused_moved(),
        ApiError::Queue(QueueError::TurnTaken) => lang.party_refused_turn_taken(),
        ApiError::Queue(QueueError::Closed) => lang.move_refused_closed(),
        // A bound sale's form without JavaScript: no key.
        ApiError::Device(DeviceError::KeyRequired) => lang.party_refused_needs_script(),
        _ => lang.party_refused_other(),
    }
}
