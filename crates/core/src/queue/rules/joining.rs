//! A fan takes a place: a new one at the back, or the one their token names, for as long as it
//! holds; a place that ended is turned into one new place, once.

use super::{control, prequeue};
use crate::ids::{Seq, WindowId};
use crate::queue::error::QueueError;
use crate::queue::limits::LOST_RECORD_WINDOW;
use crate::queue::records::{Assignment, AssignmentState, Change, Joined, Rejoined};
use crate::queue::state::QueueState;
use crate::time::UnixMillis;

/// A fan joins. `existing` is the place the fan's valid token names, if any: a fan still
/// waiting, holding an assignment or done keeps it. A place that ended (lapsed, released, left,
/// expired) is spent once: the first join presenting it gets a new place at the back, recorded
/// against the old one ([`Assignment::rejoined_as`]), and every later join presenting it finds
/// that same new place (`created: false`). So one token is never more than one live place; the
/// new place's own token may be turned into one more the same way, and each such join pays the
/// sale's gates at the edge like any new place (docs/fairness.md).
pub(crate) fn join(
    q: &mut QueueState,
    now: UnixMillis,
    existing: Option<Seq>,
) -> Result<Joined, QueueError> {
    if let Some(seq) = existing {
        if still_held(q, seq) {
            return Ok(joined(q, seq, false));
        }
        if let Some(next) = q.assignments.get(seq).and_then(|a| a.rejoined_as.clone()) {
            return Ok(joined(q, next.seq, false));
        }
    }
    let joined = take_new_place(q, now)?;
    if let Some(seq) = existing {
        let recorded = match q.assignments.rejoined(seq, &joined) {
            Some(a) => Some(a),
            None => lost_place_taken_again(q, seq, &joined, now),
        };
        if let Some(a) = recorded {
            q.changes.push(Change::Assignment(a));
        }
    }
    Ok(joined)
}

/// A join presenting fan `a.seq`'s token, whose finished assignment was read back from storage:
/// a fan who bought keeps the place, a place already turned into a new one finds that one, anyone
/// else joins anew (recorded against the old place, as [`join`]). The record stays out of
/// memory.
pub(crate) fn join_from_record(
    q: &mut QueueState,
    now: UnixMillis,
    a: &Assignment,
) -> Result<Joined, QueueError> {
    let held = matches!(
        a.state,
        AssignmentState::Assigned | AssignmentState::Completed
    );
    if held && q.line.issued(a.seq) && q.position_of(a.seq) < q.line.head() {
        return Ok(joined(q, a.seq, false));
    }
    if let Some(next) = &a.rejoined_as {
        return Ok(joined(q, next.seq, false));
    }
    let joined = take_new_place(q, now)?;
    q.changes.push(Change::Assignment(Assignment {
        rejoined_as: Some(Rejoined::of(&joined)),
        ..a.clone()
    }));
    Ok(joined)
}

/// A place behind the front whose assignment cannot be found (its stored record was
/// unreadable), taken again as `joined`: a stand-in record takes the lost one's place, a fan who
/// left (window [`LOST_RECORD_WINDOW`]) and was taken again as `joined`, so the token is spent
/// like any finished place's: every later join presenting it finds `joined`.
fn lost_place_taken_again(
    q: &mut QueueState,
    seq: Seq,
    joined: &Joined,
    now: UnixMillis,
) -> Option<Assignment> {
    let behind = q.line.issued(seq) && q.position_of(seq) < q.line.head();
    if !behind || q.assignments.get(seq).is_some() {
        return None;
    }
    let a = Assignment {
        fan_id: q.fan_id(seq),
        seq,
        window: WindowId::parse(LOST_RECORD_WINDOW).expect("a window id"),
        state: AssignmentState::Left,
        assigned_at: now,
        claim_by: now,
        claimed_at: None,
        finished_at: Some(now),
        rejoined_as: Some(Rejoined::of(joined)),
        assisted: false,
    };
    q.assignments.add(a.clone(), now);
    Some(a)
}

/// A new place at the back of the line.
fn take_new_place(q: &mut QueueState, now: UnixMillis) -> Result<Joined, QueueError> {
    control::check_joinable(q, now)?;
    let seq = q.line.take(1);
    q.arrivals.taken(seq, now);
    q.changes.push(q.line.change());
    prequeue::note_numbers_taken(q, now);
    q.minutes.arrived(now, 1, &mut q.changes);
    Ok(joined(q, seq, true))
}

/// Whether number `seq` still holds a place: waiting, assigned or done. A number behind the
/// front whose assignment cannot be found (its stored record was unreadable) holds none: the fan
/// gets a new place rather than the same lost one forever.
fn still_held(q: &QueueState, seq: Seq) -> bool {
    if !q.line.issued(seq) {
        return false;
    }
    if q.position_of(seq) >= q.line.head() {
        return true;
    }
    q.assignments.get(seq).is_some_and(|a| {
        matches!(
            a.state,
            AssignmentState::Assigned | AssignmentState::Completed
        )
    })
}

fn joined(q: &QueueState, seq: Seq, created: bool) -> Joined {
    let (position, ahead) = q.line.place(q.position_of(seq));
    Joined {
        fan_id: q.fan_id(seq),
        seq,
        created,
        position,
        ahead,
    }
}
