//! The snapshot's counts of unused positions per range, kept between snapshots. The snapshot
//! counts the gaps beyond its exact list in at most [`crate::queue::gap_index::MAX_BUCKETS`]
//! ranges of one power-of-two width, aligned on multiples of it
//! ([`crate::queue::gap_index::compress_indexed`]). Counting each range afresh is two logarithmic
//! counts in the line's index of gaps; at 300 snapshots a second and millions of gaps that was a
//! third of the coordinator's time. A range's count changes only when a gap in it is added or
//! removed (a block closed with unused numbers, the front passing a gap), so the counts are kept:
//! every change of the gaps is applied to the ranges it touches (at most the ranges kept), and a
//! snapshot reads them, counting afresh only the ranges it had not kept (new ones at the back as
//! the line grows, all of them when the width changes).
//!
//! Kept for the last [`WIDTHS_KEPT`] widths read, so a line whose length hovers at a width's
//! bound does not count every range again on each snapshot. What a snapshot reads is exactly
//! what counting afresh gives (tested against it operation by operation, `line_gaps`' tests).

use std::collections::VecDeque;

/// Widths whose counts are kept at once: the one read last and the one before.
const WIDTHS_KEPT: usize = 2;

#[derive(Clone, Debug, Default)]
pub(crate) struct RangeCounts {
    /// The least recently read first.
    kept: Vec<Window>,
}

/// Unused positions in the consecutive ranges `first..first + counts.len()` of `width`
/// positions (range `j` is `j * width..(j + 1) * width`).
#[derive(Clone, Debug)]
struct Window {
    width: u64,
    first: u64,
    counts: VecDeque<u64>,
}

impl RangeCounts {
    /// The gap `start..start + len` was added.
    pub(crate) fn added(&mut self, start: u64, len: u64) {
        for window in &mut self.kept {
            window.apply(start, len, |count, n| count.wrapping_add(n));
        }
    }

    /// The gap `start..start + len` was removed.
    pub(crate) fn removed(&mut self, start: u64, len: u64) {
        for window in &mut self.kept {
            window.apply(start, len, |count, n| count.wrapping_sub(n));
        }
    }

    /// Appends to `out` the unused positions in ranges `first..first + n` of `width`, reading
    /// the kept counts and counting the others with `unused_before` (the unused positions before
    /// a position), which it then keeps. Keeps no range outside those asked for, so what is kept
    /// stays as small as the snapshot.
    pub(crate) fn read(
        &mut self,
        width: u64,
        first: u64,
        n: usize,
        unused_before: impl Fn(u64) -> u64,
        out: &mut Vec<u64>,
    ) {
        let i = match self.kept.iter().position(|w| w.width == width) {
            Some(i) => i,
            None => {
                if self.kept.len() == WIDTHS_KEPT {
                    self.kept.remove(0);
                }
                self.kept.push(Window {
                    width,
                    first,
                    counts: VecDeque::new(),
                });
                self.kept.len() - 1
            }
        };
        let mut window = self.kept.remove(i);
        window.cover(first, n as u64, &unused_before);
        out.extend(window.counts.iter().copied());
        self.kept.push(window);
    }
}

impl Window {
    /// Applies `op` to the count of each range `start..start + len` overlaps, with the overlap.
    fn apply(&mut self, start: u64, len: u64, op: impl Fn(u64, u64) -> u64) {
        let lo = self.first * self.width;
        let hi = (self.first + self.counts.len() as u64) * self.width;
        let (mut at, stop) = (start.max(lo), start.saturating_add(len).min(hi));
        while at < stop {
            let j = at / self.width;
            let next = ((j + 1) * self.width).min(stop);
            let count = &mut self.counts[(j - self.first) as usize];
            *count = op(*count, next - at);
            at = next;
        }
    }

    /// Makes the window exactly ranges `first..first + n`: drops the others, counts the missing.
    fn cover(&mut self, first: u64, n: u64, unused_before: &impl Fn(u64) -> u64) {
        let end = first + n;
        let kept_end = self.first + self.counts.len() as u64;
        if self.counts.is_empty() || kept_end <= first || end <= self.first {
            self.first = first;
            self.counts = self.count(first, end, unused_before).collect();
            return;
        }
        while self.first < first {
            self.counts.pop_front();
            self.first += 1;
        }
        self.counts.truncate((end - self.first) as usize);
        if first < self.first {
            let before: Vec<u64> = self.count(first, self.first, unused_before).collect();
            for count in before.into_iter().rev() {
                self.counts.push_front(count);
            }
            self.first = first;
        }
        let kept_end = self.first + self.counts.len() as u64;
        let after: Vec<u64> = self.count(kept_end, end, unused_before).collect();
        self.counts.extend(after);
    }

    /// Ranges `from..to` counted afresh: `to - from + 1` counts before a position.
    fn count<'a>(
        &self,
        from: u64,
        to: u64,
        unused_before: &'a impl Fn(u64) -> u64,
    ) -> impl Iterator<Item = u64> + 'a {
        let width = self.width;
        let mut before = unused_before(from * width);
        (from..to).map(move |j| {
            let upto = unused_before((j + 1) * width);
            upto.wrapping_sub(std::mem::replace(&mut before, upto))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unused positions before `p` among `gaps` (start, len), walked.
    fn walk(gaps: &[(u64, u64)], p: u64) -> u64 {
        gaps.iter()
            .map(|(s, l)| (*l).min(p.saturating_sub(*s)))
            .sum()
    }

    fn fresh(gaps: &[(u64, u64)], width: u64, first: u64, n: u64) -> Vec<u64> {
        (first..first + n)
            .map(|j| walk(gaps, (j + 1) * width) - walk(gaps, j * width))
            .collect()
    }

    #[test]
    fn kept_counts_follow_changes_and_windows_that_move() {
        let mut gaps = vec![(3u64, 2u64), (9, 5), (40, 1)];
        let mut counts = RangeCounts::default();
        fn read(counts: &mut RangeCounts, gaps: &[(u64, u64)], w: u64, f: u64, n: u64) {
            let mut out = Vec::new();
            counts.read(w, f, n as usize, |p| walk(gaps, p), &mut out);
            assert_eq!(out, fresh(gaps, w, f, n), "width {w} first {f} n {n}");
        }
        read(&mut counts, &gaps, 4, 0, 12);
        // A gap across three ranges, then one removed: applied, not counted again.
        gaps.push((17, 9));
        counts.added(17, 9);
        read(&mut counts, &gaps, 4, 1, 12);
        gaps.remove(0);
        counts.removed(3, 2);
        read(&mut counts, &gaps, 4, 0, 3);
        // Another width, then back: both kept; a third forgets the oldest.
        read(&mut counts, &gaps, 8, 0, 6);
        gaps.push((30, 4));
        counts.added(30, 4);
        read(&mut counts, &gaps, 4, 2, 9);
        read(&mut counts, &gaps, 16, 0, 3);
        assert_eq!(counts.kept.len(), WIDTHS_KEPT);
        read(&mut counts, &gaps, 8, 1, 5);
        // A window that does not overlap the kept one.
        read(&mut counts, &gaps, 8, 20, 2);
        counts = RangeCounts::default();
        read(&mut counts, &gaps, 2, 0, 30);
    }

    use crate::ids::{Position, PositionRange};
    use crate::queue::gap_index::{compress, compress_indexed};
    use crate::queue::parts::line_gaps::LineGaps;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// What changes a line's gaps between two snapshots.
    #[derive(Clone, Debug)]
    enum Op {
        /// Numbers taken at the back, with no gap (the line grows: the width may double).
        Grow(u64),
        /// A block closed at the back with its unused end.
        Back(u64, u64),
        /// A block closed late, anywhere ahead: a gap where the positions are free.
        Ahead(u64, u64),
        /// A gap at the same start reported again with another length.
        Again(usize, u64),
        /// Single unused numbers anywhere ahead, a few at once (one by one) or many (rebuilt).
        Scattered(Vec<u64>),
        /// The front moves on by this many fans, skipping the gaps it meets.
        Admit(u64),
        /// The pre-queue's gaps taken out through this offset from the front (rebuilt).
        TakeThrough(u64),
    }

    fn steps() -> impl Strategy<Value = Vec<Vec<Op>>> {
        let op = prop_oneof![
            2 => (0u64..6_000).prop_map(Op::Grow),
            4 => (0u64..20, 1u64..60).prop_map(|(a, b)| Op::Back(a, b)),
            4 => (0u64..20_000, 1u64..30).prop_map(|(a, b)| Op::Ahead(a, b)),
            1 => (0usize..1_000, 1u64..30).prop_map(|(i, l)| Op::Again(i, l)),
            2 => proptest::collection::vec(0u64..20_000, 0..300).prop_map(Op::Scattered),
            3 => (0u64..2_000).prop_map(Op::Admit),
            1 => (0u64..400).prop_map(Op::TakeThrough),
        ];
        // Several changes between two snapshots, or one.
        proptest::collection::vec(proptest::collection::vec(op, 1..5), 1..40)
    }

    struct Line {
        head: u64,
        end: u64,
        gaps: BTreeMap<u64, u64>,
    }

    impl Line {
        /// Whether `start..start + len` is free: after the front, before the end, no gap there.
        fn free(&self, start: u64, len: u64) -> bool {
            start >= self.head
                && start + len <= self.end
                && self
                    .gaps
                    .range(..start + len)
                    .next_back()
                    .is_none_or(|(s, l)| s + l <= start)
        }
    }

    proptest! {
        /// Random changes to a line's gaps, several between two snapshots: after every step the
        /// snapshot's counts built from the kept counts equal those counted afresh, from a new
        /// index (nothing kept) and from the linear walk of every gap, byte for byte on the wire.
        #[test]
        fn kept_counts_equal_counting_afresh(steps in steps()) {
            let mut index = LineGaps::default();
            let mut line = Line { head: 1, end: 1, gaps: BTreeMap::new() };
            for step in steps {
                for op in step {
                    match op {
                        Op::Grow(n) => line.end += n,
                        Op::Back(fans, len) => {
                            let start = line.end + fans;
                            line.end = start + len;
                            line.gaps.insert(start, len);
                            index.insert(Position(start), len);
                        }
                        Op::Ahead(offset, len) => {
                            let start = line.head + offset;
                            if line.free(start, len) {
                                line.gaps.insert(start, len);
                                index.insert(Position(start), len);
                            }
                        }
                        Op::Again(i, len) => {
                            let Some((&start, &old)) = line.gaps.iter().nth(i) else { continue };
                            line.gaps.remove(&start);
                            if line.free(start, len) {
                                line.gaps.insert(start, len);
                                index.insert(Position(start), len);
                            } else {
                                line.gaps.insert(start, old);
                            }
                        }
                        Op::Scattered(offsets) => {
                            let mut new = Vec::new();
                            for offset in offsets {
                                let p = line.head + offset;
                                if line.free(p, 1) {
                                    line.gaps.insert(p, 1);
                                    new.push((Position(p), 1));
                                }
                            }
                            index.extend(new);
                        }
                        Op::Admit(n) => {
                            for _ in 0..n {
                                if let Some(len) = line.gaps.remove(&line.head) {
                                    prop_assert_eq!(index.pop_first_at(Position(line.head)), Some(len));
                                    line.head += len;
                                } else if line.head < line.end {
                                    line.head += 1;
                                }
                            }
                        }
                        Op::TakeThrough(offset) => {
                            let later = line.gaps.split_off(&(line.head + offset + 1));
                            line.gaps = later;
                            index.take_through(Position(line.head + offset));
                        }
                    }
                }
                let end = Position(line.end);
                let all: Vec<PositionRange> = line
                    .gaps
                    .iter()
                    .map(|(s, l)| PositionRange::new(Position(*s), *l))
                    .collect();
                let kept = compress_indexed(end, &index);
                let mut afresh_index = LineGaps::default();
                afresh_index.extend(all.iter().map(|g| (g.start, g.len)));
                let afresh = compress_indexed(end, &afresh_index);
                let walked = compress(end, all.iter().copied());
                prop_assert_eq!(&kept, &walked);
                prop_assert_eq!(&afresh, &walked);
                prop_assert_eq!(
                    serde_json::to_string(&kept).unwrap(),
                    serde_json::to_string(&walked).unwrap()
                );
            }
        }
    }
}
