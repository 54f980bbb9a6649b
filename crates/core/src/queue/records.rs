//! The records the coordinator hands out, keeps and writes down.

use crate::ids::{FanId, Position, RequestId, SaleId, Seq, SeqRange, WindowId};
use crate::keys::pass::PassClaims;
use crate::queue::draw::{DrawKey, DrawVersion};
pub use crate::queue::parts::parties::PartyMember;
use crate::sale::{FanSalt, Phase, Sale};
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Given to a window; the fan may claim it (poll and get the pass).
    Assigned,
    /// The origin reported the purchase done.
    Completed,
    /// The origin gave the fan up (abandoned purchase).
    Released,
    /// The fan never claimed it within the sale's `claim_ttl_s`.
    Lapsed,
    /// Skipped at the front: the fan had stopped polling (left) before their turn.
    Left,
    /// Claimed, but neither completed nor released before the pass expired (`claimed_at` +
    /// `pass_ttl_s`).
    Expired,
}

impl AssignmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentState::Assigned => "assigned",
            AssignmentState::Completed => "completed",
            AssignmentState::Released => "released",
            AssignmentState::Lapsed => "lapsed",
            AssignmentState::Left => "left",
            AssignmentState::Expired => "expired",
        }
    }

    /// Every state, in the order an assignment can reach them.
    pub const ALL: [Self; 6] = [
        Self::Assigned,
        Self::Completed,
        Self::Released,
        Self::Lapsed,
        Self::Left,
        Self::Expired,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The states' names, for a message: `assigned, completed, ...`.
    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

/// A fan handed to a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub fan_id: FanId,
    pub seq: Seq,
    pub window: WindowId,
    pub state: AssignmentState,
    #[serde(with = "rfc3339")]
    pub assigned_at: UnixMillis,
    /// The fan must claim (poll) by then, or lapse. This is the `expires_at` windows see.
    #[serde(rename = "expires_at", with = "rfc3339")]
    pub claim_by: UnixMillis,
    #[serde(with = "rfc3339::option", default)]
    pub claimed_at: Option<UnixMillis>,
    #[serde(with = "rfc3339::option", default)]
    pub finished_at: Option<UnixMillis>,
    /// Once this place ended (lapsed, released, left, expired), the one new place its token was
    /// turned into, if the fan joined again (see [`crate::queue::Queue::join`]): a repeat of that
    /// join finds this place, never another. Absent until then (and in records stored before it
    /// existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejoined_as: Option<Rejoined>,
    /// An assisted fan (the sale's assisted lane): their claim and pass time are the sale's times
    /// its `assist.multiplier`. Absent when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assisted: bool,
    /// The size of the party admitted together on this place (docs/api.md, "Come as a party"):
    /// 0 (absent) for a fan alone. Its id is the place's own fan id (the leader's).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub party_size: u8,
    /// In a member's own view of the party's assignment (their claim; never stored): their
    /// seat, for their pass's `jti`. 0 (absent): the leader, or no party.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub party_seat: u8,
}

impl Assignment {
    /// The party this stored assignment admits, as the origin sees it (its id: the leader's fan
    /// id, which is this assignment's).
    pub fn party(&self) -> Option<PartySeat> {
        (self.party_size > 1).then(|| PartySeat {
            id: self.fan_id.clone(),
            size: self.party_size,
        })
    }
}

/// The party an assignment admits, as the origin sees it: its id (every member's pass's
/// `party`) and how many fans it counts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartySeat {
    pub id: FanId,
    pub size: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// A party as its leader or a member sees it (`GET /api/sales/{sale}/party`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    pub party_id: FanId,
    /// The leader and the members still in.
    pub size: u8,
    /// The sale's `party_max`.
    pub max: u8,
    /// The seats of the members still in.
    pub seats: Vec<u8>,
    /// The asker's seat (0: the leader).
    pub your_seat: u8,
}

/// The pass of a claimed assignment (the claims; the coordinator object signs them).
impl PassClaims {
    /// The pass for a claimed assignment. It depends only on the assignment, so asking again
    /// yields the same pass (Ed25519 signatures are deterministic).
    /// A party's assignment (`party_size` > 1) names the party's id in `party` (the leader's fan
    /// id, which the caller derives: a member's view carries the member's own id).
    pub fn for_assignment(
        issuer: &str,
        sale: &SaleId,
        a: &Assignment,
        pass_ttl_s: u64,
        party: Option<&FanId>,
    ) -> Self {
        let claimed_at = Self::claimed_at(a);
        Self {
            iss: issuer.to_owned(),
            aud: sale.to_string(),
            sub: a.fan_id.to_string(),
            win: a.window.to_string(),
            seq: a.seq,
            iat: claimed_at.as_secs(),
            exp: claimed_at.plus_secs(pass_ttl_s).as_secs(),
            jti: match a.party_seat {
                0 => format!("{sale}.{}", a.seq),
                seat => format!("{sale}.{}.{seat}", a.seq),
            },
            assist: a.assisted,
            party: party.filter(|_| a.party_size > 1).map(FanId::to_string),
        }
    }

    /// When the pass of a claimed assignment expires (its `exp`), known without the pass: the
    /// edge tells the fan from the claim it was handed, which the coordinator signed.
    pub fn expiry_of(a: &Assignment, pass_ttl_s: u64) -> UnixMillis {
        UnixMillis::from_secs(Self::claimed_at(a).plus_secs(pass_ttl_s).as_secs())
    }

    fn claimed_at(a: &Assignment) -> UnixMillis {
        a.claimed_at.unwrap_or(a.assigned_at)
    }
}

/// The new place a finished place's token was turned into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejoined {
    pub seq: Seq,
    pub fan_id: FanId,
}

impl Rejoined {
    pub fn of(joined: &Joined) -> Self {
        Self {
            seq: joined.seq,
            fan_id: joined.fan_id.clone(),
        }
    }
}

/// What one pull handed out, kept so a retry with the same `request_id` gets the same fans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRecord {
    pub request_id: RequestId,
    pub window: WindowId,
    pub max: u32,
    pub seqs: Vec<Seq>,
    pub at: UnixMillis,
}

/// Arrivals and admissions in one minute of the sale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteStats {
    pub minute: u64,
    pub arrivals: u64,
    pub admissions: u64,
}

/// A range of arrival numbers leased to an arrival shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    pub start: Seq,
    pub len: u64,
    pub shard: u32,
    pub leased_at: UnixMillis,
    /// How many numbers the shard handed to fans (a prefix of the block); `None` while it is open.
    pub used: Option<u64>,
    /// A pre-queue block: used until this instant (the draw), never after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_before: Option<UnixMillis>,
    /// Unused numbers inside the used prefix (the unused tails of sub-blocks lent to the edge),
    /// once closed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<SeqRange>,
}

impl BlockRecord {
    /// Every unused number of a closed block: the gaps inside its used prefix, then the rest
    /// after it.
    pub fn unused(&self) -> Vec<SeqRange> {
        let Some(used) = self.used else {
            return Vec::new();
        };
        let mut unused = self.gaps.clone();
        if used < self.len {
            unused.push(SeqRange::new(self.start + used, self.len - used));
        }
        unused
    }
}

/// What a shard gets when it leases a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLease {
    pub start: Seq,
    pub len: u64,
    /// The coordinator's clock when it leased the block.
    pub leased_at: UnixMillis,
    /// Use the block for at most this long after it arrives, by the shard's own clock: a lifetime,
    /// not an instant, so neither clock skew nor a slow round trip makes a lease arrive expired.
    /// (Missing in shard state stored before it existed: such a block counts as used up.)
    #[serde(default)]
    pub ttl_ms: u64,
    /// A pre-queue block: never used at or after this instant (the draw), by the shard's clock,
    /// so no fan arriving after the draw gets a pre-queue number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_before: Option<UnixMillis>,
    pub fan_salt: FanSalt,
}

/// What storage keeps of the pre-queue: the key (secret until the draw), the last arrival
/// number taken during it (0: none) and the draw's version (a record stored before versions
/// existed has none: v1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub key: DrawKey,
    pub end: Seq,
    #[serde(default)]
    pub version: DrawVersion,
}

/// A record the caller must persist, in order, before answering.
// A change lives for one command's step, a few at a time: boxing the sale (the largest) would
// buy nothing but an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Sale(Sale),
    Block(BlockRecord),
    Line {
        next_seq: Seq,
        head: Position,
        gap_total: u64,
    },
    Assignment(Assignment),
    Pull(PullRecord),
    ForgetPullsBefore(UnixMillis),
    /// The pre-queue's draw key and range (see [`DrawRecord`]).
    Draw(DrawRecord),
    Minute(MinuteStats),
    /// The waits of every fan admitted so far (the whole histogram, bounded: see
    /// [`crate::queue::WaitHistogram`]).
    Waits(crate::queue::WaitHistogram),
    /// Arrival number `seq` was granted the assisted lane (one row each, at most the sale's
    /// `assist.max_places`).
    Assisted(Seq),
    /// The minutes' rows `from..to` are gone (folded into their hour's row or forgotten:
    /// [`crate::queue::parts::minutes`]).
    ForgetMinutes {
        from: u64,
        to: u64,
    },
    /// The number of requests served so far of each kind named (see
    /// [`crate::machines::protocol::Command::kind`]): totals, not increments. Counted in memory and
    /// written only along with another change, or once every
    /// [`crate::machines::sale_machine::REQUEST_COUNTS_EVERY_MS`].
    Requests(Vec<(String, u64)>),
    /// Fan `seq`'s place moved to another device: it is now in `hand` (see
    /// [`crate::queue::parts::moves`]).
    Moved {
        seq: Seq,
        hand: u8,
    },
    /// Fan `seq`'s place asked to be called back by Web Push, as it stands now (`None`: no
    /// longer; see [`crate::queue::parts::callers`]).
    Caller {
        seq: Seq,
        caller: Option<crate::queue::Caller>,
    },
    /// A member joined or left a party (see [`crate::queue::parts::parties`]).
    PartyMember(PartyMember),
    /// A protected sale's safety net rose or fell: its up period, keyed by `from` (storage keeps
    /// the last [`crate::protect::net::MAX_PERIODS`]).
    NetPeriod(crate::protect::NetPeriod),
}

/// Everything [`crate::queue::Queue::restore`] needs, as read back from storage.
#[derive(Clone, Debug, Default)]
pub struct Restored {
    pub next_seq: Seq,
    pub head: Position,
    /// Unused numbers ever (the `gap_total` of the last [`Change::Line`]).
    pub gap_total: u64,
    pub assignments: Vec<Assignment>,
    pub pulls: Vec<PullRecord>,
    pub minutes: Vec<MinuteStats>,
    /// The waits of the fans admitted so far (none before they were kept).
    pub waits: crate::queue::WaitHistogram,
    /// The arrival numbers granted the assisted lane.
    pub assisted: Vec<Seq>,
    pub blocks: Vec<BlockRecord>,
    /// The pre-queue's draw key and range, if the sale ever had a pre-queue.
    pub draw: Option<DrawRecord>,
    /// How many stored assignments are in each state, counting those not in `assignments`;
    /// `None` when `assignments` holds every one.
    pub state_counts: Option<Vec<(AssignmentState, u64)>>,
    /// The safety net's up periods (see [`Change::NetPeriod`]).
    pub net_periods: Vec<crate::protect::NetPeriod>,
    /// The places moved to another device, by the hand each is in now.
    pub moves: Vec<(Seq, u8)>,
    /// The places waiting to be called back by Web Push.
    pub callers: Vec<crate::queue::Caller>,
    /// Every party member ever (those who left too).
    pub party_members: Vec<PartyMember>,
}

/// A fan granted the assisted lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assisted {
    pub seq: Seq,
    /// Their claim and pass time, as a multiple of the sale's.
    pub multiplier: u32,
    /// Assisted places the sale has left.
    pub places_left: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    pub fan_id: FanId,
    pub seq: Seq,
    /// True when this join created the fan; false when the fan already held this place.
    pub created: bool,
    pub position: u64,
    pub ahead: u64,
}

/// What a fan whose number has been reached finds.
// Deserialize: `tag_first!` below (the tag read first, no serde `Content` buffering).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Claim {
    /// Still in line (only when the caller's snapshot was ahead of the coordinator; never in practice).
    Waiting { position: u64, ahead: u64 },
    /// The fan's turn: a pass valid from `claimed_at` for `pass_ttl_s`.
    Turn {
        assignment: Assignment,
        pass_ttl_s: u64,
        /// The pass, signed: none from the core (it holds no key); the coordinator object signs
        /// it before answering, so the edge worker never holds the pass-signing key. Absent from
        /// the answers of objects of releases before it (the edge answers those busy).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pass: Option<String>,
    },
    /// Nothing more for this fan: lapsed, released, or the pass expired. They may join again.
    Lapsed { assignment: Assignment },
}

crate::tag_first! { Claim, "outcome", {
    "waiting" => [Waiting { position: u64, ahead: u64 }],
    "turn" => [Turn { assignment: Assignment, pass_ttl_s: u64, #[serde(default)] pass: Option<String> }],
    "lapsed" => [Lapsed { assignment: Assignment }],
} }

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulled {
    pub assignments: Vec<Assignment>,
    pub phase: Phase,
    /// True when this answered a retry of an earlier pull.
    pub replayed: bool,
    /// The pull stopped before a party that did not fit the rest of the window (a party is
    /// never split): its size. The party stays at the front; a window with that much room
    /// takes it. Absent when the pull was not stopped by a party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_waiting: Option<u8>,
}

/// The counts promoters see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub joined: u64,
    pub waiting: u64,
    /// Assignments the origin still holds (claimed or not).
    pub assigned: u64,
    pub claimed: u64,
    pub completed: u64,
    pub released: u64,
    pub lapsed: u64,
    /// Fans skipped at the front because they had stopped polling.
    pub left: u64,
    /// Claimed passes that expired before the origin completed or released them.
    #[serde(default)]
    pub expired: u64,
    /// Numbers leased to arrival shards whose use is not reported yet (at most a second's worth).
    pub pending: u64,
    /// Fans admitted per second over the last two minutes.
    pub admission_rate: f64,
    /// In `rate` mode, the rate the sale aims at (fans per second), next to the measured
    /// `admission_rate`; `null` otherwise.
    #[serde(default)]
    pub admission_target_rate: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_parses_from_its_name_and_is_named_in_messages() {
        for state in AssignmentState::ALL {
            assert_eq!(AssignmentState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", state.as_str()),
                "serde and as_str agree"
            );
        }
        assert_eq!(
            AssignmentState::names(),
            "assigned, completed, released, lapsed, left, expired"
        );
        assert_eq!(AssignmentState::parse("nope"), None);
    }
}
