//! Each command on a sale that exists, carried to its answer by the queue: the promoter's
//! (open, pause, close), the arrival shards' (leases and closes), the fans' (join, claim,
//! presence), the origin's (pull, complete, release) and the edge's (snapshot).

use crate::ids::Seq;
use crate::machines::protocol::{Command, Moved, Reply};
use crate::queue::{seat_of_hand, Joiner, Queue, QueueError};
use crate::time::UnixMillis;

/// Runs `command` (anything but an upsert, answered by the machine) on `queue`, swept to `now`
/// first: its reply, or `None` for the commands answered with the sale's report. What the command
/// changed may let the admission mode admit more: it does, after.
pub(super) fn run(
    queue: &mut Queue,
    command: Command,
    now: UnixMillis,
) -> Result<Option<Reply>, QueueError> {
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
        Command::ShowReport { visibility } => {
            queue.show_report(visibility, now);
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
        // Counted by the machine (`SaleMachine::dispatch`).
        Command::Refused { .. } => Some(Reply::Done),
        Command::Assist { seq } => Some(Reply::Assisted(queue.assist(now, seq)?)),
        Command::Present { seqs, positions } => {
            for seq in seqs {
                queue.present(now, seq);
            }
            for position in positions {
                queue.present_at(now, position);
            }
            Some(Reply::Done)
        }
        Command::Sessions { tally } => {
            queue.count_sessions(now, &tally);
            Some(Reply::Done)
        }
        Command::Join { existing, .. } => Some(Reply::Joined(queue.join(now, existing)?)),
        // The claim's hand was checked before its record was looked up (`SaleMachine::step`).
        Command::Claim { seq, hand } => Some(Reply::Claim(queue.claim_as(now, seq, hand)?)),
        Command::Move { seq, hand } => Some(Reply::Moved(Moved {
            hand: queue.move_place(now, seq, hand)?,
            fan_id: queue.fan_id(seq),
        })),
        // Answered by the machine (`bound`) before they get here.
        Command::ClaimBound { .. } | Command::ProveMove { .. } => {
            return Err(QueueError::DeviceProofInvalid)
        }
        Command::JoinParty {
            leader,
            leader_hand,
            member,
        } => {
            let joiner = member.map_or(Joiner::New, |(seq, hand)| Joiner::Token { seq, hand });
            let hand = queue.join_party(now, leader, leader_hand, joiner)?;
            let seat = seat_of_hand(hand).ok_or(QueueError::NotAMember)?;
            Some(Reply::Moved(Moved {
                hand,
                fan_id: queue.member_fan_id(leader, seat),
            }))
        }
        Command::LeaveParty { leader, hand } => {
            queue.leave_party(now, leader, hand)?;
            Some(Reply::Done)
        }
        Command::Party { leader, hand } => Some(Reply::Party(queue.party(leader, hand)?)),
        Command::Pull {
            window,
            max,
            request_id,
        } => Some(Reply::Pulled(queue.pull(now, window, max, request_id)?)),
        Command::Complete { fan_id } => Some(Reply::Assignment(queue.complete(now, &fan_id)?)),
        Command::Release { fan_id } => Some(Reply::Assignment(queue.release(now, &fan_id)?)),
        // Turned into `Complete` and `Release` by `by_fan_id`: never dispatched.
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
    Ok(reply)
}

/// A command naming a fan by arrival number (a pass's `jti`) as the same command by fan id. A
/// number never handed out has no assignment.
pub(super) fn by_fan_id(queue: &Queue, command: Command) -> Result<Command, QueueError> {
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
