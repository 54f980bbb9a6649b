//! Many assignments finished in one request (docs/api.md, "Complete in batches"): an origin that
//! reports its windows' completions (or releases) in batches spends one coordinator request on
//! up to [`MAX_FINISH_MANY`] of them instead of one each, about half of what an admission costs
//! the coordinator (docs/capacity.md, "The coordinator's ceiling").
//!
//! The rules: each item is finished exactly as the single route finishes it (the same state, the
//! same events, in `capacity` mode the same place freed), one after the other in request order,
//! and answers on its own: an item that names no assignment, or one already finished, fails
//! alone ([`FinishedMany::results`]) and never the others. An assignment named twice (by fan id
//! and by its pass's `jti`, or twice the same) is finished once: its second mention answers as
//! a second single request would, `already_completed` (or `already_released`). The batch itself
//! is refused whole only when it is malformed: empty, or longer than [`MAX_FINISH_MANY`]
//! ([`FinishManyError`]; a batch decoded from JSON is checked the same way).
//!
//! The command travels to the coordinator as [`FinishMany`], at its own path (only the full
//! worker's origin route sends it, so the edge's module compiles none of it); the coordinator
//! answers [`crate::machines::protocol::Reply::FinishedMany`].

use crate::ids::{FanId, Seq};
use crate::queue::{Assignment, Queue, QueueError};
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most assignments one batch finishes. A window pulls at most [`crate::MAX_PULL`] (100)
/// fans at a time, so one batch can finish a whole pull; and the coordinator runs a batch
/// without pause, one request holding the line for it: 100 finishes (each a few microseconds in
/// the core, and at most one storage read each for an assignment no longer in memory) keep
/// that to a few milliseconds, the time of an ordinary request, and the body small (under 8 KB).
pub const MAX_FINISH_MANY: usize = 100;

/// How a batch ends its assignments, as the single route's last segment says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The fans bought.
    Complete,
    /// The fans gave up their purchase; their windows are free.
    Release,
}

/// How an origin names an assignment: by the fan's id, or by the arrival number in the `jti` of
/// the fan's pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentRef {
    Fan(FanId),
    Seq(Seq),
}

/// Finish these assignments, in this order, as `outcome` says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FinishManyWire")]
pub struct FinishMany {
    outcome: Outcome,
    assignments: Vec<AssignmentRef>,
}

/// A batch that cannot be run at all: nothing is finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishManyError {
    Empty,
    TooMany { n: usize },
}

impl fmt::Display for FinishManyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FinishManyError::Empty => f.write_str("must name at least one assignment"),
            FinishManyError::TooMany { n } => write!(
                f,
                "names {n} assignments: at most {MAX_FINISH_MANY} in one request"
            ),
        }
    }
}

impl FinishMany {
    /// A batch of 1 to [`MAX_FINISH_MANY`] assignments.
    pub fn new(outcome: Outcome, assignments: Vec<AssignmentRef>) -> Result<Self, FinishManyError> {
        match assignments.len() {
            0 => Err(FinishManyError::Empty),
            n if n > MAX_FINISH_MANY => Err(FinishManyError::TooMany { n }),
            _ => Ok(Self {
                outcome,
                assignments,
            }),
        }
    }

    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    pub fn assignments(&self) -> &[AssignmentRef] {
        &self.assignments
    }

    /// The request-count kind: one request, however many it finishes.
    pub fn kind(&self) -> &'static str {
        match self.outcome {
            Outcome::Complete => "complete_many",
            Outcome::Release => "release_many",
        }
    }

    /// The same batch with every arrival number that was handed out named by its fan id (a
    /// number never handed out stays a number: it names no assignment).
    pub(crate) fn by_fan_id(self, queue: &Queue) -> Self {
        let assignments = self
            .assignments
            .into_iter()
            .map(|r| match r {
                AssignmentRef::Seq(seq) if queue.issued(seq) => {
                    AssignmentRef::Fan(queue.fan_id(seq))
                }
                other => other,
            })
            .collect();
        Self {
            assignments,
            ..self
        }
    }

    /// The fans whose assignments are not in memory (finished ones dropped from it): storage
    /// has them, if anyone does. Each once, in request order.
    pub(crate) fn unknown_fans(&self, queue: &Queue) -> Vec<FanId> {
        let mut unknown: Vec<FanId> = Vec::new();
        for r in &self.assignments {
            if let AssignmentRef::Fan(fan_id) = r {
                if !queue.knows_fan(fan_id) && !unknown.contains(fan_id) {
                    unknown.push(fan_id.clone());
                }
            }
        }
        unknown
    }

    /// Runs the batch on `queue`: each item as the single request would, in order.
    pub(crate) fn run(self, queue: &mut Queue, now: UnixMillis) -> FinishedMany {
        let outcome = self.outcome;
        let results = self
            .assignments
            .into_iter()
            .map(|r| match (r, outcome) {
                (AssignmentRef::Fan(fan_id), Outcome::Complete) => queue.complete(now, &fan_id),
                (AssignmentRef::Fan(fan_id), Outcome::Release) => queue.release(now, &fan_id),
                (AssignmentRef::Seq(_), _) => Err(QueueError::AssignmentNotFound),
            })
            .collect();
        FinishedMany { results }
    }
}

/// The batch as JSON carries it, checked into a [`FinishMany`].
#[derive(Deserialize)]
struct FinishManyWire {
    outcome: Outcome,
    assignments: Vec<AssignmentRef>,
}

impl TryFrom<FinishManyWire> for FinishMany {
    type Error = FinishManyError;
    fn try_from(wire: FinishManyWire) -> Result<Self, Self::Error> {
        FinishMany::new(wire.outcome, wire.assignments)
    }
}

/// Each item's end, in request order: the assignment as it is now, or why it was not finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedMany {
    pub results: Vec<Result<Assignment, QueueError>>,
}

#[cfg(test)]
mod tests;
