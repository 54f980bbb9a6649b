//! The pre-queue and its draw: the key chosen once, the range of numbers taken while the sale is
//! in its pre-queue, and the draw at `opens_at`, from which a pre-queue fan's line position is
//! their drawn one (see [`crate::queue::parts::prequeue`]).

use crate::ids::{Position, PositionRange};
use crate::queue::draw::{DrawInfo, DrawKey, DrawVersion};
use crate::queue::error::QueueError;
use crate::queue::parts::prequeue::PreQueue;
use crate::queue::records::DrawRecord;
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;

/// Keeps `key` as the pre-queue's draw key, unless it has one: a key is chosen once.
pub(crate) fn choose_draw_key(q: &mut QueueState, key: Option<DrawKey>) -> Result<(), QueueError> {
    if q.prequeue.is_some() {
        return Ok(());
    }
    // The adapter supplies a key with every upsert; without one there is no fair draw.
    let key = key.ok_or(QueueError::Busy)?;
    let prequeue = PreQueue::new(DrawRecord {
        key,
        end: 0,
        version: DrawVersion::CURRENT,
    });
    q.changes.push(prequeue.change());
    q.prequeue = Some(prequeue);
    Ok(())
}

/// Draws the pre-queue's order once the sale is past it ([`crate::sale::Sale::draw_due`]): from
/// then on a pre-queue fan's line position is their drawn position, and the pre-queue's unused
/// numbers are gaps at their drawn positions. Nothing is written: the draw follows from the
/// stored key, the range and the clock. Idempotent. (A step of the sweep.)
pub(crate) fn draw_if_due(q: &mut QueueState, now: UnixMillis) {
    if !q.sale.draw_due(now) {
        return;
    }
    let Some(prequeue) = q.prequeue.as_mut().filter(|p| !p.is_drawn()) else {
        return;
    };
    let end = prequeue.end();
    let permutation = prequeue.draw().clone();
    // Until now the pre-queue's unused numbers were kept at their own numbers.
    for gap in q.line.take_gaps_through(Position(end)) {
        for seq in gap.start.0..gap.end().0 {
            let drawn = Position(permutation.position_of(seq));
            q.line.restore_gap(PositionRange::new(drawn, 1));
        }
    }
}

/// Arrival numbers taken while the sale is in its pre-queue widen the pre-queue's range.
pub(crate) fn note_numbers_taken(q: &mut QueueState, now: UnixMillis) {
    if q.phase_at(now) != Phase::Prequeue {
        return;
    }
    let last = q.line.next_seq() - 1;
    if let Some(change) = q.prequeue.as_mut().and_then(|p| p.took_until(last)) {
        q.changes.push(change);
    }
}

/// The draw as anyone may see it (the key only once drawn), for a sale with a pre-queue.
pub(crate) fn draw_info(q: &QueueState) -> Option<DrawInfo> {
    q.sale.settings.prequeue_opens_at?;
    q.prequeue.as_ref().map(PreQueue::info)
}
