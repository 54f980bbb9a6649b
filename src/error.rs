//! Every way a request can fail, mapped to HTTP in one place.

use crate::response;
use serde::Serialize;
use waitroom_core::admission::Admission;
use waitroom_core::invitation::InvitationError;
use waitroom_core::pow::{Challenge, PowError};
use waitroom_core::secrets::ConfigError;
use waitroom_core::socket::Refusal;
use waitroom_core::time::rfc3339;
use waitroom_core::token::TokenError;
use waitroom_core::turnstile::TurnstileError;
use waitroom_core::{AssignmentState, IdError, QueueError, SettingsError, UnixMillis};
use worker::Response;

/// The body of every error answer.
#[derive(Debug, PartialEq, Serialize)]
pub struct ErrorBody {
    /// The error code, e.g. `sale_not_found`.
    pub error: &'static str,
    /// Words for a person.
    pub message: String,
    #[serde(flatten)]
    pub detail: Option<ErrorDetail>,
}

/// What some errors add to their body.
#[derive(Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ErrorDetail {
    /// Which field of the request was refused.
    Field { field: &'static str },
    /// When the sale that is not open yet opens (`null`: when the promoter opens it).
    OpensAt {
        #[serde(with = "rfc3339::option")]
        opens_at: Option<UnixMillis>,
    },
    /// A 503: when to try again (also the `Retry-After` header, in whole seconds).
    RetryAfter { retry_after_ms: u64 },
    /// A 500: the id the error was logged under.
    RequestId { request_id: String },
    /// A pull refused because the sale admits by another mode: which, with its numbers.
    Admission { admission: Admission },
    /// A proof-of-work refusal: a fresh challenge to solve.
    Challenge { pow: Challenge },
}

/// The shortest and longest wait a 503 asks for: jittered between the two, so a crowd that was
/// turned away together does not come back together.
pub const RETRY_AFTER_MIN_MS: u64 = 1_000;
pub const RETRY_AFTER_MAX_MS: u64 = 3_000;

/// The wait a 503 asks for, from a random `fraction` in `[0, 1)`: between
/// [`RETRY_AFTER_MIN_MS`] and [`RETRY_AFTER_MAX_MS`], and its `Retry-After` in whole seconds
/// (rounded up, so a client that honours the header never comes back early).
pub fn retry_after(fraction: f64) -> (u64, u64) {
    let span = (RETRY_AFTER_MAX_MS - RETRY_AFTER_MIN_MS) as f64;
    let ms = RETRY_AFTER_MIN_MS + (span * fraction.clamp(0.0, 1.0)) as u64;
    let ms = ms.min(RETRY_AFTER_MAX_MS);
    (ms, ms.div_ceil(1000))
}

/// The longest a busy page waits before it tries again, however many tries came before.
pub const BUSY_BACKOFF_MAX_MS: u64 = 60_000;

/// The wait of a busy page after `tries` busy answers in a row ([`retry_after`] for the first,
/// doubling with each try, to at most [`BUSY_BACKOFF_MAX_MS`]), and its `Retry-After` in whole
/// seconds: a page whose sale stays unavailable backs off instead of asking every 2 s forever.
pub fn retry_after_backing_off(fraction: f64, tries: u32) -> (u64, u64) {
    let (first, _) = retry_after(fraction);
    let ms = first
        .saturating_mul(1u64 << tries.min(16))
        .min(BUSY_BACKOFF_MAX_MS);
    (ms, ms.div_ceil(1000))
}

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    /// `GET /api/sales/{sale}/draw` for a sale without a pre-queue.
    NoDraw,
    MethodNotAllowed {
        allow: &'static str,
    },
    BadSaleId(IdError),
    BadId {
        field: &'static str,
        error: IdError,
    },
    BadJson(String),
    BodyTooLarge {
        limit: usize,
    },
    InvalidField {
        field: &'static str,
        message: String,
    },
    Unauthorized,
    /// A state-changing request another site made (`Sec-Fetch-Site: cross-site`, or a foreign
    /// `Origin`): refused before anything changes.
    CrossSite,
    /// A join of an invitation-only sale without an invitation.
    InvitationRequired,
    /// An invitation that is forged, expired, for another sale or otherwise not accepted.
    BadInvitation(InvitationError),
    BadToken(TokenError),
    /// A join of a Turnstile sale without a token that passed (403; nothing changes).
    Turnstile(TurnstileError),
    /// A Turnstile sale's tokens cannot be checked: `TURNSTILE_SECRET` or `TURNSTILE_VERIFY_URL`
    /// is missing or refused (the operator's mistake, logged). 503: no join passes unchecked.
    TurnstileUnavailable(String),
    /// A new place costs proof of work: none came, or not a good one. Carries a fresh challenge.
    Pow {
        error: PowError,
        challenge: Challenge,
    },
    /// Too many place-taking requests from one address: try again after this many seconds.
    RateLimited {
        retry_after_ms: u64,
    },
    Queue(QueueError),
    /// A secret is missing or weak: the operator's mistake, reported by name.
    Misconfigured(ConfigError),
    /// A Durable Object (or the runtime on its way) is overloaded, timed out or failed: nothing
    /// is known to be recorded, and the client should try again shortly. The cause is logged.
    Busy(String),
    /// Storage, a Durable Object or the runtime failed.
    Internal(String),
    /// `GET /api/sales/{sale}/socket` without a WebSocket upgrade.
    UpgradeRequired,
    /// A socket the fan may not hold (yet): they keep polling.
    SocketRefused(Refusal),
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        ApiError::Queue(e)
    }
}

impl From<SettingsError> for ApiError {
    fn from(e: SettingsError) -> Self {
        ApiError::InvalidField {
            field: e.field,
            message: e.message,
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        ApiError::BadToken(e)
    }
}

impl From<TurnstileError> for ApiError {
    fn from(e: TurnstileError) -> Self {
        ApiError::Turnstile(e)
    }
}

impl From<ConfigError> for ApiError {
    fn from(e: ConfigError) -> Self {
        ApiError::Misconfigured(e)
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::NotFound | ApiError::NoDraw => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::BadSaleId(_)
            | ApiError::BadId { .. }
            | ApiError::BadJson(_)
            | ApiError::InvalidField { .. } => 400,
            ApiError::BodyTooLarge { .. } => 413,
            ApiError::Unauthorized | ApiError::BadToken(_) | ApiError::BadInvitation(_) => 401,
            ApiError::CrossSite | ApiError::Turnstile(_) | ApiError::InvitationRequired => 403,
            ApiError::TurnstileUnavailable(_) => 503,
            ApiError::Pow { .. } => 403,
            ApiError::RateLimited { .. } => 429,
            ApiError::Queue(q) => match q {
                QueueError::SaleNotFound | QueueError::AssignmentNotFound => 404,
                QueueError::NotOpen { .. }
                | QueueError::AlreadyClosed
                | QueueError::AssignmentFinished { .. }
                | QueueError::RequestIdReused
                | QueueError::NotPullMode { .. }
                | QueueError::ShardsFixed
                | QueueError::ShardsChanging { .. }
                | QueueError::PrequeueFixed => 409,
                QueueError::Closed => 410,
                QueueError::BadPullSize { .. } => 400,
                QueueError::SaleUnavailable | QueueError::Busy => 503,
                QueueError::PowSpent => 403,
            },
            ApiError::Busy(_) => 503,
            ApiError::Misconfigured(_) | ApiError::Internal(_) => 500,
            ApiError::UpgradeRequired => 426,
            ApiError::SocketRefused(Refusal::Closed) => 410,
            ApiError::SocketRefused(Refusal::Full | Refusal::AddressFull | Refusal::TestFault) => {
                503
            }
            ApiError::SocketRefused(_) => 409,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound => "not_found",
            ApiError::NoDraw => "no_draw",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::BadSaleId(_) => "bad_sale_id",
            ApiError::BadId { .. } => "invalid_field",
            ApiError::BadJson(_) => "bad_json",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::Unauthorized => "unauthorized",
            ApiError::CrossSite => "cross_site",
            ApiError::InvitationRequired => "invitation_required",
            ApiError::BadInvitation(_) => "bad_invitation",
            ApiError::BadToken(_) => "bad_token",
            ApiError::Turnstile(TurnstileError::Required) => "turnstile_required",
            ApiError::Turnstile(TurnstileError::Invalid(_)) => "turnstile_invalid",
            ApiError::TurnstileUnavailable(_) => "turnstile_unavailable",
            ApiError::Pow {
                error: PowError::Required,
                ..
            } => "pow_required",
            ApiError::Pow { .. } => "pow_invalid",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Queue(q) => match q {
                QueueError::SaleNotFound => "sale_not_found",
                QueueError::NotOpen { .. } => "not_open",
                QueueError::Closed => "closed",
                QueueError::AlreadyClosed => "already_closed",
                QueueError::AssignmentNotFound => "assignment_not_found",
                QueueError::AssignmentFinished { state } => match state {
                    AssignmentState::Completed => "already_completed",
                    AssignmentState::Released => "already_released",
                    AssignmentState::Lapsed => "lapsed",
                    AssignmentState::Left => "left",
                    AssignmentState::Assigned => "already_assigned",
                    AssignmentState::Expired => "expired",
                },
                QueueError::RequestIdReused => "request_id_reused",
                QueueError::PrequeueFixed => "prequeue_fixed",
                QueueError::BadPullSize { .. } => "invalid_field",
                QueueError::NotPullMode { .. } => "admission_mode",
                QueueError::SaleUnavailable => "sale_unavailable",
                QueueError::Busy => "busy",
                QueueError::PowSpent => "pow_invalid",
                QueueError::ShardsFixed => "shards_fixed",
                QueueError::ShardsChanging { .. } => "shards_changing",
            },
            ApiError::Busy(_) => "busy",
            ApiError::Misconfigured(_) => "server_misconfigured",
            ApiError::Internal(_) => "internal",
            ApiError::UpgradeRequired => "upgrade_required",
            ApiError::SocketRefused(r) => r.reason(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::NotFound => "no such resource".into(),
            ApiError::NoDraw => "this sale has no pre-queue, so no draw".into(),
            ApiError::MethodNotAllowed { allow } => format!("use {allow}"),
            ApiError::BadSaleId(e) => e.to_string(),
            ApiError::BadId { field, error } => format!("{field}: {error}"),
            ApiError::BadJson(m) => format!("the body is not the expected JSON: {m}"),
            ApiError::BodyTooLarge { limit } => format!("the body is larger than {limit} bytes"),
            ApiError::InvalidField { field, message } => format!("{field} {message}"),
            ApiError::Unauthorized => "a valid bearer key for this API is required".into(),
            ApiError::CrossSite => "another site may not make this request".into(),
            ApiError::InvitationRequired => {
                "this sale is by invitation only: join with your invitation".into()
            }
            ApiError::BadInvitation(e) => e.to_string(),
            ApiError::BadToken(e) => e.to_string(),
            ApiError::Turnstile(e) => e.to_string(),
            ApiError::TurnstileUnavailable(_) => {
                "the Turnstile check cannot be made right now: nothing was recorded; try again later"
                    .into()
            }
            ApiError::Pow { error, .. } => error.to_string(),
            ApiError::RateLimited { .. } => {
                "too many requests for a place from your address: try again later".into()
            }
            ApiError::Queue(e) => e.to_string(),
            ApiError::Busy(_) => QueueError::Busy.to_string(),
            ApiError::Misconfigured(e) => format!("the server is misconfigured: {}", e.name),
            ApiError::Internal(_) => "something went wrong on our side; try again".into(),
            ApiError::UpgradeRequired => "this endpoint is a WebSocket: send Upgrade: websocket".into(),
            ApiError::SocketRefused(r) => match r {
                Refusal::NotNearFront { ahead, zone } => format!(
                    "{ahead} fans are ahead of you; a socket is for the {zone} nearest the front: keep polling the status"
                ),
                Refusal::TurnReached => "your number was reached: poll the status for your turn".into(),
                Refusal::NotInLine => "this token holds no place in line".into(),
                Refusal::Closed => QueueError::Closed.to_string(),
                Refusal::Full | Refusal::AddressFull | Refusal::TestFault => "no socket is free: keep polling the status".into(),
                Refusal::Replaced => "a newer socket of this fan took this one's place".into(),
            },
        }
    }

    /// Extra members of the error body.
    fn detail(&self) -> Option<ErrorDetail> {
        match self {
            ApiError::InvalidField { field, .. } | ApiError::BadId { field, .. } => {
                Some(ErrorDetail::Field { field })
            }
            ApiError::Queue(QueueError::BadPullSize { .. }) => {
                Some(ErrorDetail::Field { field: "max" })
            }
            ApiError::Queue(QueueError::NotOpen { opens_at }) => Some(ErrorDetail::OpensAt {
                opens_at: *opens_at,
            }),
            ApiError::Queue(QueueError::NotPullMode { admission }) => {
                Some(ErrorDetail::Admission {
                    admission: *admission,
                })
            }
            ApiError::Pow { challenge, .. } => Some(ErrorDetail::Challenge {
                pow: challenge.clone(),
            }),
            ApiError::RateLimited { retry_after_ms } => Some(ErrorDetail::RetryAfter {
                retry_after_ms: *retry_after_ms,
            }),
            _ => None,
        }
    }

    /// The JSON body `{"error", "message", ...}`.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code(),
            message: self.message(),
            detail: self.detail(),
        }
    }

    /// Whether the client should simply try again: the platform is busy, not our bug.
    pub fn is_busy(&self) -> bool {
        self.status() == 503
    }

    /// The answer, for a request known by `request_id` (in the log line of every 500, and in its
    /// body). A 503 asks the client to come back after a jittered wait.
    pub fn into_response_for(self, request_id: &str) -> Response {
        match &self {
            ApiError::Misconfigured(e) => {
                worker::console_error!("request {request_id}: configuration error: {e}")
            }
            ApiError::Internal(e) => {
                worker::console_error!("request {request_id}: internal error: {e}")
            }
            ApiError::Busy(e) => worker::console_warn!("request {request_id}: busy: {e}"),
            ApiError::TurnstileUnavailable(e) => {
                worker::console_error!("request {request_id}: turnstile unavailable: {e}")
            }
            _ => {}
        }
        let mut body = self.body();
        let mut retry_after_s = None;
        if self.is_busy() {
            let (ms, s) = retry_after(crate::random::fraction());
            body.detail = Some(ErrorDetail::RetryAfter { retry_after_ms: ms });
            retry_after_s = Some(s);
        } else if self.status() == 500 {
            body.detail = Some(ErrorDetail::RequestId {
                request_id: request_id.to_owned(),
            });
        }
        let mut response = response::json(self.status(), &body);
        if let ApiError::MethodNotAllowed { allow } = self {
            let _ = response.headers_mut().set("Allow", allow);
        }
        if let ApiError::RateLimited { retry_after_ms } = self {
            retry_after_s = Some(retry_after_ms.div_ceil(1000).max(1));
        }
        if let Some(s) = retry_after_s {
            let _ = response.headers_mut().set("Retry-After", &s.to_string());
        }
        response
    }

    /// The answer, outside any request we could name.
    pub fn into_response(self) -> Response {
        self.into_response_for("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(e: ApiError) -> serde_json::Value {
        serde_json::to_value(e.body()).unwrap()
    }

    #[test]
    fn socket_refusals_before_the_upgrade_are_json_errors() {
        let near = ApiError::SocketRefused(Refusal::NotNearFront {
            ahead: 30,
            zone: 20,
        });
        assert_eq!((near.status(), near.code()), (409, "not_near_front"));
        assert!(
            near.message().contains("30 fans are ahead"),
            "{}",
            near.message()
        );
        let reached = ApiError::SocketRefused(Refusal::TurnReached);
        assert_eq!((reached.status(), reached.code()), (409, "turn_reached"));
        let closed = ApiError::SocketRefused(Refusal::Closed);
        assert_eq!((closed.status(), closed.code()), (410, "closed"));
        assert_eq!(
            (
                ApiError::UpgradeRequired.status(),
                ApiError::UpgradeRequired.code()
            ),
            (426, "upgrade_required")
        );
    }

    #[test]
    fn error_bodies_keep_their_shape() {
        assert_eq!(
            body(ApiError::NotFound),
            json!({"error": "not_found", "message": "no such resource"})
        );
        assert_eq!(
            body(ApiError::InvalidField {
                field: "limit",
                message: "must be between 1 and 1000".into()
            }),
            json!({"error": "invalid_field", "message": "limit must be between 1 and 1000", "field": "limit"})
        );
        assert_eq!(
            body(ApiError::Queue(QueueError::NotOpen { opens_at: None }))["opens_at"],
            json!(null)
        );
        assert_eq!(
            body(ApiError::Queue(QueueError::NotOpen {
                opens_at: Some(UnixMillis::from_secs(0))
            }))["opens_at"],
            json!("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            body(ApiError::Queue(QueueError::BadPullSize { max: 101 }))["field"],
            json!("max")
        );
        let not_pull = ApiError::Queue(QueueError::NotPullMode {
            admission: Admission::Rate { per_minute: 60 },
        });
        assert_eq!(not_pull.status(), 409);
        let not_pull = body(not_pull);
        assert_eq!(
            (&not_pull["error"], &not_pull["admission"]),
            (
                &json!("admission_mode"),
                &json!({"mode": "rate", "per_minute": 60})
            )
        );
        assert!(not_pull["message"]
            .as_str()
            .unwrap()
            .contains("rate (60 a minute)"));
    }

    #[test]
    fn a_busy_page_waits_twice_as_long_each_try_in_a_row_up_to_a_minute() {
        assert_eq!(retry_after_backing_off(0.5, 0), (2_000, 2));
        assert_eq!(retry_after_backing_off(0.5, 1), (4_000, 4));
        assert_eq!(retry_after_backing_off(0.5, 4), (32_000, 32));
        assert_eq!(retry_after_backing_off(0.5, 5), (60_000, 60));
        assert_eq!(retry_after_backing_off(1.0, u32::MAX), (60_000, 60));
        let waits: Vec<u64> = (0..10).map(|t| retry_after_backing_off(0.3, t).0).collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    }

    #[test]
    fn a_retry_is_asked_for_after_one_to_three_seconds() {
        assert_eq!(retry_after(0.0), (1_000, 1));
        assert_eq!(retry_after(0.5), (2_000, 2));
        assert_eq!(retry_after(0.9999), (2_999, 3));
        assert_eq!(retry_after(1.0), (3_000, 3));
        let busy = ApiError::Busy("the coordinator timed out".into());
        assert_eq!((busy.status(), busy.code()), (503, "busy"));
        assert_eq!(
            body(ApiError::Busy("x".into()))["message"],
            json!("busy: nothing was recorded; try again shortly")
        );
    }
}
