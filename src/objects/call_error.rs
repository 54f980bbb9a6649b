//! Why a call to a Durable Object brought no answer ([`CallError`]), and what the edge answers
//! the client for it (its [`ApiError`]).

use crate::error::ApiError;
use std::fmt;
use waitroom_core::QueueError;

/// Why a call to a Durable Object brought no answer.
#[derive(Debug)]
pub enum CallError {
    /// The runtime could not reach the object (or encode the request).
    Transport(String),
    /// The object answered with an HTTP error instead of a protocol answer.
    Status {
        binding: &'static str,
        status: u16,
        text: String,
    },
    /// The object's answer was not what the protocol says.
    Malformed {
        binding: &'static str,
        error: String,
    },
    /// The object refused the command: its answer.
    Refused(QueueError),
    /// Not asked: what the edge knows cannot say yet (the list of sales is out of date).
    Busy(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Transport(e) => f.write_str(e),
            CallError::Status {
                binding,
                status,
                text,
            } => write!(f, "{binding} answered {status}: {text}"),
            CallError::Malformed { binding, error } => {
                write!(f, "{binding} answered badly: {error}")
            }
            CallError::Refused(refusal) => write!(f, "refused: {refusal}"),
            CallError::Busy(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for CallError {}

impl From<worker::Error> for CallError {
    fn from(e: worker::Error) -> Self {
        CallError::Transport(e.to_string())
    }
}

impl From<CallError> for ApiError {
    /// An object that could not be reached, or failed (5xx: overloaded, reset, timed out, or a
    /// test's fault switch), is busy: the client tries again. A refusal is the answer. An object
    /// that answered something the protocol does not allow is our bug.
    fn from(e: CallError) -> Self {
        match e {
            CallError::Refused(refusal) => ApiError::Queue(refusal),
            CallError::Transport(_) | CallError::Busy(_) => ApiError::Busy(e.to_string()),
            CallError::Status { status, .. } if status >= 500 => ApiError::Busy(e.to_string()),
            CallError::Status { .. } | CallError::Malformed { .. } => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::{COORDINATOR_BINDING, SHARDS_BINDING};

    #[test]
    fn call_errors_are_busy_refusals_or_our_bug() {
        let status = |status| CallError::Status {
            binding: COORDINATOR_BINDING,
            status,
            text: String::new(),
        };
        let cases = [
            (CallError::Transport("reset".into()), "busy"),
            (status(500), "busy"),
            (status(503), "busy"),
            (status(400), "internal"),
            (
                CallError::Malformed {
                    binding: SHARDS_BINDING,
                    error: "x".into(),
                },
                "internal",
            ),
            (
                CallError::Refused(QueueError::SaleNotFound),
                "sale_not_found",
            ),
            (CallError::Refused(QueueError::Closed), "closed"),
        ];
        for (error, code) in cases {
            let shown = error.to_string();
            assert_eq!(ApiError::from(error).code(), code, "{shown}");
        }
    }
}
