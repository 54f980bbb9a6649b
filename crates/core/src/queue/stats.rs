//! The sale's numbers: arrivals and admissions per minute, the admission rate, and the counts
//! promoters see.

use super::MinuteStats;
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far back the admission rate (for wait estimates) looks.
const RATE_WINDOW_MS: u64 = 120_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub joined: u64,
    pub waiting: u64,
    /// Assignments the origin still holds (claimed or not).
    pub assigned: u64,
    pub claimed: u64,
    pub completed: u64,
    pub released: u64,
    pub lapsed: u64,
    /// Fans skipped at the front because they had stopped polling.
    pub left: u64,
    /// Claimed passes that expired before the origin completed or released them.
    #[serde(default)]
    pub expired: u64,
    /// Numbers leased to arrival shards whose use is not reported yet (at most a second's worth).
    pub pending: u64,
    /// Fans admitted per second over the last two minutes.
    pub admission_rate: f64,
    /// In `rate` mode, the rate the sale aims at (fans per second), next to the measured
    /// `admission_rate`; `null` otherwise.
    #[serde(default)]
    pub admission_target_rate: Option<f64>,
}

/// Arrivals and admissions by minute.
#[derive(Clone, Debug, Default)]
pub(super) struct Minutes {
    by_minute: BTreeMap<u64, MinuteStats>,
}

impl Minutes {
    pub(super) fn restore(minutes: Vec<MinuteStats>) -> Self {
        Self {
            by_minute: minutes.into_iter().map(|m| (m.minute, m)).collect(),
        }
    }

    fn at(&mut self, now: UnixMillis) -> &mut MinuteStats {
        let minute = now.minute();
        self.by_minute.entry(minute).or_insert(MinuteStats {
            minute,
            ..MinuteStats::default()
        })
    }

    /// `n` fans arrived; the minute's record to write.
    pub(super) fn arrived(&mut self, now: UnixMillis, n: u64) -> MinuteStats {
        let m = self.at(now);
        m.arrivals += n;
        *m
    }

    /// `n` fans were admitted; the minute's record to write.
    pub(super) fn admitted(&mut self, now: UnixMillis, n: u64) -> MinuteStats {
        let m = self.at(now);
        m.admissions += n;
        *m
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &MinuteStats> {
        self.by_minute.values()
    }

    /// Fans admitted per second over the last two minutes, counting from `since` at the earliest
    /// (the sale's creation).
    pub(super) fn admission_rate(&self, now: UnixMillis, since: UnixMillis) -> f64 {
        let from = UnixMillis(now.0.saturating_sub(RATE_WINDOW_MS));
        let admitted: u64 = self
            .by_minute
            .range(from.minute()..)
            .map(|(_, m)| m.admissions)
            .sum();
        if admitted == 0 {
            return 0.0;
        }
        // Count from the start of the oldest minute in the window, but not from before the sale opened.
        let start = UnixMillis(from.minute() * 60_000).max(since);
        let seconds = (start.millis_until(now) as f64 / 1000.0).max(1.0);
        admitted as f64 / seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixMillis = UnixMillis(1_800_000_000_000);

    #[test]
    fn minutes_add_up() {
        let mut m = Minutes::default();
        assert_eq!(m.arrived(T0, 3).arrivals, 3);
        assert_eq!(m.arrived(T0.plus_secs(1), 2).arrivals, 5);
        let admitted = m.admitted(T0.plus_secs(61), 4);
        assert_eq!((admitted.arrivals, admitted.admissions), (0, 4));
        assert_eq!(m.iter().count(), 2);
    }

    #[test]
    fn the_rate_looks_back_two_minutes_from_creation_at_the_earliest() {
        let mut m = Minutes::default();
        assert_eq!(m.admission_rate(T0, T0), 0.0);
        m.admitted(T0, 60);
        // Created at T0: 60 admitted in the first 30 seconds.
        assert_eq!(m.admission_rate(T0.plus_secs(30), T0), 2.0);
        // Never less than a second.
        assert_eq!(m.admission_rate(T0, T0), 60.0);
        // Ten minutes later nothing was admitted recently.
        assert_eq!(m.admission_rate(T0.plus_secs(600), T0), 0.0);
    }
}
