//! What the machine asks its object for: a record it keeps only in storage (a finished assignment
//! dropped from memory, or the assignment listing, which storage holds in full), asked before
//! anything moves, so that what is read back is what the command finds; and the keys it signs
//! admission passes with, asked the first time a turn needs one.

use super::turns::PassSigning;
use crate::ids::{FanId, Seq, WindowId};
use crate::machines::protocol::Command;
use crate::queue::{Assignment, AssignmentState, Queue};

/// A record the core needs from storage before it can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// The assignment of fan number `seq` ([`Record::Assignment`]).
    AssignmentBySeq(Seq),
    /// The assignment of fan `fan_id` ([`Record::Assignment`]).
    AssignmentByFan(FanId),
    /// The assignments of these fans, those storage has ([`Record::Assignments`]): a batch's
    /// ([`super::Input::FinishMany`]) not in memory, asked at once: a batch takes one lookup step.
    AssignmentsOfFans(Vec<FanId>),
    /// Assignments newest first (by number), optionally of one window and in one state, at most
    /// `limit` ([`Record::Assignments`]).
    Assignments {
        window: Option<WindowId>,
        state: Option<AssignmentState>,
        limit: usize,
    },
    /// The pass-signing keys and issuer ([`Record::PassSigning`]): a claimed turn's pass, or a
    /// turn to push, is to be signed and the machine has none yet.
    PassSigning,
}

/// What the object found for a [`Need`].
#[derive(Clone, Debug)]
pub enum Record {
    Assignment(Option<Assignment>),
    Assignments(Vec<Assignment>),
    /// `None` when the keys cannot be read (the object logs why): the turn goes out unsigned,
    /// which the edge answers busy, and the next turn asks again.
    PassSigning(Option<PassSigning>),
}

/// The record `command` needs from storage before it can run, if any. Asked before anything
/// moves, so that what is read back is what the command finds.
pub(super) fn needed(queue: &Queue, command: &Command) -> Option<Need> {
    match command {
        Command::Claim { seq, .. }
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
pub(super) fn answers(need: &Need, record: &Record) -> bool {
    match (need, record) {
        (Need::Assignments { .. }, Record::Assignments(_)) => true,
        (Need::AssignmentsOfFans(fans), Record::Assignments(found)) => {
            found.iter().all(|a| fans.contains(&a.fan_id))
        }
        (Need::PassSigning, Record::PassSigning(_)) => true,
        (Need::AssignmentBySeq(seq), Record::Assignment(found)) => {
            found.as_ref().is_none_or(|a| a.seq == *seq)
        }
        (Need::AssignmentByFan(fan_id), Record::Assignment(found)) => {
            found.as_ref().is_none_or(|a| a.fan_id == *fan_id)
        }
        _ => false,
    }
}
