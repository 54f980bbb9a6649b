//! Moving a place to another device (docs/api.md, "Move my place"): the fan's current hand
//! hands it on, once per link, at most [`MAX_MOVES`] times; from then on only the new hand's
//! token is the place's. The old hand's claim, socket and join are refused here
//! ([`check_hand`]); the edge learns of the move from the snapshot ([`moved_in_line`]).

use crate::ids::Seq;
use crate::queue::error::QueueError;
use crate::queue::parts::moves::MAX_MOVES;
use crate::queue::records::{AssignmentState, Change};
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;

/// Most moved places still in line that the snapshot names (every edge reads them with each
/// snapshot, so they are bounded): while this many are waiting, a move is answered busy until
/// the line passes some of them.
pub const MAX_MOVED_IN_LINE: usize = 1_000;

/// Fan `seq`'s place, held by `hand` (the hand their token was issued for), moves to a new
/// hand, which is returned. Only while the place is the fan's to give: waiting in line, or
/// reached and not yet claimed (a claimed turn's pass is out already).
pub(crate) fn move_place(
    q: &mut QueueState,
    now: UnixMillis,
    seq: Seq,
    hand: u8,
) -> Result<u8, QueueError> {
    if q.phase_at(now) == Phase::Closed {
        return Err(QueueError::Closed);
    }
    if !q.line.issued(seq) {
        return Err(QueueError::AssignmentNotFound);
    }
    check_hand(q, seq, hand)?;
    if hand >= MAX_MOVES {
        return Err(QueueError::MovesUsedUp { max: MAX_MOVES });
    }
    if q.position_of(seq) < q.line.head() {
        match q.assignments.get(seq) {
            Some(a) if a.state == AssignmentState::Assigned && a.claimed_at.is_none() => {}
            _ => return Err(QueueError::TurnTaken),
        }
    } else if moved_in_line(q).count() >= MAX_MOVED_IN_LINE {
        return Err(QueueError::Busy);
    }
    let next = hand + 1;
    q.moves.set(seq, next);
    q.changes.push(Change::Moved { seq, hand: next });
    Ok(next)
}

/// Whether `hand` (a token's) still holds fan `seq`'s place: refused once it moved on.
pub(crate) fn check_hand(q: &QueueState, seq: Seq, hand: u8) -> Result<(), QueueError> {
    if q.moves.hand(seq) != hand {
        return Err(QueueError::PlaceMoved);
    }
    Ok(())
}

/// The moved places still waiting in line, with their hands, for the snapshot: the lowest
/// number still in line onwards (a pre-queue's drawn line is not in number order, so then all).
pub(crate) fn moved_in_line(q: &QueueState) -> impl Iterator<Item = (Seq, u8)> + '_ {
    let first = if q.prequeue.is_some() {
        0
    } else {
        q.line.head().0
    };
    q.moves
        .from(first)
        .filter(|(seq, _)| q.line.contains(q.position_of(*seq)))
}
