//! Every way a request can fail, mapped to HTTP in one place.

use crate::response;
use serde::Serialize;
use waitroom_core::fairness::invitation::InvitationError;
use waitroom_core::fairness::pow::{Challenge, PowError};
use waitroom_core::fairness::turnstile::TurnstileError;
use waitroom_core::keys::device::DeviceError;
use waitroom_core::keys::move_link::MoveLinkError;
use waitroom_core::keys::secrets::ConfigError;
use waitroom_core::keys::token::TokenError;
use waitroom_core::queue::socket::Refusal;
use waitroom_core::sale::admission::Admission;
use waitroom_core::time::rfc3339;
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
    /// A protected path's origin did not answer (path protection); the cause is logged.
    OriginUnreachable(String),
    /// A socket the fan may not hold (yet): they keep polling.
    SocketRefused(Refusal),
    /// A move link that is not this sale's (or altered), or expired (docs/api.md, "Move my
    /// place").
    MoveLink(MoveLinkError),
    /// A party link that is not this sale's (or altered), or expired (docs/api.md, "Come as a
    /// party").
    PartyLink(MoveLinkError),
    /// A place bound to a device: a key missing or malformed, or its turn asked for without a
    /// proof that the rule accepts (docs/api.md, "Bound to this device").
    Device(DeviceError),
    /// A socket for a place bound to a device: its turn comes by the status poll with a proof.
    SocketBound,
    /// A sale's `PUT` would protect paths (path protection) beyond the most protected sales the
    /// registry lists at once (`max`); nothing changed.
    TooManyProtected {
        max: u64,
    },
}

impl From<DeviceError> for ApiError {
    fn from(e: DeviceError) -> Self {
        ApiError::Device(e)
    }
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

/// How one error answers: its status, code, words and extra members ([`ApiError::answer`]).
struct Answer {
    status: u16,
    code: &'static str,
    message: String,
    detail: Option<ErrorDetail>,
}

/// One row of the table: an answer without extra members.
fn row(status: u16, code: &'static str, message: impl Into<String>) -> Answer {
    Answer {
        status,
        code,
        message: message.into(),
        detail: None,
    }
}

impl Answer {
    fn with(self, detail: ErrorDetail) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }
}

impl ApiError {
    /// The one table of every error's answer: status, code, message and extra members, a row
    /// per kind of error (a new kind is one new row).
    fn answer(&self) -> Answer {
        use ApiError as E;
        use QueueError as Q;
        match self {
            E::NotFound => row(404, "not_found", "no such resource"),
            E::NoDraw => row(404, "no_draw", "this sale has no pre-queue, so no draw"),
            E::MethodNotAllowed { allow } => {
                row(405, "method_not_allowed", format!("use {allow}"))
            }
            E::BadSaleId(e) => row(400, "bad_sale_id", e.to_string()),
            E::BadId { field, error } => {
                row(400, "invalid_field", format!("{field}: {error}"))
                    .with(ErrorDetail::Field { field })
            }
            E::BadJson(m) => row(400, "bad_json", format!("the body is not the expected JSON: {m}")),
            E::BodyTooLarge { limit } => row(
                413,
                "body_too_large",
                format!("the body is larger than {limit} bytes"),
            ),
            E::InvalidField { field, message } => {
                row(400, "invalid_field", format!("{field} {message}"))
                    .with(ErrorDetail::Field { field })
            }
            E::Unauthorized => row(
                401,
                "unauthorized",
                "a valid bearer key for this API is required",
            ),
            E::CrossSite => row(403, "cross_site", "another site may not make this request"),
            E::InvitationRequired => row(
                403,
                "invitation_required",
                "this sale is by invitation only: join with your invitation",
            ),
            E::BadInvitation(e) => row(401, "bad_invitation", e.to_string()),
            E::BadToken(e) => row(401, "bad_token", e.to_string()),
            E::Turnstile(e @ TurnstileError::Required) => {
                row(403, "turnstile_required", e.to_string())
            }
            E::Turnstile(e @ TurnstileError::Invalid(_)) => {
                row(403, "turnstile_invalid", e.to_string())
            }
            E::TurnstileUnavailable(_) => row(
                503,
                "turnstile_unavailable",
                "the Turnstile check cannot be made right now: nothing was recorded; try again later",
            ),
            E::Pow { error, challenge } => {
                let code = match error {
                    PowError::Required => "pow_required",
                    _ => "pow_invalid",
                };
                row(403, code, error.to_string()).with(ErrorDetail::Challenge {
                    pow: challenge.clone(),
                })
            }
            E::RateLimited { retry_after_ms } => row(
                429,
                "rate_limited",
                "too many requests for a place from your address: try again later",
            )
            .with(ErrorDetail::RetryAfter {
                retry_after_ms: *retry_after_ms,
            }),
            E::Queue(q) => {
                let said = q.to_string();
                match q {
                    Q::SaleNotFound => row(404, "sale_not_found", said),
                    Q::NotOpen { opens_at } => row(409, "not_open", said).with(
                        ErrorDetail::OpensAt {
                            opens_at: *opens_at,
                        },
                    ),
                    Q::Closed => row(410, "closed", said),
                    Q::AlreadyClosed => row(409, "already_closed", said),
                    Q::AssignmentNotFound => row(404, "assignment_not_found", said),
                    Q::AssignmentFinished { state } => {
                        let code = match state {
                            AssignmentState::Completed => "already_completed",
                            AssignmentState::Released => "already_released",
                            AssignmentState::Lapsed => "lapsed",
                            AssignmentState::Left => "left",
                            AssignmentState::Assigned => "already_assigned",
                            AssignmentState::Expired => "expired",
                        };
                        row(409, code, said)
                    }
                    Q::RequestIdReused => row(409, "request_id_reused", said),
                    Q::PrequeueFixed => row(409, "prequeue_fixed", said),
                    Q::BadPullSize { .. } => {
                        row(400, "invalid_field", said).with(ErrorDetail::Field { field: "max" })
                    }
                    Q::NotPullMode { admission } => row(409, "admission_mode", said).with(
                        ErrorDetail::Admission {
                            admission: *admission,
                        },
                    ),
                    Q::SaleUnavailable => row(503, "sale_unavailable", said),
                    Q::Busy => row(503, "busy", said),
                    Q::PowSpent => row(403, "pow_invalid", said),
                    Q::ShardsFixed => row(409, "shards_fixed", said),
                    Q::AssistUnavailable => row(409, "assist_unavailable", said),
                    Q::AssistFull { .. } => row(409, "assist_full", said),
                    Q::AssistTooLate => row(409, "assist_too_late", said),
                    Q::ShardsChanging { .. } => row(409, "shards_changing", said),
                    Q::DeviceProofInvalid => row(401, "device_proof_invalid", said),
                    Q::PlaceMoved => row(409, "place_moved", said),
                    Q::MovesUsedUp { .. } => row(409, "moves_used_up", said),
                    Q::TurnTaken => row(409, "turn_taken", said),
                    Q::PartyOff => row(409, "party_off", said),
                    Q::PartyFull => row(409, "party_full", said),
                    Q::InAParty => row(409, "in_a_party", said),
                    Q::NotAMember => row(409, "not_a_member", said),
                }
            }
            E::Busy(_) => row(503, "busy", QueueError::Busy.to_string()),
            E::Misconfigured(e) => row(
                500,
                "server_misconfigured",
                format!("the server is misconfigured: {}", e.name),
            ),
            E::Internal(_) => row(500, "internal", "something went wrong on our side; try again"),
            E::OriginUnreachable(_) => row(
                502,
                "origin_unreachable",
                "the site behind the waiting room did not answer; try again",
            ),
            E::UpgradeRequired => row(
                426,
                "upgrade_required",
                "this endpoint is a WebSocket: send Upgrade: websocket",
            ),
            E::Device(e) => {
                let (status, code) = match e {
                    DeviceError::KeyRequired => (400, "device_key_required"),
                    DeviceError::BadKey => (400, "bad_device_key"),
                    DeviceError::ProofRequired => (401, "device_proof_required"),
                    DeviceError::Malformed
                    | DeviceError::OtherKey
                    | DeviceError::OtherPlace
                    | DeviceError::Stale
                    | DeviceError::BadSignature => (401, "device_proof_invalid"),
                };
                row(status, code, e.to_string())
            }
            E::TooManyProtected { max } => row(
                409,
                "too_many_protected",
                format!("at most {max} sales may protect paths at once; nothing was changed"),
            )
            .with(ErrorDetail::Field { field: "protect" }),
            E::SocketBound => row(
                409,
                "device_bound",
                "this place is bound to its device: its turn comes by the status poll with a Device-Proof, not by a socket",
            ),
            E::SocketRefused(r) => {
                let (status, message) = match r {
                    Refusal::NotNearFront { ahead, zone } => (
                        409,
                        format!(
                            "{ahead} fans are ahead of you; a socket is for the {zone} nearest the front: keep polling the status"
                        ),
                    ),
                    Refusal::TurnReached => (
                        409,
                        "your number was reached: poll the status for your turn".into(),
                    ),
                    Refusal::NotInLine => (409, "this token holds no place in line".into()),
                    Refusal::Closed => (410, QueueError::Closed.to_string()),
                    Refusal::Full
                    | Refusal::AddressFull
                    | Refusal::TestFault
                    | Refusal::PartyMember => {
                        (503, "no socket is free: keep polling the status".into())
                    }
                    Refusal::Replaced => (
                        409,
                        "a newer socket of this fan took this one's place".into(),
                    ),
                    Refusal::Moved => (409, QueueError::PlaceMoved.to_string()),
                };
                row(status, r.reason(), message)
            }
            E::MoveLink(MoveLinkError::Invalid) => row(
                400,
                "move_link_invalid",
                "this is not a link to move a place of this sale",
            ),
            E::MoveLink(MoveLinkError::Expired) => row(
                410,
                "move_link_expired",
                "this link to move a place has expired: ask for a new one on the device that holds the place",
            ),
            E::PartyLink(MoveLinkError::Invalid) => row(
                400,
                "party_link_invalid",
                "not a party link of this sale",
            ),
            E::PartyLink(MoveLinkError::Expired) => row(
                410,
                "party_link_expired",
                "this party link has expired",
            ),
        }
    }

    pub fn status(&self) -> u16 {
        self.answer().status
    }

    pub fn code(&self) -> &'static str {
        self.answer().code
    }

    pub fn message(&self) -> String {
        self.answer().message
    }

    /// The JSON body `{"error", "message", ...}`.
    pub fn body(&self) -> ErrorBody {
        let Answer {
            code,
            message,
            detail,
            ..
        } = self.answer();
        ErrorBody {
            error: code,
            message,
            detail,
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
            ApiError::OriginUnreachable(e) => {
                worker::console_warn!("request {request_id}: origin unreachable: {e}")
            }
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

/// For logs: the error's code and message, as its JSON body says them (its `Debug` would link
/// every variant's field names into the edge module).
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let answer = self.answer();
        write!(f, "{}: {}", answer.code, answer.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(e: ApiError) -> serde_json::Value {
        serde_json::to_value(e.body()).unwrap()
    }

    /// The table, row by row: each kind of error and its status and code (the HTTP contract,
    /// docs/api.md), and its body's extra members where it has them.
    #[test]
    fn every_error_answers_its_status_and_code() {
        use waitroom_core::fairness::turnstile::TurnstileRefusal as Siteverify;
        let id_error = waitroom_core::SaleId::parse("Bad Id").unwrap_err();
        let pow = waitroom_core::fairness::pow::issue(
            &waitroom_core::keys::pow_key::PowKey::new([1; 32]),
            &waitroom_core::SaleId::parse("s").unwrap(),
            waitroom_core::fairness::pow::PowBits::OFF,
            UnixMillis(0),
            [0; 9],
        );
        let queue = |q: QueueError| ApiError::Queue(q);
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::NotFound, 404, "not_found"),
            (ApiError::NoDraw, 404, "no_draw"),
            (
                ApiError::MethodNotAllowed { allow: "GET" },
                405,
                "method_not_allowed",
            ),
            (ApiError::BadSaleId(id_error.clone()), 400, "bad_sale_id"),
            (
                ApiError::BadId {
                    field: "window",
                    error: id_error,
                },
                400,
                "invalid_field",
            ),
            (ApiError::BadJson("x".into()), 400, "bad_json"),
            (ApiError::BodyTooLarge { limit: 1 }, 413, "body_too_large"),
            (
                ApiError::InvalidField {
                    field: "name",
                    message: "x".into(),
                },
                400,
                "invalid_field",
            ),
            (ApiError::Unauthorized, 401, "unauthorized"),
            (ApiError::CrossSite, 403, "cross_site"),
            (ApiError::InvitationRequired, 403, "invitation_required"),
            (ApiError::BadToken(TokenError::Malformed), 401, "bad_token"),
            (
                ApiError::Turnstile(TurnstileError::Required),
                403,
                "turnstile_required",
            ),
            (
                ApiError::Turnstile(TurnstileError::Invalid(Siteverify::NotPassed)),
                403,
                "turnstile_invalid",
            ),
            (
                ApiError::TurnstileUnavailable("x".into()),
                503,
                "turnstile_unavailable",
            ),
            (
                ApiError::Pow {
                    error: PowError::Required,
                    challenge: pow.clone(),
                },
                403,
                "pow_required",
            ),
            (
                ApiError::Pow {
                    error: PowError::Spent,
                    challenge: pow,
                },
                403,
                "pow_invalid",
            ),
            (
                ApiError::RateLimited { retry_after_ms: 1 },
                429,
                "rate_limited",
            ),
            (queue(QueueError::SaleNotFound), 404, "sale_not_found"),
            (
                queue(QueueError::NotOpen { opens_at: None }),
                409,
                "not_open",
            ),
            (queue(QueueError::Closed), 410, "closed"),
            (queue(QueueError::AlreadyClosed), 409, "already_closed"),
            (
                queue(QueueError::AssignmentNotFound),
                404,
                "assignment_not_found",
            ),
            (
                queue(QueueError::AssignmentFinished {
                    state: AssignmentState::Lapsed,
                }),
                409,
                "lapsed",
            ),
            (
                queue(QueueError::AssignmentFinished {
                    state: AssignmentState::Completed,
                }),
                409,
                "already_completed",
            ),
            (queue(QueueError::RequestIdReused), 409, "request_id_reused"),
            (queue(QueueError::PrequeueFixed), 409, "prequeue_fixed"),
            (
                queue(QueueError::BadPullSize { max: 0 }),
                400,
                "invalid_field",
            ),
            (
                queue(QueueError::NotPullMode {
                    admission: Admission::Rate { per_minute: 1 },
                }),
                409,
                "admission_mode",
            ),
            (queue(QueueError::SaleUnavailable), 503, "sale_unavailable"),
            (queue(QueueError::Busy), 503, "busy"),
            (queue(QueueError::PowSpent), 403, "pow_invalid"),
            (
                queue(QueueError::DeviceProofInvalid),
                401,
                "device_proof_invalid",
            ),
            (DeviceError::KeyRequired.into(), 400, "device_key_required"),
            (DeviceError::BadKey.into(), 400, "bad_device_key"),
            (
                DeviceError::ProofRequired.into(),
                401,
                "device_proof_required",
            ),
            (DeviceError::Stale.into(), 401, "device_proof_invalid"),
            (DeviceError::OtherKey.into(), 401, "device_proof_invalid"),
            (ApiError::SocketBound, 409, "device_bound"),
            (
                ApiError::TooManyProtected { max: 200 },
                409,
                "too_many_protected",
            ),
            (queue(QueueError::ShardsFixed), 409, "shards_fixed"),
            (
                queue(QueueError::ShardsChanging {
                    until: UnixMillis(0),
                }),
                409,
                "shards_changing",
            ),
            (ApiError::Busy("x".into()), 503, "busy"),
            (ApiError::Internal("x".into()), 500, "internal"),
            (ApiError::UpgradeRequired, 426, "upgrade_required"),
            (
                ApiError::SocketRefused(Refusal::TurnReached),
                409,
                "turn_reached",
            ),
            (ApiError::SocketRefused(Refusal::Closed), 410, "closed"),
            (ApiError::SocketRefused(Refusal::Full), 503, "sockets_full"),
            (
                ApiError::SocketRefused(Refusal::AddressFull),
                503,
                "address_sockets_full",
            ),
            (ApiError::SocketRefused(Refusal::Replaced), 409, "replaced"),
            (ApiError::SocketRefused(Refusal::Moved), 409, "place_moved"),
            (queue(QueueError::PlaceMoved), 409, "place_moved"),
            (
                queue(QueueError::MovesUsedUp { max: 3 }),
                409,
                "moves_used_up",
            ),
            (queue(QueueError::TurnTaken), 409, "turn_taken"),
            (
                ApiError::MoveLink(MoveLinkError::Invalid),
                400,
                "move_link_invalid",
            ),
            (
                ApiError::MoveLink(MoveLinkError::Expired),
                410,
                "move_link_expired",
            ),
        ];
        for (error, status, code) in cases {
            assert_eq!((error.status(), error.code()), (status, code), "{error:?}");
            assert_eq!(body(error)["error"], code);
        }
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
