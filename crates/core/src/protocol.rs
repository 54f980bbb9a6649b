//! What the edge asks a sale's coordinator, and what it answers: JSON over the Durable Object's
//! fetch. Both sides are in this workspace, so both use these types.

use crate::coordinator::{
    Assignment, AssignmentState, Claim, Joined, MinuteStats, Pulled, QueueError, Stats,
};
use crate::ids::{FanId, RequestId, SaleId, Seq, WindowId};
use crate::sale::{Phase, SaleSettings};
use crate::snapshot::{SaleView, Snapshot};
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Create or update the sale. `fan_salt` is used only when creating.
    Upsert {
        id: SaleId,
        settings: SaleSettings,
        fan_salt: String,
    },
    Open,
    Pause,
    Close,
    Join {
        existing: Option<Seq>,
    },
    Claim {
        seq: Seq,
    },
    Pull {
        window: WindowId,
        max: u32,
        request_id: Option<RequestId>,
    },
    Complete {
        fan_id: FanId,
    },
    Release {
        fan_id: FanId,
    },
    Snapshot,
    Report,
    Assignments {
        window: Option<WindowId>,
        state: Option<AssignmentState>,
        limit: usize,
    },
}

impl Command {
    /// A short name for counting requests by kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Upsert { .. } => "upsert",
            Command::Open => "open",
            Command::Pause => "pause",
            Command::Close => "close",
            Command::Join { .. } => "join",
            Command::Claim { .. } => "claim",
            Command::Pull { .. } => "pull",
            Command::Complete { .. } => "complete",
            Command::Release { .. } => "release",
            Command::Snapshot => "snapshot",
            Command::Report => "report",
            Command::Assignments { .. } => "assignments",
        }
    }
}

/// A sale as promoters see it: settings, phase and live numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleReport {
    #[serde(flatten)]
    pub sale: SaleView,
    pub phase: Phase,
    #[serde(with = "rfc3339")]
    pub created_at: UnixMillis,
    #[serde(with = "rfc3339")]
    pub updated_at: UnixMillis,
    pub stats: Stats,
    /// Requests the coordinator has served, in all and by kind.
    pub coordinator_requests: u64,
    pub coordinator_requests_by_kind: std::collections::BTreeMap<String, u64>,
    /// Arrivals and admissions per minute since the sale began.
    pub minutes: Vec<MinuteStats>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Upserted {
        created: bool,
        report: Box<SaleReport>,
    },
    Report(Box<SaleReport>),
    Joined(Joined),
    Claim(Claim),
    Pulled(Pulled),
    Assignment(Assignment),
    Assignments {
        assignments: Vec<Assignment>,
    },
    Snapshot(Snapshot),
}

/// The coordinator's answer on the wire.
pub type Answer = Result<Reply, QueueError>;
