//! Why the coordinator refuses an operation.

use crate::queue::limits::MAX_PULL;
use crate::queue::records::AssignmentState;
use crate::sale::admission::Admission;
use crate::time::{rfc3339, UnixMillis};
use serde::Serialize;
use std::fmt;

/// Why the coordinator refused an operation. Each maps to one HTTP answer at the edge.
// Deserialize: `tag_first!` below (the tag read first, no serde `Content` buffering).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueueError {
    SaleNotFound,
    /// Joins and pauses need an open sale.
    NotOpen {
        #[serde(with = "rfc3339::option")]
        opens_at: Option<UnixMillis>,
    },
    /// The sale is closed: no joins.
    Closed,
    /// `open` on a closed sale: closing is final.
    AlreadyClosed,
    AssignmentNotFound,
    /// A `complete` or `release` on an assignment that is already finished.
    AssignmentFinished {
        state: AssignmentState,
    },
    /// A `request_id` was reused with a different window or size.
    RequestIdReused,
    /// A pull asked for no fans or too many.
    BadPullSize {
        max: u32,
    },
    /// A window pulled from a sale whose admission mode is not `pull`: the coordinator admits
    /// its fans itself (by rate or capacity), so windows get nobody.
    NotPullMode {
        admission: Admission,
    },
    /// The sale's own settings (or its line counter) cannot be read from storage: every request
    /// to this sale is refused until an operator repairs it. Other sales are not affected.
    SaleUnavailable,
    /// The pre-queue has opened: its window (`prequeue_opens_at`, `opens_at`) is fixed, and the
    /// sale opens (and is drawn) at `opens_at`, not by `open` or `pause`.
    PrequeueFixed,
    /// The request could not be served now (an arrival shard got no usable block after
    /// [`crate::machines::shard::MAX_LEASE_ATTEMPTS`] leases, or could not reach the coordinator); nothing
    /// was recorded: try again shortly.
    Busy,
    /// A change of `shards` for an invitation-only sale whose line has begun: members' places are
    /// kept by the shard a hash of the member picks among `shards`, so another count would send
    /// members to shards that do not know them (a second place).
    ShardsFixed,
    /// The proof of work a join was paid with was spent before (see [`crate::fairness::pow`]).
    PowSpent,
    /// `shards` changed less than [`crate::queue::snapshot::SHARDS_CHANGE_SETTLES_MS`] ago: the solutions
    /// handed out before that change are still spent by the count before it
    /// ([`crate::queue::snapshot::home_shard`]), so another change waits until `until`.
    ShardsChanging {
        #[serde(with = "rfc3339")]
        until: UnixMillis,
    },
    /// The sale has no assisted lane.
    AssistUnavailable,
    /// The sale's assisted lane is full: `max_places` fans have it.
    AssistFull {
        max_places: u32,
    },
    /// The fan's turn came already (or their place ended): the lane is asked for while waiting.
    AssistTooLate,
    /// The token's hand no longer holds the place: it moved to another device (docs/api.md,
    /// "Move my place").
    PlaceMoved,
    /// The place has moved `max` times already.
    MovesUsedUp {
        max: u8,
    },
    /// The place cannot move any more: its turn was claimed (the pass is out) or it ended.
    TurnTaken,
}

crate::tag_first! { QueueError, "kind", {
    "sale_not_found" => [SaleNotFound],
    "not_open" => [NotOpen { #[serde(with = "rfc3339::option")] opens_at: Option<UnixMillis> }],
    "closed" => [Closed],
    "already_closed" => [AlreadyClosed],
    "assignment_not_found" => [AssignmentNotFound],
    "assignment_finished" => [AssignmentFinished { state: AssignmentState }],
    "request_id_reused" => [RequestIdReused],
    "bad_pull_size" => [BadPullSize { max: u32 }],
    "not_pull_mode" => [NotPullMode { admission: Admission }],
    "sale_unavailable" => [SaleUnavailable],
    "prequeue_fixed" => [PrequeueFixed],
    "busy" => [Busy],
    "shards_fixed" => [ShardsFixed],
    "pow_spent" => [PowSpent],
    "shards_changing" => [ShardsChanging { #[serde(with = "rfc3339")] until: UnixMillis }],
    "assist_unavailable" => [AssistUnavailable],
    "assist_full" => [AssistFull { max_places: u32 }],
    "assist_too_late" => [AssistTooLate],
    "place_moved" => [PlaceMoved],
    "moves_used_up" => [MovesUsedUp { max: u8 }],
    "turn_taken" => [TurnTaken],
} }

impl From<crate::fairness::pow::SpendError> for QueueError {
    fn from(e: crate::fairness::pow::SpendError) -> Self {
        match e {
            crate::fairness::pow::SpendError::Spent => QueueError::PowSpent,
            crate::fairness::pow::SpendError::Full => QueueError::Busy,
        }
    }
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::SaleNotFound => f.write_str("no such sale"),
            QueueError::NotOpen { opens_at: Some(at) } => {
                write!(f, "the sale is not open yet; it opens at {at}")
            }
            QueueError::NotOpen { opens_at: None } => f.write_str("the sale is not open"),
            QueueError::Closed => f.write_str("the sale is closed"),
            QueueError::AlreadyClosed => f.write_str("the sale is closed and cannot be reopened"),
            QueueError::AssignmentNotFound => f.write_str("no assignment for that fan"),
            QueueError::AssignmentFinished { state } => {
                write!(f, "the assignment is already {}", state.as_str())
            }
            QueueError::RequestIdReused => {
                f.write_str("this request_id was used for a different pull")
            }
            QueueError::BadPullSize { max } => {
                write!(f, "max must be between 1 and {MAX_PULL}, not {max}")
            }
            QueueError::NotPullMode { admission } => write!(
                f,
                "this sale admits fans by {admission}, not by windows pulling; set its admission mode to pull to use windows"
            ),
            QueueError::SaleUnavailable => f.write_str(
                "this sale's stored settings cannot be read; an operator must repair it",
            ),
            QueueError::PrequeueFixed => f.write_str(
                "the pre-queue has opened: prequeue_opens_at and opens_at are fixed and the order is drawn at opens_at (close the sale to stop it)",
            ),
            QueueError::Busy => f.write_str("busy: nothing was recorded; try again shortly"),
            QueueError::PowSpent => f.write_str("this proof of work was used already"),
            QueueError::ShardsFixed => f.write_str(
                "shards of an invitation-only sale cannot change once fans have joined (members' places are kept per shard)",
            ),
            QueueError::AssistUnavailable => {
                f.write_str("this sale has no assisted lane")
            }
            QueueError::AssistFull { max_places } => write!(
                f,
                "all {max_places} assisted places of this sale are taken; your place in line is kept, with the usual time"
            ),
            QueueError::AssistTooLate => f.write_str(
                "the assisted lane is asked for while waiting in line; your turn has come already",
            ),
            QueueError::ShardsChanging { until } => write!(
                f,
                "shards changed less than 3 minutes ago (proof-of-work solutions handed out before still count by the old number); they can change again from {}",
                until.to_rfc3339()
            ),
            QueueError::PlaceMoved => f.write_str(
                "this place moved to another device: this token no longer holds it",
            ),
            QueueError::MovesUsedUp { max } => {
                write!(f, "this place has moved {max} times already, the most it may")
            }
            QueueError::TurnTaken => f.write_str(
                "this place cannot move: its turn was already claimed, or it ended",
            ),
        }
    }
}

impl std::error::Error for QueueError {}
