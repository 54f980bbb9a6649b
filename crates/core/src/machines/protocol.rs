//! What the edge asks a sale's coordinator, and what it answers: JSON over the Durable Object's
//! fetch. Both sides are in this workspace, so both use these types.
//!
//! During a gradual deploy two releases serve at once: an old edge may call a new object and a
//! new edge an old one. So the protocol is versioned ([`ProtocolVersion`], sent in the
//! [`PROTOCOL_HEADER`] request header) and evolves by one rule: **version N+1 sends only what
//! version N decodes** (new fields have serde defaults, no variant or field is renamed or
//! removed), and an object answers the current version and the previous one (version 1 is the
//! JSON of the releases before versioning, sent with no header). A sender more than one version
//! behind is refused, so a protocol change that is not additive takes two releases.

use crate::fairness::pow::Verified;
use crate::ids::{FanId, Position, RequestId, SaleId, Seq, SeqRange, WindowId};
use crate::machines::edge_block::EdgeReport;
use crate::machines::finish_many::FinishedMany;
use crate::queue::draw::DrawKey;
use crate::queue::{
    Assignment, AssignmentState, BlockLease, Claim, Joined, MinuteStats, Pulled, QueueError, Stats,
};
use crate::sale::{FanSalt, Phase, SaleSettings};
use crate::time::{rfc3339, UnixMillis};
use crate::{queue::snapshot::Snapshot, sale::SaleView};
use serde::{Deserialize, Serialize};

// One value per request, decoded and moved once: boxing the settings would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// An arrival shard leases its next block of numbers, closing its last one.
    LeaseBlock {
        shard: u32,
        /// The block it closes: its start, and how many of its numbers went to fans.
        closing: Option<SeqRange>,
        want: u64,
        /// The shard's stored state could not be read and was replaced by a fresh one: counted
        /// in the sale's `bad_records` (the block it held is closed as lost).
        #[serde(default)]
        replaced_unreadable: bool,
        /// Unused numbers inside the closing block's used prefix (the unused tails of sub-blocks
        /// lent to edge isolates): gaps at once. An older coordinator ignores them, and they
        /// read as fans who left.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        closing_gaps: Vec<SeqRange>,
        /// The shard's other blocks still waiting for their sub-blocks' reports: not lost.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keep_open: Vec<Seq>,
        /// Requests the shard served since it last said, for the sale's report.
        #[serde(default, skip_serializing_if = "ShardServed::is_empty")]
        served: ShardServed,
    },
    /// An arrival shard reports a block closed because its time is up.
    CloseBlock {
        shard: u32,
        start: Seq,
        used: u64,
        /// As [`Command::LeaseBlock`]'s `closing_gaps`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        gaps: Vec<SeqRange>,
        #[serde(default, skip_serializing_if = "ShardServed::is_empty")]
        served: ShardServed,
    },
    /// These fans near the front polled: they are still there. `positions` names fans by their
    /// line position instead (pre-queue fans after the draw, whose position the edge computed
    /// anyway: the coordinator then need not recompute the permutation for each).
    /// Fan `seq` asks for the sale's assisted lane.
    Assist {
        seq: Seq,
    },
    /// Places an edge isolate refused since it last said, by defence (at most one such request
    /// per isolate and sale every [`crate::fairness::refusals::REFUSALS_FLUSH_EVERY_MS`]).
    Refused {
        counts: crate::fairness::refusals::RefusedCounts,
    },
    Present {
        seqs: Vec<Seq>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        positions: Vec<Position>,
    },
    /// A protected sale's sessions an edge isolate issued since it last said (its safety net's
    /// counts, [`crate::protect::tally`]). An older coordinator refuses it: the edge logs that.
    Sessions {
        tally: crate::protect::SessionTally,
    },
    /// Create or update the sale. `fan_salt` is used only when creating.
    Upsert {
        id: SaleId,
        settings: SaleSettings,
        fan_salt: FanSalt,
        /// The pre-queue's draw key, should the sale need one: never sent over the wire; the
        /// coordinator object fills it from its own randomness for every upsert it receives.
        #[serde(skip)]
        draw_key: Option<Box<DrawKey>>,
    },
    Open,
    Pause,
    Close,
    Join {
        existing: Option<Seq>,
        /// The proof of work this new place was paid with: refused if it was spent before.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pow: Option<Verified>,
    },
    Claim {
        seq: Seq,
        /// The hand the fan's token was issued for (docs/api.md, "Move my place"): a claim from
        /// a hand the place moved away from is refused ([`QueueError::PlaceMoved`]). An older
        /// edge sends none: hand 0, the place's first.
        #[serde(default, skip_serializing_if = "is_first_hand")]
        hand: u8,
    },
    /// Fan `seq`'s place, held by the token of `hand`, moves to another device (answered
    /// [`Reply::Moved`] with its new hand). Sent only by the move route, so an object of an
    /// older release (which refuses it) fails nothing else during a gradual deploy.
    Move {
        seq: Seq,
        hand: u8,
    },
    /// The claim of a place bound to a device ([`crate::keys::device`]): answered as `Claim` once
    /// the proof verifies (signature included), refused before anything changes otherwise. A
    /// variant of its own, so an object of a release before binding refuses it rather than hand
    /// the turn without checking.
    ClaimBound {
        seq: Seq,
        /// As `Claim`'s: checked first, before the proof.
        #[serde(default, skip_serializing_if = "is_first_hand")]
        hand: u8,
        device: DeviceClaim,
    },
    /// A move link for a place bound to a device (docs/api.md, "Move my place"): answered
    /// [`Reply::Proven`] when `hand` still holds the place and the proof (purpose `move`)
    /// verifies, signature included; changes nothing either way. The edge makes the link only
    /// then; the move itself is a plain `Move` (the link is the proof by then).
    ProveMove {
        seq: Seq,
        hand: u8,
        device: DeviceClaim,
    },
    /// A fan joins the party of the place `leader`, by a party link made by the token of
    /// `leader_hand`; `member` is the joiner's own token's place and hand, if they have one (a
    /// place given up on joining). Answered [`Reply::Moved`]: the member's hand and fan id (the
    /// route signs their token, of the leader's number). The three party commands travel as a
    /// [`PartyCommand`] (not in this enum's JSON: the edge, which never sends them, then
    /// compiles nothing for them).
    #[serde(skip)]
    JoinParty {
        leader: Seq,
        leader_hand: u8,
        member: Option<(Seq, u8)>,
    },
    /// The party member holding `hand` leaves the party of the place `leader` (answered
    /// [`Reply::Done`]).
    #[serde(skip)]
    LeaveParty {
        leader: Seq,
        hand: u8,
    },
    /// The party of the place `leader`, as the token of `hand` sees it ([`Reply::Party`]).
    #[serde(skip)]
    Party {
        leader: Seq,
        hand: u8,
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
    /// `Complete` of the assignment of arrival number `seq`: what the origin names by a pass's
    /// `jti` (`<sale>.<seq>`). Sent only for that route, so an object of an older release (which
    /// refuses it) fails nothing else during a gradual deploy.
    CompleteSeq {
        seq: Seq,
    },
    /// `Release` by arrival number, like [`Command::CompleteSeq`].
    ReleaseSeq {
        seq: Seq,
    },
    Snapshot,
    Report,
    /// The promoter says who may see the sale's public report; answered with the report.
    ShowReport {
        visibility: crate::sale::ReportVisibility,
    },
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
            Command::Refused { .. } => "refused",
            Command::Assist { .. } => "assist",
            Command::Sessions { .. } => "sessions",
            Command::Upsert { .. } => "upsert",
            Command::Open => "open",
            Command::Pause => "pause",
            Command::Close => "close",
            Command::Join { .. } => "join",
            Command::Claim { .. } | Command::ClaimBound { .. } => "claim",
            Command::Move { .. } => "move",
            Command::ProveMove { .. } => "move_link",
            Command::JoinParty { .. } => "join_party",
            Command::LeaveParty { .. } => "leave_party",
            Command::Party { .. } => "party",
            Command::Pull { .. } => "pull",
            Command::Complete { .. } | Command::CompleteSeq { .. } => "complete",
            Command::Release { .. } | Command::ReleaseSeq { .. } => "release",
            Command::Snapshot => "snapshot",
            Command::Report => "report",
            Command::ShowReport { .. } => "show_report",
            Command::Assignments { .. } => "assignments",
        }
    }
}

/// What a bound place's claim carries: the thumbprint its (verified) token names, and the proof
/// the fan sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceClaim {
    pub key: String,
    pub proof: String,
}

/// The party commands on the wire (docs/api.md, "Come as a party"): sent by the full worker's
/// party routes to the coordinator's own path, and run as the [`Command`] of the same name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PartyCommand {
    JoinParty {
        leader: Seq,
        leader_hand: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<(Seq, u8)>,
    },
    LeaveParty {
        leader: Seq,
        hand: u8,
    },
    Party {
        leader: Seq,
        hand: u8,
    },
}

impl From<PartyCommand> for Command {
    fn from(c: PartyCommand) -> Self {
        match c {
            PartyCommand::JoinParty {
                leader,
                leader_hand,
                member,
            } => Command::JoinParty {
                leader,
                leader_hand,
                member,
            },
            PartyCommand::LeaveParty { leader, hand } => Command::LeaveParty { leader, hand },
            PartyCommand::Party { leader, hand } => Command::Party { leader, hand },
        }
    }
}

fn is_first_hand(hand: &u8) -> bool {
    *hand == 0
}

/// A sale as promoters see it: settings, phase and live numbers.
// Deserialize: `flat_read!` below (the flattened view read in one pass, no `Content` buffering).
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Requests the sale's arrival shards served, by kind (`join`, `edge_lease`,
    /// `edge_report`), as they last told the coordinator (with each block they lease or close).
    #[serde(default)]
    pub shard_requests_by_kind: std::collections::BTreeMap<String, u64>,
    /// Arrivals and admissions per minute, the last day's ([`crate::queue::MINUTES_KEPT`]).
    pub minutes: Vec<MinuteStats>,
    /// Before `minutes`, arrivals and admissions per hour (`minute`: the hour's first), for a
    /// week ([`crate::queue::HOURS_KEPT`]); older ones are forgotten.
    #[serde(default)]
    pub hours: Vec<MinuteStats>,
    /// A sale with a pre-queue: its draw (commitment; the key once drawn; the range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<crate::queue::draw::DrawInfo>,
    /// When the sale was closed (absent while it is not).
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed_at: Option<UnixMillis>,
    /// Who may see the public report.
    #[serde(default)]
    pub report_visibility: crate::sale::ReportVisibility,
    /// The waits from joining to admission of the fans admitted so far (a bounded histogram).
    #[serde(default)]
    pub waits: crate::queue::WaitHistogram,
    /// Places refused, by defence (kept with the request counts, under `refused:` kinds).
    #[serde(default)]
    pub refused: crate::fairness::refusals::RefusedCounts,
    /// Fans granted the assisted lane.
    #[serde(default)]
    pub assisted: u64,
    /// What the sale's call-back by Web Push sent (the setting, `push`, is the view's).
    #[serde(default)]
    pub pushes: PushCounts,
    /// A protected sale's safety net: up or down, its measures, when it was up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<crate::protect::NetReport>,
}

/// What a sale's Web Push calls came to (docs/api.md, "Called back").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushCounts {
    /// Places waiting to be called.
    pub waiting: u64,
    /// Pushes the push services took (2xx).
    pub sent: u64,
    /// Subscriptions the push service said are gone (404, 410): forgotten.
    pub gone: u64,
    /// Pushes that failed otherwise (another status, a timeout, a network error): dropped.
    pub failed: u64,
}

/// The prefix of the request-count kinds pushes are counted under (not requests).
pub const PUSH_KIND_PREFIX: &str = "push:";

crate::flat_read! { SaleReport {
    sale: SaleView,
    phase: Phase;
    created_at: UnixMillis = with rfc3339::deserialize;
    updated_at: UnixMillis = with rfc3339::deserialize;
    stats: Stats;
    bad_records: u64;
    coordinator_requests: u64;
    coordinator_requests_by_kind: std::collections::BTreeMap<String, u64>;
    shard_requests_by_kind: std::collections::BTreeMap<String, u64>, default;
    minutes: Vec<MinuteStats>;
    hours: Vec<MinuteStats>, default;
    draw: Option<crate::queue::draw::DrawInfo>, default;
    closed_at: Option<UnixMillis> = with rfc3339::option::deserialize, default;
    report_visibility: crate::sale::ReportVisibility, default;
    waits: crate::queue::WaitHistogram, default;
    refused: crate::fairness::refusals::RefusedCounts, default;
    assisted: u64, default;
    pushes: PushCounts, default;
    net: Option<crate::protect::NetReport>, default;
} }

// One value per answer, encoded and moved once: boxing the snapshot would buy nothing.
#[allow(clippy::large_enum_variant)]
// Deserialize: `tag_first!` below (the tag read first, no serde `Content` buffering).
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    Assisted(crate::queue::Assisted),
    /// A place moved: the hand it is in now.
    Moved(Moved),
    /// A bound place's device proved it holds the place's key, for a move link.
    Proven(Proven),
    /// A party, as its leader or a member sees it.
    Party(crate::queue::PartyView),
    /// Each item of a batch ([`crate::machines::finish_many::FinishMany`]), in its order.
    FinishedMany(FinishedMany),
    Done,
}

/// A bound place's device proof verified ([`Command::ProveMove`]): the place and the hand that
/// holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proven {
    pub seq: Seq,
    pub hand: u8,
}

/// A place moved to another device ([`Command::Move`]): the hand it is in now, and the fan
/// whose place it is (the edge signs the new hand's token with both).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub hand: u8,
    pub fan_id: FanId,
}

crate::tag_first! { Reply, "reply", {
    "upserted" => [Upserted { created: bool, report: Box<SaleReport> }],
    "report" => [Report(Box<SaleReport>)],
    "joined" => [Joined(Joined)],
    "claim" => [Claim(Claim)],
    "pulled" => [Pulled(Pulled)],
    "assignment" => [Assignment(Assignment)],
    "assignments" => [Assignments { assignments: Vec<Assignment> }],
    "snapshot" => [Snapshot(Snapshot)],
    "lease" => [Lease(BlockLease)],
    "assisted" => [Assisted(crate::queue::Assisted)],
    "moved" => [Moved(Moved)],
    "proven" => [Proven(Proven)],
    "party" => [Party(crate::queue::PartyView)],
    "finished_many" => [FinishedMany(FinishedMany)],
    "done" => [Done],
} }

/// What the edge asks an arrival shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ShardCommand {
    /// Number a new fan of `sale`; this object is arrival shard `shard` of the sale. With
    /// `member` (an invitation-only sale's [`crate::fairness::invitation::member_key`]): the member's place,
    /// the one they already have if any.
    Join {
        sale: SaleId,
        shard: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<String>,
        /// The proof of work this new place was paid with: refused if it was spent before.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pow: Option<Verified>,
    },
    /// Lend an edge isolate a sub-block of about `want` numbers (answered
    /// `Result<EdgeLease, QueueError>`), taking its reports of the sub-blocks that ended.
    LeaseEdge {
        sale: SaleId,
        shard: u32,
        want: u64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reports: Vec<EdgeReport>,
    },
    /// An edge isolate's reports of sub-blocks that ended with no join after them (answered
    /// `Result<(), QueueError>`).
    ReportEdge {
        sale: SaleId,
        shard: u32,
        reports: Vec<EdgeReport>,
    },
    /// Spend `pow` here, its home ([`crate::queue::snapshot::home_shard`]), without numbering anyone
    /// (answered `Result<(), QueueError>`, [`QueueError::PowSpent`] for a solution spent before):
    /// for a place the coordinator numbers itself, a finished place taken again, so a solution is
    /// spent at one object whichever place it pays for.
    Spend {
        sale: SaleId,
        shard: u32,
        pow: Verified,
    },
}

/// A fan numbered by an arrival shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardJoined {
    pub fan_id: FanId,
    pub seq: Seq,
    /// The member already had this place (an invitation-only sale's member joining again).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub again: bool,
}

/// The prefix of [`ShardServed::by_kind`]'s kinds.
pub const SERVED_KIND_PREFIX: &str = "shard:";

/// Requests an arrival shard served, by kind, for the sale's report: counted by the shard and
/// handed to the coordinator with its next lease or close (additive on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardServed {
    #[serde(default)]
    pub joins: u64,
    #[serde(default)]
    pub edge_leases: u64,
    #[serde(default)]
    pub edge_reports: u64,
}

impl ShardServed {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `(kind, count)`, kinds as the coordinator keeps them among its own request counts
    /// (the sale's report shows them apart, as `shard_requests_by_kind`, without the prefix).
    pub fn by_kind(&self) -> [(&'static str, u64); 3] {
        [
            ("shard:join", self.joins),
            ("shard:edge_lease", self.edge_leases),
            ("shard:edge_report", self.edge_reports),
        ]
    }

    /// What is left to tell after `delivered` was told.
    pub(crate) fn minus(self, delivered: Self) -> Self {
        Self {
            joins: self.joins.saturating_sub(delivered.joins),
            edge_leases: self.edge_leases.saturating_sub(delivered.edge_leases),
            edge_reports: self.edge_reports.saturating_sub(delivered.edge_reports),
        }
    }
}

/// The coordinator's answer on the wire.
pub type Answer = Result<Reply, QueueError>;

/// The request header that names the protocol version of a call to a Durable Object.
pub const PROTOCOL_HEADER: &str = "X-Waitroom-Protocol";

/// A version of this protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProtocolVersion(pub u32);

impl ProtocolVersion {
    /// What this release sends.
    pub const CURRENT: Self = Self(2);
    /// The oldest version an object still answers: the one before [`Self::CURRENT`].
    pub const PREVIOUS: Self = Self(Self::CURRENT.0 - 1);
    /// The JSON of the releases before versioning: no header.
    pub const UNVERSIONED: Self = Self(1);

    /// The version a request speaks, from its [`PROTOCOL_HEADER`] (none: version 1), if this
    /// release answers it: the current version, the previous one, or a newer one (sent by a newer
    /// edge during its gradual deploy, which by the rule above sends only what this one decodes).
    pub fn from_header(value: Option<&str>) -> Result<Self, ProtocolMismatch> {
        let version = match value {
            None => Self::UNVERSIONED,
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .map(Self)
                .ok_or_else(|| ProtocolMismatch::Unreadable(text.to_owned()))?,
        };
        version.answered_by(Self::CURRENT)
    }

    /// This version, if a release speaking `current` answers it: `current - 1` or newer.
    fn answered_by(self, current: Self) -> Result<Self, ProtocolMismatch> {
        if self.0 + 1 < current.0 {
            return Err(ProtocolMismatch::TooOld(self));
        }
        Ok(self)
    }

    /// The header's value for this version.
    pub fn header_value(self) -> String {
        self.0.to_string()
    }
}

/// Why an object does not answer a request's protocol version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolMismatch {
    Unreadable(String),
    TooOld(ProtocolVersion),
}

impl std::fmt::Display for ProtocolMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtocolMismatch::Unreadable(text) => {
                write!(f, "{PROTOCOL_HEADER} is not a version: {text:?}")
            }
            ProtocolMismatch::TooOld(v) => write!(
                f,
                "protocol version {} is no longer answered (this release answers {} and {})",
                v.0,
                ProtocolVersion::PREVIOUS.0,
                ProtocolVersion::CURRENT.0
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;

    /// The JSON today's edge and objects put on the wire, frozen as version 1 sent it (no header).
    /// Each must decode under this release (an old edge calling a new object, or a new object's
    /// answer read by an old edge), and this release must encode the value to the same JSON (so
    /// an old object, or an old edge, reads what a new one sends).
    fn both_ways<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
        value: T,
        v1_json: &str,
    ) {
        let decoded: T = serde_json::from_str(v1_json)
            .unwrap_or_else(|e| panic!("version 1 form {v1_json} does not decode: {e}"));
        assert_eq!(decoded, value, "version 1 form {v1_json}");
        let encoded: serde_json::Value = serde_json::to_value(&value).unwrap();
        let v1: serde_json::Value = serde_json::from_str(v1_json).unwrap();
        assert_eq!(
            encoded, v1,
            "what this release sends is what version 1 reads"
        );
    }

    fn fan() -> FanId {
        FanId::parse("fan_0123456789abcdef0123").unwrap()
    }

    #[test]
    fn commands_of_version_1_and_2_are_one_form() {
        both_ways(
            Command::Join {
                existing: Some(7),
                pow: None,
            },
            r#"{"op":"join","existing":7}"#,
        );
        both_ways(
            Command::Pull {
                window: WindowId::parse("w1").unwrap(),
                max: 5,
                request_id: Some(RequestId::parse("r-1").unwrap()),
            },
            r#"{"op":"pull","window":"w1","max":5,"request_id":"r-1"}"#,
        );
        both_ways(
            Command::LeaseBlock {
                shard: 2,
                closing: Some(SeqRange::new(11, 3)),
                want: 16,
                replaced_unreadable: false,
                closing_gaps: Vec::new(),
                keep_open: Vec::new(),
                served: ShardServed::default(),
            },
            r#"{"op":"lease_block","shard":2,"closing":[11,3],"want":16,"replaced_unreadable":false}"#,
        );
        both_ways(
            Command::CloseBlock {
                shard: 2,
                start: 11,
                used: 3,
                gaps: Vec::new(),
                served: ShardServed::default(),
            },
            r#"{"op":"close_block","shard":2,"start":11,"used":3}"#,
        );
        both_ways(
            Command::Present {
                seqs: vec![4, 5],
                positions: Vec::new(),
            },
            r#"{"op":"present","seqs":[4,5]}"#,
        );
        both_ways(Command::Open, r#"{"op":"open"}"#);
        both_ways(
            Command::Assignments {
                window: None,
                state: Some(AssignmentState::Lapsed),
                limit: 100,
            },
            r#"{"op":"assignments","window":null,"state":"lapsed","limit":100}"#,
        );
        both_ways(
            ShardCommand::Join {
                sale: SaleId::parse("s1").unwrap(),
                shard: 3,
                pow: None,
                member: None,
            },
            r#"{"op":"join","sale":"s1","shard":3}"#,
        );
    }

    #[test]
    fn edge_numbering_is_additive_on_the_wire() {
        // A shard of this release sends the gaps, the blocks it keeps open and its counts only
        // when it has some; an older coordinator ignores them.
        let lease = Command::LeaseBlock {
            shard: 1,
            closing: Some(SeqRange::new(1, 8)),
            want: 16,
            replaced_unreadable: false,
            closing_gaps: vec![SeqRange::new(3, 2)],
            keep_open: vec![9],
            served: ShardServed {
                joins: 0,
                edge_leases: 2,
                edge_reports: 1,
            },
        };
        let json = serde_json::to_string(&lease).unwrap();
        assert_eq!(
            json,
            r#"{"op":"lease_block","shard":1,"closing":[1,8],"want":16,"replaced_unreadable":false,"closing_gaps":[[3,2]],"keep_open":[9],"served":{"joins":0,"edge_leases":2,"edge_reports":1}}"#
        );
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), lease);
        both_ways(
            ShardCommand::LeaseEdge {
                sale: SaleId::parse("s1").unwrap(),
                shard: 0,
                want: 8,
                reports: vec![EdgeReport { start: 5, used: 3 }],
            },
            r#"{"op":"lease_edge","sale":"s1","shard":0,"want":8,"reports":[{"start":5,"used":3}]}"#,
        );
    }

    #[test]
    fn a_spend_at_a_shard_reads_back_what_serde_writes() {
        let spend = ShardCommand::Spend {
            sale: SaleId::parse("s1").unwrap(),
            shard: 2,
            pow: Verified {
                id: crate::fairness::pow::SolutionId([7; 16]),
                expires_at: UnixMillis(5),
            },
        };
        let json = serde_json::to_string(&spend).unwrap();
        assert!(
            json.starts_with(r#"{"op":"spend","sale":"s1","shard":2,"pow":"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ShardCommand>(&json).unwrap(), spend);
    }

    #[test]
    fn a_lease_of_version_1_without_its_later_field_still_decodes() {
        // Sent by releases before `replaced_unreadable` existed.
        let old: Command =
            serde_json::from_str(r#"{"op":"lease_block","shard":1,"closing":null,"want":8}"#)
                .unwrap();
        assert_eq!(
            old,
            Command::LeaseBlock {
                shard: 1,
                closing: None,
                want: 8,
                replaced_unreadable: false,
                closing_gaps: Vec::new(),
                keep_open: Vec::new(),
                served: ShardServed::default(),
            }
        );
    }

    #[test]
    fn admission_modes_are_additive() {
        // Ending an assignment by a pass's jti is a command of its own, sent only for that route.
        assert_eq!(
            serde_json::to_string(&Command::CompleteSeq { seq: 7 }).unwrap(),
            r#"{"op":"complete_seq","seq":7}"#
        );
        assert_eq!(Command::ReleaseSeq { seq: 7 }.kind(), "release");
        // A snapshot from before modes decodes as a pull sale with no schedule.
        let old = r##"{"sale":{"id":"s","name":"S","control":"open","opens_at":null,"purchase_url":"https://x.example/","claim_ttl_s":60,"pass_ttl_s":600,"branding":{"color":null,"logo_url":null,"message":null,"ink":"#ffffff"},"shards":1,"presence_ttl_s":30},"head":3,"next_seq":9,"admission_rate":0.5,"taken_at":1000}"##;
        let snapshot: Snapshot = serde_json::from_str(old).unwrap();
        assert_eq!(
            snapshot.sale.admission,
            crate::sale::admission::Admission::Pull
        );
        assert_eq!(snapshot.admission_next_at, None);
    }

    #[test]
    fn answers_of_version_1_and_2_are_one_form() {
        let joined: Answer = Ok(Reply::Joined(Joined {
            fan_id: fan(),
            seq: 7,
            created: true,
            position: 3,
            ahead: 2,
        }));
        both_ways(
            joined,
            r#"{"Ok":{"reply":"joined","fan_id":"fan_0123456789abcdef0123","seq":7,"created":true,"position":3,"ahead":2}}"#,
        );
        both_ways::<Answer>(Ok(Reply::Done), r#"{"Ok":{"reply":"done"}}"#);
        both_ways::<Answer>(Err(QueueError::Busy), r#"{"Err":{"kind":"busy"}}"#);
        both_ways::<Answer>(
            Err(QueueError::SaleNotFound),
            r#"{"Err":{"kind":"sale_not_found"}}"#,
        );
        both_ways::<Result<ShardJoined, QueueError>>(
            Ok(ShardJoined {
                fan_id: fan(),
                seq: 9,
                again: false,
            }),
            r#"{"Ok":{"fan_id":"fan_0123456789abcdef0123","seq":9}}"#,
        );
    }

    #[test]
    fn objects_answer_the_current_and_the_previous_version() {
        assert_eq!(
            ProtocolVersion::from_header(None),
            Ok(ProtocolVersion::UNVERSIONED),
            "an edge of the release before versioning sends no header"
        );
        assert_eq!(ProtocolVersion::PREVIOUS, ProtocolVersion::UNVERSIONED);
        assert_eq!(
            ProtocolVersion::from_header(Some("2")),
            Ok(ProtocolVersion::CURRENT)
        );
        assert_eq!(
            ProtocolVersion::from_header(Some(&ProtocolVersion::CURRENT.header_value())),
            Ok(ProtocolVersion::CURRENT)
        );
        assert_eq!(
            ProtocolVersion::from_header(Some("1")),
            Ok(ProtocolVersion(1))
        );
        assert_eq!(
            ProtocolVersion::from_header(Some("3")),
            Ok(ProtocolVersion(3)),
            "a newer edge during its gradual deploy sends what this release decodes"
        );
        assert_eq!(
            ProtocolVersion::from_header(Some("0")),
            Err(ProtocolMismatch::Unreadable("0".into()))
        );
        assert!(matches!(
            ProtocolVersion::from_header(Some("two")),
            Err(ProtocolMismatch::Unreadable(_))
        ));
    }

    #[test]
    fn a_sender_two_versions_behind_is_refused() {
        // What the next release (3) will answer this release's and the one before's edges.
        let v3 = ProtocolVersion(3);
        assert_eq!(ProtocolVersion(2).answered_by(v3), Ok(ProtocolVersion(2)));
        assert_eq!(
            ProtocolVersion(1).answered_by(v3),
            Err(ProtocolMismatch::TooOld(ProtocolVersion(1)))
        );
        assert!(ProtocolMismatch::TooOld(ProtocolVersion(1))
            .to_string()
            .contains("no longer answered"));
    }
}
