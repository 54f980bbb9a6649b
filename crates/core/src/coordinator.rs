//! The coordinator: one per sale, it keeps the arrival order and hands fans to windows in order.
//!
//! It is a plain state machine. Every operation takes `now`; every mutation is also recorded as a
//! [`Change`] that the caller drains with [`Coordinator::take_changes`] and writes to durable storage
//! before answering, and [`Coordinator::restore`] rebuilds the same state from those records.
//!
//! The line is a range of arrival numbers: fans `head..next_seq` are waiting, in order, and every fan
//! below `head` has an [`Assignment`]. So a join writes one counter, not a row per fan, and a pull
//! takes the front of the range.

use crate::ids::{FanId, RequestId, SaleId, Seq, WindowId};
use crate::sale::{Control, Phase, Sale, SaleSettings};
use crate::snapshot::{SaleView, Snapshot};
use crate::time::{rfc3339, UnixMillis};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

/// Most fans one pull may take.
pub const MAX_PULL: u32 = 100;
/// How long a pull's `request_id` is remembered for retries.
pub const PULL_REPLAY_TTL_MS: u64 = 5 * 60 * 1000;
/// Finished assignments stay in memory this long (longer than a pull's replay window), then only
/// in storage: memory follows the fans being served, not every fan ever served.
pub const RETAIN_FINISHED_MS: u64 = PULL_REPLAY_TTL_MS + 60_000;
/// How far back the admission rate (for wait estimates) looks.
const RATE_WINDOW_MS: u64 = 120_000;
/// An arrival shard numbers fans from a block for at most this long, then leases a new one. This is
/// the ordering bound: a fan can be passed only by fans who arrived within this long of them.
pub const BLOCK_TTL_MS: u64 = 1_000;
/// Largest block a shard may lease.
pub const MAX_BLOCK: u64 = 4_096;
/// A block its shard never reported is closed as if fully used after this long, so no number
/// stalls the line forever (an unused number then reads as a fan who left).
pub const BLOCK_ABANDON_MS: u64 = 60_000;
/// The fewest fans counted as "near the front" for presence.
pub const MIN_PRESENCE_ZONE: u64 = 20;
/// Fans expected to be admitted within this long count as near the front.
const PRESENCE_HORIZON_S: f64 = 60.0;

/// Why the coordinator refused an operation. Each maps to one HTTP answer at the edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
        }
    }
}

impl std::error::Error for QueueError {}

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
}

impl AssignmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentState::Assigned => "assigned",
            AssignmentState::Completed => "completed",
            AssignmentState::Released => "released",
            AssignmentState::Lapsed => "lapsed",
            AssignmentState::Left => "left",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Assigned,
            Self::Completed,
            Self::Released,
            Self::Lapsed,
            Self::Left,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
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
}

/// What a shard gets when it leases a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLease {
    pub start: Seq,
    pub len: u64,
    pub leased_at: UnixMillis,
    /// Use the block until then, at most.
    pub until: UnixMillis,
    pub fan_salt: String,
}

/// A record the caller must persist, in order, before answering.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Sale(Sale),
    Block(BlockRecord),
    Line {
        next_seq: Seq,
        head: Seq,
        gap_total: u64,
    },
    Assignment(Assignment),
    Pull(PullRecord),
    ForgetPullsBefore(UnixMillis),
    Minute(MinuteStats),
}

/// Everything [`Coordinator::restore`] needs, as read back from storage.
#[derive(Clone, Debug, Default)]
pub struct Restored {
    pub next_seq: Seq,
    pub head: Seq,
    /// Unused numbers ever (the `gap_total` of the last [`Change::Line`]).
    pub gap_total: u64,
    pub assignments: Vec<Assignment>,
    pub pulls: Vec<PullRecord>,
    pub minutes: Vec<MinuteStats>,
    pub blocks: Vec<BlockRecord>,
    /// How many stored assignments are in each state, counting those not in `assignments`;
    /// `None` when `assignments` holds every one.
    pub state_counts: Option<Vec<(AssignmentState, u64)>>,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Claim {
    /// Still in line (only when the caller's snapshot was ahead of the coordinator; never in practice).
    Waiting { position: u64, ahead: u64 },
    /// The fan's turn: the caller issues a pass valid from `claimed_at` for `pass_ttl_s`.
    Turn {
        assignment: Assignment,
        pass_ttl_s: u64,
    },
    /// Nothing more for this fan: lapsed, released, or the pass expired. They may join again.
    Lapsed { assignment: Assignment },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulled {
    pub assignments: Vec<Assignment>,
    pub phase: Phase,
    /// True when this answered a retry of an earlier pull.
    pub replayed: bool,
}

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
    /// Numbers leased to arrival shards whose use is not reported yet (at most a second's worth).
    pub pending: u64,
    /// Fans admitted per second over the last two minutes.
    pub admission_rate: f64,
}

/// One sale's line.
#[derive(Clone, Debug)]
pub struct Coordinator {
    sale: Sale,
    next_seq: Seq,
    head: Seq,
    assignments: BTreeMap<Seq, Assignment>,
    by_fan: HashMap<FanId, Seq>,
    unclaimed: BTreeSet<(UnixMillis, Seq)>,
    pulls: HashMap<RequestId, PullRecord>,
    pull_order: VecDeque<(UnixMillis, RequestId)>,
    minutes: BTreeMap<u64, MinuteStats>,
    finished: Counts,
    /// Blocks leased to shards and not yet reported.
    open_blocks: BTreeMap<Seq, BlockRecord>,
    /// Unused numbers at or after `head` (start, length): the ends of closed blocks.
    gaps: BTreeMap<Seq, u64>,
    /// Unused numbers ever, behind `head` or not.
    gap_total: u64,
    presence: Presence,
    /// Finished assignments in memory, oldest first, to drop after [`RETAIN_FINISHED_MS`].
    retired: VecDeque<(UnixMillis, Seq)>,
    /// Finished assignments kept only in storage.
    evicted: u64,
    changes: Vec<Change>,
}

/// Who is still there near the front. Kept in memory only: after a restart everyone near the
/// front gets a fresh grace period, so nobody is skipped for the restart.
#[derive(Clone, Debug, Default)]
struct Presence {
    /// When each fan near the front last said they were there.
    last_seen: BTreeMap<Seq, UnixMillis>,
    /// When the front zone first reached each bound: (bound, at), bounds increasing.
    zone: VecDeque<(Seq, UnixMillis)>,
    frontier: Seq,
}

#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    completed: u64,
    released: u64,
    lapsed: u64,
    left: u64,
    claimed_open: u64,
}

/// Derives a fan's id from the sale's secret salt and the arrival number.
pub fn fan_id_for(fan_salt: &str, seq: Seq) -> FanId {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(fan_salt.as_bytes()).expect("HMAC takes any key length");
    mac.update(&seq.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let mut bytes = [0u8; 10];
    bytes.copy_from_slice(&digest[..10]);
    FanId::from_bytes(bytes)
}

impl Coordinator {
    /// A new sale. `fan_salt` must be random (the caller's job: the core has no randomness).
    pub fn create(id: SaleId, settings: SaleSettings, fan_salt: String, now: UnixMillis) -> Self {
        let sale = Sale {
            id,
            settings,
            control: Control::Scheduled,
            fan_salt,
            created_at: now,
            updated_at: now,
        };
        let mut c = Self::restore(
            sale,
            Restored {
                next_seq: 1,
                head: 1,
                ..Restored::default()
            },
        );
        c.changes.push(Change::Sale(c.sale.clone()));
        c.changes.push(c.line_change());
        c
    }

    /// Rebuilds a coordinator from what storage kept.
    pub fn restore(sale: Sale, r: Restored) -> Self {
        let mut c = Self {
            sale,
            next_seq: r.next_seq.max(1),
            head: r.head.max(1),
            assignments: BTreeMap::new(),
            by_fan: HashMap::new(),
            unclaimed: BTreeSet::new(),
            pulls: HashMap::new(),
            pull_order: VecDeque::new(),
            minutes: r.minutes.into_iter().map(|m| (m.minute, m)).collect(),
            finished: Counts::default(),
            open_blocks: BTreeMap::new(),
            gaps: BTreeMap::new(),
            gap_total: r.gap_total,
            presence: Presence::default(),
            retired: VecDeque::new(),
            evicted: 0,
            changes: Vec::new(),
        };
        c.presence.frontier = c.head;
        for b in r.blocks {
            match b.used {
                None => {
                    c.open_blocks.insert(b.start, b);
                }
                Some(used) if used < b.len && b.start + b.len > c.head => {
                    c.gaps.insert(b.start + used, b.len - used);
                }
                Some(_) => {}
            }
        }
        let mut assignments = r.assignments;
        assignments.sort_by_key(|a| a.finished_at);
        for a in assignments {
            c.index(&a);
            if let Some(at) = a.finished_at {
                c.retired.push_back((at, a.seq));
            }
            c.assignments.insert(a.seq, a);
        }
        if let Some(counts) = r.state_counts {
            let count = |state| {
                counts
                    .iter()
                    .find(|(s, _)| *s == state)
                    .map_or(0, |(_, n)| *n)
            };
            let f = &mut c.finished;
            let in_memory = f.completed + f.released + f.lapsed + f.left;
            f.completed = count(AssignmentState::Completed);
            f.released = count(AssignmentState::Released);
            f.lapsed = count(AssignmentState::Lapsed);
            f.left = count(AssignmentState::Left);
            c.evicted = (f.completed + f.released + f.lapsed + f.left).saturating_sub(in_memory);
        }
        let mut pulls = r.pulls;
        pulls.sort_by_key(|p| p.at);
        for p in pulls {
            c.pull_order.push_back((p.at, p.request_id.clone()));
            c.pulls.insert(p.request_id.clone(), p);
        }
        c
    }

    fn index(&mut self, a: &Assignment) {
        self.by_fan.insert(a.fan_id.clone(), a.seq);
        match a.state {
            AssignmentState::Assigned if a.claimed_at.is_none() => {
                self.unclaimed.insert((a.claim_by, a.seq));
            }
            AssignmentState::Assigned => self.finished.claimed_open += 1,
            AssignmentState::Completed => self.finished.completed += 1,
            AssignmentState::Released => self.finished.released += 1,
            AssignmentState::Lapsed => self.finished.lapsed += 1,
            AssignmentState::Left => self.finished.left += 1,
        }
    }

    /// The records changed since the last call, to be persisted in order.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    fn line_change(&self) -> Change {
        Change::Line {
            next_seq: self.next_seq,
            head: self.head,
            gap_total: self.gap_total,
        }
    }

    pub fn sale(&self) -> &Sale {
        &self.sale
    }

    pub fn phase_at(&self, now: UnixMillis) -> Phase {
        self.sale.phase_at(now)
    }

    pub fn fan_id(&self, seq: Seq) -> FanId {
        fan_id_for(&self.sale.fan_salt, seq)
    }

    pub fn update_settings(&mut self, settings: SaleSettings, now: UnixMillis) {
        self.sale.settings = settings;
        self.sale.updated_at = now;
        self.changes.push(Change::Sale(self.sale.clone()));
    }

    fn set_control(&mut self, control: Control, now: UnixMillis) {
        if self.sale.control != control {
            self.sale.control = control;
            self.sale.updated_at = now;
            self.changes.push(Change::Sale(self.sale.clone()));
        }
    }

    pub fn open(&mut self, now: UnixMillis) -> Result<(), QueueError> {
        match self.phase_at(now) {
            Phase::Closed => Err(QueueError::AlreadyClosed),
            _ => {
                self.set_control(Control::Open, now);
                Ok(())
            }
        }
    }

    pub fn pause(&mut self, now: UnixMillis) -> Result<(), QueueError> {
        match self.phase_at(now) {
            Phase::Open | Phase::Paused => {
                self.set_control(Control::Paused, now);
                Ok(())
            }
            Phase::Scheduled => Err(QueueError::NotOpen {
                opens_at: self.sale.settings.opens_at,
            }),
            Phase::Closed => Err(QueueError::Closed),
        }
    }

    pub fn close(&mut self, now: UnixMillis) {
        self.set_control(Control::Closed, now);
    }

    /// Unused numbers in `head..seq`.
    fn gaps_before(&self, seq: Seq) -> u64 {
        self.gaps
            .range(..seq)
            .map(|(start, len)| (*len).min(seq - start))
            .sum()
    }

    /// Fans take new places only while the sale is open or paused.
    fn check_joinable(&self, now: UnixMillis) -> Result<(), QueueError> {
        match self.phase_at(now) {
            Phase::Open | Phase::Paused => Ok(()),
            Phase::Scheduled => Err(QueueError::NotOpen {
                opens_at: self.sale.settings.opens_at,
            }),
            Phase::Closed => Err(QueueError::Closed),
        }
    }

    fn place(&self, seq: Seq) -> (u64, u64) {
        let ahead = seq
            .saturating_sub(self.head)
            .saturating_sub(self.gaps_before(seq));
        (ahead + 1, ahead)
    }

    fn minute_mut(&mut self, now: UnixMillis) -> &mut MinuteStats {
        let minute = now.minute();
        self.minutes.entry(minute).or_insert(MinuteStats {
            minute,
            ..MinuteStats::default()
        })
    }

    /// A fan joins. `existing` is the place the fan's valid token names, if any: a fan still
    /// waiting, holding an assignment or done keeps it; a lapsed or released one gets a new place.
    pub fn join(&mut self, now: UnixMillis, existing: Option<Seq>) -> Result<Joined, QueueError> {
        self.sweep(now);
        if let Some(seq) = existing.filter(|s| (1..self.next_seq).contains(s)) {
            let still_held = match self.assignments.get(&seq) {
                None => true,
                Some(a) => matches!(
                    a.state,
                    AssignmentState::Assigned | AssignmentState::Completed
                ),
            };
            if still_held {
                let (position, ahead) = self.place(seq);
                return Ok(Joined {
                    fan_id: self.fan_id(seq),
                    seq,
                    created: false,
                    position,
                    ahead,
                });
            }
        }
        self.check_joinable(now)?;
        let seq = self.next_seq;
        self.next_seq += 1;
        self.changes.push(self.line_change());
        let minute = self.minute_mut(now);
        minute.arrivals += 1;
        let minute = *minute;
        self.changes.push(Change::Minute(minute));
        let (position, ahead) = self.place(seq);
        Ok(Joined {
            fan_id: self.fan_id(seq),
            seq,
            created: true,
            position,
            ahead,
        })
    }

    /// A window takes up to `max` waiting fans, in arrival order.
    pub fn pull(
        &mut self,
        now: UnixMillis,
        window: WindowId,
        max: u32,
        request_id: Option<RequestId>,
    ) -> Result<Pulled, QueueError> {
        if !(1..=MAX_PULL).contains(&max) {
            return Err(QueueError::BadPullSize { max });
        }
        self.sweep(now);
        if let Some(earlier) = request_id.as_ref().and_then(|id| self.pulls.get(id)) {
            if earlier.window != window || earlier.max != max {
                return Err(QueueError::RequestIdReused);
            }
            let assignments = earlier
                .seqs
                .iter()
                .filter_map(|s| self.assignments.get(s))
                .cloned()
                .collect();
            return Ok(Pulled {
                assignments,
                phase: self.phase_at(now),
                replayed: true,
            });
        }
        let phase = self.phase_at(now);
        let mut assignments = Vec::new();
        if phase == Phase::Open {
            let claim_by = now.plus_secs(self.sale.settings.claim_ttl_s);
            let head_before = self.head;
            while assignments.len() < max as usize && self.head < self.next_seq {
                let seq = self.head;
                if let Some(len) = self.gaps.remove(&seq) {
                    self.head += len;
                    continue;
                }
                if self.open_blocks.contains_key(&seq) {
                    // Its shard has not said yet how many of these numbers went to fans.
                    break;
                }
                let left = self.presence_lapsed(seq, now);
                let a = Assignment {
                    fan_id: self.fan_id(seq),
                    seq,
                    window: window.clone(),
                    state: if left {
                        AssignmentState::Left
                    } else {
                        AssignmentState::Assigned
                    },
                    assigned_at: now,
                    claim_by,
                    claimed_at: None,
                    finished_at: left.then_some(now),
                };
                self.index(&a);
                if left {
                    self.retired.push_back((now, seq));
                }
                self.assignments.insert(seq, a.clone());
                self.changes.push(Change::Assignment(a.clone()));
                self.head += 1;
                if !left {
                    assignments.push(a);
                }
            }
            if self.head != head_before {
                self.presence.last_seen = self.presence.last_seen.split_off(&self.head);
                self.changes.push(self.line_change());
            }
            if !assignments.is_empty() {
                let minute = self.minute_mut(now);
                minute.admissions += assignments.len() as u64;
                let minute = *minute;
                self.changes.push(Change::Minute(minute));
            }
        }
        if let Some(request_id) = request_id {
            let record = PullRecord {
                request_id: request_id.clone(),
                window,
                max,
                seqs: assignments.iter().map(|a| a.seq).collect(),
                at: now,
            };
            self.pull_order.push_back((now, request_id.clone()));
            self.pulls.insert(request_id, record.clone());
            self.changes.push(Change::Pull(record));
        }
        Ok(Pulled {
            assignments,
            phase,
            replayed: false,
        })
    }

    /// A fan whose number has been reached asks for their turn. The first claim starts the pass.
    pub fn claim(&mut self, now: UnixMillis, seq: Seq) -> Result<Claim, QueueError> {
        self.sweep(now);
        if seq >= self.head || seq == 0 {
            let (position, ahead) = self.place(seq);
            return Ok(Claim::Waiting { position, ahead });
        }
        let pass_ttl_s = self.sale.settings.pass_ttl_s;
        let a = self
            .assignments
            .get_mut(&seq)
            .ok_or(QueueError::AssignmentNotFound)?;
        match (a.state, a.claimed_at) {
            (AssignmentState::Assigned, None) => {
                self.unclaimed.remove(&(a.claim_by, seq));
                a.claimed_at = Some(now);
                self.finished.claimed_open += 1;
                let a = a.clone();
                self.changes.push(Change::Assignment(a.clone()));
                Ok(Claim::Turn {
                    assignment: a,
                    pass_ttl_s,
                })
            }
            (AssignmentState::Assigned | AssignmentState::Completed, Some(claimed_at))
                if now < claimed_at.plus_secs(pass_ttl_s) =>
            {
                Ok(Claim::Turn {
                    assignment: a.clone(),
                    pass_ttl_s,
                })
            }
            _ => Ok(Claim::Lapsed {
                assignment: a.clone(),
            }),
        }
    }

    fn finish(
        &mut self,
        now: UnixMillis,
        fan_id: &FanId,
        to: AssignmentState,
    ) -> Result<Assignment, QueueError> {
        self.sweep(now);
        let seq = *self
            .by_fan
            .get(fan_id)
            .ok_or(QueueError::AssignmentNotFound)?;
        let a = self
            .assignments
            .get_mut(&seq)
            .expect("by_fan indexes assignments");
        if a.state != AssignmentState::Assigned {
            return Err(QueueError::AssignmentFinished { state: a.state });
        }
        match a.claimed_at {
            None => {
                self.unclaimed.remove(&(a.claim_by, seq));
            }
            Some(_) => self.finished.claimed_open -= 1,
        }
        a.state = to;
        a.finished_at = Some(now);
        let a = a.clone();
        self.retired.push_back((now, seq));
        match to {
            AssignmentState::Completed => self.finished.completed += 1,
            AssignmentState::Released => self.finished.released += 1,
            AssignmentState::Assigned | AssignmentState::Lapsed | AssignmentState::Left => {
                unreachable!("only the origin's outcomes")
            }
        }
        self.changes.push(Change::Assignment(a.clone()));
        Ok(a)
    }

    /// The origin reports the fan's purchase done.
    pub fn complete(&mut self, now: UnixMillis, fan_id: &FanId) -> Result<Assignment, QueueError> {
        self.finish(now, fan_id, AssignmentState::Completed)
    }

    /// The origin gives the fan up; the window is free for the next one.
    pub fn release(&mut self, now: UnixMillis, fan_id: &FanId) -> Result<Assignment, QueueError> {
        self.finish(now, fan_id, AssignmentState::Released)
    }

    /// Lapses every assignment not claimed in time and forgets old pull records. Idempotent.
    pub fn sweep(&mut self, now: UnixMillis) {
        while let Some(&(claim_by, seq)) = self.unclaimed.first() {
            if claim_by > now {
                break;
            }
            self.unclaimed.pop_first();
            let a = self
                .assignments
                .get_mut(&seq)
                .expect("unclaimed indexes assignments");
            a.state = AssignmentState::Lapsed;
            a.finished_at = Some(claim_by);
            self.finished.lapsed += 1;
            self.retired.push_back((now, seq));
            let a = a.clone();
            self.changes.push(Change::Assignment(a));
        }
        while self
            .retired
            .front()
            .is_some_and(|(at, _)| at.plus_millis(RETAIN_FINISHED_MS) <= now)
        {
            let (_, seq) = self.retired.pop_front().expect("front exists");
            if let Some(a) = self.assignments.remove(&seq) {
                self.by_fan.remove(&a.fan_id);
                self.evicted += 1;
            }
        }
        let horizon = UnixMillis(now.0.saturating_sub(PULL_REPLAY_TTL_MS));
        let mut forgot = false;
        while self.pull_order.front().is_some_and(|(at, _)| *at < horizon) {
            let (_, id) = self.pull_order.pop_front().expect("front exists");
            self.pulls.remove(&id);
            forgot = true;
        }
        if forgot {
            self.changes.push(Change::ForgetPullsBefore(horizon));
        }
        let abandoned: Vec<(u32, Seq, u64)> = self
            .open_blocks
            .values()
            .filter(|b| b.leased_at.plus_millis(BLOCK_ABANDON_MS) <= now)
            .map(|b| (b.shard, b.start, b.len))
            .collect();
        for (shard, start, len) in abandoned {
            self.close_block(now, shard, start, len);
        }
        // Track when the front zone reached each fan, for presence.
        let zone_end = (self.head + self.presence_zone(now)).min(self.next_seq);
        if zone_end > self.presence.frontier {
            self.presence.zone.push_back((zone_end, now));
            self.presence.frontier = zone_end;
        }
        while self
            .presence
            .zone
            .front()
            .is_some_and(|(bound, _)| *bound <= self.head)
        {
            self.presence.zone.pop_front();
        }
    }

    /// How many fans from the front count as "near the front": those expected to be admitted
    /// within a minute, and at least [`MIN_PRESENCE_ZONE`]. Only they report that they are present.
    pub fn presence_zone(&self, now: UnixMillis) -> u64 {
        let by_rate = (self.admission_rate(now) * PRESENCE_HORIZON_S).ceil() as u64;
        by_rate.max(MIN_PRESENCE_ZONE)
    }

    /// A fan near the front says they are still there (they polled).
    pub fn present(&mut self, now: UnixMillis, seq: Seq) {
        if (self.head..self.next_seq).contains(&seq) {
            self.presence.last_seen.insert(seq, now);
        }
    }

    /// Whether fan `seq`, at the front now, stopped polling: no sign of them for the sale's
    /// `presence_ttl_s` since they came near the front (or since they last said they were there).
    fn presence_lapsed(&self, seq: Seq, now: UnixMillis) -> bool {
        let ttl = self.sale.settings.presence_ttl_s;
        if ttl == 0 {
            return false;
        }
        let Some(&(_, entered)) = self.presence.zone.iter().find(|(bound, _)| *bound > seq) else {
            return false;
        };
        let seen = self
            .presence
            .last_seen
            .get(&seq)
            .copied()
            .unwrap_or(entered)
            .max(entered);
        seen.plus_secs(ttl) < now
    }

    /// An arrival shard leases the next block of arrival numbers, closing its previous one.
    pub fn lease_block(
        &mut self,
        now: UnixMillis,
        shard: u32,
        closing: Option<(Seq, u64)>,
        want: u64,
    ) -> Result<BlockLease, QueueError> {
        if let Some((start, used)) = closing {
            self.close_block(now, shard, start, used);
        }
        self.sweep(now);
        self.check_joinable(now)?;
        // A shard holds one block at a time. One it left open was lost with its state: count it
        // as fully used, so that no fan who got a number from it is dropped.
        let lost: Vec<(Seq, u64)> = self
            .open_blocks
            .values()
            .filter(|b| b.shard == shard)
            .map(|b| (b.start, b.len))
            .collect();
        for (start, len) in lost {
            self.close_block(now, shard, start, len);
        }
        let len = want.clamp(1, MAX_BLOCK);
        let block = BlockRecord {
            start: self.next_seq,
            len,
            shard,
            leased_at: now,
            used: None,
        };
        self.next_seq += len;
        self.open_blocks.insert(block.start, block.clone());
        self.changes.push(Change::Block(block.clone()));
        self.changes.push(self.line_change());
        Ok(BlockLease {
            start: block.start,
            len,
            leased_at: now,
            until: now.plus_millis(BLOCK_TTL_MS),
            fan_salt: self.sale.fan_salt.clone(),
        })
    }

    /// A shard reports how many numbers of a block went to fans (a prefix); the rest are gaps.
    /// Reporting a block that is already closed changes nothing.
    pub fn close_block(&mut self, now: UnixMillis, shard: u32, start: Seq, used: u64) {
        if self
            .open_blocks
            .get(&start)
            .is_none_or(|b| b.shard != shard)
        {
            return;
        }
        let mut block = self.open_blocks.remove(&start).expect("checked above");
        let used = used.min(block.len);
        block.used = Some(used);
        if used < block.len {
            self.gaps.insert(start + used, block.len - used);
            self.gap_total += block.len - used;
            self.changes.push(self.line_change());
        }
        if used > 0 {
            let minute = self.minute_mut(now);
            minute.arrivals += used;
            let minute = *minute;
            self.changes.push(Change::Minute(minute));
        }
        self.changes.push(Change::Block(block));
    }

    /// Whether an operation on fan `seq` needs its finished assignment back from storage first
    /// (see [`Coordinator::remember`]).
    pub fn needs_record(&self, seq: Seq) -> bool {
        self.evicted > 0 && seq < self.head && !self.assignments.contains_key(&seq)
    }

    /// Whether the assignment of `fan_id`, if there is one, is in memory.
    pub fn knows_fan(&self, fan_id: &FanId) -> bool {
        self.evicted == 0 || self.by_fan.contains_key(fan_id)
    }

    /// Takes back a finished assignment that was dropped from memory, read from storage. It is
    /// dropped again [`RETAIN_FINISHED_MS`] later.
    pub fn remember(&mut self, now: UnixMillis, a: Assignment) {
        if a.state == AssignmentState::Assigned
            || a.seq >= self.head
            || self.assignments.contains_key(&a.seq)
        {
            return;
        }
        self.by_fan.insert(a.fan_id.clone(), a.seq);
        self.retired.push_back((now, a.seq));
        self.assignments.insert(a.seq, a);
        self.evicted = self.evicted.saturating_sub(1);
    }

    /// The first number leased to a shard that has not said yet how much of its block it used.
    pub fn first_pending(&self) -> Option<Seq> {
        self.open_blocks.keys().next().copied()
    }

    /// When the next assignment would lapse, for an alarm.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        self.unclaimed.first().map(|(at, _)| *at)
    }

    pub fn assignment(&self, fan_id: &FanId) -> Option<&Assignment> {
        self.by_fan
            .get(fan_id)
            .and_then(|s| self.assignments.get(s))
    }

    pub fn minutes(&self) -> impl Iterator<Item = &MinuteStats> {
        self.minutes.values()
    }

    /// Fans admitted per second recently, for wait estimates.
    pub fn admission_rate(&self, now: UnixMillis) -> f64 {
        let from = UnixMillis(now.0.saturating_sub(RATE_WINDOW_MS));
        let admitted: u64 = self
            .minutes
            .range(from.minute()..)
            .map(|(_, m)| m.admissions)
            .sum();
        if admitted == 0 {
            return 0.0;
        }
        // Count from the start of the oldest minute in the window, but not from before the sale opened.
        let start = UnixMillis(from.minute() * 60_000).max(self.sale.created_at);
        let seconds = (start.millis_until(now) as f64 / 1000.0).max(1.0);
        admitted as f64 / seconds
    }

    pub fn stats(&self, now: UnixMillis) -> Stats {
        let f = self.finished;
        let pending: u64 = self.open_blocks.values().map(|b| b.len).sum();
        let gaps_ahead: u64 = self.gaps.values().sum();
        let handled = self.assignments.len() as u64 + self.evicted;
        Stats {
            joined: self.next_seq - 1 - self.gap_total - pending,
            waiting: self.next_seq - self.head - gaps_ahead - pending,
            assigned: handled - f.completed - f.released - f.lapsed - f.left,
            claimed: f.claimed_open,
            completed: f.completed,
            released: f.released,
            lapsed: f.lapsed,
            left: f.left,
            pending,
            admission_rate: self.admission_rate(now),
        }
    }

    /// What the edge caches and answers polls from.
    pub fn snapshot(&self, now: UnixMillis) -> Snapshot {
        Snapshot {
            sale: SaleView::of(&self.sale),
            head: self.head,
            next_seq: self.next_seq,
            gaps: self
                .gaps
                .iter()
                .map(|(start, len)| (*start, *len))
                .collect(),
            admission_rate: self.admission_rate(now),
            presence_zone: self.presence_zone(now),
            taken_at: now,
        }
    }

    /// Checks every invariant of the line; for tests and simulations.
    pub fn check_invariants(&self) -> Result<(), String> {
        let fail = |m: String| Err(m);
        if !(1 <= self.head && self.head <= self.next_seq) {
            return fail(format!("head {} outside 1..={}", self.head, self.next_seq));
        }
        let gaps_ahead: u64 = self.gaps.values().sum();
        let gaps_behind = self.gap_total - gaps_ahead;
        if self.assignments.len() as u64 + self.evicted + gaps_behind != self.head - 1 {
            return fail(format!(
                "{} assignments, {} in storage only and {gaps_behind} unused numbers behind head {}",
                self.assignments.len(),
                self.evicted,
                self.head
            ));
        }
        if self.assignments.range(self.head..).next().is_some() {
            return fail("an assignment at or after head".into());
        }
        if self.gaps.range(..self.head).next().is_some() {
            return fail("a gap behind head".into());
        }
        if self.open_blocks.range(..self.head).next().is_some() {
            return fail("an open block behind head".into());
        }
        let mut end = self.head;
        for (start, len) in &self.gaps {
            if *start < end {
                return fail(format!("gap at {start} overlaps"));
            }
            end = start + len;
        }
        if end > self.next_seq {
            return fail("a gap past next_seq".into());
        }
        if self.by_fan.len() != self.assignments.len() {
            return fail("a fan id indexes two assignments".into());
        }
        let mut unclaimed = 0;
        for (seq, a) in &self.assignments {
            if a.seq != *seq || a.fan_id != self.fan_id(*seq) {
                return fail(format!("assignment {seq} has the wrong seq or fan id"));
            }
            if a.state == AssignmentState::Assigned && a.claimed_at.is_none() {
                unclaimed += 1;
                if !self.unclaimed.contains(&(a.claim_by, *seq)) {
                    return fail(format!("unclaimed assignment {seq} has no deadline"));
                }
            }
        }
        if unclaimed != self.unclaimed.len() {
            return fail("stale claim deadlines".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
