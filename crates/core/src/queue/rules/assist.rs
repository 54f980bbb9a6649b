//! The assisted lane: a waiting fan asks for it (on the page, or with an invitation that carries
//! an `assist` claim), and gets the sale's `assist.multiplier` times the claim and pass time when
//! their turn comes. Granted to at most `assist.max_places` fans of the sale, counted once per
//! place: asking again changes nothing, and past the cap it is refused.

use crate::ids::Seq;
use crate::queue::error::QueueError;
use crate::queue::records::{Assisted, Change};
use crate::queue::state::QueueState;
use crate::time::UnixMillis;

/// Fan `seq` asks for the assisted lane at `now`.
pub(crate) fn ask(q: &mut QueueState, _now: UnixMillis, seq: Seq) -> Result<Assisted, QueueError> {
    let assist = q
        .sale
        .settings
        .assist
        .ok_or(QueueError::AssistUnavailable)?;
    if seq == 0 || !q.line.issued(seq) {
        return Err(QueueError::AssignmentNotFound);
    }
    let max = u64::from(assist.max_places);
    let granted = |q: &QueueState| Assisted {
        seq,
        multiplier: assist.multiplier,
        places_left: max.saturating_sub(q.assisted.len() as u64),
    };
    if q.assisted.contains(&seq) {
        return Ok(granted(q));
    }
    if q.position_of(seq) < q.line.head() {
        return Err(QueueError::AssistTooLate);
    }
    if q.assisted.len() as u64 >= max {
        return Err(QueueError::AssistFull {
            max_places: assist.max_places,
        });
    }
    q.assisted.insert(seq);
    q.changes.push(Change::Assisted(seq));
    Ok(granted(q))
}
