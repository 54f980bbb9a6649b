//! The Web Push calls the machine hands its object to send (docs/api.md, "Called back"): one
//! message per subscription, its payload the JSON the page's service worker shows, and what the
//! sends came to, counted for the report.

use crate::ids::Seq;
use crate::keys::push_subscription::PushSubscription;
use crate::queue::{Call, CallKind};
use crate::sale::Sale;
use crate::time::{rfc3339, UnixMillis};
use serde::Serialize;

/// How long a push service keeps a "near the front" message for a device that is offline.
pub const NEAR_FRONT_TTL_S: u64 = 600;

/// One push to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushCall {
    pub seq: Seq,
    pub subscription: PushSubscription,
    /// The message, before encryption (JSON: [`Payload`]).
    pub payload: String,
    /// The `TTL` header: seconds the push service may keep it for an offline device.
    pub ttl_s: u64,
    /// The `Urgency` header (RFC 8030): `high` for a turn.
    pub urgency: &'static str,
    /// Whether it is the turn's.
    pub turn: bool,
}

/// What a push says (the service worker's notification is made from it).
#[derive(Serialize)]
struct Payload<'a> {
    kind: &'static str,
    sale: &'a str,
    name: &'a str,
    /// The page to open.
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ahead: Option<u64>,
    #[serde(with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    claim_by: Option<UnixMillis>,
}

/// How a push came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// The push service took it.
    Sent,
    /// The subscription is gone (404, 410): it is forgotten.
    Gone,
    /// Another status, a timeout, a network error: dropped (counted).
    Failed,
}

impl PushOutcome {
    pub(super) fn kind(self) -> &'static str {
        match self {
            PushOutcome::Sent => "push:sent",
            PushOutcome::Gone => "push:gone",
            PushOutcome::Failed => "push:failed",
        }
    }
}

/// Each call as one push per subscription.
pub(super) fn pushes(calls: Vec<Call>, sale: &Sale, now: UnixMillis) -> Vec<PushCall> {
    let id = sale.id.to_string();
    calls
        .into_iter()
        .flat_map(|call| {
            let (kind, ahead, claim_by, ttl_s, urgency) = match call.kind {
                CallKind::NearFront { ahead } => {
                    ("near_front", Some(ahead), None, NEAR_FRONT_TTL_S, "normal")
                }
                CallKind::Turn { claim_by } => (
                    "turn",
                    None,
                    Some(claim_by),
                    claim_by.0.saturating_sub(now.0) / 1_000,
                    "high",
                ),
            };
            let payload = serde_json::to_string(&Payload {
                kind,
                sale: &id,
                name: &sale.settings.name,
                url: format!("/s/{id}"),
                ahead,
                claim_by,
            })
            .unwrap_or_default();
            let seq = call.seq;
            call.subscriptions
                .into_iter()
                .map(move |subscription| PushCall {
                    seq,
                    subscription,
                    payload: payload.clone(),
                    ttl_s,
                    urgency,
                    turn: claim_by.is_some(),
                })
        })
        .collect()
}
