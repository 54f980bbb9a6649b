//! What the edge asks a sale's coordinator, and what it answers: JSON over the Durable Object's
//! fetch. Both sides are in this workspace, so both use these types.

use crate::coordinator::{
    Assignment, AssignmentState, BlockLease, Claim, Joined, MinuteStats, Pulled, QueueError, Stats,
};
use crate::ids::{FanId, RequestId, SaleId, Seq, WindowId};
use crate::sale::{FanSalt, Phase, SaleSettings};
use crate::snapshot::{SaleView, Snapshot};
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// An arrival shard leases its next block of numbers, closing its last one.
    LeaseBlock {
        shard: u32,
        closing: Option<(Seq, u64)>,
        want: u64,
        /// The shard's stored state could not be read and was replaced by a fresh one: counted
        /// in the sale's `bad_records` (the block it held is closed as lost).
        #[serde(default)]
        replaced_unreadable: bool,
    },
    /// An arrival shard reports a block closed because its time is up.
    CloseBlock {
        shard: u32,
        start: Seq,
        used: u64,
    },
    /// These fans near the front polled: they are still there.
    Present {
        seqs: Vec<Seq>,
    },
    /// Create or update the sale. `fan_salt` is used only when creating.
    Upsert {
        id: SaleId,
        settings: SaleSettings,
        fan_salt: FanSalt,
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
            Command::LeaseBlock { .. } => "lease_block",
            Command::CloseBlock { .. } => "close_block",
            Command::Present { .. } => "present",
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
    /// Stored records that could not be read (skipped, logged and counted) since the coordinator
    /// last loaded: rows skipped at load, lookups that hit one, and arrival shards whose state was
    /// unreadable. The same record can count again at the next load or lookup.
    pub bad_records: u64,
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
    Lease(BlockLease),
    Done,
}

/// What the edge asks an arrival shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ShardCommand {
    /// Number a new fan of `sale`; this object is arrival shard `shard` of the sale.
    Join { sale: SaleId, shard: u32 },
}

/// A fan numbered by an arrival shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardJoined {
    pub fan_id: FanId,
    pub seq: Seq,
}

/// The coordinator's answer on the wire.
pub type Answer = Result<Reply, QueueError>;
