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

use crate::ids::{FanId, Seq, WindowId};
use crate::machines::protocol::SERVED_KIND_PREFIX as SHARD_PREFIX;
use crate::machines::protocol::{Answer, Command, Reply, SaleReport};
use crate::queue::socket::Refusal;
use crate::queue::{
    recent_since, Assignment, AssignmentState, Change, Claim, Queue, QueueError, Restored,
};
use crate::sale::Sale;
use crate::sale::SaleView;
use crate::time::UnixMillis;
use std::collections::{BTreeMap, BTreeSet};

/// The most steps (one `handle`, then `supply`s) one input takes before it answers: one asking
/// for a record, one answering, and one to spare. A record that does not answer the need (another
/// kind, another fan) is asked for again, so a caller that gets no answer within this many steps
/// has a storage that answers the wrong record.
pub const MAX_STEPS: usize = 3;

/// Request counts not written with another change are written at most this long after the first
/// of them was counted: the most they can lag after a restart.
pub const REQUEST_COUNTS_EVERY_MS: u64 = 60_000;

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
}

impl From<Command> for Input {
    fn from(command: Command) -> Self {
        Input::Command(command)
    }
}

/// A record the core needs from storage before it can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// The assignment of fan number `seq` ([`Record::Assignment`]).
    AssignmentBySeq(Seq),
    /// The assignment of fan `fan_id` ([`Record::Assignment`]).
    AssignmentByFan(FanId),
    /// Assignments newest first (by number), optionally of one window and in one state, at most
    /// `limit` ([`Record::Assignments`]).
    Assignments {
        window: Option<WindowId>,
        state: Option<AssignmentState>,
        limit: usize,
    },
}

/// What storage found for a [`Need`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Assignment(Option<Assignment>),
    Assignments(Vec<Assignment>),
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

/// A command waiting for the record it asked for.
#[derive(Clone, Debug)]
struct Underway {
    command: Command,
    need: Need,
}

/// The coordinator object's state: the sale's queue once the sale exists, and the request counts.
#[derive(Clone, Debug, Default)]
pub struct SaleMachine {
    queue: Option<Queue>,
    /// The sale's settings could not be read: every command is refused, but a full upsert of
    /// the settings where the rest of the queue could be read (`repairable`).
    unavailable: bool,
    repairable: Option<Box<Restored>>,
    requests: BTreeMap<String, u64>,
    /// Kinds whose count changed since it was last written, and since when.
    unwritten: BTreeSet<&'static str>,
    unwritten_since: Option<UnixMillis>,
    /// Write the counts with the next changes even if there are none.
    counts_due: bool,
    /// Stored records found unreadable since the object loaded.
    bad_records: u64,
    underway: Option<Underway>,
}

impl SaleMachine {
    /// What storage kept: the sale and its queue (if the sale was ever created; read back with
    /// [`SaleMachine::recent_since`]), and the request counts.
    pub fn restore(sale: Option<(Sale, Restored)>, requests: BTreeMap<String, u64>) -> Self {
        Self {
            queue: sale.map(|(sale, restored)| Queue::restore(sale, restored)),
            requests,
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
        &self.requests
    }

    /// The records to write, in order, before answering (or looking up a [`Need`]). The request
    /// counts come along only with another change, or when they are due.
    pub fn take_changes(&mut self) -> Vec<Change> {
        let Some(queue) = self.queue.as_mut() else {
            return Vec::new();
        };
        let mut changes = queue.take_changes();
        let due = std::mem::take(&mut self.counts_due);
        if (due || !changes.is_empty()) && !self.unwritten.is_empty() {
            self.unwritten_since = None;
            let kinds = std::mem::take(&mut self.unwritten);
            changes.push(Change::Requests(
                kinds
                    .into_iter()
                    .map(|kind| (kind.to_owned(), self.requests[kind]))
                    .collect(),
            ));
        }
        changes
    }

    /// When to wake the object next: an assignment's claim deadline or pass expiry, or the time
    /// unwritten request counts are due.
    pub fn next_deadline(&self) -> Option<UnixMillis> {
        let queue = self.queue.as_ref()?;
        let counts = self
            .unwritten_since
            .map(|since| since.plus_millis(REQUEST_COUNTS_EVERY_MS));
        queue.next_deadline().into_iter().chain(counts).min()
    }

    /// Runs `input` as far as it goes without storage.
    pub fn handle(&mut self, input: impl Into<Input>, now: UnixMillis) -> Step {
        if self.unavailable {
            return Step::Reply(match input.into() {
                Input::Alarm => Ok(Reply::Done),
                Input::Command(command @ Command::Upsert { .. }) if self.repairable.is_some() => {
                    self.count(command.kind(), now);
                    self.repair(command, now)
                        .unwrap_or(Err(QueueError::SaleUnavailable))
                }
                Input::Command(_) => Err(QueueError::SaleUnavailable),
            });
        }
        self.counts_due |= self
            .unwritten_since
            .is_some_and(|since| since.plus_millis(REQUEST_COUNTS_EVERY_MS) <= now);
        let command = match input.into() {
            Input::Alarm => {
                if let Some(queue) = self.queue.as_mut() {
                    queue.sweep(now);
                }
                return Step::Reply(Ok(Reply::Done));
            }
            Input::Command(command) => command,
        };
        // A new input: a command still waiting for its record was abandoned by its caller.
        self.underway = None;
        self.count(command.kind(), now);
        let Some(queue) = self.queue.as_mut() else {
            return Step::Reply(self.without_sale(command, now));
        };
        let command = match by_fan_id(queue, command) {
            Ok(command) => command,
            Err(e) => return Step::Reply(Err(e)),
        };
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
            self.underway = Some(Underway {
                command,
                need: need.clone(),
            });
            return Step::Need(need);
        }
        Step::Reply(self.dispatch(command, now))
    }

    /// Hands over what storage found for the [`Need`] of the last step, and carries its command on
    /// to the answer. A record that does not answer the need (another kind, another fan) is asked
    /// for again. With no command waiting (a caller's mistake) the answer is a refusal to retry,
    /// [`QueueError::Busy`], never a guess.
    pub fn supply(&mut self, record: Record, now: UnixMillis) -> Step {
        let Some(Underway { command, need }) = self.underway.take() else {
            return Step::Reply(Err(QueueError::Busy));
        };
        if !answers(&need, &record) {
            self.underway = Some(Underway {
                command,
                need: need.clone(),
            });
            return Step::Need(need);
        }
        match record {
            Record::Assignments(assignments) => Step::Reply(Ok(Reply::Assignments { assignments })),
            Record::Assignment(found) => {
                let Some(queue) = self.queue.as_mut() else {
                    return Step::Reply(Err(QueueError::SaleNotFound));
                };
                match (found, &command) {
                    // Read-only lookups are answered from the record, which stays in storage:
                    // a crowd of finished tokens never fills the coordinator's memory.
                    (Some(a), Command::Claim { .. }) if a.finished_at.is_some() => {
                        Step::Reply(Ok(Reply::Claim(queue.claim_from_record(now, &a))))
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

    /// Fan `seq` opens a socket to this object (counted as a `socket` request): see
    /// [`Queue::connect`]. Changes a sweep made are in [`SaleMachine::take_changes`].
    pub fn connect(&mut self, seq: Seq, now: UnixMillis) -> Result<(), Refusal> {
        if self.unavailable {
            return Err(Refusal::NotInLine);
        }
        self.count("socket", now);
        match self.queue.as_mut() {
            Some(queue) => queue.connect(now, seq),
            None => Err(Refusal::NotInLine),
        }
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

    /// The turns to push on sockets since the last call: see [`Queue::take_pushed_turns`].
    pub fn take_pushed_turns(&mut self) -> Vec<Claim> {
        self.queue
            .as_mut()
            .map(Queue::take_pushed_turns)
            .unwrap_or_default()
    }

    fn count(&mut self, kind: &'static str, now: UnixMillis) {
        self.count_n(kind, 1, now);
    }

    fn count_n(&mut self, kind: &'static str, n: u64, now: UnixMillis) {
        if n == 0 {
            return;
        }
        *self.requests.entry(kind.to_owned()).or_default() += n;
        self.unwritten.insert(kind);
        self.unwritten_since.get_or_insert(now);
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
        if let Command::LeaseBlock { served, .. } | Command::CloseBlock { served, .. } = &command {
            for (kind, n) in served.by_kind() {
                self.count_n(kind, n, now);
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
        queue.sweep(now);
        let reply = match command {
            Command::Upsert { .. } | Command::Report => None,
            Command::Open => {
                queue.open(now)?;
                None
            }
            Command::Pause => {
                queue.pause(now)?;
                None
            }
            Command::Close => {
                queue.close(now);
                None
            }
            Command::LeaseBlock {
                shard,
                closing,
                want,
                closing_gaps,
                keep_open,
                ..
            } => Some(Reply::Lease(queue.lease_block_keeping(
                now,
                shard,
                closing,
                &closing_gaps,
                &keep_open,
                want,
            )?)),
            Command::CloseBlock {
                shard,
                start,
                used,
                gaps,
                ..
            } => {
                queue.close_block_with_gaps(now, shard, start, used, &gaps);
                Some(Reply::Done)
            }
            Command::Present { seqs, positions } => {
                for seq in seqs {
                    queue.present(now, seq);
                }
                for position in positions {
                    queue.present_at(now, position);
                }
                Some(Reply::Done)
            }
            Command::Join { existing, .. } => Some(Reply::Joined(queue.join(now, existing)?)),
            Command::Claim { seq } => Some(Reply::Claim(queue.claim(now, seq)?)),
            Command::Pull {
                window,
                max,
                request_id,
            } => Some(Reply::Pulled(queue.pull(now, window, max, request_id)?)),
            Command::Complete { fan_id } => Some(Reply::Assignment(queue.complete(now, &fan_id)?)),
            Command::Release { fan_id } => Some(Reply::Assignment(queue.release(now, &fan_id)?)),
            // Turned into `Complete` and `Release` by `handle`: never dispatched.
            Command::CompleteSeq { .. } | Command::ReleaseSeq { .. } => {
                return Err(QueueError::AssignmentNotFound)
            }
            Command::Snapshot => Some(Reply::Snapshot(queue.snapshot(now))),
            // Always answered from storage (`supply`): never dispatched. Refuse rather than
            // answer an empty listing.
            Command::Assignments { .. } => return Err(QueueError::Busy),
        };
        // What the command changed (a fan joined, an admission ended, a block closed, the sale
        // opened) may let the admission mode admit more.
        queue.admit_by_mode(now);
        match reply {
            Some(reply) => Ok(reply),
            None => Ok(Reply::Report(Box::new(
                self.report(queue_of(&self.queue)?, now),
            ))),
        }
    }

    /// The sale as promoters see it.
    fn report(&self, queue: &Queue, now: UnixMillis) -> SaleReport {
        let sale = queue.sale();
        SaleReport {
            sale: SaleView::of(sale),
            phase: queue.phase_at(now),
            created_at: sale.created_at,
            updated_at: sale.updated_at,
            stats: queue.stats(now),
            bad_records: self.bad_records,
            coordinator_requests: self
                .requests
                .iter()
                .filter(|(kind, _)| !kind.starts_with(SHARD_PREFIX))
                .map(|(_, n)| n)
                .sum(),
            coordinator_requests_by_kind: self
                .requests
                .iter()
                .filter(|(kind, _)| !kind.starts_with(SHARD_PREFIX))
                .map(|(kind, n)| (kind.clone(), *n))
                .collect(),
            shard_requests_by_kind: self
                .requests
                .iter()
                .filter_map(|(kind, n)| Some((kind.strip_prefix(SHARD_PREFIX)?.to_owned(), *n)))
                .collect(),
            minutes: queue.minutes().copied().collect(),
            draw: queue.draw_info(),
        }
    }
}

fn queue_of(queue: &Option<Queue>) -> Result<&Queue, QueueError> {
    queue.as_ref().ok_or(QueueError::SaleNotFound)
}

/// A command naming a fan by arrival number (a pass's `jti`) as the same command by fan id. A
/// number never handed out has no assignment.
fn by_fan_id(queue: &Queue, command: Command) -> Result<Command, QueueError> {
    let fan_id = |seq: Seq| {
        queue
            .issued(seq)
            .then(|| queue.fan_id(seq))
            .ok_or(QueueError::AssignmentNotFound)
    };
    Ok(match command {
        Command::CompleteSeq { seq } => Command::Complete {
            fan_id: fan_id(seq)?,
        },
        Command::ReleaseSeq { seq } => Command::Release {
            fan_id: fan_id(seq)?,
        },
        other => other,
    })
}

/// The record `command` needs from storage before it can run, if any. Asked before anything
/// moves, so that what is read back is what the command finds.
fn needed(queue: &Queue, command: &Command) -> Option<Need> {
    match command {
        Command::Claim { seq }
        | Command::Join {
            existing: Some(seq),
            ..
        } if queue.needs_record(*seq) => Some(Need::AssignmentBySeq(*seq)),
        Command::Complete { fan_id } | Command::Release { fan_id } if !queue.knows_fan(fan_id) => {
            Some(Need::AssignmentByFan(fan_id.clone()))
        }
        Command::Assignments {
            window,
            state,
            limit,
        } => Some(Need::Assignments {
            window: window.clone(),
            state: *state,
            limit: *limit,
        }),
        _ => None,
    }
}

/// Whether `record` is what storage should answer for `need`.
fn answers(need: &Need, record: &Record) -> bool {
    match (need, record) {
        (Need::Assignments { .. }, Record::Assignments(_)) => true,
        (Need::AssignmentBySeq(seq), Record::Assignment(found)) => {
            found.as_ref().is_none_or(|a| a.seq == *seq)
        }
        (Need::AssignmentByFan(fan_id), Record::Assignment(found)) => {
            found.as_ref().is_none_or(|a| a.fan_id == *fan_id)
        }
        _ => false,
    }
}

#[cfg(test)]
mod admission_tests;
#[cfg(test)]
pub(crate) mod memory_store;
#[cfg(test)]
mod tests;
