//! "Come as a party" (docs/api.md): a fan waiting in line makes a party link
//! ([`PartyLink`], signed here: no object request); friends who open it join the leader's place
//! with one request to the coordinator each ([`Command::JoinParty`]), which answers the member's
//! hand; their token is one of the leader's number with that hand, so their polls cost what the
//! leader's do (the edge answers them from the snapshot) and the party is admitted together. A
//! member who presents a token of their own place gives it up. The party's view and leaving are
//! one coordinator request each. All four are served by the full worker (a fan's rare asks).
//!
//! The link carries its code in the fragment (`/s/{sale}/party#<code>`): the code reaches us
//! only in a POST body, never in a URL we log.

use super::moving::token_of;
use super::sale::snapshot;
use super::token::{presented, set_token_cookie, verify, Presented};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::objects::Coordinator;
use crate::response::json;
use serde::{Deserialize, Serialize};
use waitroom_core::codec::tag_first::Only;
use waitroom_core::keys::party_link::PartyLink;
use waitroom_core::keys::token::QueueToken;
use waitroom_core::machines::protocol::{Command, Moved, Reply};
use waitroom_core::queue::{PartyView, MEMBER_HAND};
use waitroom_core::time::rfc3339;
use waitroom_core::{Phase, QueueError, SaleId, Seq, UnixMillis};
use worker::Request;

/// `POST /api/sales/{sale}/party-link`'s answer.
#[derive(Serialize)]
struct PartyLinkAnswer {
    sale: SaleId,
    /// The code; the link is `url` (the code in its fragment).
    code: String,
    url: String,
    #[serde(with = "rfc3339")]
    expires_at: UnixMillis,
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
}

/// `POST /api/sales/{sale}/party-link`: a link to the token's place, if the sale has parties,
/// the sale is not over and the token holds the place (not as a member: a member does not
/// invite). The coordinator checks it all again when the link is used.
pub async fn link(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let token = token_of(&req, ctx, &sale)?;
    let snap = snapshot(ctx, &sale).await?;
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
    let link = PartyLink::new(token.seq, token.hand, ctx.now);
    let code = link.sign(&ctx.config()?.secrets.token_keys, &sale);
    Ok(json(
        201,
        &PartyLinkAnswer {
            url: format!("{}/s/{sale}/party#{code}", ctx.origin),
            code,
            sale,
            expires_at: link.0.expires_at(),
            party_max,
        },
    ))
}

/// `POST /api/sales/{sale}/party/join` with `{"code"}`: this device joins the party; a token it
/// presents (bearer or cookie) names its own place, which is given up.
pub async fn join(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let own = match presented(&req, &sale) {
        Some(Presented::Bearer(text) | Presented::Cookie(text)) => Some(verify(ctx, &sale, &text)?),
        None => None,
    };
    let body: JoinBody = http::read_json(&mut req).await?;
    let keys = &ctx.config()?.secrets.token_keys;
    let link = PartyLink::verify(&body.code, keys, &sale, ctx.now).map_err(ApiError::PartyLink)?;
    let command = Command::JoinParty {
        leader: link.0.seq,
        leader_hand: link.0.hand,
        member: own.as_ref().map(|t| (t.seq, t.hand)),
    };
    let moved: Only<Reply, Moved> = ctx.objects.ask(&Coordinator(&sale), &command).await?;
    let Moved { hand, fan_id } = moved.into_inner();
    let token = QueueToken {
        hand,
        ..QueueToken::new(sale.clone(), fan_id, link.0.seq, ctx.now)
    };
    let text = keys.sign(&token);
    let answer = JoinedAnswer {
        sale: &sale,
        token: &text,
        fan_id: &token.fan_id,
        seq: token.seq,
        seat: hand - MEMBER_HAND,
        gave_up: own.map(|t| t.seq),
        status_url: format!("/api/sales/{sale}/status"),
    };
    let mut response = json(200, &answer);
    set_token_cookie(&mut response, &sale, &text)?;
    Ok(response)
}

/// `GET /api/sales/{sale}/party`: the party the token's place has (leader) or the token is in
/// (member).
pub async fn view(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    let token = token_of(&req, ctx, &sale)?;
    let command = Command::Party {
        leader: token.seq,
        hand: token.hand,
    };
    let party: Only<Reply, PartyView> = ctx.objects.ask(&Coordinator(&sale), &command).await?;
    Ok(json(200, &party.into_inner()))
}

/// `POST /api/sales/{sale}/party/leave`: the member leaves the party while it waits; their
/// token holds nothing after this.
pub async fn leave(req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    http::require_same_site(&req)?;
    let token = token_of(&req, ctx, &sale)?;
    if token.hand < MEMBER_HAND {
        return Err(QueueError::NotAMember.into());
    }
    let command = Command::LeaveParty {
        leader: token.seq,
        hand: token.hand,
    };
    ctx.objects.tell(&Coordinator(&sale), &command).await?;
    Ok(json(
        200,
        &serde_json::json!({ "sale": sale, "left": true }),
    ))
}
