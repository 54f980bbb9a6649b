//! The queue of one sale: it keeps the arrival order and hands fans to windows in order.
//!
//! It is a plain state machine. Every operation takes `now`; every mutation is also recorded as a
//! [`Change`] that the caller drains with [`Queue::take_changes`] and writes to durable storage
//! before answering, and [`Queue::restore`] rebuilds the same state from those records.
//!
//! The line is a range of arrival numbers: fans `head..next_seq` are waiting, in order, and every
//! fan below `head` has an [`Assignment`]. So a join writes one counter, not a row per fan, and a
//! pull takes the front of the range.
//!
//! [`crate::machines::sale_machine::SaleMachine`] is the one entry point a Durable Object drives;
//! [`Queue`] is one sale's queue, and this file is only its composition: the struct, its
//! constructors, and public methods that each bring time up to `now` ([`Queue::sweep`]) and hand
//! over to one rule. Where things are:
//! - `parts/`: what the queue holds, one part per concern (the line of numbers and its gaps,
//!   the blocks leased to arrival shards, the assignments in memory, the pulls remembered for
//!   retries, presence near the front, arrivals and admissions by minute, the pre-queue's draw);
//! - `state`: those parts together with the sale, as every rule takes them;
//! - `rules/`: what the queue does, one module per concern (joining, admission and pulls,
//!   lapses, finishing, the pre-queue, presence, blocks, the promoter's control, records kept in
//!   storage only, stats);
//! - `records`, `error`, `limits`: what it hands out and writes down, why it refuses, its bounds;
//! - [`draw`], [`snapshot`], [`socket`]: the pre-queue's permutation, the edge's view of the
//!   queue, and the socket messages, which the edge and the objects use too.

pub mod draw;
mod error;
pub mod gap_index;
mod limits;
mod parts;
mod records;
mod rules;
pub mod snapshot;
pub mod socket;
pub mod split;
mod state;

pub use error::QueueError;
pub use limits::{
    BLOCK_ABANDON_MS, BLOCK_TTL_MS, LOST_RECORD_WINDOW, MAX_BLOCK, MAX_PULL, MIN_PRESENCE_ZONE,
    PULL_REPLAY_TTL_MS, RETAIN_FINISHED_MS,
};
pub use parts::callers::{Caller, MAX_CALLED_PLACES, MAX_SUBSCRIPTIONS_PER_PLACE};
pub use parts::fan_key::fan_id_for;
pub use parts::minutes::{HOURS_KEPT, MINUTES_KEPT};
pub use parts::waits::{WaitHistogram, MAX_ARRIVAL_MARKS, WAIT_BUCKETS};
pub use records::{
    Assignment, AssignmentState, Assisted, BlockLease, BlockRecord, Change, Claim, DrawRecord,
    Joined, MinuteStats, PartySeat, PartyView, PullRecord, Pulled, Rejoined, Restored, Stats,
};
pub use rules::calling::{Call, CallKind, CallRefusal, Refused, Subscribed};
pub use rules::stored::recent_since;

use crate::ids::{FanId, Position, PositionRange, RequestId, SaleId, Seq, SeqRange, WindowId};
use crate::sale::{Control, FanSalt, Phase, Sale, SaleSettings};
use crate::time::UnixMillis;
use draw::{DrawInfo, DrawKey};
use parts::assignments::{Assignments, Finish};
use parts::blocks::OpenBlocks;
use parts::callers::Callers;
use parts::fan_key::FanIdKey;
use parts::line::Line;
use parts::minutes::Minutes;
use parts::moves::Moves;
pub use parts::moves::MAX_MOVES;
use parts::parties::Parties;
pub use parts::parties::{
    member_hand, seat_of_hand, PartyMember, GIVEN_UP_HAND, MAX_PARTY, MAX_SEATS, MEMBER_HAND,
};
use parts::prequeue::PreQueue;
use parts::presence::Presence;
use parts::pulls::PullLog;
use parts::waits::ArrivalClock;
pub use rules::moving::MAX_MOVED_IN_LINE;
pub use rules::parties::Joiner;
use rules::{
    admission, assist, blocks, calling, control, finishing, joining, lapses, moving, net, parties,
    prequeue, presence, pulls, stats, stored,
};
use snapshot::Snapshot;
use socket::Refusal;
use state::QueueState;

/// One sale's queue.
#[derive(Clone, Debug)]
pub struct Queue {
    state: QueueState,
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
            closed_at: None,
            report: Default::default(),
        };
        let mut c = Self::restore(
            sale,
            Restored {
                next_seq: 1,
                head: Position(1),
                ..Restored::default()
            },
        );
        let q = &mut c.state;
        q.changes.push(Change::Sale(q.sale.clone()));
        q.changes.push(q.line.change());
        if prequeue {
            prequeue::choose_draw_key(q, draw_key)?;
        }
        Ok(c)
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
            closed_at: None,
            report: Default::default(),
        };
        let mut c = Self::restore(sale, restored);
        let q = &mut c.state;
        q.changes.push(Change::Sale(q.sale.clone()));
        if q.sale.settings.prequeue_opens_at.is_some() {
            prequeue::choose_draw_key(q, draw_key)?;
        }
        Ok(c)
    }

    /// Rebuilds a queue from what storage kept.
    pub fn restore(sale: Sale, r: Restored) -> Self {
        let mut line = Line::new(r.next_seq, r.head, r.gap_total);
        let mut blocks = OpenBlocks::default();
        let mut arrivals = ArrivalClock::default();
        let prequeue_end = r.draw.as_ref().map_or(0, |d| d.end);
        for b in r.blocks {
            arrivals.taken(b.start, b.leased_at);
            if b.used.is_none() {
                blocks.insert(b);
                continue;
            }
            for unused in b.unused() {
                // Numbers not drawn (yet) are their own positions. The pre-queue's unused
                // numbers: their places are drawn later (`draw_if_due`).
                let gap = PositionRange::new(Position(unused.start), unused.len);
                if b.start <= prequeue_end {
                    line.restore_prequeue_gap(gap);
                } else {
                    line.restore_gap(gap);
                }
            }
        }
        let newest = r
            .assignments
            .iter()
            .filter(|a| a.state != AssignmentState::Left)
            .map(|a| a.assigned_at)
            .max();
        let rate_tat_us = admission::rate_schedule_after(&sale.settings.admission, newest);
        let prequeue = r.draw.map(PreQueue::new);
        let callers = Callers::restore(r.callers, |seq| {
            prequeue
                .as_ref()
                .map_or(Position(seq), |p: &PreQueue| p.position_of(seq))
        });
        let net_settings = net::settings_of(&sale);
        Self {
            state: QueueState {
                rate_tat_us,
                net_settings,
                prequeue,
                fan_key: FanIdKey::new(&sale.fan_salt),
                sale,
                presence: Presence::starting_at(line.head()),
                moves: Moves::restore(r.moves),
                parties: Parties::restore(r.party_members),
                line,
                blocks,
                assignments: Assignments::restore(r.assignments, r.state_counts),
                pulls: PullLog::restore(r.pulls),
                minutes: Minutes::restore(r.minutes),
                arrivals,
                waits: r.waits,
                assisted: r.assisted.into_iter().collect(),
                changes: Vec::new(),
                pushed_turns: Vec::new(),
                callers,
                calls: Vec::new(),
                net: crate::protect::SafetyNet::restore(r.net_periods),
            },
        }
    }

    /// Brings everything time-driven up to `now`, in these steps. Idempotent.
    pub fn sweep(&mut self, now: UnixMillis) {
        let q = &mut self.state;
        prequeue::draw_if_due(q, now);
        lapses::lapse_unclaimed(q, now);
        lapses::expire_passes(q, now);
        stored::evict(q, now);
        pulls::forget_old(q, now);
        blocks::close_abandoned(q, now);
        presence::track_zone(q, now);
        admission::admit_by_mode(q, now);
        net::update(q, now);
    }

    /// The records changed since the last call, to be persisted in order.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.state.changes)
    }

    pub fn sale(&self) -> &Sale {
        &self.state.sale
    }

    pub fn phase_at(&self, now: UnixMillis) -> Phase {
        self.state.phase_at(now)
    }

    pub fn fan_id(&self, seq: Seq) -> FanId {
        self.state.fan_id(seq)
    }

    /// Whether `seq` was ever handed out as an arrival number.
    pub fn issued(&self, seq: Seq) -> bool {
        self.state.line.issued(seq)
    }

    // The promoter's control (rules::control).

    /// New settings, live (see `rules::control::update_settings` for what may not change).
    pub fn update_settings(
        &mut self,
        settings: SaleSettings,
        draw_key: Option<DrawKey>,
        now: UnixMillis,
    ) -> Result<(), QueueError> {
        control::update_settings(&mut self.state, settings, draw_key, now)?;
        self.sweep(now);
        Ok(())
    }

    pub fn open(&mut self, now: UnixMillis) -> Result<(), QueueError> {
        control::open(&mut self.state, now)
    }

    /// Pausing needs a sale that takes joins (open or paused).
    pub fn pause(&mut self, now: UnixMillis) -> Result<(), QueueError> {
        control::pause(&mut self.state, now)
    }

    pub fn close(&mut self, now: UnixMillis) {
        control::close(&mut self.state, now)
    }

    // Fans take places (rules::joining).

    /// The promoter says who may see the public report (see [`crate::sale::ReportVisibility`]).
    pub fn show_report(&mut self, visibility: crate::sale::ReportVisibility, now: UnixMillis) {
        control::show_report(&mut self.state, visibility, now);
    }

    /// Fan `seq` asks for the assisted lane: see [`rules::assist::ask`].
    pub fn assist(&mut self, now: UnixMillis, seq: Seq) -> Result<Assisted, QueueError> {
        assist::ask(&mut self.state, now, seq)
    }

    /// Fans granted the assisted lane so far.
    pub fn assisted(&self) -> u64 {
        self.state.assisted.len() as u64
    }

    /// The waits from joining to admission of every fan admitted so far.
    pub fn waits(&self) -> &WaitHistogram {
        &self.state.waits
    }

    /// A fan joins, with the place their valid token names if any (see `rules::joining::join`).
    pub fn join(&mut self, now: UnixMillis, existing: Option<Seq>) -> Result<Joined, QueueError> {
        self.sweep(now);
        joining::join(&mut self.state, now, existing)
    }

    /// A join presenting fan `a.seq`'s token, whose finished assignment was read back from
    /// storage (see `rules::joining::join_from_record`). The record stays out of memory.
    pub(crate) fn join_from_record(
        &mut self,
        now: UnixMillis,
        a: &Assignment,
    ) -> Result<Joined, QueueError> {
        self.sweep(now);
        joining::join_from_record(&mut self.state, now, a)
    }

    // Fans leave the front (rules::pulls, rules::admission).

    /// A window takes up to `max` waiting fans, in arrival order.
    pub fn pull(
        &mut self,
        now: UnixMillis,
        window: WindowId,
        max: u32,
        request_id: Option<RequestId>,
    ) -> Result<Pulled, QueueError> {
        pulls::check_size(max)?;
        self.sweep(now);
        pulls::pull(&mut self.state, now, window, max, request_id, None)
    }

    /// [`Queue::pull`] handing out nobody at line position `before` or after it: the pull of one
    /// line object of a split line, below the cutoff [`split::plan_pull`] chose.
    pub fn pull_before(
        &mut self,
        now: UnixMillis,
        window: WindowId,
        max: u32,
        before: Position,
        request_id: Option<RequestId>,
    ) -> Result<Pulled, QueueError> {
        pulls::check_size(max)?;
        self.sweep(now);
        pulls::pull(&mut self.state, now, window, max, request_id, Some(before))
    }

    /// Admits whoever the sale's admission mode lets in by `now` (see
    /// `rules::admission::admit_by_mode`). Runs after every command and sweep.
    pub fn admit_by_mode(&mut self, now: UnixMillis) {
        admission::admit_by_mode(&mut self.state, now)
    }

    /// The turns claimed for fans holding a socket since the last call ([`Claim::Turn`]s), for
    /// the object to send on their sockets.
    /// Whether turns are waiting to be pushed ([`Queue::take_pushed_turns`]).
    pub fn has_pushed_turns(&self) -> bool {
        !self.state.pushed_turns.is_empty()
    }

    pub fn take_pushed_turns(&mut self) -> Vec<Claim> {
        std::mem::take(&mut self.state.pushed_turns)
    }

    /// Fans holding an admission now (assigned, claimed or not, and not finished).
    pub fn held(&self) -> u64 {
        self.state.assignments.held()
    }

    // Claims and their deadlines (rules::lapses), the origin's end (rules::finishing).

    /// A fan whose number has been reached asks for their turn. The first claim starts the pass.
    pub fn claim(&mut self, now: UnixMillis, seq: Seq) -> Result<Claim, QueueError> {
        self.sweep(now);
        lapses::claim(&mut self.state, now, seq)
    }

    /// A claim by fan `a.seq`, whose finished assignment was read back from storage: answered
    /// from the record, which stays out of memory.
    pub(crate) fn claim_from_record(&mut self, now: UnixMillis, a: &Assignment) -> Claim {
        self.sweep(now);
        lapses::claim_from_record(&self.state, now, a)
    }

    /// Fan `seq`'s place, held by `hand`, moves to another device: its new hand (see
    /// `rules::moving::move_place`).
    pub fn move_place(&mut self, now: UnixMillis, seq: Seq, hand: u8) -> Result<u8, QueueError> {
        self.sweep(now);
        moving::move_place(&mut self.state, now, seq, hand)
    }

    // Called back by Web Push (rules::calling).

    /// Fan `seq`'s place, held by `hand`, keeps a push subscription (see
    /// `rules::calling::subscribe`).
    pub fn subscribe(
        &mut self,
        now: UnixMillis,
        seq: Seq,
        hand: u8,
        subscription: crate::keys::push_subscription::PushSubscription,
    ) -> Result<Subscribed, Refused> {
        self.sweep(now);
        calling::subscribe(&mut self.state, now, seq, hand, subscription)
    }

    /// Fan `seq`'s place forgets the subscription to `endpoint` (`None`: every one).
    pub fn unsubscribe(
        &mut self,
        now: UnixMillis,
        seq: Seq,
        hand: u8,
        endpoint: Option<&str>,
    ) -> Result<Subscribed, Refused> {
        self.sweep(now);
        calling::unsubscribe(&mut self.state, now, seq, hand, endpoint)
    }

    /// Fan `seq`'s place's subscriptions, as `subscribe` would answer.
    pub fn push_status(
        &mut self,
        now: UnixMillis,
        seq: Seq,
        hand: u8,
    ) -> Result<Subscribed, Refused> {
        self.sweep(now);
        calling::status(&self.state, now, seq, hand)
    }

    /// The push service said the subscription to `endpoint` is gone: forgotten.
    pub fn endpoint_gone(&mut self, seq: Seq, endpoint: &str) {
        calling::endpoint_gone(&mut self.state, seq, endpoint)
    }

    /// The Web Push calls to send since the last call.
    pub fn take_calls(&mut self) -> Vec<Call> {
        calling::take_calls(&mut self.state)
    }

    /// Places waiting to be called back.
    pub fn callers(&self) -> usize {
        self.state.callers.len()
    }

    /// A claim by the token of `hand` for the place `seq`: a party member's claim is answered
    /// as the member's own view of the party's admission (their fan id and seat), so their pass
    /// is their own and carries the party's id.
    pub fn claim_as(&mut self, now: UnixMillis, seq: Seq, hand: u8) -> Result<Claim, QueueError> {
        let claim = self.claim(now, seq)?;
        Ok(self.as_member(claim, hand))
    }

    /// [`Queue::claim_from_record`] by the token of `hand` (see [`Queue::claim_as`]).
    pub(crate) fn claim_from_record_as(
        &mut self,
        now: UnixMillis,
        a: &Assignment,
        hand: u8,
    ) -> Claim {
        let claim = self.claim_from_record(now, a);
        self.as_member(claim, hand)
    }

    fn as_member(&self, claim: Claim, hand: u8) -> Claim {
        let Some(seat) = seat_of_hand(hand) else {
            return claim;
        };
        match claim {
            Claim::Turn {
                mut assignment,
                pass_ttl_s,
                pass,
            } => {
                assignment.party_seat = seat;
                assignment.fan_id = self.state.fan_key.member_fan_id(assignment.seq, seat);
                Claim::Turn {
                    assignment,
                    pass_ttl_s,
                    pass,
                }
            }
            other => other,
        }
    }

    /// `joiner` joins the party of the place `leader`, by a link made by the token of
    /// `leader_hand`: the member's hand (see `rules::parties::join`).
    pub fn join_party(
        &mut self,
        now: UnixMillis,
        leader: Seq,
        leader_hand: u8,
        joiner: Joiner,
    ) -> Result<u8, QueueError> {
        self.sweep(now);
        parties::join(&mut self.state, now, leader, leader_hand, joiner)
    }

    /// The member of `leader`'s party holding `hand` leaves it (see `rules::parties::leave`).
    pub fn leave_party(
        &mut self,
        now: UnixMillis,
        leader: Seq,
        hand: u8,
    ) -> Result<(), QueueError> {
        self.sweep(now);
        parties::leave(&mut self.state, now, leader, hand)
    }

    /// The party of the place `leader` as the token of `hand` sees it.
    pub fn party(&self, leader: Seq, hand: u8) -> Result<PartyView, QueueError> {
        parties::view(&self.state, leader, hand)
    }

    /// The fan id of the member in `seat` of `leader`'s party (distinct from every fan's own).
    pub fn member_fan_id(&self, leader: Seq, seat: u8) -> FanId {
        self.state.fan_key.member_fan_id(leader, seat)
    }

    /// Whether a token of `hand` still holds fan `seq`'s place (refused once it moved on).
    pub fn check_hand(&self, seq: Seq, hand: u8) -> Result<(), QueueError> {
        moving::check_hand(&self.state, seq, hand)
    }

    /// The origin reports the fan's purchase done.
    pub fn complete(&mut self, now: UnixMillis, fan_id: &FanId) -> Result<Assignment, QueueError> {
        self.sweep(now);
        finishing::finish(&mut self.state, now, fan_id, Finish::Completed)
    }

    /// The origin gives the fan up; the window is free for the next one.
    pub fn release(&mut self, now: UnixMillis, fan_id: &FanId) -> Result<Assignment, QueueError> {
        self.sweep(now);
        finishing::finish(&mut self.state, now, fan_id, Finish::Released)
    }

    /// When the next assignment would lapse or the next claimed pass expire, or (in `rate`
    /// mode) the next fans are due, for an alarm.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        let ends = lapses::next_deadline(&self.state);
        ends.into_iter()
            .chain(admission::next_admission(&self.state))
            .min()
    }

    pub fn assignment(&self, fan_id: &FanId) -> Option<&Assignment> {
        self.state.assignments.of_fan(fan_id)
    }

    // Who is still there (rules::presence).

    /// Fan `seq` opens a socket (see `rules::presence::connect`).
    pub fn connect(&mut self, now: UnixMillis, seq: Seq) -> Result<(), Refusal> {
        self.sweep(now);
        presence::connect(&mut self.state, now, seq)
    }

    /// A socket fan `seq` opened before the object restarted, counted again; whether the fan is
    /// still in line (if not, the object closes it).
    pub fn reconnect(&mut self, now: UnixMillis, seq: Seq) -> bool {
        presence::reconnect(&mut self.state, now, seq)
    }

    /// One of fan `seq`'s sockets closed (or failed).
    pub fn disconnect(&mut self, now: UnixMillis, seq: Seq) {
        presence::disconnect(&mut self.state, now, seq)
    }

    /// Open sockets counted.
    pub fn sockets(&self) -> u64 {
        self.state.presence.sockets()
    }

    /// A fan near the front says they are still there (they polled).
    pub fn present(&mut self, now: UnixMillis, seq: Seq) {
        let position = self.state.position_of(seq);
        presence::present_at(&mut self.state, now, position)
    }

    /// The fan at line position `position` says they are still there.
    pub fn present_at(&mut self, now: UnixMillis, position: Position) {
        presence::present_at(&mut self.state, now, position)
    }

    /// How many fans from the front count as "near the front" (see `rules::presence::zone`).
    pub fn presence_zone(&self, now: UnixMillis) -> u64 {
        presence::zone(&self.state, now)
    }

    // The pre-queue (rules::prequeue).

    /// Draws the pre-queue's order once the sale is past it (see
    /// `rules::prequeue::draw_if_due`). Idempotent.
    pub fn draw_if_due(&mut self, now: UnixMillis) {
        prequeue::draw_if_due(&mut self.state, now)
    }

    /// The line position of arrival number `seq` (its drawn position for a pre-queue fan after
    /// the draw; else the number itself).
    pub fn position_of(&self, seq: Seq) -> Position {
        self.state.position_of(seq)
    }

    /// The draw as anyone may see it (the key only once drawn), for a sale with a pre-queue.
    pub fn draw_info(&self) -> Option<DrawInfo> {
        prequeue::draw_info(&self.state)
    }

    // Blocks leased to arrival shards (rules::blocks).

    /// An arrival shard leases the next block of arrival numbers, closing its previous one
    /// (`closing`: the block's start and how many of its numbers were used).
    pub fn lease_block(
        &mut self,
        now: UnixMillis,
        shard: u32,
        closing: Option<SeqRange>,
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
        closing: Option<SeqRange>,
        closing_gaps: &[SeqRange],
        keep_open: &[Seq],
        want: u64,
    ) -> Result<BlockLease, QueueError> {
        if let Some(used) = closing {
            let state = &mut self.state;
            blocks::close_block_with_gaps(state, now, shard, used.start, used.len, closing_gaps);
        }
        self.sweep(now);
        blocks::lease_block(&mut self.state, now, shard, keep_open, want)
    }

    /// A shard reports how many numbers of a block went to fans (a prefix); the rest are gaps.
    /// Reporting a block that is already closed changes nothing.
    pub fn close_block(&mut self, now: UnixMillis, shard: u32, start: Seq, used: u64) {
        blocks::close_block_with_gaps(&mut self.state, now, shard, start, used, &[])
    }

    /// [`Queue::close_block`] with unused numbers inside the used prefix (see
    /// `rules::blocks::close_block_with_gaps`).
    pub fn close_block_with_gaps(
        &mut self,
        now: UnixMillis,
        shard: u32,
        start: Seq,
        used: u64,
        gaps: &[SeqRange],
    ) {
        blocks::close_block_with_gaps(&mut self.state, now, shard, start, used, gaps)
    }

    /// Its next `max` waiting positions (fans who left and are not skipped yet among them),
    /// stopping at the first block still pending: what a line object of a split line tells the
    /// rate's admitter ([`split::plan_pull`]). Linear in the positions listed and the gaps
    /// between them.
    pub fn next_waiting(&self, max: usize) -> split::NextWaiting {
        pulls::next_waiting(&self.state, max)
    }

    /// The arrival numbers below `to` this queue has not taken belong to other line objects of a
    /// split line ([`split`]): they become one gap, and the next block starts at `to`.
    pub fn skip_to(&mut self, now: UnixMillis, to: Seq) {
        blocks::skip_to(&mut self.state, now, to)
    }

    /// The first number leased to a shard that has not said yet how much of its block it used.
    pub fn first_pending(&self) -> Option<Seq> {
        self.state.blocks.first()
    }

    // Finished records kept in storage only (rules::stored).

    /// Whether an operation on fan `seq` needs its finished assignment back from storage first
    /// (see [`Queue::remember`]).
    pub(crate) fn needs_record(&self, seq: Seq) -> bool {
        stored::needs_record(&self.state, seq)
    }

    /// Drops the finished assignments due to leave memory at `now` (as [`Self::sweep`] does).
    pub(crate) fn evict_finished(&mut self, now: UnixMillis) {
        stored::evict(&mut self.state, now)
    }

    /// Whether the assignment of `fan_id`, if there is one, is in memory.
    pub(crate) fn knows_fan(&self, fan_id: &FanId) -> bool {
        stored::knows_fan(&self.state, fan_id)
    }

    /// Takes back a finished assignment that was dropped from memory, read from storage. It is
    /// dropped again [`RETAIN_FINISHED_MS`] later.
    pub(crate) fn remember(&mut self, now: UnixMillis, a: Assignment) {
        stored::remember(&mut self.state, now, a)
    }

    // What the queue shows (rules::stats).

    /// The report's minutes (the last day) and hours (the week before it) at `now`.
    pub fn minutes_report(&self, now: UnixMillis) -> (Vec<MinuteStats>, Vec<MinuteStats>) {
        self.state.minutes.report(now)
    }

    pub fn minutes(&self) -> impl Iterator<Item = &MinuteStats> {
        self.state.minutes.iter()
    }

    /// Fans admitted per second recently, for wait estimates.
    pub fn admission_rate(&self, now: UnixMillis) -> f64 {
        self.state.admission_rate(now)
    }

    pub fn stats(&self, now: UnixMillis) -> Stats {
        stats::stats(&self.state, now)
    }

    /// What the edge caches and answers polls from.
    pub fn snapshot(&self, now: UnixMillis) -> Snapshot {
        stats::snapshot(&self.state, now)
    }

    /// How many gaps (runs of unused numbers) the line holds ahead of its front: what the
    /// snapshot lists (the first few) and counts per range (the rest).
    pub fn gaps_ahead(&self) -> usize {
        self.state.line.gap_count()
    }

    /// Every gap ahead of the front, as the snapshot listed them before it was bounded: for
    /// simulations that measure the difference.
    pub fn all_gaps(&self) -> Vec<crate::ids::PositionRange> {
        self.state.line.gaps_iter().collect()
    }

    /// Assignments held in memory now (active, and finished ones of the last minutes): what the
    /// object's memory grows with, besides its gaps.
    pub fn assignments_in_memory(&self) -> usize {
        self.state.assignments.in_memory()
    }

    /// The front of the line at `now` (a snapshot's `head`).
    pub fn snapshot_head(&self, _now: UnixMillis) -> u64 {
        self.state.line.head().0
    }

    /// Adds an edge isolate's tally of a protected sale's sessions, and brings its safety net
    /// up to date.
    pub fn count_sessions(&mut self, now: UnixMillis, tally: &crate::protect::SessionTally) {
        net::count(&mut self.state, tally, now);
    }

    /// The safety net, as the sale's report shows it (none: the sale has none, and never had).
    pub fn net_report(&self, now: UnixMillis) -> Option<crate::protect::NetReport> {
        net::report(&self.state, now)
    }

    /// Checks every invariant of the line; for tests and simulations.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.state.check()
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
mod calling_tests;
#[cfg(test)]
mod prequeue_tests;
#[cfg(test)]
mod socket_tests;
#[cfg(test)]
mod tests;
