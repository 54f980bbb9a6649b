//! Claims and their deadlines: a fan whose number was reached claims their turn within the sale's
//! `claim_ttl_s`, or the assignment lapses; a claimed admission ends when its pass expires, if
//! the origin has not completed or released it by then.

use crate::ids::Seq;
use crate::queue::error::QueueError;
use crate::queue::parts::assignments::claimed_again;
use crate::queue::records::{Assignment, Change, Claim};
use crate::queue::state::QueueState;
use crate::time::UnixMillis;

/// A fan whose number has been reached asks for their turn. The first claim starts the pass.
pub(crate) fn claim(q: &mut QueueState, now: UnixMillis, seq: Seq) -> Result<Claim, QueueError> {
    if seq == 0 || q.position_of(seq) >= q.line.head() {
        let (position, ahead) = q.line.place(q.position_of(seq));
        return Ok(Claim::Waiting { position, ahead });
    }
    let (claim, changed) = q.assignments.claim(seq, now, q.pass_time())?;
    if let (true, Claim::Turn { assignment, .. }) = (changed, &claim) {
        q.changes.push(Change::Assignment(assignment.clone()));
    }
    Ok(claim)
}

/// A claim by fan `a.seq`, whose finished assignment was read back from storage: answered from
/// the record, which stays out of memory (a read-only lookup does not re-enter it).
pub(crate) fn claim_from_record(q: &QueueState, now: UnixMillis, a: &Assignment) -> Claim {
    claimed_again(a, now, q.pass_time())
}

/// Lapses every assignment not claimed in time. (A step of the sweep.)
pub(crate) fn lapse_unclaimed(q: &mut QueueState, now: UnixMillis) {
    for a in q.assignments.lapse_due(now) {
        q.changes.push(Change::Assignment(a));
    }
}

/// Ends every claimed assignment whose pass expired unfinished. (A step of the sweep.)
pub(crate) fn expire_passes(q: &mut QueueState, now: UnixMillis) {
    let pass_time = q.pass_time();
    for a in q.assignments.expire_due(now, pass_time) {
        q.changes.push(Change::Assignment(a));
    }
}

/// When the next assignment would lapse, or the next claimed pass expire.
pub(crate) fn next_deadline(q: &QueueState) -> Option<UnixMillis> {
    q.assignments.next_deadline(q.pass_time())
}
