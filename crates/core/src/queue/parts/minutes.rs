//! Arrivals and admissions per minute, and the admission rate measured from them.

use crate::queue::records::MinuteStats;
use crate::time::UnixMillis;
use std::collections::BTreeMap;

/// How far back the admission rate (for wait estimates) looks.
const RATE_WINDOW_MS: u64 = 120_000;

/// Arrivals and admissions by minute.
#[derive(Clone, Debug, Default)]
pub(crate) struct Minutes {
    by_minute: BTreeMap<u64, MinuteStats>,
}

impl Minutes {
    pub(crate) fn restore(minutes: Vec<MinuteStats>) -> Self {
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
    pub(crate) fn arrived(&mut self, now: UnixMillis, n: u64) -> MinuteStats {
        let m = self.at(now);
        m.arrivals += n;
        *m
    }

    /// `n` fans were admitted; the minute's record to write.
    pub(crate) fn admitted(&mut self, now: UnixMillis, n: u64) -> MinuteStats {
        let m = self.at(now);
        m.admissions += n;
        *m
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &MinuteStats> {
        self.by_minute.values()
    }

    /// Fans admitted per second over the last two minutes, counting from `since` at the earliest
    /// (the sale's creation).
    pub(crate) fn admission_rate(&self, now: UnixMillis, since: UnixMillis) -> f64 {
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
