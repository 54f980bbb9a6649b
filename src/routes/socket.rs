//! `GET /api/sales/{sale}/socket`: the turn, pushed (docs/api.md, "The turn, pushed").
//!
//! A fan near the front upgrades to a WebSocket held by the sale's coordinator, which sends
//! `your_turn` with the pass the moment a window admits them; the open socket is their presence.
//! The edge checks the token (cookie or bearer: never the URL, so it lands in no log) and the
//! fan's place in its snapshot first, so fans further back never reach the object.

use super::fan::{self, Presented};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::objects::{Coordinator, FanSocket, Socket};
use waitroom_core::keys::token::TokenError;
use waitroom_core::queue::snapshot::FanView;
use waitroom_core::queue::socket::Refusal;
use waitroom_core::SaleId;
use worker::{Request, Response};

/// Whether the request asks for a WebSocket.
fn is_upgrade(req: &Request) -> bool {
    req.headers()
        .get("Upgrade")
        .ok()
        .flatten()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("websocket"))
}

/// `GET /api/sales/{sale}/socket`.
pub async fn open(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    if !is_upgrade(&req) {
        return Err(ApiError::UpgradeRequired);
    }
    // The socket carries the fan's pass: another site's page must not open it with the fan's
    // cookie (browsers send `Origin` with every WebSocket handshake).
    http::require_same_site(&req)?;
    let text = match fan::presented(&req, &sale) {
        Some(Presented::Bearer(text) | Presented::Cookie(text)) => text,
        None => return Err(TokenError::Malformed.into()),
    };
    let token = fan::verify(ctx, &sale, &text)?;
    // The socket would carry the pass to whoever holds the token: a place bound to a device gets
    // its turn only by the status poll, with a proof made with the device's key.
    if token.device.is_some() {
        return Err(ApiError::SocketBound);
    }
    let snap = fan::snapshot(ctx, &sale).await?;
    // A hand the place moved away from holds no socket (the coordinator refuses it too).
    if snap.hand_of(token.seq) > token.hand {
        return Err(ApiError::SocketRefused(Refusal::Moved));
    }
    let view = snap.fan_view(token.seq, ctx.now);
    match view {
        FanView::Closed => return Err(ApiError::SocketRefused(Refusal::Closed)),
        FanView::Reached => return Err(ApiError::SocketRefused(Refusal::TurnReached)),
        // In the pre-queue (or before this edge saw the draw): no place in line yet.
        FanView::Prequeue { .. } => return Err(ApiError::SocketRefused(Refusal::NotInLine)),
        // By the fewest fans who may be ahead (the object checks its exact line again).
        FanView::Waiting { ahead, .. } if !view.in_zone(snap.presence_zone) => {
            return Err(ApiError::SocketRefused(Refusal::NotNearFront {
                ahead,
                zone: snap.presence_zone,
            }));
        }
        FanView::Waiting { .. } => {}
    }
    let from = http::client_address(&req);
    let socket = FanSocket {
        seq: token.seq,
        hand: token.hand,
        from,
    };
    let Socket(ws) = ctx.objects.ask(&Coordinator(&sale), &socket).await?;
    Ok(Response::from_websocket(ws)?)
}
