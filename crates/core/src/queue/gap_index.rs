//! The unused positions ahead of the front, and how many fans that leaves ahead of a position:
//! the one place this arithmetic is written. The coordinator's line keeps every gap, indexed
//! (`LineGaps`), and counts exactly (as [`ahead`], the linear reference, does); the edge's
//! snapshot carries a bounded form of the same gaps ([`compress`], built by the coordinator from
//! counts it keeps between snapshots by `compress_indexed`): the first [`MAX_EXACT_GAPS`] gaps exactly ([`ExactGaps`]), and beyond them
//! only how many unused positions lie in each of at most [`MAX_BUCKETS`] equal ranges of positions
//! ([`UnusedCounts`]). A poll's count is then two binary searches, whatever the number of gaps,
//! and the snapshot stays a few kilobytes however many isolates leased sub-blocks for however long.
//!
//! **The bound.** Where the snapshot lists the gaps (every position before
//! [`UnusedCounts::counted_from`], which covers at least the first [`MAX_EXACT_GAPS`] gaps ahead of the
//! front) the count is exact. Beyond, the snapshot knows how many positions of the range holding
//! the fan's are unused, not where: the fan's count is a range `at_least..=at_most` whose width is
//! at most that range's unused count, so at most its width (the line's length divided by
//! [`MAX_BUCKETS`], rounded up to a power of two). A fan is told `at_most` (never further forward
//! than they are); the rules that must not miss a fan near the front (presence, sockets) use
//! `at_least`, so a fan who may be in the zone says they are there.

use crate::ids::{Position, PositionRange};
use crate::queue::parts::line_gaps::LineGaps;
use serde::{Deserialize, Serialize};

/// Gaps the snapshot lists one by one, from the front.
pub const MAX_EXACT_GAPS: usize = 256;
/// Ranges of positions the snapshot counts unused positions in, beyond its exact gaps.
pub const MAX_BUCKETS: usize = 512;

/// How many fans are ahead of the fan at `position`, given the front of the line `head` and the
/// unused positions at or after `head`, in increasing order: the linear reference, exact, which
/// the coordinator's line counts with (and the edge's index is tested against).
pub fn ahead(
    head: Position,
    position: Position,
    gaps: impl IntoIterator<Item = PositionRange>,
) -> u64 {
    let unused: u64 = gaps
        .into_iter()
        .take_while(|gap| gap.start < position)
        .map(|gap| gap.len.min(position - gap.start))
        .sum();
    position.0.saturating_sub(head.0).saturating_sub(unused)
}

/// Gaps listed one by one, in order, with the unused positions before each (so a count is one
/// binary search). On the wire the list `[[start, len], ...]`, as the snapshot always carried it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<PositionRange>", into = "Vec<PositionRange>")]
pub struct ExactGaps {
    ranges: Vec<PositionRange>,
    /// `before[i]`: the unused positions in `ranges[..i]`.
    before: Vec<u64>,
}

impl From<Vec<PositionRange>> for ExactGaps {
    fn from(mut ranges: Vec<PositionRange>) -> Self {
        ranges.sort_unstable();
        let mut before = Vec::with_capacity(ranges.len());
        let mut sum = 0u64;
        for gap in &ranges {
            before.push(sum);
            sum = sum.saturating_add(gap.len);
        }
        Self { ranges, before }
    }
}

impl From<ExactGaps> for Vec<PositionRange> {
    fn from(gaps: ExactGaps) -> Self {
        gaps.ranges
    }
}

impl ExactGaps {
    pub fn ranges(&self) -> &[PositionRange] {
        &self.ranges
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Unused positions before `position`, exactly.
    pub fn unused_before(&self, position: Position) -> u64 {
        let i = self.ranges.partition_point(|gap| gap.start < position);
        let Some(last) = i.checked_sub(1) else {
            return 0;
        };
        let gap = self.ranges[last];
        self.before[last] + gap.len.min(position - gap.start)
    }
}

/// Unused positions beyond the exact gaps, counted per range of `width` positions: range `k` is
/// `base + k * width .. base + (k + 1) * width` (the first starts at `from`), `base` being `from`
/// rounded down to a multiple of `width`, so a range's bounds do not move as the front does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "UnusedCountsWire", into = "UnusedCountsWire")]
pub struct UnusedCounts {
    from: Position,
    width: u64,
    counts: Vec<u64>,
    /// `before[k]`: the unused positions in ranges `..k`.
    before: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct UnusedCountsWire {
    from: Position,
    width: u64,
    counts: Vec<u64>,
}

impl From<UnusedCountsWire> for UnusedCounts {
    fn from(wire: UnusedCountsWire) -> Self {
        let mut before = Vec::with_capacity(wire.counts.len());
        let mut sum = 0u64;
        for count in &wire.counts {
            before.push(sum);
            sum = sum.saturating_add(*count);
        }
        Self {
            from: wire.from,
            width: wire.width.max(1),
            counts: wire.counts,
            before,
        }
    }
}

impl From<UnusedCounts> for UnusedCountsWire {
    fn from(counts: UnusedCounts) -> Self {
        Self {
            from: counts.from,
            width: counts.width,
            counts: counts.counts,
        }
    }
}

impl UnusedCounts {
    /// The first position the counts cover: every gap before it is listed exactly.
    pub fn counted_from(&self) -> Position {
        self.from
    }

    /// Positions per range: the most a fan's count can be off by.
    pub fn width(&self) -> u64 {
        self.width
    }

    /// How many ranges.
    pub fn ranges(&self) -> usize {
        self.counts.len()
    }

    /// All the unused positions counted.
    pub fn total(&self) -> u64 {
        self.before.last().copied().unwrap_or(0) + self.counts.last().copied().unwrap_or(0)
    }

    fn base(&self) -> u64 {
        self.from.0 / self.width * self.width
    }

    /// Unused positions from `from` up to `position`: `(at_least, at_most)`.
    pub fn unused_before(&self, position: Position) -> (u64, u64) {
        if position <= self.from {
            return (0, 0);
        }
        let k = ((position.0 - self.base()) / self.width) as usize;
        if k >= self.counts.len() {
            let total = self.total();
            return (total, total);
        }
        let range_start = (self.base() + k as u64 * self.width).max(self.from.0);
        let range_end = self.base() + (k as u64 + 1) * self.width;
        let count = self.counts[k];
        // Those of the range's unused positions that fit in the part before `position`: at most
        // all of them, at least those the part after it cannot hold.
        let most = count.min(position.0 - range_start);
        let least = count.saturating_sub(range_end - position.0);
        (self.before[k] + least, self.before[k] + most)
    }
}

/// The ranges the counts beyond the exact gaps are kept in: counting from `from` up to `end`,
/// the narrowest power-of-two width that needs at most [`MAX_BUCKETS`] of them; `(width, base,
/// ranges)`.
fn layout(from: Position, end: Position) -> (u64, u64, usize) {
    let end = end.max(from + 1);
    let mut width = 1u64;
    while (end.0 - from.0 / width * width).div_ceil(width) > MAX_BUCKETS as u64 {
        width *= 2;
    }
    let base = from.0 / width * width;
    (width, base, (end.0 - base).div_ceil(width) as usize)
}

fn finish(
    exact: Vec<PositionRange>,
    from: Position,
    width: u64,
    mut counts: Vec<u64>,
) -> (ExactGaps, Option<UnusedCounts>) {
    while counts.last() == Some(&0) {
        counts.pop();
    }
    let counts = UnusedCountsWire {
        from,
        width,
        counts,
    };
    (ExactGaps::from(exact), Some(counts.into()))
}

/// The bounded form of the gaps `gaps` (in order, not overlapping, all before `end`): the first
/// [`MAX_EXACT_GAPS`] exactly, the rest counted per range (`None` if there is no rest). Linear in
/// the gaps: the reference `compress_indexed` is tested against.
pub fn compress(
    end: Position,
    gaps: impl IntoIterator<Item = PositionRange>,
) -> (ExactGaps, Option<UnusedCounts>) {
    let mut gaps = gaps.into_iter();
    let exact: Vec<PositionRange> = gaps.by_ref().take(MAX_EXACT_GAPS).collect();
    let mut rest = gaps.peekable();
    let Some(first) = rest.peek().copied() else {
        return (ExactGaps::from(exact), None);
    };
    // The counts start where the exact list ends (at the first gap not in it if that is later).
    let from = exact.last().map_or(first.start, |gap| gap.end());
    let (width, base, ranges) = layout(from, end);
    let mut counts = vec![0u64; ranges];
    for gap in rest {
        // A gap past `end` (none in a valid line) is counted in the last range.
        let mut start = gap.start.0.max(from.0);
        let stop = gap.end().0;
        while start < stop {
            let k = (((start - base) / width) as usize).min(counts.len() - 1);
            let range_end = if k + 1 == counts.len() {
                stop
            } else {
                base + (k as u64 + 1) * width
            };
            let take = stop.min(range_end) - start;
            counts[k] += take;
            start += take;
        }
    }
    finish(exact, from, width, counts)
}

/// The same bounded form as [`compress`], from the coordinator's index of its gaps: the first
/// [`MAX_EXACT_GAPS`] gaps read one by one, then the ranges' counts, the first and last counted
/// (three logarithmic counts) and those between read from the counts the index keeps between
/// snapshots (`range_counts`: a range is counted again only when it is new or the width
/// changed). Near constant, whatever the number of gaps.
pub(crate) fn compress_indexed(
    end: Position,
    gaps: &LineGaps,
) -> (ExactGaps, Option<UnusedCounts>) {
    let mut listed = gaps.iter();
    let exact: Vec<PositionRange> = listed.by_ref().take(MAX_EXACT_GAPS).collect();
    let Some(first) = listed.next() else {
        return (ExactGaps::from(exact), None);
    };
    let from = exact.last().map_or(first.start, |gap| gap.end());
    let (width, base, ranges) = layout(from, end);
    let counts = gaps.range_counts(from, width, base, ranges);
    finish(exact, from, width, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gap(start: u64, len: u64) -> PositionRange {
        PositionRange::new(Position(start), len)
    }

    /// `(at_least, at_most)` fans ahead of `position` by the bounded form.
    fn bounds(
        head: Position,
        position: Position,
        exact: &ExactGaps,
        rest: &Option<UnusedCounts>,
    ) -> (u64, u64) {
        let span = position.0.saturating_sub(head.0);
        let listed = exact.unused_before(position);
        let (least, most) = rest.as_ref().map_or((0, 0), |r| r.unused_before(position));
        (
            span.saturating_sub(listed + most),
            span.saturating_sub(listed + least),
        )
    }

    #[test]
    fn few_gaps_are_all_exact() {
        let gaps = vec![gap(12, 2), gap(20, 5)];
        let (exact, rest) = compress(Position(100), gaps.clone());
        assert!(rest.is_none());
        assert_eq!(exact.ranges(), &gaps[..]);
        for p in 10..40 {
            let want = ahead(Position(10), Position(p), gaps.clone());
            assert_eq!(
                bounds(Position(10), Position(p), &exact, &rest),
                (want, want)
            );
        }
    }

    #[test]
    fn the_wire_form_reads_back_and_old_lists_still_read() {
        let gaps: Vec<PositionRange> = (0..1_000).map(|i| gap(10 + i * 7, 3)).collect();
        let (exact, rest) = compress(Position(10_000), gaps);
        let json = serde_json::to_string(&(&exact, &rest)).unwrap();
        let (exact2, rest2): (ExactGaps, Option<UnusedCounts>) =
            serde_json::from_str(&json).unwrap();
        assert_eq!((exact2, rest2), (exact, rest.clone()));
        assert_eq!(rest.unwrap().total(), 3 * (1_000 - MAX_EXACT_GAPS as u64));
        // What an older coordinator sends: the whole list, read (and sorted) as exact.
        let old: ExactGaps = serde_json::from_str("[[20,5],[12,2]]").unwrap();
        assert_eq!(old.ranges(), &[gap(12, 2), gap(20, 5)]);
        assert_eq!(old.unused_before(Position(22)), 4);
    }

    /// However many gaps and however long the line, the bounded form of the gaps stays small:
    /// the exact list and the counts, with positions of 10 digits, within 12 KB.
    #[test]
    fn the_bounded_form_stays_small() {
        let head = 1_000_000_000u64;
        let gaps: Vec<PositionRange> = (0..200_000u64)
            .map(|i| gap(head + i * 50_000 + 17, 49_000))
            .collect();
        let end = Position(head + 200_000 * 50_000);
        let (exact, rest) = compress(end, gaps);
        let json = serde_json::to_string(&(&exact, &rest)).unwrap();
        assert!(json.len() <= 12 * 1024, "{} bytes", json.len());
        assert_eq!(exact.len(), MAX_EXACT_GAPS);
        assert!(rest.unwrap().ranges() <= MAX_BUCKETS);
    }

    fn gap_sets() -> impl Strategy<Value = (u64, Vec<PositionRange>, u64)> {
        // A head, then gaps separated by runs of fans; the end a little past the last gap.
        (
            1u64..1_000,
            proptest::collection::vec((0u64..40, 1u64..30), 0..800),
            0u64..50,
        )
            .prop_map(|(head, steps, tail)| {
                let mut at = head;
                let mut gaps = Vec::new();
                for (fans, len) in steps {
                    at += fans;
                    gaps.push(gap(at, len));
                    at += len;
                }
                (head, gaps, at + tail)
            })
    }

    proptest! {
        /// Against the linear reference: exact before `from` (at least the first
        /// [`MAX_EXACT_GAPS`] gaps), and beyond it the true count within `at_least..=at_most`, a
        /// range no wider than one range's unused positions (so at most `width`).
        #[test]
        fn the_index_agrees_with_the_linear_count((head, gaps, end) in gap_sets(), probes in proptest::collection::vec(0.0f64..1.0, 40)) {
            let (exact, rest) = compress(Position(end), gaps.clone());
            let from = rest.as_ref().map_or(Position(end), |r| r.counted_from());
            for probe in probes {
                let p = Position(head + ((end - head) as f64 * probe) as u64);
                let want = ahead(Position(head), p, gaps.clone());
                let (least, most) = bounds(Position(head), p, &exact, &rest);
                prop_assert!(least <= want && want <= most, "{least} {want} {most} at {p}");
                if p <= from {
                    prop_assert_eq!(least, most);
                } else {
                    let width = rest.as_ref().unwrap().width();
                    prop_assert!(most - least <= width);
                }
            }
            if gaps.len() <= MAX_EXACT_GAPS {
                prop_assert!(rest.is_none());
            } else {
                let r = rest.unwrap();
                prop_assert!(r.ranges() <= MAX_BUCKETS);
                let unused: u64 = gaps[MAX_EXACT_GAPS..].iter().map(|g| g.len).sum();
                prop_assert_eq!(r.total(), unused);
            }
        }
    }
}
