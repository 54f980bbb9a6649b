//! Blocks of arrival numbers leased to arrival shards: a shard leases the next block, numbers
//! fans from it, and reports how much of it went to fans; the rest are gaps. A block never
//! reported is closed as fully used after
//! [`BLOCK_ABANDON_MS`](crate::queue::BLOCK_ABANDON_MS).

use super::{control, prequeue};
use crate::ids::{Position, PositionRange, Seq, SeqRange};
use crate::queue::error::QueueError;
use crate::queue::limits::{BLOCK_TTL_MS, MAX_BLOCK};
use crate::queue::records::{BlockLease, BlockRecord, Change};
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;

/// An arrival shard leases the next block of arrival numbers (its closing one was closed first,
/// [`close_block_with_gaps`]); the blocks starting at `keep_open` stay open (their sub-blocks'
/// reports are still awaited).
pub(crate) fn lease_block(
    q: &mut QueueState,
    now: UnixMillis,
    shard: u32,
    keep_open: &[Seq],
    want: u64,
) -> Result<BlockLease, QueueError> {
    control::check_joinable(q, now)?;
    let prequeue_until = (q.phase_at(now) == Phase::Prequeue)
        .then_some(q.sale.settings.opens_at)
        .flatten();
    // A shard holds one block at a time, besides those it says it keeps open. One it left
    // open otherwise was lost with its state: count it as fully used, so that no fan who got
    // a number from it is dropped.
    for block in q.blocks.held_by(shard) {
        if !keep_open.contains(&block.start) {
            close_block_with_gaps(q, now, shard, block.start, block.len, &[]);
        }
    }
    let len = want.clamp(1, MAX_BLOCK);
    let block = BlockRecord {
        start: q.line.take(len),
        len,
        shard,
        leased_at: now,
        used: None,
        use_before: prequeue_until,
        gaps: Vec::new(),
    };
    q.arrivals.taken(block.start, now);
    q.blocks.insert(block.clone());
    q.changes.push(Change::Block(block.clone()));
    q.changes.push(q.line.change());
    prequeue::note_numbers_taken(q, now);
    // A pre-queue block serves until the draw (its order is drawn anyway), and never after.
    let ttl_ms = prequeue_until.map_or(BLOCK_TTL_MS, |at| now.millis_until(at).max(1));
    Ok(BlockLease {
        start: block.start,
        len,
        leased_at: now,
        ttl_ms,
        use_before: prequeue_until,
        fan_salt: q.sale.fan_salt.clone(),
    })
}

/// The numbers from the line's next one up to `to` (not included) were handed to other line
/// objects of a split line: they are a gap here, and so never wait for a block to close. While
/// the sale is in its pre-queue they widen its range (every line object draws the same range).
pub(crate) fn skip_to(q: &mut QueueState, now: UnixMillis, to: Seq) {
    let next = q.line.next_seq();
    if to <= next {
        return;
    }
    let len = to - next;
    let start = q.line.take(len);
    add_unused(q, SeqRange { start, len });
    q.changes.push(q.line.change());
    prequeue::note_numbers_taken(q, now);
}

/// A shard reports how many numbers of a block went to fans (a prefix) and, among them, the
/// unused numbers inside it (`gaps`, the unused tails of sub-blocks its shard lent to the edge):
/// the rest, and those, are gaps. Gaps outside the used prefix, or overlapping one before them,
/// are ignored. Reporting a block that is already closed changes nothing.
pub(crate) fn close_block_with_gaps(
    q: &mut QueueState,
    now: UnixMillis,
    shard: u32,
    start: Seq,
    used: u64,
    gaps: &[SeqRange],
) {
    let Some(mut block) = q.blocks.take(shard, start) else {
        return;
    };
    let used = used.min(block.len);
    block.used = Some(used);
    block.gaps = inner_gaps(start, used, gaps);
    let unused = block.unused();
    for gap in &unused {
        add_unused(q, *gap);
    }
    if !unused.is_empty() {
        q.changes.push(q.line.change());
    }
    let arrived = used - block.gaps.iter().map(|gap| gap.len).sum::<u64>();
    if arrived > 0 {
        q.minutes.arrived(now, arrived, &mut q.changes);
    }
    q.changes.push(Change::Block(block));
}

/// Closes every block never reported within [`crate::queue::BLOCK_ABANDON_MS`]. (A step of the sweep.)
pub(crate) fn close_abandoned(q: &mut QueueState, now: UnixMillis) {
    for (shard, block) in q.blocks.abandoned(now) {
        close_block_with_gaps(q, now, shard, block.start, block.len, &[]);
    }
}

/// Numbers `unused` will never hold a fan: a gap, at the drawn positions of pre-queue numbers
/// after the draw (any other number is its own position).
fn add_unused(q: &mut QueueState, unused: SeqRange) {
    let drawn = q
        .prequeue
        .as_ref()
        .filter(|p| p.covers(unused.start))
        .and_then(|p| p.permutation());
    match drawn {
        Some(permutation) => {
            let positions: Vec<Position> = (unused.start..unused.end())
                .map(|seq| Position(permutation.position_of(seq)))
                .collect();
            q.line.add_scattered_gaps(&positions);
        }
        None => q
            .line
            .add_gap(PositionRange::new(Position(unused.start), unused.len)),
    }
}

/// The gaps of `gaps` that lie inside `start..start + used`, in order, not overlapping, not empty.
fn inner_gaps(start: Seq, used: u64, gaps: &[SeqRange]) -> Vec<SeqRange> {
    let mut sorted: Vec<SeqRange> = gaps
        .iter()
        .copied()
        .filter(|g| g.len > 0 && g.start >= start && g.start.saturating_add(g.len) <= start + used)
        .collect();
    sorted.sort_unstable();
    let mut inner: Vec<SeqRange> = Vec::with_capacity(sorted.len());
    for gap in sorted {
        if inner.last().is_none_or(|before| before.end() <= gap.start) {
            inner.push(gap);
        }
    }
    inner
}
