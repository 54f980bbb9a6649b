//! The origin finishes an admission: the fan bought (`complete`), or the window gives them up
//! (`release`). In `capacity` mode each end admits the next fan.

use super::admission;
use crate::ids::FanId;
use crate::queue::error::QueueError;
use crate::queue::parts::assignments::Finish;
use crate::queue::records::{Assignment, Change};
use crate::queue::state::QueueState;
use crate::time::UnixMillis;

/// The origin finishes fan `fan_id`'s assignment as `finish` says.
pub(crate) fn finish(
    q: &mut QueueState,
    now: UnixMillis,
    fan_id: &FanId,
    finish: Finish,
) -> Result<Assignment, QueueError> {
    let a = q.assignments.finish(fan_id, finish, now)?;
    q.changes.push(Change::Assignment(a.clone()));
    // In `capacity` mode each end admits the next fan.
    admission::admit_by_mode(q, now);
    Ok(a)
}
