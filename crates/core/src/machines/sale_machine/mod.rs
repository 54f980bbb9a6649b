//! Everything the coordinator Durable Object decides, as one state machine with one entry point.
//!
//! The object feeds each request's [`Command`] (and each alarm) to [`SaleMachine::handle`].
//! A [`Step`] is either the answer, or a [`Need`]: a record the core keeps only in storage (a
//! finished assignment dropped from memory, or the assignment listing, which storage holds in
//! full). The object then writes the changes so far ([`SaleMachine::take_changes`]), looks
//! the record up and hands it over with [`SaleMachine::supply`], which carries the command on
//! to its answer. A command needs at most one record, so with a storage that answers what was
//! asked, two steps end in an answer; [`MAX_STEPS`] bounds the loop for one that does not.
//! [`SaleMachine::next_deadline`] says when to wake the object for the next sweep.
//!
//! The same rules apply whether or not a sale exists yet: `upsert` creates it, everything else
//! on a sale that was never created is [`QueueError::SaleNotFound`]. A sale whose own settings
//! cannot be read back ([`SaleMachine::unavailable`]) refuses everything with
//! [`QueueError::SaleUnavailable`].
//!
//! Every request is counted by kind, once, in memory. The counts are written only along with
//! another change, or when they have been unwritten for [`REQUEST_COUNTS_EVERY_MS`] (the alarm
//! wakes the object for it), and never for a sale that does not exist: a read-only request such
//! as a snapshot writes nothing. After a restart the counts may lag by at most that long.
//!
//! Stored records that could not be read are counted too ([`SaleMachine::count_bad_records`])
//! and shown in the report as `bad_records`.
//!
//! The machine also decides what its object only carries out: whether a fan's socket is taken
//! ([`SaleMachine::connect`]: the bound per address, one socket per fan), whether a join's proof
//! of work was spent before ([`SaleMachine::handle`] spends it, and gives it back when the join
//! is refused), and each turn's admission pass, signed here with the keys it asks its object for
//! ([`Need::PassSigning`]): a claim's answer carries it, and the turns to push come out as the
//! messages to send ([`SaleMachine::take_pushes`]).
//!
//! This file is the machine and its steps; what it asks its object for is in `need`, each
//! command's run on the queue in `dispatch`, the request counts in `counts`, the report in
//! `report`, the passes and pushes in `turns`.

mod batch;
mod bound;
mod calls;
mod counts;
mod dispatch;
mod need;
mod report;
mod turns;

pub use calls::{PushCall, PushOutcome, NEAR_FRONT_TTL_S};
pub use counts::REQUEST_COUNTS_EVERY_MS;
pub use need::{Need, Record};
pub use turns::{PassSigning, Push};

use crate::fairness::pow::{SpentSolutions, Verified, MAX_SPENT_SOLUTIONS};
use crate::fairness::refusals::Defence;
use crate::ids::Seq;
use crate::machines::finish_many::FinishMany;
use crate::machines::protocol::{Answer, Command, Reply, SaleReport};
use crate::machines::push_protocol::{PushAnswer, PushCommand};
use crate::queue::socket::{self, Refusal};
use crate::queue::{recent_since, seat_of_hand, Change, Queue, QueueError, Refused, Restored};
use crate::sale::Sale;
use crate::time::UnixMillis;
use counts::RequestCounts;
use need::{answers, needed};
use std::collections::BTreeMap;

/// The most steps (one `handle`, then `supply`s) one input takes before it answers: one asking
/// for a record, one for the pass keys, one answering, and one to spare. A record that does not answer the need (another
/// kind, another fan) is asked for again, so a caller that gets no answer within this many steps
/// has a storage that answers the wrong record.
pub const MAX_STEPS: usize = 4;

/// What the object wakes the core for.
// One value per request, moved once: boxing the command would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A request from the edge or an arrival shard.
    Command(Command),
    /// The alarm set from [`SaleMachine::next_deadline`]: lapse what is due. Not a request:
    /// not counted.
    Alarm,
    /// The origin finishes many assignments in one request (`batch`; not a [`Command`], so the
    /// edge, which never sends one, compiles none of it).
    FinishMany(FinishMany),
}

impl From<Command> for Input {
    fn from(command: Command) -> Self {
        Input::Command(command)
    }
}

/// What [`SaleMachine::handle`] did.
// One value per call, returned once: boxing the answer would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The answer to send back.
    Reply(Answer),
    /// Write the changes, look this up, and [`SaleMachine::supply`] it.
    Need(Need),
}

/// What waits for the object's answer to a [`Need`].
#[derive(Clone, Debug)]
enum Underway {
    /// A command, for the record it asked for.
    Command { command: Command, need: Need },
    /// An answer, for the keys to sign its turn's pass (or the turns to push) with.
    Signing(Answer),
    /// A batch, for the finished assignments storage has (`batch`).
    Batch { batch: FinishMany, need: Need },
}

/// The sockets a fan's new socket finds already open at its object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenSockets {
    /// From the fan's address (an IP, a /64 or `unknown`), the fan's own included.
    pub from_address: u64,
    /// The fan's own: the new one replaces them.
    pub own: u64,
}

/// The coordinator object's state: the sale's queue once the sale exists, and the request counts.
#[derive(Debug)]
pub struct SaleMachine {
    queue: Option<Queue>,
    /// The sale's settings could not be read: every command is refused, but a full upsert of
    /// the settings where the rest of the queue could be read (`repairable`).
    unavailable: bool,
    repairable: Option<Box<Restored>>,
    counts: RequestCounts,
    /// Stored records found unreadable since the object loaded.
    bad_records: u64,
    underway: Option<Underway>,
    /// The proof-of-work solution the command underway was paid with: given back if it is
    /// refused.
    paid: Option<Verified>,
    /// Proof-of-work solutions joins here were paid with, until their challenges expire (in
    /// memory: see docs/fairness.md on restarts).
    spent: SpentSolutions,
    /// What passes are signed with, once the object supplied it.
    signing: Option<PassSigning>,
}

impl Default for SaleMachine {
    fn default() -> Self {
        Self {
            queue: None,
            unavailable: false,
            repairable: None,
            counts: RequestCounts::default(),
            bad_records: 0,
            underway: None,
            paid: None,
            spent: SpentSolutions::new(MAX_SPENT_SOLUTIONS),
            signing: None,
        }
    }
}

impl SaleMachine {
    /// What storage kept: the sale and its queue (if the sale was ever created; read back with
    /// [`SaleMachine::recent_since`]), and the request counts.
    pub fn restore(sale: Option<(Sale, Restored)>, requests: BTreeMap<String, u64>) -> Self {
        Self {
            queue: sale.map(|(sale, restored)| Queue::restore(sale, restored)),
            counts: RequestCounts::restore(requests),
            ..Self::default()
        }
    }

    /// A sale whose own record is stored but cannot be read: it refuses every command with
    /// [`QueueError::SaleUnavailable`] and writes nothing. Where the rest of its queue could be
    /// read (`repairable`), a promoter's upsert of its full settings repairs it
    /// ([`Queue::repaired`]); otherwise only an operator can.
    pub fn unavailable(repairable: Option<Restored>) -> Self {
        Self {
            unavailable: true,
            repairable: repairable.map(Box::new),
            ..Self::default()
        }
    }

    /// The upsert that repairs an unavailable sale whose queue could be read: the queue as
    /// stored, under the new settings, paused (see [`Queue::repaired`]).
    fn repair(&mut self, command: Command, now: UnixMillis) -> Option<Answer> {
        let Command::Upsert {
            id,
            settings,
            fan_salt,
            draw_key,
        } = command
        else {
            return None;
        };
        let restored = self.repairable.take()?;
        let queue = match Queue::repaired(
            id,
            settings,
            fan_salt,
            draw_key.map(|k| *k),
            (*restored).clone(),
            now,
        ) {
            Ok(queue) => queue,
            Err(refused) => {
                self.repairable = Some(restored);
                return Some(Err(refused));
            }
        };
        let report = Box::new(self.report(&queue, now));
        self.queue = Some(queue);
        self.unavailable = false;
        Some(Ok(Reply::Upserted {
            created: false,
            report,
        }))
    }

    /// `n` stored records could not be read (skipped at load, or a lookup found one): counted in
    /// the report's `bad_records`.
    pub fn count_bad_records(&mut self, n: u64) {
        self.bad_records += n;
    }

    /// Stored records found unreadable since the object loaded.
    pub fn bad_records(&self) -> u64 {
        self.bad_records
    }

    /// Which finished assignments a restart at `now` reads back into memory: those finished since
    /// then (and every active one).
    pub fn recent_since(now: UnixMillis) -> UnixMillis {
        recent_since(now)
    }

    /// The sale's queue, once the sale exists.
    pub fn queue(&self) -> Option<&Queue> {
        self.queue.as_ref()
    }

    /// Requests served, by kind.
    pub fn requests(&self) -> &BTreeMap<String, u64> {
        self.counts.requests()
    }

    /// The records to write, in order, before answering (or looking up a [`Need`]). The request
    /// counts come along only with another change, or when they are due.
    pub fn take_changes(&mut self) -> Vec<Change> {
        let Some(queue) = self.queue.as_mut() else {
            return Vec::new();
        };
        let mut changes = queue.take_changes();
        self.counts.write_with(&mut changes);
        changes
    }

    /// When to wake the object next: an assignment's claim deadline or pass expiry, or the time
    /// unwritten request counts are due.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        let queue = self.queue.as_ref()?;
        let counts = self.counts.due_at();
        queue.next_deadline().into_iter().chain(counts).min()
    }

    /// The proof-of-work solutions spent here, to carry over to the machine rebuilt after a
    /// storage failure (which this one's state is not: see [`SaleMachine::keep_spent`]). The
    /// solution of the command that failed is given back first: its join did not happen.
    pub fn into_spent(mut self) -> SpentSolutions {
        if let Some(paid) = self.paid.take() {
            self.spent.forget(&paid);
        }
        self.spent
    }

    /// Takes over the solutions spent before ([`SaleMachine::into_spent`]).
    pub fn keep_spent(&mut self, spent: SpentSolutions) {
        self.spent = spent;
    }

    /// Runs `input` as far as it goes without asking the object for anything.
    pub fn handle(&mut self, input: impl Into<Input>, now: UnixMillis) -> Step {
        let input = input.into();
        // A new input: a command still waiting for its record was abandoned by its caller.
        self.underway = None;
        self.paid = None;
        // A bound place's claim or move link: its hand, then its device proof, first (nothing
        // changes for a refused one).
        let input = match self.bound_first(input, now) {
            Ok(input) => input,
            Err(answered) => return *answered,
        };
        if let Input::Command(Command::Join {
            pow: Some(paid), ..
        }) = &input
        {
            if let Err(refused) = self.spent.spend_for_join(Some(*paid), now) {
                return Step::Reply(Err(refused.into()));
            }
            self.paid = Some(*paid);
        }
        let step = self.step(input, now);
        self.finish(step)
    }

    fn step(&mut self, input: Input, now: UnixMillis) -> Step {
        if self.unavailable {
            return Step::Reply(match input {
                Input::Alarm => Ok(Reply::Done),
                Input::Command(command @ Command::Upsert { .. }) if self.repairable.is_some() => {
                    self.counts.count(command.kind(), now);
                    self.repair(command, now)
                        .unwrap_or(Err(QueueError::SaleUnavailable))
                }
                Input::Command(_) | Input::FinishMany(_) => Err(QueueError::SaleUnavailable),
            });
        }
        self.counts.note_due(now);
        let command = match input {
            Input::Alarm => {
                if let Some(queue) = self.queue.as_mut() {
                    queue.sweep(now);
                }
                return Step::Reply(Ok(Reply::Done));
            }
            Input::Command(command) => command,
            Input::FinishMany(batch) => return self.step_batch(batch, now),
        };
        self.counts.count(command.kind(), now);
        let Some(queue) = self.queue.as_mut() else {
            return Step::Reply(self.without_sale(command, now));
        };
        let command = match dispatch::by_fan_id(queue, command) {
            Ok(command) => command,
            Err(e) => return Step::Reply(Err(e)),
        };
        // A token whose place moved to another device is refused before any record is read: its
        // old hand never reaches a turn, whether in memory or in storage.
        if let Command::Claim { seq, hand } = &command {
            if let Err(e) = queue.check_hand(*seq, *hand) {
                return Step::Reply(Err(e));
            }
        }
        // Before anything looks at a position: the pre-queue's order, once it is due.
        queue.draw_if_due(now);
        // Before asking whether a record is in memory: finished ones due to leave it leave now,
        // so a record the command needs is read from storage, never dropped under it (by the
        // command's own sweep).
        queue.evict_finished(now);
        if let Some(need) = needed(queue, &command) {
            if matches!(need, Need::Assignments { .. }) {
                // Storage lists them: bring it up to date first.
                queue.sweep(now);
            }
            self.underway = Some(Underway::Command {
                command,
                need: need.clone(),
            });
            return Step::Need(need);
        }
        Step::Reply(self.dispatch(command, now))
    }

    /// The last step of an input: an answer whose turn needs a pass, or turns to push, while the
    /// machine has no keys asks for them first; a refused join gives its proof of work back.
    fn finish(&mut self, step: Step) -> Step {
        let Step::Reply(answer) = step else {
            return step;
        };
        let pending = |queue: &Queue| turns::unsigned(&answer) || queue.has_pushed_turns();
        if self.signing.is_none() && self.queue.as_ref().is_some_and(pending) {
            self.underway = Some(Underway::Signing(answer));
            return Step::Need(Need::PassSigning);
        }
        self.answered(answer)
    }

    /// The answer as it goes out: its turn's pass signed (when there are keys), and the proof
    /// of work of a refused join given back.
    fn answered(&mut self, answer: Answer) -> Step {
        if let (Some(paid), Err(_)) = (self.paid.take(), &answer) {
            self.spent.forget(&paid);
        }
        Step::Reply(match &self.queue {
            Some(queue) => turns::signed(answer, queue.sale(), self.signing.as_ref()),
            None => answer,
        })
    }

    /// Hands over what storage found for the [`Need`] of the last step, and carries its command on
    /// to the answer. A record that does not answer the need (another kind, another fan) is asked
    /// for again. With no command waiting (a caller's mistake) the answer is a refusal to retry,
    /// [`QueueError::Busy`], never a guess.
    pub fn supply(&mut self, record: Record, now: UnixMillis) -> Step {
        match (self.underway.take(), record) {
            (Some(Underway::Signing(answer)), Record::PassSigning(signing)) => {
                // Without keys (none could be read) the answer goes out unsigned; the next turn
                // asks again.
                self.signing = signing;
                self.answered(answer)
            }
            (Some(Underway::Signing(answer)), _) => {
                self.underway = Some(Underway::Signing(answer));
                Step::Need(Need::PassSigning)
            }
            (Some(Underway::Command { command, need }), record) => {
                let step = self.supply_record(command, need, record, now);
                self.finish(step)
            }
            (Some(Underway::Batch { batch, need }), record) => {
                let step = self.supply_batch(batch, need, record, now);
                self.finish(step)
            }
            (None, _) => Step::Reply(Err(QueueError::Busy)),
        }
    }

    fn supply_record(
        &mut self,
        command: Command,
        need: Need,
        record: Record,
        now: UnixMillis,
    ) -> Step {
        if !answers(&need, &record) {
            self.underway = Some(Underway::Command {
                command,
                need: need.clone(),
            });
            return Step::Need(need);
        }
        match record {
            Record::PassSigning(_) => Step::Need(need),
            Record::Assignments(assignments) => Step::Reply(Ok(Reply::Assignments { assignments })),
            Record::Assignment(found) => {
                let Some(queue) = self.queue.as_mut() else {
                    return Step::Reply(Err(QueueError::SaleNotFound));
                };
                match (found, &command) {
                    // Read-only lookups are answered from the record, which stays in storage:
                    // a crowd of finished tokens never fills the coordinator's memory.
                    (Some(a), Command::Claim { hand, .. }) if a.finished_at.is_some() => {
                        Step::Reply(Ok(Reply::Claim(queue.claim_from_record_as(now, &a, *hand))))
                    }
                    (Some(a), Command::Join { .. }) if a.finished_at.is_some() => {
                        let joined = queue.join_from_record(now, &a).map(Reply::Joined);
                        // A fan who joined anew may be admitted at once.
                        queue.admit_by_mode(now);
                        Step::Reply(joined)
                    }
                    // Completing or releasing changes it: back into memory.
                    (found, _) => {
                        if let Some(a) = found {
                            queue.remember(now, a);
                        }
                        Step::Reply(self.dispatch(command, now))
                    }
                }
            }
        }
    }

    /// Fan `seq` opens a socket to this object, finding `open` ones (counted as a `socket`
    /// request): refused past the bound per address ([`socket::address_admits`]; the fan's own
    /// older sockets do not count, they are replaced), else see [`Queue::connect`]. Once it is
    /// taken, the fan's `open.own` older sockets are uncounted: the object closes them
    /// ([`Refusal::Replaced`]), so one token never holds more than one socket. Changes a sweep
    /// made are in [`SaleMachine::take_changes`].
    /// A token of a `hand` the place moved away from is refused ([`Refusal::Moved`]).
    pub fn connect(
        &mut self,
        seq: Seq,
        hand: u8,
        open: OpenSockets,
        now: UnixMillis,
    ) -> Result<(), Refusal> {
        if self.unavailable {
            return Err(Refusal::NotInLine);
        }
        self.counts.count("socket", now);
        let bounds = |refusal: Refusal, counts: &mut RequestCounts| {
            // The adversary bounds (per address, per object): counted for the report.
            if matches!(refusal, Refusal::AddressFull | Refusal::Full) {
                counts.count(Defence::Socket.kind(), now);
            }
            refusal
        };
        socket::address_admits(open.from_address.saturating_sub(open.own))
            .map_err(|r| bounds(r, &mut self.counts))?;
        let queue = self.queue.as_mut().ok_or(Refusal::NotInLine)?;
        queue.check_hand(seq, hand).map_err(|_| Refusal::Moved)?;
        if seat_of_hand(hand).is_some() {
            // A party member's socket would be pushed the leader's turn: members poll.
            return Err(Refusal::PartyMember);
        }
        queue
            .connect(now, seq)
            .map_err(|r| bounds(r, &mut self.counts))?;
        for _ in 0..open.own {
            queue.disconnect(now, seq);
        }
        Ok(())
    }

    /// A socket opened before the object restarted: see [`Queue::reconnect`].
    pub fn reconnect(&mut self, seq: Seq, now: UnixMillis) -> bool {
        self.queue
            .as_mut()
            .is_some_and(|queue| queue.reconnect(now, seq))
    }

    /// One of fan `seq`'s sockets closed: see [`Queue::disconnect`].
    pub fn disconnect(&mut self, seq: Seq, now: UnixMillis) {
        if let Some(queue) = self.queue.as_mut() {
            queue.disconnect(now, seq);
        }
    }

    /// The turns to push on sockets since the last call (see [`Queue::take_pushed_turns`]), as
    /// the messages to send, their passes signed. Without keys (none could be read when the
    /// machine asked) they are dropped: a fan's next poll gets the same turn.
    pub fn take_pushes(&mut self) -> Vec<Push> {
        let Some(queue) = self.queue.as_mut() else {
            return Vec::new();
        };
        let turns = queue.take_pushed_turns();
        match &self.signing {
            Some(signing) if !turns.is_empty() => turns::pushes(turns, queue.sale(), signing),
            _ => Vec::new(),
        }
    }

    /// A push route's command (docs/api.md, "Called back"), counted by kind: the queue's
    /// refusals are `Err`, the call-back's own are [`PushAnswer::Refused`]. Changes are in
    /// [`SaleMachine::take_changes`], the calls it made in [`SaleMachine::take_push_calls`].
    pub fn call_back(
        &mut self,
        command: PushCommand,
        now: UnixMillis,
    ) -> Result<PushAnswer, QueueError> {
        if self.unavailable {
            return Err(QueueError::SaleUnavailable);
        }
        self.counts.note_due(now);
        self.counts.count(command.kind(), now);
        let queue = self.queue.as_mut().ok_or(QueueError::SaleNotFound)?;
        queue.draw_if_due(now);
        let answer = match command {
            PushCommand::Subscribe {
                seq,
                hand,
                subscription,
            } => queue.subscribe(now, seq, hand, subscription),
            PushCommand::Unsubscribe {
                seq,
                hand,
                endpoint,
            } => queue.unsubscribe(now, seq, hand, endpoint.as_deref()),
            PushCommand::Status { seq, hand } => queue.push_status(now, seq, hand),
        };
        queue.admit_by_mode(now);
        match answer {
            Ok(subscribed) => Ok(PushAnswer::Subscribed(subscribed)),
            Err(Refused::Call(refusal)) => Ok(PushAnswer::Refused { refusal }),
            Err(Refused::Queue(e)) => Err(e),
        }
    }

    /// The Web Push calls to send since the last call, one per subscription (see
    /// [`crate::queue::Queue::take_calls`]).
    pub fn take_push_calls(&mut self, now: UnixMillis) -> Vec<PushCall> {
        let Some(queue) = self.queue.as_mut() else {
            return Vec::new();
        };
        let calls = queue.take_calls();
        if calls.is_empty() {
            return Vec::new();
        }
        calls::pushes(calls, queue.sale(), now)
    }

    /// How a push to fan `seq`'s `endpoint` came out: counted for the report, and a subscription
    /// the push service says is gone is forgotten. Changes are in [`SaleMachine::take_changes`].
    pub fn pushed(&mut self, seq: Seq, endpoint: &str, outcome: PushOutcome, now: UnixMillis) {
        self.counts.count(outcome.kind(), now);
        if let (PushOutcome::Gone, Some(queue)) = (outcome, self.queue.as_mut()) {
            queue.endpoint_gone(seq, endpoint);
        }
    }

    /// Before the sale is created, only `upsert` does anything.
    fn without_sale(&mut self, command: Command, now: UnixMillis) -> Answer {
        let Command::Upsert {
            id,
            settings,
            fan_salt,
            draw_key,
        } = command
        else {
            return Err(QueueError::SaleNotFound);
        };
        let queue = Queue::create(id, settings, fan_salt, draw_key.map(|k| *k), now)?;
        let report = Box::new(self.report(&queue, now));
        self.queue = Some(queue);
        Ok(Reply::Upserted {
            created: true,
            report,
        })
    }

    fn dispatch(&mut self, command: Command, now: UnixMillis) -> Answer {
        if let Command::LeaseBlock {
            replaced_unreadable: true,
            ..
        } = command
        {
            self.bad_records += 1;
        }
        if let Command::Refused { counts } = &command {
            for defence in Defence::ALL {
                self.counts
                    .count_n(defence.kind(), counts.get(defence), now);
            }
        }
        if let Command::LeaseBlock { served, .. } | Command::CloseBlock { served, .. } = &command {
            for (kind, n) in served.by_kind() {
                self.counts.count_n(kind, n, now);
            }
        }
        let Some(queue) = self.queue.as_mut() else {
            return Err(QueueError::SaleNotFound);
        };
        if let Command::Upsert {
            settings, draw_key, ..
        } = command
        {
            queue.update_settings(settings, draw_key.map(|k| *k), now)?;
            return Ok(Reply::Upserted {
                created: false,
                report: Box::new(self.report(queue_of(&self.queue)?, now)),
            });
        }
        let reply = dispatch::run(queue, command, now)?;
        match reply {
            Some(reply) => Ok(reply),
            None => Ok(Reply::Report(Box::new(
                self.report(queue_of(&self.queue)?, now),
            ))),
        }
    }

    /// The sale as promoters see it.
    fn report(&self, queue: &Queue, now: UnixMillis) -> SaleReport {
        report::report(queue, &self.counts, self.bad_records, now)
    }
}

fn queue_of(queue: &Option<Queue>) -> Result<&Queue, QueueError> {
    queue.as_ref().ok_or(QueueError::SaleNotFound)
}

#[cfg(test)]
mod admission_tests;
#[cfg(test)]
mod assist_tests;
#[cfg(test)]
pub(crate) mod memory_store;
#[cfg(test)]
mod move_tests;
#[cfg(test)]
mod object_tests;
#[cfg(test)]
mod party_tests;
#[cfg(test)]
mod report_tests;
#[cfg(test)]
mod tests;
