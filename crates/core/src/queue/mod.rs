//! The coordinator: one per sale, it keeps the arrival order and hands fans to windows in order.
//!
//! It is a plain state machine. Every operation takes `now`; every mutation is also recorded as a
//! [`Change`] that the caller drains with [`Queue::take_changes`] and writes to durable storage
//! before answering, and [`Queue::restore`] rebuilds the same state from those records.
//!
//! The line is a range of arrival numbers: fans `head..next_seq` are waiting, in order, and every fan
//! below `head` has an [`Assignment`]. So a join writes one counter, not a row per fan, and a pull
//! takes the front of the range.
//!
//! [`crate::machines::sale_machine::SaleMachine`] is the one entry point a Durable Object drives;
//! [`Queue`] is one sale's line, composed of one part per concern: the `line` of numbers,
//! the `blocks` leased to arrival shards, the `assignments` in memory, the `pulls` remembered
//! for retries, `presence` near the front and the `stats`.

mod assignments;
mod blocks;
pub mod draw;
mod error;
mod line;
mod prequeue;
mod presence;
mod pulls;
mod records;
pub mod snapshot;
pub mod socket;
mod stats;

pub use error::QueueError;
pub use prequeue::DrawRecord;
pub use records::{
    Assignment, AssignmentState, BlockLease, BlockRecord, Change, Claim, Joined, MinuteStats,
    PullRecord, Pulled, Rejoined, Restored,
};
pub use stats::Stats;

use crate::ids::{FanId, RequestId, SaleId, Seq, WindowId};
use crate::queue::draw::{DrawInfo, DrawKey};
use crate::queue::snapshot::SHARDS_CHANGE_SETTLES_MS;
use crate::sale::admission::{self, Admission};
use crate::sale::{Control, FanSalt, Phase, Sale, SaleSettings, ShardsChange};
use crate::time::UnixMillis;
use crate::{queue::snapshot::Snapshot, sale::SaleView};
use assignments::{Assignments, Finish};
use blocks::OpenBlocks;
use hmac::{Hmac, Mac};
use line::Line;
use prequeue::PreQueue;
use presence::Presence;
use pulls::PullLog;
use sha2::Sha256;
use socket::{Refusal, MAX_SOCKETS};
use stats::Minutes;

/// Most fans one pull may take.
pub const MAX_PULL: u32 = 100;
/// How long a pull's `request_id` is remembered for retries.
pub const PULL_REPLAY_TTL_MS: u64 = 5 * 60 * 1000;
/// Finished assignments stay in memory this long (longer than a pull's replay window), then only
/// in storage: memory follows the fans being served, not every fan ever served.
pub const RETAIN_FINISHED_MS: u64 = PULL_REPLAY_TTL_MS + 60_000;
/// An arrival shard numbers fans from a block for at most this long, then leases a new one. This is
/// the ordering bound: a fan can be passed only by fans who arrived within this long of them.
pub const BLOCK_TTL_MS: u64 = 1_000;
/// Largest block a shard may lease.
pub const MAX_BLOCK: u64 = 4_096;
/// A block its shard never reported is closed as if fully used after this long, so no number
/// stalls the line forever (an unused number then reads as a fan who left).
pub const BLOCK_ABANDON_MS: u64 = 60_000;
/// The window of a stand-in record for a place whose stored assignment was unreadable and that
/// its fan took again (see [`Queue::join`]).
pub const LOST_RECORD_WINDOW: &str = "lost-record";
/// The fewest fans counted as "near the front" for presence.
pub const MIN_PRESENCE_ZONE: u64 = 20;

/// Derives a fan's id from the sale's secret salt and the arrival number.
pub fn fan_id_for(fan_salt: &FanSalt, seq: Seq) -> FanId {
    FanIdKey::new(fan_salt).fan_id(seq)
}

/// The HMAC of [`fan_id_for`] keyed once: deriving an id then hashes two blocks instead of four.
/// Its `Debug` shows no key.
#[derive(Clone, Debug)]
struct FanIdKey(Hmac<Sha256>);

impl FanIdKey {
    fn new(fan_salt: &FanSalt) -> Self {
        Self(
            Hmac::<Sha256>::new_from_slice(fan_salt.expose().as_bytes())
                .expect("HMAC takes any key length"),
        )
    }

    fn fan_id(&self, seq: Seq) -> FanId {
        let mut mac = self.0.clone();
        mac.update(&seq.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0u8; 10];
        bytes.copy_from_slice(&digest[..10]);
        FanId::from_bytes(bytes)
    }
}

/// The gaps of `gaps` that lie inside `start..start + used`, in order, not overlapping, not empty.
fn inner_gaps(start: Seq, used: u64, gaps: &[(Seq, u64)]) -> Vec<(Seq, u64)> {
    let mut sorted: Vec<(Seq, u64)> = gaps
        .iter()
        .copied()
        .filter(|(s, len)| *len > 0 && *s >= start && s.saturating_add(*len) <= start + used)
        .collect();
    sorted.sort_unstable();
    let mut inner: Vec<(Seq, u64)> = Vec::with_capacity(sorted.len());
    for (s, len) in sorted {
        if inner.last().is_none_or(|(ps, plen)| ps + plen <= s) {
            inner.push((s, len));
        }
    }
    inner
}

/// Which finished assignments a restart reads back into memory: those finished since then (and
/// every active one). The rest stay in storage until a command needs one.
pub fn recent_since(now: UnixMillis) -> UnixMillis {
    UnixMillis(now.0.saturating_sub(RETAIN_FINISHED_MS))
}

/// One sale's line.
#[derive(Clone, Debug)]
pub struct Queue {
    sale: Sale,
    line: Line,
    blocks: OpenBlocks,
    assignments: Assignments,
    pulls: PullLog,
    minutes: Minutes,
    presence: Presence,
    /// In `rate` mode, the schedule's theoretical time of the next admission, in microseconds
    /// (see [`crate::sale::admission`]). Not stored: a restart derives it from the newest admission.
    rate_tat_us: u64,
    /// The pre-queue's draw, once the sale has had a pre-queue set (see [`prequeue`]).
    prequeue: Option<PreQueue>,
    /// Keyed with `sale.fan_salt`, which never changes (an upsert of a sale that exists changes
    /// only its settings).
    fan_key: FanIdKey,
    changes: Vec<Change>,
    /// Turns claimed for fans holding a socket as they were admitted, for the object to push
    /// ([`Queue::take_pushed_turns`]).
    pushed_turns: Vec<Claim>,
}

impl Queue {
    /// A new sale. `fan_salt` and `draw_key` must be random (the caller's job: the core has no
    /// randomness); the key is kept only when the sale has a pre-queue.
    pub fn create(
        id: SaleId,
        settings: SaleSettings,
        fan_salt: FanSalt,
        draw_key: Option<DrawKey>,
        now: UnixMillis,
    ) -> Result<Self, QueueError> {
        let prequeue = settings.prequeue_opens_at.is_some();
        let sale = Sale {
            id,
            settings,
            control: Control::Scheduled,
            fan_salt,
            created_at: now,
            updated_at: now,
            shards_changed: None,
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
        c.changes.push(c.line.change());
        if prequeue {
            c.choose_draw_key(draw_key)?;
        }
        Ok(c)
    }

    /// Keeps `key` as the pre-queue's draw key, unless it has one: a key is chosen once.
    fn choose_draw_key(&mut self, key: Option<DrawKey>) -> Result<(), QueueError> {
        if self.prequeue.is_some() {
            return Ok(());
        }
        // The adapter supplies a key with every upsert; without one there is no fair draw.
        let key = key.ok_or(QueueError::Busy)?;
        let prequeue = PreQueue::new(DrawRecord { key, end: 0 });
        self.changes.push(prequeue.change());
        self.prequeue = Some(prequeue);
        Ok(())
    }

    /// A sale whose own record could not be read, repaired by a promoter's full settings: its
    /// line as stored (every fan keeps their place), under `settings`, **paused** (how it stood
    /// was in the lost record; the promoter opens it again), with a new `fan_salt` (the old one
    /// was in the lost record too: fan ids derived from now on differ, places do not). The new
    /// record is the first change to write. A pre-queue the new settings ask for and storage had
    /// no draw for takes `draw_key`, as at creation.
    pub fn repaired(
        id: SaleId,
        settings: SaleSettings,
        fan_salt: FanSalt,
        draw_key: Option<DrawKey>,
        restored: Restored,
        now: UnixMillis,
    ) -> Result<Self, QueueError> {
        let sale = Sale {
            id,
            settings,
            control: Control::Paused,
            fan_salt,
            created_at: now,
            updated_at: now,
            shards_changed: None,
        };
        let mut c = Self::restore(sale, restored);
        c.changes.push(Change::Sale(c.sale.clone()));
        if c.sale.settings.prequeue_opens_at.is_some() {
            c.choose_draw_key(draw_key)?;
        }
        Ok(c)
    }

    /// Rebuilds a coordinator from what storage kept.
    pub fn restore(sale: Sale, r: Restored) -> Self {
        let mut line = Line::new(r.next_seq, r.head, r.gap_total);
        let mut blocks = OpenBlocks::default();
        let prequeue_end = r.draw.as_ref().map_or(0, |d| d.end);
        for b in r.blocks {
            if b.used.is_none() {
                blocks.insert(b);
                continue;
            }
            for (start, len) in b.unused() {
                // The pre-queue's unused numbers: their places are drawn later (`draw_if_due`).
                if b.start <= prequeue_end {
                    line.restore_prequeue_gap(start, len);
                } else {
                    line.restore_gap(start, len);
                }
            }
        }
        let newest = r
            .assignments
            .iter()
            .filter(|a| a.state != AssignmentState::Left)
            .map(|a| a.assigned_at)
            .max();
        let rate_tat_us = rate_schedule_after(&sale.settings.admission, newest);
        Self {
            rate_tat_us,
            prequeue: r.draw.map(PreQueue::new),
            fan_key: FanIdKey::new(&sale.fan_salt),
            sale,
            presence: Presence::starting_at(line.head()),
            line,
            blocks,
            assignments: Assignments::restore(r.assignments, r.state_counts),
            pulls: PullLog::restore(r.pulls),
            minutes: Minutes::restore(r.minutes),
            changes: Vec::new(),
            pushed_turns: Vec::new(),
        }
    }

    /// The records changed since the last call, to be persisted in order.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn sale(&self) -> &Sale {
        &self.sale
    }

    pub fn phase_at(&self, now: UnixMillis) -> Phase {
        self.sale.phase_at(now)
    }

    pub fn fan_id(&self, seq: Seq) -> FanId {
        self.fan_key.fan_id(seq)
    }

    /// Whether `seq` was ever handed out as an arrival number.
    pub fn issued(&self, seq: Seq) -> bool {
        self.line.issued(seq)
    }

    /// New settings, live: a new admission mode admits by its own rule from now on, and a
    /// shorter session ends the claimed admissions it has run out for. Refused
    /// ([`QueueError::ShardsFixed`]) for a change of `shards` when the sale is or becomes
    /// invitation-only and numbers have been handed out, and ([`QueueError::ShardsChanging`])
    /// for one within [`SHARDS_CHANGE_SETTLES_MS`] of the last (recorded in
    /// [`Sale::shards_changed`], for [`crate::queue::snapshot::home_shard`]). Once the pre-queue has opened its
    /// window is fixed ([`QueueError::PrequeueFixed`]): neither `prequeue_opens_at` nor
    /// `opens_at` may change (so the draw happens once, when fans were told). A pre-queue set
    /// for the first time takes `draw_key`.
    pub fn update_settings(
        &mut self,
        settings: SaleSettings,
        draw_key: Option<DrawKey>,
        now: UnixMillis,
    ) -> Result<(), QueueError> {
        let old = &self.sale.settings;
        let invite = !old.access.is_open() || !settings.access.is_open();
        if invite && old.shards != settings.shards && self.line.next_seq() > 1 {
            return Err(QueueError::ShardsFixed);
        }
        if old.prequeue_opens_at.is_some_and(|at| now >= at)
            && (settings.prequeue_opens_at != old.prequeue_opens_at
                || settings.opens_at != old.opens_at)
        {
            return Err(QueueError::PrequeueFixed);
        }
        // Also before the sale opens: challenges are handed out then, and spent from the
        // opening second by edges whose snapshots may be a minute apart.
        if old.shards != settings.shards {
            let settles = |c: ShardsChange| c.at.plus_millis(SHARDS_CHANGE_SETTLES_MS);
            if let Some(until) = self.sale.shards_changed.map(settles).filter(|t| now < *t) {
                return Err(QueueError::ShardsChanging { until });
            }
        }
        if settings.prequeue_opens_at.is_some() {
            self.choose_draw_key(draw_key)?;
        }
        if settings.shards != self.sale.settings.shards {
            self.sale.shards_changed = Some(ShardsChange {
                from: self.sale.settings.shards,
                at: now,
            });
        }
        if settings.admission != self.sale.settings.admission {
            // A new rate schedules from the newest admission, as after a restart.
            self.rate_tat_us =
                rate_schedule_after(&settings.admission, self.assignments.newest_admission());
        }
        self.sale.settings = settings;
        self.sale.updated_at = now;
        self.changes.push(Change::Sale(self.sale.clone()));
        self.sweep(now);
        Ok(())
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
            // The draw happens at `opens_at`, as fans were told.
            Phase::Prequeue => Err(QueueError::PrequeueFixed),
            _ => {
                self.set_control(Control::Open, now);
                Ok(())
            }
        }
    }

    /// Pausing needs a sale that takes joins (open or paused).
    pub fn pause(&mut self, now: UnixMillis) -> Result<(), QueueError> {
        if self.phase_at(now) == Phase::Prequeue {
            return Err(QueueError::PrequeueFixed);
        }
        self.check_joinable(now)?;
        self.set_control(Control::Paused, now);
        Ok(())
    }

    pub fn close(&mut self, now: UnixMillis) {
        self.set_control(Control::Closed, now);
    }

    /// Fans take new places only while the sale admits joins ([`Phase::admits_joins`]).
    fn check_joinable(&self, now: UnixMillis) -> Result<(), QueueError> {
        match self.phase_at(now) {
            // (A pre-queue always has its draw key; without one, no fan may enter it.)
            Phase::Prequeue if self.prequeue.is_none() => Err(QueueError::NotOpen {
                opens_at: self.sale.settings.opens_at,
            }),
            phase if phase.admits_joins() => Ok(()),
            Phase::Scheduled | Phase::Prequeue => Err(QueueError::NotOpen {
                opens_at: self.sale.settings.opens_at,
            }),
            _ => Err(QueueError::Closed),
        }
    }

    /// A fan joins. `existing` is the place the fan's valid token names, if any: a fan still
    /// waiting, holding an assignment or done keeps it. A place that ended (lapsed, released,
    /// left, expired) is spent once: the first join presenting it gets a new place at the back,
    /// recorded against the old one ([`Assignment::rejoined_as`]), and every later join presenting
    /// it finds that same new place (`created: false`). So one token is never more than one live
    /// place; the new place's own token may be turned into one more the same way, and each such
    /// join pays the sale's gates at the edge like any new place (docs/fairness.md).
    pub fn join(&mut self, now: UnixMillis, existing: Option<Seq>) -> Result<Joined, QueueError> {
        self.sweep(now);
        if let Some(seq) = existing {
            if self.still_held(seq) {
                return Ok(self.joined(seq, false));
            }
            if let Some(next) = self
                .assignments
                .get(seq)
                .and_then(|a| a.rejoined_as.clone())
            {
                return Ok(self.joined(next.seq, false));
            }
        }
        let joined = self.take_new_place(now)?;
        if let Some(seq) = existing {
            let recorded = match self.assignments.rejoined(seq, &joined) {
                Some(a) => Some(a),
                None => self.lost_place_taken_again(seq, &joined, now),
            };
            if let Some(a) = recorded {
                self.changes.push(Change::Assignment(a));
            }
        }
        Ok(joined)
    }

    /// A place behind the front whose assignment cannot be found (its stored record was
    /// unreadable), taken again as `joined`: a stand-in record takes the lost one's place, a fan
    /// who left (window [`LOST_RECORD_WINDOW`]) and was taken again as `joined`, so the token is
    /// spent like any finished place's: every later join presenting it finds `joined`.
    fn lost_place_taken_again(
        &mut self,
        seq: Seq,
        joined: &Joined,
        now: UnixMillis,
    ) -> Option<Assignment> {
        let behind = self.line.issued(seq) && self.position_of(seq) < self.line.head();
        if !behind || self.assignments.get(seq).is_some() {
            return None;
        }
        let a = Assignment {
            fan_id: self.fan_id(seq),
            seq,
            window: WindowId::parse(LOST_RECORD_WINDOW).expect("a window id"),
            state: AssignmentState::Left,
            assigned_at: now,
            claim_by: now,
            claimed_at: None,
            finished_at: Some(now),
            rejoined_as: Some(Rejoined::of(joined)),
        };
        self.assignments.add(a.clone(), now);
        Some(a)
    }

    /// A new place at the back of the line.
    fn take_new_place(&mut self, now: UnixMillis) -> Result<Joined, QueueError> {
        self.check_joinable(now)?;
        let seq = self.line.take(1);
        self.changes.push(self.line.change());
        self.note_prequeue_numbers(now);
        let minute = self.minutes.arrived(now, 1);
        self.changes.push(Change::Minute(minute));
        Ok(self.joined(seq, true))
    }

    /// Whether number `seq` still holds a place: waiting, assigned or done. A number behind the
    /// front whose assignment cannot be found (its stored record was unreadable) holds none: the
    /// fan gets a new place rather than the same lost one forever.
    fn still_held(&self, seq: Seq) -> bool {
        if !self.line.issued(seq) {
            return false;
        }
        if self.position_of(seq) >= self.line.head() {
            return true;
        }
        self.assignments.get(seq).is_some_and(|a| {
            matches!(
                a.state,
                AssignmentState::Assigned | AssignmentState::Completed
            )
        })
    }

    fn joined(&self, seq: Seq, created: bool) -> Joined {
        let (position, ahead) = self.line.place(self.position_of(seq));
        Joined {
            fan_id: self.fan_id(seq),
            seq,
            created,
            position,
            ahead,
        }
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
        let phase = self.phase_at(now);
        if let Some(replay) = self.pulls.replay(request_id.as_ref(), &window, max) {
            let assignments = replay?
                .iter()
                .filter_map(|s| self.assignments.get(*s))
                .cloned()
                .collect();
            return Ok(Pulled {
                assignments,
                phase,
                replayed: true,
            });
        }
        let admission = self.sale.settings.admission;
        if !admission.is_pull() {
            return Err(QueueError::NotPullMode { admission });
        }
        let assignments = if phase == Phase::Open {
            self.admit(now, &window, max as usize)
        } else {
            Vec::new()
        };
        if let Some(request_id) = request_id {
            let record = PullRecord {
                request_id,
                window,
                max,
                seqs: assignments.iter().map(|a| a.seq).collect(),
                at: now,
            };
            self.pulls.record(record.clone());
            self.changes.push(Change::Pull(record));
        }
        Ok(Pulled {
            assignments,
            phase,
            replayed: false,
        })
    }

    /// Hands up to `max` fans from the front to `window`, skipping unused numbers and fans who
    /// left, and stopping at a block whose use is not reported yet.
    fn admit(&mut self, now: UnixMillis, window: &WindowId, max: usize) -> Vec<Assignment> {
        let head_before = self.line.head();
        let mut admitted = Vec::new();
        while admitted.len() < max && self.line.head() < self.line.next_seq() {
            if self.line.skip_gap() {
                continue;
            }
            if self.blocks.holds(self.seq_at(self.line.head())) {
                break;
            }
            let a = self.assign_head(now, window);
            if a.state == AssignmentState::Assigned {
                admitted.push(self.on_admitted(now, a));
            }
        }
        if self.line.head() != head_before {
            self.presence.passed(self.line.head());
            self.changes.push(self.line.change());
        }
        if !admitted.is_empty() {
            let minute = self.minutes.admitted(now, admitted.len() as u64);
            self.changes.push(Change::Minute(minute));
        }
        admitted
    }

    /// Admits whoever the sale's admission mode lets in by `now`, while it is open: in `rate`
    /// mode as many as the schedule has due (fans who left are skipped without using it), in
    /// `capacity` mode until `active` fans hold an admission. In `pull` mode nobody: windows
    /// pull. Runs after every command and sweep.
    pub fn admit_by_mode(&mut self, now: UnixMillis) {
        if self.phase_at(now) != Phase::Open {
            return;
        }
        let admission = self.sale.settings.admission;
        let window = WindowId::of_mode(admission.mode());
        match admission {
            Admission::Pull => {}
            Admission::Rate { per_minute } => {
                let rate = admission::RateLimit::new(per_minute);
                let now_us = admission::micros(now);
                let due = rate.due(self.rate_tat_us, now_us);
                if due > 0 {
                    let admitted = self.admit(now, &window, due as usize).len() as u64;
                    if admitted > 0 {
                        self.rate_tat_us = rate.after(self.rate_tat_us, now_us, admitted);
                    }
                }
            }
            Admission::Capacity { active, .. } => {
                let held = self.assignments.held();
                if held < u64::from(active) {
                    self.admit(now, &window, (u64::from(active) - held) as usize);
                }
            }
        }
    }

    /// How long a claimed admission lasts, and its pass (see [`Admission::claimed_for_s`]).
    fn claimed_for_s(&self) -> u64 {
        self.sale
            .settings
            .admission
            .claimed_for_s(self.sale.settings.pass_ttl_s)
    }

    /// Whether the front of the line holds a fan the coordinator could admit now (not a block
    /// whose use is not reported yet).
    fn front_admittable(&self) -> bool {
        self.line.head() < self.line.next_seq() && !self.blocks.holds(self.seq_at(self.line.head()))
    }

    /// In `rate` mode, when the coordinator should wake to admit the next fans: when a quarter of
    /// a second's burst is due (at most every quarter second, at least for the next fan). A sale
    /// that opens by the clock with fans already in line wakes at `opens_at`.
    fn next_admission(&self) -> Option<UnixMillis> {
        let rate = self.sale.settings.admission.rate()?;
        if !self.front_admittable() {
            return None;
        }
        let batch = (rate.burst() / 4).max(1);
        let at_us = self.rate_tat_us + (batch - 1) * rate.interval_us();
        let at = UnixMillis(at_us.div_ceil(1_000));
        match (self.sale.control, self.sale.settings.opens_at) {
            (Control::Open, _) => Some(at),
            (Control::Scheduled, Some(opens_at)) => Some(at.max(opens_at)),
            _ => None,
        }
    }

    /// The fan at the front gets an assignment: to `window`, or as having left.
    fn assign_head(&mut self, now: UnixMillis, window: &WindowId) -> Assignment {
        let seq = self.seq_at(self.line.head());
        let left = self
            .presence
            .lapsed(self.line.head(), now, self.sale.settings.presence_ttl_s);
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
            claim_by: now.plus_secs(self.sale.settings.claim_ttl_s),
            claimed_at: None,
            finished_at: left.then_some(now),
            rejoined_as: None,
        };
        self.assignments.add(a.clone(), now);
        self.changes.push(Change::Assignment(a.clone()));
        self.line.advance();
        a
    }

    /// The hook every admission goes through (a window's pull now; any other way of admitting a
    /// fan must call it too): a fan holding a socket has their turn claimed at once, for the
    /// object to push with the pass ([`Queue::take_pushed_turns`]). The pass then runs
    /// from the admission, and the window waits for nobody's next poll. Returns the assignment
    /// as it now stands.
    fn on_admitted(&mut self, now: UnixMillis, a: Assignment) -> Assignment {
        if !self.presence.holds_socket(self.position_of(a.seq)) {
            return a;
        }
        let pass_ttl_s = self.sale.settings.pass_ttl_s;
        match self.assignments.claim(a.seq, now, pass_ttl_s) {
            Ok((claim, changed)) => {
                let Claim::Turn { assignment, .. } = &claim else {
                    return a;
                };
                let assignment = assignment.clone();
                if changed {
                    self.changes.push(Change::Assignment(assignment.clone()));
                }
                self.pushed_turns.push(claim);
                assignment
            }
            // Just added: cannot be missing. The fan claims by polling instead.
            Err(_) => a,
        }
    }

    /// The turns claimed for fans holding a socket since the last call ([`Claim::Turn`]s), for
    /// the object to send on their sockets.
    pub fn take_pushed_turns(&mut self) -> Vec<Claim> {
        std::mem::take(&mut self.pushed_turns)
    }

    /// Fan `seq` opens a socket: accepted (and counted as present from now on) if they are in
    /// line, near the front ([`socket::admits`]) and the object holds fewer than [`MAX_SOCKETS`].
    pub fn connect(&mut self, now: UnixMillis, seq: Seq) -> Result<(), Refusal> {
        self.sweep(now);
        if self.phase_at(now) == Phase::Closed {
            return Err(Refusal::Closed);
        }
        // Presence, sockets included, is kept by line position (see `prequeue`); a pre-queue fan
        // has none until the draw.
        if !self.line.issued(seq) || self.phase_at(now) == Phase::Prequeue {
            return Err(Refusal::NotInLine);
        }
        let position = self.position_of(seq);
        if position < self.line.head() {
            return Err(Refusal::TurnReached);
        }
        let (_, ahead) = self.line.place(position);
        let zone = self.presence_zone(now);
        if !socket::admits(ahead, zone) {
            return Err(Refusal::NotNearFront { ahead, zone });
        }
        if self.presence.sockets() >= MAX_SOCKETS {
            return Err(Refusal::Full);
        }
        self.presence.socket_opened(position, now);
        Ok(())
    }

    /// A socket fan `seq` opened before the object restarted (it woke from hibernation with the
    /// socket still open): counted again, without the checks it passed then. Whether the fan is
    /// still in line; if not, the object closes it.
    pub fn reconnect(&mut self, now: UnixMillis, seq: Seq) -> bool {
        let position = self.position_of(seq);
        if !self.line.contains(position) {
            return false;
        }
        self.presence.socket_opened(position, now);
        true
    }

    /// One of fan `seq`'s sockets closed (or failed): from now on the presence rules apply as to
    /// a fan who was last seen now.
    pub fn disconnect(&mut self, now: UnixMillis, seq: Seq) {
        self.presence.socket_closed(self.position_of(seq), now);
    }

    /// Open sockets counted.
    pub fn sockets(&self) -> u64 {
        self.presence.sockets()
    }

    /// A fan whose number has been reached asks for their turn. The first claim starts the pass.
    pub fn claim(&mut self, now: UnixMillis, seq: Seq) -> Result<Claim, QueueError> {
        self.sweep(now);
        if seq == 0 || self.position_of(seq) >= self.line.head() {
            let (position, ahead) = self.line.place(self.position_of(seq));
            return Ok(Claim::Waiting { position, ahead });
        }
        let (claim, changed) = self.assignments.claim(seq, now, self.claimed_for_s())?;
        if let (true, Claim::Turn { assignment, .. }) = (changed, &claim) {
            self.changes.push(Change::Assignment(assignment.clone()));
        }
        Ok(claim)
    }

    /// A claim by fan `a.seq`, whose finished assignment was read back from storage: answered
    /// from the record, which stays out of memory (a read-only lookup does not re-enter it).
    pub(crate) fn claim_from_record(&mut self, now: UnixMillis, a: &Assignment) -> Claim {
        self.sweep(now);
        assignments::claimed_again(a, now, self.claimed_for_s())
    }

    /// A join presenting fan `a.seq`'s token, whose finished assignment was read back from
    /// storage: a fan who bought keeps the place, a place already turned into a new one finds
    /// that one, anyone else joins anew (recorded against the old place, as [`Self::join`]). The
    /// record stays out of memory.
    pub(crate) fn join_from_record(
        &mut self,
        now: UnixMillis,
        a: &Assignment,
    ) -> Result<Joined, QueueError> {
        self.sweep(now);
        let held = matches!(
            a.state,
            AssignmentState::Assigned | AssignmentState::Completed
        );
        if held && self.line.issued(a.seq) && self.position_of(a.seq) < self.line.head() {
            return Ok(self.joined(a.seq, false));
        }
        if let Some(next) = &a.rejoined_as {
            return Ok(self.joined(next.seq, false));
        }
        let joined = self.take_new_place(now)?;
        self.changes.push(Change::Assignment(Assignment {
            rejoined_as: Some(Rejoined::of(&joined)),
            ..a.clone()
        }));
        Ok(joined)
    }

    fn finish(
        &mut self,
        now: UnixMillis,
        fan_id: &FanId,
        outcome: Finish,
    ) -> Result<Assignment, QueueError> {
        self.sweep(now);
        let a = self.assignments.finish(fan_id, outcome, now)?;
        self.changes.push(Change::Assignment(a.clone()));
        // In `capacity` mode each end admits the next fan.
        self.admit_by_mode(now);
        Ok(a)
    }

    /// The origin reports the fan's purchase done.
    pub fn complete(&mut self, now: UnixMillis, fan_id: &FanId) -> Result<Assignment, QueueError> {
        self.finish(now, fan_id, Finish::Completed)
    }

    /// The origin gives the fan up; the window is free for the next one.
    pub fn release(&mut self, now: UnixMillis, fan_id: &FanId) -> Result<Assignment, QueueError> {
        self.finish(now, fan_id, Finish::Released)
    }

    /// Brings everything time-driven up to `now`. Idempotent.
    pub fn sweep(&mut self, now: UnixMillis) {
        self.draw_if_due(now);
        self.lapse_unclaimed(now);
        self.expire_passes(now);
        self.assignments.evict(now);
        self.forget_old_pulls(now);
        self.close_abandoned_blocks(now);
        self.track_presence_zone(now);
        self.admit_by_mode(now);
    }

    /// Lapses every assignment not claimed in time.
    fn lapse_unclaimed(&mut self, now: UnixMillis) {
        for a in self.assignments.lapse_due(now) {
            self.changes.push(Change::Assignment(a));
        }
    }

    /// Ends every claimed assignment whose pass expired unfinished.
    fn expire_passes(&mut self, now: UnixMillis) {
        for a in self.assignments.expire_due(now, self.claimed_for_s()) {
            self.changes.push(Change::Assignment(a));
        }
    }

    fn forget_old_pulls(&mut self, now: UnixMillis) {
        if let Some(horizon) = self.pulls.forget_expired(now) {
            self.changes.push(Change::ForgetPullsBefore(horizon));
        }
    }

    fn close_abandoned_blocks(&mut self, now: UnixMillis) {
        for (shard, start, len) in self.blocks.abandoned(now) {
            self.close_block(now, shard, start, len);
        }
    }

    /// Tracks when the front zone reached each fan, for presence.
    fn track_presence_zone(&mut self, now: UnixMillis) {
        // Nobody is near the front before the draw: pre-queue fans have no place to poll for yet,
        // and the zone must not start counting their silence before they do.
        if self.phase_at(now) == Phase::Prequeue {
            return;
        }
        let zone_end = (self.line.head() + self.presence_zone(now)).min(self.line.next_seq());
        self.presence.track(self.line.head(), zone_end, now);
    }

    /// How many fans from the front count as "near the front": those expected to be admitted
    /// within a minute, and at least [`MIN_PRESENCE_ZONE`]. Only they report that they are present.
    pub fn presence_zone(&self, now: UnixMillis) -> u64 {
        let target = self.sale.settings.admission.target_rate().unwrap_or(0.0);
        presence::zone_size(self.admission_rate(now).max(target))
    }

    /// A fan near the front says they are still there (they polled).
    pub fn present(&mut self, now: UnixMillis, seq: Seq) {
        self.present_at(now, self.position_of(seq));
    }

    /// The fan at line position `position` says they are still there.
    pub fn present_at(&mut self, now: UnixMillis, position: Seq) {
        if self.line.contains(position) {
            self.presence.seen(position, now);
        }
    }

    /// Draws the pre-queue's order once the sale is past it ([`Sale::draw_due`]): from then on a
    /// pre-queue fan's line position is their drawn position, and the pre-queue's unused numbers
    /// are gaps at their drawn positions. Nothing is written: the draw follows from the stored
    /// key, the range and the clock. Idempotent.
    pub fn draw_if_due(&mut self, now: UnixMillis) {
        if !self.sale.draw_due(now) {
            return;
        }
        let Some(prequeue) = self.prequeue.as_mut().filter(|p| !p.is_drawn()) else {
            return;
        };
        let end = prequeue.end();
        let permutation = prequeue.draw().clone();
        for (start, len) in self.line.take_gaps_through(end) {
            for seq in start..start + len {
                self.line.restore_gap(permutation.position_of(seq), 1);
            }
        }
    }

    /// Arrival numbers taken while the sale is in its pre-queue widen the pre-queue's range.
    fn note_prequeue_numbers(&mut self, now: UnixMillis) {
        if self.phase_at(now) != Phase::Prequeue {
            return;
        }
        let last = self.line.next_seq() - 1;
        if let Some(change) = self.prequeue.as_mut().and_then(|p| p.took_until(last)) {
            self.changes.push(change);
        }
    }

    /// The line position of arrival number `seq` (its drawn position for a pre-queue fan after
    /// the draw; else the number itself).
    pub fn position_of(&self, seq: Seq) -> Seq {
        self.prequeue.as_ref().map_or(seq, |p| p.position_of(seq))
    }

    /// The arrival number at line position `position`.
    fn seq_at(&self, position: Seq) -> Seq {
        self.prequeue
            .as_ref()
            .map_or(position, |p| p.seq_at(position))
    }

    /// The draw as anyone may see it (the key only once drawn), for a sale with a pre-queue.
    pub fn draw_info(&self) -> Option<DrawInfo> {
        self.sale.settings.prequeue_opens_at?;
        self.prequeue.as_ref().map(PreQueue::info)
    }

    /// An arrival shard leases the next block of arrival numbers, closing its previous one.
    pub fn lease_block(
        &mut self,
        now: UnixMillis,
        shard: u32,
        closing: Option<(Seq, u64)>,
        want: u64,
    ) -> Result<BlockLease, QueueError> {
        self.lease_block_keeping(now, shard, closing, &[], &[], want)
    }

    /// [`Queue::lease_block`] from a shard that lends sub-blocks to the edge: the closing
    /// block's `closing_gaps` (unused numbers inside its used prefix) become gaps, and the blocks
    /// starting at `keep_open` stay open (their sub-blocks' reports are still awaited).
    pub fn lease_block_keeping(
        &mut self,
        now: UnixMillis,
        shard: u32,
        closing: Option<(Seq, u64)>,
        closing_gaps: &[(Seq, u64)],
        keep_open: &[Seq],
        want: u64,
    ) -> Result<BlockLease, QueueError> {
        if let Some((start, used)) = closing {
            self.close_block_with_gaps(now, shard, start, used, closing_gaps);
        }
        self.sweep(now);
        self.check_joinable(now)?;
        let prequeue_until = (self.phase_at(now) == Phase::Prequeue)
            .then_some(self.sale.settings.opens_at)
            .flatten();
        // A shard holds one block at a time, besides those it says it keeps open. One it left
        // open otherwise was lost with its state: count it as fully used, so that no fan who got
        // a number from it is dropped.
        for (start, len) in self.blocks.held_by(shard) {
            if !keep_open.contains(&start) {
                self.close_block(now, shard, start, len);
            }
        }
        let len = want.clamp(1, MAX_BLOCK);
        let block = BlockRecord {
            start: self.line.take(len),
            len,
            shard,
            leased_at: now,
            used: None,
            use_before: prequeue_until,
            gaps: Vec::new(),
        };
        self.blocks.insert(block.clone());
        self.changes.push(Change::Block(block.clone()));
        self.changes.push(self.line.change());
        self.note_prequeue_numbers(now);
        // A pre-queue block serves until the draw (its order is drawn anyway), and never after.
        let ttl_ms = prequeue_until.map_or(BLOCK_TTL_MS, |at| now.millis_until(at).max(1));
        Ok(BlockLease {
            start: block.start,
            len,
            leased_at: now,
            ttl_ms,
            use_before: prequeue_until,
            fan_salt: self.sale.fan_salt.clone(),
        })
    }

    /// A shard reports how many numbers of a block went to fans (a prefix); the rest are gaps.
    /// Reporting a block that is already closed changes nothing.
    pub fn close_block(&mut self, now: UnixMillis, shard: u32, start: Seq, used: u64) {
        self.close_block_with_gaps(now, shard, start, used, &[]);
    }

    /// [`Queue::close_block`] with unused numbers inside the used prefix (`gaps`, the
    /// unused tails of sub-blocks its shard lent to the edge): gaps too. Gaps outside the used
    /// prefix, or overlapping one before them, are ignored.
    pub fn close_block_with_gaps(
        &mut self,
        now: UnixMillis,
        shard: u32,
        start: Seq,
        used: u64,
        gaps: &[(Seq, u64)],
    ) {
        let Some(mut block) = self.blocks.take(shard, start) else {
            return;
        };
        let used = used.min(block.len);
        block.used = Some(used);
        block.gaps = inner_gaps(start, used, gaps);
        let unused = block.unused();
        for (gap_start, len) in &unused {
            self.add_unused(*gap_start, *len);
        }
        if !unused.is_empty() {
            self.changes.push(self.line.change());
        }
        let arrived = used - block.gaps.iter().map(|(_, len)| len).sum::<u64>();
        if arrived > 0 {
            let minute = self.minutes.arrived(now, arrived);
            self.changes.push(Change::Minute(minute));
        }
        self.changes.push(Change::Block(block));
    }

    /// Numbers `start..start + len` will never hold a fan: a gap, at the drawn positions of
    /// pre-queue numbers after the draw.
    fn add_unused(&mut self, start: Seq, len: u64) {
        let drawn = self
            .prequeue
            .as_ref()
            .filter(|p| p.covers(start))
            .and_then(|p| p.permutation());
        match drawn {
            Some(permutation) => {
                let positions: Vec<Seq> = (start..start + len)
                    .map(|seq| permutation.position_of(seq))
                    .collect();
                self.line.add_scattered_gaps(&positions);
            }
            None => self.line.add_gap(start, len),
        }
    }

    /// Whether an operation on fan `seq` needs its finished assignment back from storage first
    /// (see [`Queue::remember`]).
    pub(crate) fn needs_record(&self, seq: Seq) -> bool {
        self.assignments
            .needs_record(seq, self.position_of(seq) < self.line.head())
    }

    /// Drops the finished assignments due to leave memory at `now` (as [`Self::sweep`] does).
    pub(crate) fn evict_finished(&mut self, now: UnixMillis) {
        self.assignments.evict(now);
    }

    /// Whether the assignment of `fan_id`, if there is one, is in memory.
    pub(crate) fn knows_fan(&self, fan_id: &FanId) -> bool {
        self.assignments.knows_fan(fan_id)
    }

    /// Takes back a finished assignment that was dropped from memory, read from storage. It is
    /// dropped again [`RETAIN_FINISHED_MS`] later.
    pub(crate) fn remember(&mut self, now: UnixMillis, a: Assignment) {
        let behind = self.position_of(a.seq) < self.line.head();
        self.assignments.remember(a, behind, now);
    }

    /// The first number leased to a shard that has not said yet how much of its block it used.
    pub fn first_pending(&self) -> Option<Seq> {
        self.blocks.first()
    }

    /// When the next assignment would lapse or the next claimed pass expire, or (in `rate`
    /// mode) the next fans are due, for an alarm.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        let ends = self.assignments.next_deadline(self.claimed_for_s());
        ends.into_iter().chain(self.next_admission()).min()
    }

    pub fn assignment(&self, fan_id: &FanId) -> Option<&Assignment> {
        self.assignments.of_fan(fan_id)
    }

    pub fn minutes(&self) -> impl Iterator<Item = &MinuteStats> {
        self.minutes.iter()
    }

    /// Fans admitted per second recently, for wait estimates.
    pub fn admission_rate(&self, now: UnixMillis) -> f64 {
        self.minutes.admission_rate(now, self.sale.created_at)
    }

    pub fn stats(&self, now: UnixMillis) -> Stats {
        let f = self.assignments.counts();
        let pending = self.blocks.pending();
        let finished = f.finished();
        Stats {
            joined: self.line.taken() - self.line.gap_total() - pending,
            waiting: self.line.next_seq() - self.line.head() - self.line.gaps_ahead() - pending,
            assigned: self.assignments.handled() - finished,
            claimed: f.claimed_open,
            completed: f.completed,
            released: f.released,
            lapsed: f.lapsed,
            left: f.left,
            expired: f.expired,
            pending,
            admission_rate: self.admission_rate(now),
            admission_target_rate: self.sale.settings.admission.target_rate(),
        }
    }

    /// What the edge caches and answers polls from.
    pub fn snapshot(&self, now: UnixMillis) -> Snapshot {
        Snapshot {
            sale: SaleView::of(&self.sale),
            head: self.line.head(),
            next_seq: self.line.next_seq(),
            gaps: self.line.gaps(),
            admission_rate: self.admission_rate(now),
            presence_zone: self.presence_zone(now),
            draw: self.draw_info().map(Box::new),
            taken_at: now,
            admission_next_at: self.rate_next_at(now),
        }
    }

    /// In `rate` mode while open, when the schedule is next due (rounded up to the millisecond:
    /// the edge never counts a fan due before the coordinator does).
    fn rate_next_at(&self, now: UnixMillis) -> Option<UnixMillis> {
        self.sale.settings.admission.rate()?;
        (self.phase_at(now) == Phase::Open).then(|| UnixMillis(self.rate_tat_us.div_ceil(1_000)))
    }

    /// Fans holding an admission now (assigned, claimed or not, and not finished).
    pub fn held(&self) -> u64 {
        self.assignments.held()
    }

    /// Checks every invariant of the line; for tests and simulations.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.line.check()?;
        let permuted_end = self.prequeue.as_ref().map_or(0, PreQueue::end);
        self.blocks
            .check(self.line.head(), permuted_end, |seq| self.position_of(seq))?;
        self.assignments.check(
            self.line.head(),
            |seq| self.fan_id(seq),
            |seq| self.position_of(seq),
            self.line.gaps_behind(),
        )
    }
}

/// The `rate` schedule after a restart or a change of the rate, from the newest admission
/// (`newest`; fans who left used none): one interval after it. The schedule was at most that, so
/// the rate holds across restarts; at worst the next admission comes up to one interval late.
fn rate_schedule_after(admission: &Admission, newest: Option<UnixMillis>) -> u64 {
    match (admission.rate(), newest) {
        (Some(rate), Some(last)) => admission::micros(last) + rate.interval_us(),
        _ => 0,
    }
}

#[cfg(test)]
impl Queue {
    /// For tests: sale `tour` with these settings (fan salt `salt-0123456789`, no draw), created
    /// and opened at `now`.
    pub(crate) fn opened(settings: crate::sale::SaleSettingsInput, now: UnixMillis) -> Self {
        let settings = SaleSettings::parse(settings).unwrap();
        let id = SaleId::parse("tour").unwrap();
        let mut c = Self::create(id, settings, "salt-0123456789".into(), None, now).unwrap();
        c.open(now).unwrap();
        c
    }

    /// For tests: pulls (window `w`, 100 at a time) until nobody is handed out; the fans' numbers
    /// in the order they were.
    pub(crate) fn pull_everyone(&mut self, now: UnixMillis) -> Vec<Seq> {
        let window = WindowId::parse("w").unwrap();
        let mut seqs = Vec::new();
        loop {
            let pulled = self.pull(now, window.clone(), 100, None).unwrap();
            if pulled.assignments.is_empty() {
                return seqs;
            }
            seqs.extend(pulled.assignments.iter().map(|a| a.seq));
        }
    }
}

#[cfg(test)]
mod prequeue_tests;
#[cfg(test)]
mod socket_tests;
#[cfg(test)]
mod tests;
