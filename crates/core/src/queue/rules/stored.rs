//! Finished assignments kept in storage only: memory keeps every active assignment and finished
//! ones for [`RETAIN_FINISHED_MS`]; a command that needs an older one has it read back first (the
//! [`crate::machines::sale_machine`] asks storage), and takes it back for as long.

use crate::ids::{FanId, Seq};
use crate::queue::limits::RETAIN_FINISHED_MS;
use crate::queue::records::Assignment;
use crate::queue::state::QueueState;
use crate::time::UnixMillis;

/// Which finished assignments a restart reads back into memory: those finished since then (and
/// every active one). The rest stay in storage until a command needs one.
pub fn recent_since(now: UnixMillis) -> UnixMillis {
    UnixMillis(now.0.saturating_sub(RETAIN_FINISHED_MS))
}

/// Drops from memory the finished assignments due to leave it at `now`. (A step of the sweep.)
pub(crate) fn evict(q: &mut QueueState, now: UnixMillis) {
    q.assignments.evict(now);
}

/// Whether an operation on fan `seq` needs its finished assignment back from storage first (see
/// [`remember`]).
pub(crate) fn needs_record(q: &QueueState, seq: Seq) -> bool {
    q.assignments
        .needs_record(seq, q.position_of(seq) < q.line.head())
}

/// Whether the assignment of `fan_id`, if there is one, is in memory.
pub(crate) fn knows_fan(q: &QueueState, fan_id: &FanId) -> bool {
    q.assignments.knows_fan(fan_id)
}

/// Takes back a finished assignment that was dropped from memory, read from storage. It is
/// dropped again [`RETAIN_FINISHED_MS`] later.
pub(crate) fn remember(q: &mut QueueState, now: UnixMillis, a: Assignment) {
    let behind = q.position_of(a.seq) < q.line.head();
    q.assignments.remember(a, behind, now);
}
