//! "Close the tab, be called back" (docs/api.md, "Called back"): a waiting fan's place keeps
//! Web Push subscriptions, and the coordinator pushes them near the front and at the turn. One
//! path, the full worker's (a fan's rare ask, not the crowd's):
//! - `GET /api/sales/{sale}/push`: the deployment's VAPID public key (the page's
//!   `applicationServerKey`), the sale's distance and return window, and the place's
//!   subscriptions;
//! - `POST` with the browser's `PushSubscription.toJSON()`: kept for the token's own place;
//! - `DELETE` with `{"endpoint"}` (or no body: every one): forgotten.
//!
//! The token decides whose place it is: there is no field naming another place.

use super::token::token_of;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::objects::Coordinator;
use crate::response::json;
use serde::{Deserialize, Serialize};
use waitroom_core::keys::push_subscription::{PushSubscription, SubscriptionInput};
use waitroom_core::machines::push_protocol::{PushAnswer, PushCommand};
use waitroom_core::queue::MAX_SUBSCRIPTIONS_PER_PLACE;
use waitroom_core::SaleId;
use worker::{Method, Request};

/// What the push route answers.
#[derive(Serialize)]
struct PushInfo<'a> {
    sale: &'a SaleId,
    /// The VAPID public key to subscribe with (base64url, uncompressed P-256).
    public_key: &'a str,
    /// The place's subscriptions now (0: not called).
    subscriptions: u8,
    max_subscriptions: usize,
    /// Pushed when this many fans or fewer are ahead.
    near_front: u32,
    /// How long the turn is held for a called fan to come back.
    return_window_s: u32,
}

/// `PushSubscription.toJSON()`: `{"endpoint", "expirationTime", "keys": {"p256dh", "auth"}}`,
/// and the key the page subscribed with.
#[derive(Deserialize)]
struct SubscribeBody {
    endpoint: String,
    keys: SubscribeKeys,
    #[serde(default, rename = "expirationTime")]
    _expiration_time: Option<serde_json::Value>,
    /// The `applicationServerKey` it subscribed with (absent: the current one).
    #[serde(default)]
    application_server_key: Option<String>,
}

#[derive(Deserialize)]
struct SubscribeKeys {
    p256dh: String,
    auth: String,
}

#[derive(Deserialize, Default)]
struct UnsubscribeBody {
    #[serde(default)]
    endpoint: Option<String>,
}

/// `/api/sales/{sale}/push`: `GET`, `POST`, `DELETE`.
pub async fn api(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<worker::Response, ApiError> {
    let method = req.method();
    if method != Method::Get {
        http::require_same_site(&req)?;
    }
    let token = token_of(&req, ctx, &sale)?;
    let keys = crate::config::vapid_keys(&ctx.env)?;
    let command = match method {
        Method::Post => {
            let body: SubscribeBody = http::read_json(&mut req).await?;
            let mut subscription = PushSubscription::parse(
                SubscriptionInput {
                    endpoint: body.endpoint,
                    p256dh: body.keys.p256dh,
                    auth: body.keys.auth,
                },
                ctx.faults_allowed,
            )
            .map_err(|e| ApiError::InvalidField {
                field: "subscription",
                message: e.to_string(),
            })?;
            subscription.vapid = match body.application_server_key {
                None => None,
                Some(k) if k == keys.current().public => None,
                Some(k) if keys.by_public(&k).is_some() => Some(k),
                Some(_) => {
                    return Err(ApiError::InvalidField {
                        field: "application_server_key",
                        message: "is not ours: subscribe again with the current public_key".into(),
                    })
                }
            };
            PushCommand::Subscribe {
                seq: token.seq,
                hand: token.hand,
                subscription,
            }
        }
        Method::Delete => {
            let body: UnsubscribeBody = match req.headers().get("Content-Length")? {
                Some(n) if n != "0" => http::read_json(&mut req).await?,
                _ => UnsubscribeBody::default(),
            };
            PushCommand::Unsubscribe {
                seq: token.seq,
                hand: token.hand,
                endpoint: body.endpoint,
            }
        }
        _ => PushCommand::Status {
            seq: token.seq,
            hand: token.hand,
        },
    };
    let s = match ctx.objects.ask(&Coordinator(&sale), &command).await? {
        PushAnswer::Subscribed(s) => s,
        // The call-back's own refusals: 409 in the error table's shape, written here so the
        // table (which the edge's module carries) holds none of their words.
        PushAnswer::Refused { refusal } => {
            let body = serde_json::json!({ "error": refusal.code(), "message": refusal.message() });
            return Ok(json(409, &body));
        }
    };
    let status = if method == Method::Post { 201 } else { 200 };
    Ok(json(
        status,
        &PushInfo {
            sale: &sale,
            public_key: &keys.current().public,
            subscriptions: s.subscriptions,
            max_subscriptions: MAX_SUBSCRIPTIONS_PER_PLACE,
            near_front: s.near_front,
            return_window_s: s.return_window_s,
        },
    ))
}
