//! The line's gaps, indexed: the unused positions at or after the front, kept so that how many
//! lie before a position, where the `n`-th fan from the front stands, and the snapshot's bounded
//! form of them ([`crate::queue::gap_index::compress_indexed`]) cost a logarithm, not a walk of
//! every gap. A pre-queue's draw leaves every unused pre-queue number as its own gap at its drawn
//! position (hundreds of thousands of single-number gaps); the coordinator answers a snapshot
//! request per data centre a second, so walking them was its largest cost.
//!
//! The gaps are kept in order in runs ("chunks") of at most `2 * CHUNK` gaps, with the unused
//! positions of each run summed in a Fenwick tree over the runs: a count is a binary search over
//! the runs, a prefix sum over the tree, and a sum over one run. Inserting or removing a gap
//! touches one run and the tree; splitting or dropping a run rebuilds the tree (linear in the
//! runs, once per `CHUNK` changes at most). [`crate::queue::gap_index::ahead`], the linear
//! reference, is what it is tested against.

use crate::ids::{Position, PositionRange};
use crate::queue::parts::range_counts::RangeCounts;
use std::cell::RefCell;

/// Gaps per run after a split; a run holds at most twice this.
const CHUNK: usize = 64;

#[derive(Clone, Debug, Default)]
pub(crate) struct LineGaps {
    /// In order of position, not overlapping; none empty.
    chunks: Vec<Chunk>,
    /// Fenwick tree (1-based) over the runs' unused positions.
    tree: Vec<u64>,
    total: u64,
    count: usize,
    /// The snapshot's counts per range, kept between snapshots: every change below is applied
    /// to them; a rebuild forgets them. Read (and filled) through `&self` by [`Self::range_counts`].
    ranges: RefCell<RangeCounts>,
}

#[derive(Clone, Debug, Default)]
struct Chunk {
    starts: Vec<u64>,
    lens: Vec<u64>,
    total: u64,
}

impl Chunk {
    fn of(gaps: &[(u64, u64)]) -> Self {
        Self {
            starts: gaps.iter().map(|g| g.0).collect(),
            lens: gaps.iter().map(|g| g.1).collect(),
            total: gaps.iter().map(|g| g.1).sum(),
        }
    }
}

impl LineGaps {
    /// Gaps from any order; a later gap at the same start replaces an earlier one.
    fn from_gaps(mut gaps: Vec<(u64, u64)>) -> Self {
        gaps.reverse();
        gaps.sort_by_key(|g| g.0);
        gaps.dedup_by_key(|g| g.0);
        let chunks: Vec<Chunk> = gaps.chunks(CHUNK).map(Chunk::of).collect();
        let mut index = Self {
            total: chunks.iter().map(|c| c.total).sum(),
            count: gaps.len(),
            chunks,
            tree: Vec::new(),
            ranges: RefCell::default(),
        };
        index.rebuild_tree();
        index
    }

    fn rebuild_tree(&mut self) {
        let n = self.chunks.len();
        self.tree = vec![0; n + 1];
        for (i, chunk) in self.chunks.iter().enumerate() {
            self.tree[i + 1] = self.tree[i + 1].wrapping_add(chunk.total);
            let j = (i + 1) + ((i + 1) & (i + 1).wrapping_neg());
            if j <= n {
                self.tree[j] = self.tree[j].wrapping_add(self.tree[i + 1]);
            }
        }
    }

    /// Adds `delta` (two's complement) to run `c`'s total in the tree.
    fn tree_add(&mut self, c: usize, delta: u64) {
        let mut i = c + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// Unused positions in runs `..c`.
    fn tree_prefix(&self, c: usize) -> u64 {
        let (mut i, mut sum) = (c, 0u64);
        while i > 0 {
            sum = sum.wrapping_add(self.tree[i]);
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// The run a gap starting at `start` belongs in: the last whose first gap starts at or
    /// before it (the first run if none does).
    fn chunk_for(&self, start: u64) -> usize {
        self.chunks
            .partition_point(|c| c.starts[0] <= start)
            .saturating_sub(1)
    }

    /// Keeps the gap `start..start + len` (replacing one that starts there).
    pub(crate) fn insert(&mut self, start: Position, len: u64) {
        if self.chunks.is_empty() {
            let ranges = std::mem::take(&mut self.ranges);
            *self = Self {
                ranges,
                ..Self::from_gaps(vec![(start.0, len)])
            };
            self.ranges.get_mut().added(start.0, len);
            return;
        }
        let c = self.chunk_for(start.0);
        let chunk = &mut self.chunks[c];
        let i = chunk.starts.partition_point(|s| *s < start.0);
        let ranges = self.ranges.get_mut();
        let delta = if chunk.starts.get(i) == Some(&start.0) {
            let old = std::mem::replace(&mut chunk.lens[i], len);
            ranges.removed(start.0, old);
            ranges.added(start.0, len);
            len.wrapping_sub(old)
        } else {
            ranges.added(start.0, len);
            chunk.starts.insert(i, start.0);
            chunk.lens.insert(i, len);
            self.count += 1;
            len
        };
        chunk.total = chunk.total.wrapping_add(delta);
        self.total = self.total.wrapping_add(delta);
        if chunk.starts.len() > 2 * CHUNK {
            let later = Chunk {
                starts: chunk.starts.split_off(CHUNK),
                lens: chunk.lens.split_off(CHUNK),
                total: 0,
            };
            let later = Chunk {
                total: later.lens.iter().sum(),
                ..later
            };
            chunk.total -= later.total;
            self.chunks.insert(c + 1, later);
            self.rebuild_tree();
        } else {
            self.tree_add(c, delta);
        }
    }

    /// Keeps every gap of `gaps`: one by one if they are few, else by rebuilding.
    pub(crate) fn extend(&mut self, gaps: impl IntoIterator<Item = (Position, u64)>) {
        let gaps: Vec<(u64, u64)> = gaps.into_iter().map(|(s, l)| (s.0, l)).collect();
        if gaps.len() <= CHUNK || gaps.len() * 8 < self.count {
            for (start, len) in gaps {
                self.insert(Position(start), len);
            }
            return;
        }
        let mut all: Vec<(u64, u64)> = self.iter().map(|g| (g.start.0, g.len)).collect();
        all.extend(gaps);
        *self = Self::from_gaps(all);
    }

    /// Removes the first gap if it starts at `start`; its length.
    pub(crate) fn pop_first_at(&mut self, start: Position) -> Option<u64> {
        let first = self.chunks.first_mut()?;
        if first.starts[0] != start.0 {
            return None;
        }
        first.starts.remove(0);
        let len = first.lens.remove(0);
        first.total -= len;
        self.total -= len;
        self.count -= 1;
        self.ranges.get_mut().removed(start.0, len);
        if first.starts.is_empty() {
            self.chunks.remove(0);
            self.rebuild_tree();
        } else {
            self.tree_add(0, len.wrapping_neg());
        }
        Some(len)
    }

    /// Takes out the gaps that start at or before `end`, in order.
    pub(crate) fn take_through(&mut self, end: Position) -> Vec<PositionRange> {
        let (taken, kept): (Vec<PositionRange>, Vec<PositionRange>) =
            self.iter().partition(|g| g.start <= end);
        *self = Self::from_gaps(kept.iter().map(|g| (g.start.0, g.len)).collect());
        taken
    }

    /// Unused positions before `position`: of every gap that starts before it, the part before
    /// it.
    pub(crate) fn unused_before(&self, position: Position) -> u64 {
        let c = self.chunks.partition_point(|c| c.starts[0] < position.0);
        let Some(c) = c.checked_sub(1) else {
            return 0;
        };
        let chunk = &self.chunks[c];
        let i = chunk.starts.partition_point(|s| *s < position.0) - 1;
        let whole: u64 = chunk.lens[..i].iter().sum();
        self.tree_prefix(c) + whole + chunk.lens[i].min(position.0 - chunk.starts[i])
    }

    /// The position just after the first `fans` positions at or after `head` that are not gaps
    /// (so `fans` fans lie in `head..` it), or `end` if fewer lie before `end`. Every gap is at or
    /// after `head`.
    pub(crate) fn after_fans(&self, head: Position, fans: u64, end: Position) -> Position {
        let fans_before = |p: u64| (p - head.0).saturating_sub(self.unused_before(Position(p)));
        // The smallest p in head..=end with `fans` fans before it: they grow by 0 or 1 a position.
        let (mut lo, mut hi) = (head.0, end.0.max(head.0));
        if fans_before(hi) < fans {
            return Position(hi);
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if fans_before(mid) >= fans {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Position(lo)
    }

    /// Unused positions in each of `ranges` ranges of `width` positions from `base` (a multiple
    /// of `width`): the first counted from `from` (in it), the last taking all beyond it too.
    /// The first and last are counted afresh (three logarithmic counts); the others, whole
    /// aligned ranges, are read from the counts kept between calls ([`RangeCounts`]).
    pub(crate) fn range_counts(
        &self,
        from: Position,
        width: u64,
        base: u64,
        ranges: usize,
    ) -> Vec<u64> {
        let bound = |k: usize| Position(base + k as u64 * width);
        let from_before = self.unused_before(from);
        if ranges <= 1 {
            return vec![self.total - from_before];
        }
        let mut counts = Vec::with_capacity(ranges);
        counts.push(self.unused_before(bound(1)) - from_before);
        self.ranges.borrow_mut().read(
            width,
            base / width + 1,
            ranges - 2,
            |p| self.unused_before(Position(p)),
            &mut counts,
        );
        counts.push(self.total - self.unused_before(bound(ranges - 1)));
        counts
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The gaps in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = PositionRange> + '_ {
        self.chunks.iter().flat_map(|c| {
            c.starts
                .iter()
                .zip(&c.lens)
                .map(|(s, l)| PositionRange::new(Position(*s), *l))
        })
    }

    /// The first gap, if any.
    pub(crate) fn first(&self) -> Option<PositionRange> {
        self.iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::gap_index::{self, ahead};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Clone, Debug)]
    enum Op {
        /// A gap at the back (a closed block's unused end).
        Back(u64, u64),
        /// Single-number gaps anywhere ahead (drawn pre-queue numbers), many at once.
        Scattered(Vec<u64>),
        /// The front moves on by this many fans, skipping the gaps it meets.
        Admit(u64),
        /// The pre-queue's gaps taken out through this offset from the front.
        TakeThrough(u64),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        let op = prop_oneof![
            4 => (0u64..20, 1u64..40).prop_map(|(a, b)| Op::Back(a, b)),
            2 => proptest::collection::vec(0u64..3_000, 0..400).prop_map(Op::Scattered),
            3 => (0u64..300).prop_map(Op::Admit),
            1 => (0u64..500).prop_map(Op::TakeThrough),
        ];
        proptest::collection::vec(op, 1..60)
    }

    /// The linear reference: the gaps in a map, as the line kept them before.
    struct Reference {
        head: u64,
        end: u64,
        gaps: BTreeMap<u64, u64>,
    }

    impl Reference {
        fn overlaps(&self, start: u64, len: u64) -> bool {
            self.gaps
                .range(..start + len)
                .next_back()
                .is_some_and(|(s, l)| s + l > start)
        }
    }

    proptest! {
        /// Every operation the line makes, against a map walked linearly: the same gaps, the
        /// same total, the same count of unused positions before any position, the same `n`-th
        /// fan, and the same bounded form for the snapshot.
        #[test]
        fn the_index_agrees_with_the_linear_walk(ops in ops(), probes in proptest::collection::vec(0.0f64..1.0, 20)) {
            let mut index = LineGaps::default();
            let mut r = Reference { head: 1, end: 1, gaps: BTreeMap::new() };
            for op in ops {
                match op {
                    Op::Back(fans, len) => {
                        let start = r.end + fans;
                        r.end = start + len;
                        r.gaps.insert(start, len);
                        index.insert(Position(start), len);
                    }
                    Op::Scattered(offsets) => {
                        let mut new = Vec::new();
                        for o in offsets {
                            let p = r.head + o;
                            if p < r.end && !r.overlaps(p, 1) {
                                r.gaps.insert(p, 1);
                                new.push((Position(p), 1));
                            }
                        }
                        index.extend(new);
                    }
                    Op::Admit(n) => {
                        for _ in 0..n {
                            if let Some(len) = r.gaps.remove(&r.head) {
                                prop_assert_eq!(index.pop_first_at(Position(r.head)), Some(len));
                                r.head += len;
                            } else if r.head < r.end {
                                prop_assert_eq!(index.pop_first_at(Position(r.head)), None);
                                r.head += 1;
                            }
                        }
                    }
                    Op::TakeThrough(o) => {
                        let through = r.head + o;
                        let later = r.gaps.split_off(&(through + 1));
                        let taken: Vec<PositionRange> = std::mem::replace(&mut r.gaps, later)
                            .into_iter()
                            .map(|(s, l)| PositionRange::new(Position(s), l))
                            .collect();
                        prop_assert_eq!(index.take_through(Position(through)), taken);
                    }
                }
                let want: Vec<PositionRange> = r.gaps.iter().map(|(s, l)| PositionRange::new(Position(*s), *l)).collect();
                prop_assert_eq!(index.iter().collect::<Vec<_>>(), want.clone());
                prop_assert_eq!(index.len(), want.len());
                prop_assert_eq!(index.total(), want.iter().map(|g| g.len).sum::<u64>());
                let span = (r.end - r.head + 2) as f64;
                for probe in &probes {
                    let p = Position(r.head + (span * probe) as u64);
                    let linear = ahead(Position(r.head), p, want.iter().copied());
                    prop_assert_eq!((p.0 - r.head).saturating_sub(index.unused_before(p)), linear);
                    let fans = (span * probe / 2.0) as u64;
                    let after = index.after_fans(Position(r.head), fans, Position(r.end));
                    let before_after = ahead(Position(r.head), after, want.iter().copied());
                    if after < Position(r.end) {
                        prop_assert_eq!(before_after, fans);
                        // The smallest such position.
                        if after > Position(r.head) {
                            prop_assert!(ahead(Position(r.head), Position(after.0 - 1), want.iter().copied()) < fans);
                        }
                    } else {
                        prop_assert!(before_after <= fans);
                    }
                }
                prop_assert_eq!(
                    gap_index::compress_indexed(Position(r.end), &index),
                    gap_index::compress(Position(r.end), want.iter().copied())
                );
            }
        }
    }

    #[test]
    fn many_single_gaps_split_into_runs_and_count_the_same() {
        // Every other position of 20,000 is a gap, inserted out of order one by one.
        let mut index = LineGaps::default();
        let mut gaps: Vec<u64> = (0..10_000u64).map(|i| 10 + 2 * i).collect();
        gaps.sort_by_key(|g| g.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for g in &gaps {
            index.insert(Position(*g), 1);
        }
        assert!(index.chunks.len() > 10_000 / (2 * CHUNK));
        assert_eq!((index.len(), index.total()), (10_000, 10_000));
        // Positions 10..10 + 2k hold k gaps and k fans.
        for k in [0u64, 1, 77, 5_000, 9_999, 10_000] {
            assert_eq!(index.unused_before(Position(10 + 2 * k)), k);
            assert_eq!(
                index.after_fans(Position(10), k, Position(30_000)),
                Position(10 + 2 * k)
            );
        }
        for k in 0..10_000u64 {
            assert_eq!(index.pop_first_at(Position(10 + 2 * k)), Some(1));
        }
        assert_eq!((index.len(), index.total()), (0, 0));
        assert!(index.chunks.is_empty());
    }
}
