//! Every way a request can fail, mapped to HTTP in one place.

use serde_json::{json, Value};
use waitroom_core::secrets::ConfigError;
use waitroom_core::token::TokenError;
use waitroom_core::{AssignmentState, IdError, QueueError, SettingsError};
use worker::Response;

#[derive(Debug)]
pub enum ApiError {
    NotFound,
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
    BadToken(TokenError),
    Queue(QueueError),
    /// A secret is missing or weak: the operator's mistake, reported by name.
    Misconfigured(ConfigError),
    /// Storage, a Durable Object or the runtime failed.
    Internal(String),
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
            ApiError::NotFound => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::BadSaleId(_)
            | ApiError::BadId { .. }
            | ApiError::BadJson(_)
            | ApiError::InvalidField { .. } => 400,
            ApiError::BodyTooLarge { .. } => 413,
            ApiError::Unauthorized | ApiError::BadToken(_) => 401,
            ApiError::Queue(q) => match q {
                QueueError::SaleNotFound | QueueError::AssignmentNotFound => 404,
                QueueError::NotOpen { .. }
                | QueueError::AlreadyClosed
                | QueueError::AssignmentFinished { .. }
                | QueueError::RequestIdReused => 409,
                QueueError::Closed => 410,
                QueueError::BadPullSize { .. } => 400,
                QueueError::SaleUnavailable | QueueError::Busy => 503,
            },
            ApiError::Misconfigured(_) | ApiError::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::BadSaleId(_) => "bad_sale_id",
            ApiError::BadId { .. } => "invalid_field",
            ApiError::BadJson(_) => "bad_json",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::Unauthorized => "unauthorized",
            ApiError::BadToken(_) => "bad_token",
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
                QueueError::BadPullSize { .. } => "invalid_field",
                QueueError::SaleUnavailable => "sale_unavailable",
                QueueError::Busy => "busy",
            },
            ApiError::Misconfigured(_) => "server_misconfigured",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::NotFound => "no such resource".into(),
            ApiError::MethodNotAllowed { allow } => format!("use {allow}"),
            ApiError::BadSaleId(e) => e.to_string(),
            ApiError::BadId { field, error } => format!("{field}: {error}"),
            ApiError::BadJson(m) => format!("the body is not the expected JSON: {m}"),
            ApiError::BodyTooLarge { limit } => format!("the body is larger than {limit} bytes"),
            ApiError::InvalidField { field, message } => format!("{field} {message}"),
            ApiError::Unauthorized => "a valid bearer key for this API is required".into(),
            ApiError::BadToken(e) => e.to_string(),
            ApiError::Queue(e) => e.to_string(),
            ApiError::Misconfigured(e) => format!("the server is misconfigured: {}", e.name),
            ApiError::Internal(_) => "something went wrong on our side; try again".into(),
        }
    }

    /// Extra members of the error body.
    fn details(&self) -> Option<(&'static str, Value)> {
        match self {
            ApiError::InvalidField { field, .. } | ApiError::BadId { field, .. } => {
                Some(("field", json!(field)))
            }
            ApiError::Queue(QueueError::BadPullSize { .. }) => Some(("field", json!("max"))),
            ApiError::Queue(QueueError::NotOpen { opens_at }) => {
                Some(("opens_at", json!(opens_at.map(|t| t.to_rfc3339()))))
            }
            _ => None,
        }
    }

    /// The JSON body `{"error", "message", ...}`.
    pub fn body(&self) -> Value {
        let mut body = json!({ "error": self.code(), "message": self.message() });
        if let Some((key, value)) = self.details() {
            body[key] = value;
        }
        body
    }

    pub fn into_response(self) -> Response {
        match &self {
            ApiError::Misconfigured(e) => worker::console_error!("configuration error: {e}"),
            ApiError::Internal(e) => worker::console_error!("internal error: {e}"),
            _ => {}
        }
        let mut response = crate::http::json(self.status(), &self.body());
        if let ApiError::MethodNotAllowed { allow } = self {
            let _ = response.headers_mut().set("Allow", allow);
        }
        if self.status() == 503 {
            let _ = response.headers_mut().set("Retry-After", "1");
        }
        response
    }
}
