//! How long fans waited, from joining to admission, kept in fixed-size memory for the public
//! report: when numbers were taken ([`ArrivalClock`], a bounded map from arrival numbers to the
//! second they were handed out) and a log-linear histogram of the waits ([`WaitHistogram`]), from
//! which the median and the 90th percentile are read without a row per fan.
//!
//! Both are bounded whatever the crowd: the clock keeps at most [`MAX_ARRIVAL_MARKS`] marks (when
//! full, every other one is dropped, so older numbers read as taken a little earlier: waits are
//! rounded up, never down), the histogram at most [`WAIT_BUCKETS`] counters.

use crate::ids::Seq;
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most marks the arrival clock keeps.
pub const MAX_ARRIVAL_MARKS: usize = 4096;

/// Numbers taken within this long of the newest mark share it: the clock's resolution.
const MARK_EVERY_MS: u64 = 1_000;

/// Sub-buckets per power of two: a wait read back is within 1/16 (6.25 %) of the true one, and
/// exact below 16 seconds.
const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;

/// Waits are counted in whole seconds up to 2^32 s (136 years); longer ones count as that.
const MAX_EXPONENT: u32 = 32;

/// How many counters the histogram has at most.
pub const WAIT_BUCKETS: usize = ((MAX_EXPONENT - SUB_BITS + 1) as usize) * SUB as usize;

/// When arrival numbers were taken: `seq → when`, for the first number taken at each second.
#[derive(Clone, Debug, Default)]
pub(crate) struct ArrivalClock {
    marks: BTreeMap<Seq, UnixMillis>,
}

impl ArrivalClock {
    /// Numbers from `first` on were taken at `now` (a block leased, a fan numbered by the
    /// coordinator). A mark within [`MARK_EVERY_MS`] of the one before it adds nothing.
    pub(crate) fn taken(&mut self, first: Seq, now: UnixMillis) {
        if let Some((&seq, &at)) = self.marks.iter().next_back() {
            if seq <= first && at.plus_millis(MARK_EVERY_MS) > now {
                return;
            }
        }
        self.marks.insert(first, now);
        if self.marks.len() > MAX_ARRIVAL_MARKS {
            // Coarser, not shorter: keep every other mark (the earlier of each pair).
            let kept: BTreeMap<Seq, UnixMillis> = self
                .marks
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, (&s, &t))| (s, t))
                .collect();
            self.marks = kept;
        }
    }

    /// When number `seq` was taken, as far as the clock knows (`None` before its first mark).
    pub(crate) fn taken_at(&self, seq: Seq) -> Option<UnixMillis> {
        self.marks.range(..=seq).next_back().map(|(_, &at)| at)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.marks.len()
    }
}

/// Waits from joining to admission, in seconds, counted in log-linear buckets: exact below 16 s,
/// then 16 buckets per power of two. Serialized sparse: `[[bucket, count], ...]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<(u16, u64)>", into = "Vec<(u16, u64)>")]
pub struct WaitHistogram {
    counts: BTreeMap<u16, u64>,
}

impl From<Vec<(u16, u64)>> for WaitHistogram {
    fn from(pairs: Vec<(u16, u64)>) -> Self {
        let mut h = Self::default();
        // A stored bucket out of range is dropped rather than trusted.
        for (bucket, n) in pairs {
            if usize::from(bucket) < WAIT_BUCKETS && n > 0 {
                *h.counts.entry(bucket).or_default() += n;
            }
        }
        h
    }
}

impl From<WaitHistogram> for Vec<(u16, u64)> {
    fn from(h: WaitHistogram) -> Self {
        h.counts.into_iter().collect()
    }
}

/// The bucket of a wait of `secs` seconds.
fn bucket_of(secs: u64) -> u16 {
    let secs = secs.min((1u64 << MAX_EXPONENT) - 1);
    if secs < SUB {
        return secs as u16;
    }
    let exponent = 63 - secs.leading_zeros(); // ≥ SUB_BITS
    let shift = exponent - SUB_BITS;
    let sub = (secs >> shift) - SUB; // 0..SUB
    ((exponent - SUB_BITS + 1) as u64 * SUB + sub) as u16
}

/// The smallest wait, in seconds, in bucket `bucket`, and the first of the next one.
fn bucket_bounds(bucket: u16) -> (u64, u64) {
    let b = u64::from(bucket);
    if b < SUB {
        return (b, b + 1);
    }
    let exponent = (b / SUB - 1) as u32 + SUB_BITS;
    let sub = b % SUB;
    let shift = exponent - SUB_BITS;
    ((SUB + sub) << shift, (SUB + sub + 1) << shift)
}

impl WaitHistogram {
    /// A fan admitted at `admitted` who joined at `joined`.
    pub(crate) fn record(&mut self, joined: UnixMillis, admitted: UnixMillis) {
        let secs = joined.millis_until(admitted) / 1000;
        *self.counts.entry(bucket_of(secs)).or_default() += 1;
    }

    /// How many waits were counted.
    pub fn count(&self) -> u64 {
        self.counts.values().sum()
    }

    /// The `q`-quantile (0 < q ≤ 1) of the waits, in whole seconds, by nearest rank: the middle of
    /// the bucket that holds the rank (exact below 16 s, else within 6.25 %). `None` without waits.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (&bucket, &count) in &self.counts {
            seen += count;
            if seen >= rank {
                let (low, high) = bucket_bounds(bucket);
                return Some(low + (high - 1 - low) / 2);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: UnixMillis = UnixMillis(1_800_000_000_000);

    fn waits(secs: &[u64]) -> WaitHistogram {
        let mut h = WaitHistogram::default();
        for &s in secs {
            h.record(T0, T0.plus_secs(s));
        }
        h
    }

    #[test]
    fn short_waits_are_exact() {
        let h = waits(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(h.count(), 10);
        assert_eq!(h.quantile(0.5), Some(5));
        assert_eq!(h.quantile(0.9), Some(9));
        assert_eq!(h.quantile(1.0), Some(10));
        assert_eq!(WaitHistogram::default().quantile(0.5), None);
        // Sub-second waits count as 0 s.
        let mut h = WaitHistogram::default();
        h.record(T0, T0.plus_millis(999));
        assert_eq!(h.quantile(0.5), Some(0));
    }

    #[test]
    fn long_waits_read_back_within_a_sixteenth() {
        // 100 fans waiting 1..=100 minutes: median 50 min, p90 90 min.
        let h = waits(&(1..=100).map(|m| m * 60).collect::<Vec<_>>());
        let median = h.quantile(0.5).unwrap() as f64;
        let p90 = h.quantile(0.9).unwrap() as f64;
        assert!((median - 3000.0).abs() <= 3000.0 / 16.0, "{median}");
        assert!((p90 - 5400.0).abs() <= 5400.0 / 16.0, "{p90}");
    }

    #[test]
    fn the_histogram_is_bounded_and_survives_its_stored_form() {
        let h = waits(&[0, 1, 15, 16, 17, 1000, 86_400 * 365, u64::MAX / 1000]);
        assert!(h.counts.keys().all(|&b| usize::from(b) < WAIT_BUCKETS));
        let text = serde_json::to_string(&h).unwrap();
        let back: WaitHistogram = serde_json::from_str(&text).unwrap();
        assert_eq!(back, h);
        // A bucket out of range is not trusted.
        let bad: WaitHistogram = serde_json::from_str("[[65535, 3], [2, 1]]").unwrap();
        assert_eq!(bad.count(), 1);
    }

    #[test]
    fn the_arrival_clock_marks_seconds_and_stays_bounded() {
        let mut c = ArrivalClock::default();
        assert_eq!(c.taken_at(1), None);
        c.taken(1, T0);
        c.taken(50, T0.plus_millis(500)); // same second: no new mark
        c.taken(100, T0.plus_secs(10));
        assert_eq!(c.taken_at(1), Some(T0));
        assert_eq!(c.taken_at(99), Some(T0));
        assert_eq!(c.taken_at(100), Some(T0.plus_secs(10)));
        assert_eq!(c.taken_at(10_000), Some(T0.plus_secs(10)));
        for i in 0..3 * MAX_ARRIVAL_MARKS as u64 {
            c.taken(200 + i, T0.plus_secs(20 + i));
        }
        assert!(c.len() <= MAX_ARRIVAL_MARKS);
        // Coarser, never later: a number reads as taken at or before when it was.
        let seq = 200 + 2 * MAX_ARRIVAL_MARKS as u64 + 7;
        assert!(c.taken_at(seq).unwrap() <= T0.plus_secs(20 + 2 * MAX_ARRIVAL_MARKS as u64 + 7));
        assert_eq!(c.taken_at(1), Some(T0));
    }

    proptest! {
        #[test]
        fn every_wait_lands_in_a_bucket_that_holds_it(secs in 0u64..(1 << 32)) {
            let b = bucket_of(secs);
            prop_assert!(usize::from(b) < WAIT_BUCKETS);
            let (low, high) = bucket_bounds(b);
            prop_assert!(low <= secs && secs < high, "{secs} in {low}..{high}");
            prop_assert!((high - low) * 16 <= low.max(16), "{low}..{high} too wide");
        }

        #[test]
        fn quantiles_are_within_a_sixteenth_of_the_exact_rank(
            mut secs in proptest::collection::vec(0u64..1_000_000, 1..300),
            q in 0.01f64..=1.0,
        ) {
            let h = waits(&secs);
            secs.sort_unstable();
            let rank = ((q * secs.len() as f64).ceil() as usize).clamp(1, secs.len());
            let exact = secs[rank - 1] as f64;
            let read = h.quantile(q).unwrap() as f64;
            prop_assert!((read - exact).abs() <= (exact / 16.0).max(0.0) + 0.5, "{read} vs {exact}");
        }
    }
}
