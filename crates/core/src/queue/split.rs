//! A sale's line split by ranges of arrival numbers over several line objects (issue 19).
//!
//! One coordinator serves about 1,000 requests a second, some 200 admissions a second with room
//! for its snapshots, presence batches and block leases (docs/capacity.md, "The coordinator's
//! ceiling"). Past that a sale's line is held by `K` line objects, each a whole
//! [`Queue`](crate::queue::Queue) over its own arrival numbers, and these rules say how they
//! make one line:
//!
//! - **Who owns a number** ([`BlockNumbering`], [`line_of_block`]): the sale keeps one numbering
//!   of the blocks its arrival shards lease, and block `b` goes to line object `b mod K`. The
//!   numbers stay one sequence for the whole sale, so they still say who came first across line
//!   objects; a line object takes the numbers of the others' blocks as one gap
//!   ([`Queue::skip_to`](crate::queue::Queue::skip_to)) when it leases its next block. Blocks
//!   rather than fixed stripes of numbers: a shard leases a block of the size its join rate needs
//!   (from 1 to 4,096 numbers), so only the block's own index spreads the line evenly whatever
//!   the rate, and a block is already what a shard opens and closes.
//! - **The pre-queue's draw**: every line object draws the same range `1..end` (the sale's, told
//!   to each when the pre-queue closes) with the same key, so a pre-queue fan's drawn position is
//!   the one a single coordinator would give; a line object holds the drawn positions of its own
//!   numbers and has the others' as gaps. The commitment, the published key and anyone's check
//!   are unchanged. (Rather than "position `p` to line object `p mod K`": that would move fans
//!   to the line object of their position, a second map next to the numbers' one.)
//! - **A fan's place** ([`merged_ahead`]): the edge sums the fans ahead of the fan's position in
//!   each line object's snapshot, two binary searches each: still a range that holds the true
//!   count, and logarithmic per poll.
//! - **Who is handed out next** ([`next_line`], [`plan_pull`]): the line object whose next
//!   waiting position is the lowest. For a pull of `n` places each line object tells its next
//!   `n` waiting positions ([`Queue::next_waiting`](crate::queue::Queue::next_waiting), one
//!   request each a round); the cut is the `n + 1`-th of them all, never past a block still
//!   pending anywhere; each line object with fans below the cut hands them out
//!   ([`Queue::pull_before`](crate::queue::Queue::pull_before)). The merged line then leaves the
//!   front in position order, as one coordinator's does, and never more than `n` at once.
//!   (The snapshots' ranges are too coarse for this far from the front: a line object's gaps
//!   include every other line object's numbers.)
//! - **How many** ([`lines_for_rate`]): `K = ceil(A / 200)` for `A` admissions a second.

use crate::ids::{Position, Seq};
use crate::queue::snapshot::Snapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Admissions a second one line object is sized for: about 1,000 requests a second at ~2 a
/// claimed admission, with room for the rest of its requests.
pub const ADMISSIONS_PER_LINE: u64 = 200;
/// The most line objects a sale is split over.
pub const MAX_LINES: u32 = 64;

/// How many line objects a sale admitting `per_minute` fans a minute needs: `ceil(A / 200)` for
/// `A` a second, at least 1 and at most [`MAX_LINES`].
pub fn lines_for_rate(per_minute: u32) -> u32 {
    let per_line_minute = ADMISSIONS_PER_LINE * 60;
    u64::from(per_minute)
        .div_ceil(per_line_minute)
        .clamp(1, u64::from(MAX_LINES)) as u32
}

/// The line object that owns block `index` of a line split over `lines` objects.
pub fn line_of_block(index: u64, lines: u32) -> u32 {
    (index % u64::from(lines.max(1))) as u32
}

/// One block of arrival numbers, and the line object it went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitBlock {
    pub index: u64,
    pub line: u32,
    pub start: Seq,
    pub len: u64,
}

impl SplitBlock {
    /// The number after the block's last.
    pub fn end(&self) -> Seq {
        self.start + self.len
    }
}

/// The sale's one numbering of blocks (held by the sale's coordinator, which is off the
/// admission path: one request per block a shard leases): the next block's numbers, and which
/// line object owns each block handed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockNumbering {
    lines: u32,
    blocks: u64,
    next: Seq,
    /// Each block's start: its length and line object.
    owners: BTreeMap<Seq, (u64, u32)>,
}

impl BlockNumbering {
    /// A numbering over `lines` line objects (at least 1, at most [`MAX_LINES`]), from number 1.
    pub fn new(lines: u32) -> Self {
        Self {
            lines: lines.clamp(1, MAX_LINES),
            blocks: 0,
            next: 1,
            owners: BTreeMap::new(),
        }
    }

    pub fn lines(&self) -> u32 {
        self.lines
    }

    /// Blocks handed out so far.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// The first number of the next block: every number below it is in a block handed out.
    pub fn next_seq(&self) -> Seq {
        self.next
    }

    /// The next block, of `len` numbers (at least 1), to line object `index mod K`.
    pub fn allocate(&mut self, len: u64) -> SplitBlock {
        let block = SplitBlock {
            index: self.blocks,
            line: line_of_block(self.blocks, self.lines),
            start: self.next,
            len: len.max(1),
        };
        self.blocks += 1;
        self.next = block.end();
        self.owners.insert(block.start, (block.len, block.line));
        block
    }

    /// The line object that owns number `seq` (`None` for a number not handed out yet). The edge
    /// needs no table for this: a fan's token carries the line object its sub-block came from.
    pub fn line_of(&self, seq: Seq) -> Option<u32> {
        let (start, (len, line)) = self.owners.range(..=seq).next_back()?;
        (seq < start + len).then_some(*line)
    }
}

/// Fans ahead of `position` in one line object's snapshot: its own fans only (a position past
/// the numbers it has taken counts all of them).
pub fn ahead_in(snapshot: &Snapshot, position: Position) -> (u64, u64) {
    snapshot.ahead_bounds(Position(position.0.min(snapshot.next_seq)))
}

/// A fan's place in the merged line: the fans ahead of `position` in every line object's
/// snapshot, summed (`at_least`, `at_most`). Each part holds its line object's true count, so
/// the sum holds the merged line's; two binary searches per line object.
pub fn merged_ahead<'a>(
    snapshots: impl IntoIterator<Item = &'a Snapshot>,
    position: Position,
) -> (u64, u64) {
    snapshots
        .into_iter()
        .fold((0, 0), |(least, most), snapshot| {
            let (l, m) = ahead_in(snapshot, position);
            (least + l, most + m)
        })
}

/// Where a line object's line stands now (what its pull replies and snapshots say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineFront {
    /// The next position it would hand out.
    pub head: Position,
    /// The position after its last number.
    pub end: Position,
    /// The first number of a block whose use a shard has not reported yet, if any.
    pub pending: Option<Position>,
}

impl LineFront {
    /// Its next waiting position, if it holds any.
    pub fn next_waiting(&self) -> Option<Position> {
        (self.head < self.end).then_some(self.head)
    }
}

/// The line object a window's pull goes to next: the one whose next waiting position is the
/// lowest (`None` when nobody waits anywhere).
pub fn next_line(fronts: &[LineFront]) -> Option<usize> {
    fronts
        .iter()
        .enumerate()
        .filter_map(|(k, front)| front.next_waiting().map(|at| (at, k)))
        .min()
        .map(|(_, k)| k)
}

/// The merged line's front: every position before it has left every line object.
pub fn merged_head(fronts: &[LineFront]) -> Position {
    fronts
        .iter()
        .filter_map(LineFront::next_waiting)
        .min()
        .or_else(|| fronts.iter().map(|front| front.end).max())
        .unwrap_or(Position(1))
}

/// How far a pull may reach: not the first block pending in any line object (its fans may be
/// ahead of others), nor past the numbers taken.
pub fn pull_limit(fronts: &[LineFront]) -> Position {
    fronts
        .iter()
        .filter_map(|front| front.pending)
        .min()
        .or_else(|| fronts.iter().map(|front| front.end).max())
        .unwrap_or(Position(1))
}

/// A line object's next waiting positions, as it tells the rate's admitter (the sale's
/// coordinator) once a round: every position before `until` that is not a gap is listed.
/// `until` is the first pending block, or just past the last position listed when the list was
/// cut at its length; with neither, the line object holds nobody else before any position (its
/// next block will come after every number handed out so far).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextWaiting {
    pub positions: Vec<Position>,
    pub until: Position,
}

impl NextWaiting {
    /// Listed fans before `position`.
    pub fn before(&self, position: Position) -> u64 {
        self.positions.partition_point(|p| *p < position) as u64
    }
}

/// How a pull of `n` places is spread over the line objects: nobody at `before` or after it is
/// handed out, and each line object in `asks` (the lowest next waiting position first) hands out
/// its count, every fan it holds before `before`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullPlan {
    pub before: Position,
    pub asks: Vec<(usize, u64)>,
}

/// Rounds of a pull in one go at most: [`plan_pull`] counts fans who left among the places (their
/// line object skips them as it hands out), so a round may hand out fewer than asked; the
/// admitter plans the places it could not fill again, each round after the last, until they are
/// filled, a round hands out nobody, or this many rounds ran. Without it a split line admits
/// below its rate by about the share of fans who leave (~9 % at the production shape).
pub const PULL_ROUNDS_A_SECOND: usize = 4;

/// Plans a pull of `n` places ([`PullPlan`]) from each line object's [`NextWaiting`]: the cut is
/// the `n + 1`-th waiting position over all of them, and never past any line object's `until`
/// (a block still pending there, or the end of what it listed). Fans who left still count as
/// waiting here (their line object skips them): a pull hands out at most `n`, in order.
pub fn plan_pull(lines: &[NextWaiting], n: u64) -> PullPlan {
    let limit = lines
        .iter()
        .map(|line| line.until)
        .min()
        .unwrap_or(Position(1));
    let mut waiting: Vec<Position> = lines
        .iter()
        .flat_map(|line| line.positions.iter().copied().take_while(|p| *p < limit))
        .collect();
    let before = if waiting.len() as u64 > n {
        let (_, cut, _) = waiting.select_nth_unstable(n as usize);
        *cut
    } else {
        limit
    };
    let mut asks: Vec<(Position, usize, u64)> = lines
        .iter()
        .enumerate()
        .filter_map(|(k, line)| {
            let count = line.before(before);
            (count > 0).then(|| (line.positions[0], k, count))
        })
        .collect();
    asks.sort_unstable();
    PullPlan {
        before,
        asks: asks.into_iter().map(|(_, k, count)| (k, count)).collect(),
    }
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
