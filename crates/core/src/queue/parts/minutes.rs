//! Arrivals and admissions per minute, and the admission rate measured from them.
//!
//! Bounded however long a sale runs (the canary sale runs forever): the last
//! [`MINUTES_KEPT`] minutes are kept one by one; before them, whole hours, one row each (the row
//! of the hour's first minute counts the whole hour), for [`HOURS_KEPT`] hours; older rows are
//! forgotten (the sale's totals stay in its counts). The fold happens when a new minute begins,
//! so at most [`MINUTES_KEPT`] + 60 + [`HOURS_KEPT`] rows are stored and reported.

use crate::queue::records::{Change, MinuteStats};
use crate::time::UnixMillis;
use std::collections::BTreeMap;

/// How far back the admission rate (for wait estimates) looks.
const RATE_WINDOW_MS: u64 = 120_000;
/// Minutes kept one by one: a day.
pub const MINUTES_KEPT: u64 = 24 * 60;
/// Hours kept, one row each, before the minutes: a week.
pub const HOURS_KEPT: u64 = 7 * 24;

/// Arrivals and admissions by minute (by hour before the last day).
#[derive(Clone, Debug, Default)]
pub(crate) struct Minutes {
    by_minute: BTreeMap<u64, MinuteStats>,
}

/// The first minute kept one by one at `minute` (hour-aligned, so hours fold whole), and the
/// first hour's first minute kept at all.
fn cutoffs(minute: u64) -> (u64, u64) {
    let by_minute = minute.saturating_sub(MINUTES_KEPT) / 60 * 60;
    (by_minute, by_minute.saturating_sub(HOURS_KEPT * 60))
}

impl Minutes {
    pub(crate) fn restore(minutes: Vec<MinuteStats>) -> Self {
        Self {
            by_minute: minutes.into_iter().map(|m| (m.minute, m)).collect(),
        }
    }

    /// The minute `now` is in; when it is a new one, first folds what fell out of the last day
    /// into hours and forgets what fell out of the week, with the records to write.
    fn at(&mut self, now: UnixMillis, changes: &mut Vec<Change>) -> &mut MinuteStats {
        let minute = now.minute();
        if !self.by_minute.contains_key(&minute) {
            self.fold(minute, changes);
        }
        self.by_minute.entry(minute).or_insert(MinuteStats {
            minute,
            ..MinuteStats::default()
        })
    }

    /// Folds the minutes before the last day into hours and forgets those before the week.
    fn fold(&mut self, minute: u64, changes: &mut Vec<Change>) {
        let (by_minute, kept) = cutoffs(minute);
        if self.by_minute.range(..kept).next().is_some() {
            self.by_minute = self.by_minute.split_off(&kept);
            changes.push(Change::ForgetMinutes { from: 0, to: kept });
        }
        let hours: Vec<u64> = self
            .by_minute
            .range(kept..by_minute)
            .filter(|(m, _)| *m % 60 != 0)
            .map(|(m, _)| m / 60 * 60)
            .collect();
        let mut last = None;
        for hour in hours {
            if last == Some(hour) {
                continue;
            }
            last = Some(hour);
            let mut row = MinuteStats {
                minute: hour,
                ..MinuteStats::default()
            };
            for (_, m) in self.by_minute.range(hour..hour + 60) {
                row.arrivals += m.arrivals;
                row.admissions += m.admissions;
            }
            let later = self.by_minute.split_off(&(hour + 60));
            self.by_minute.retain(|m, _| *m < hour);
            self.by_minute.insert(hour, row);
            self.by_minute.extend(later);
            changes.push(Change::ForgetMinutes {
                from: hour + 1,
                to: hour + 60,
            });
            changes.push(Change::Minute(row));
        }
    }

    /// `n` fans arrived: the minute's record (and any fold) added to `changes`.
    pub(crate) fn arrived(&mut self, now: UnixMillis, n: u64, changes: &mut Vec<Change>) {
        let m = self.at(now, changes);
        m.arrivals += n;
        let m = *m;
        changes.push(Change::Minute(m));
    }

    /// `n` fans were admitted: the minute's record (and any fold) added to `changes`.
    pub(crate) fn admitted(&mut self, now: UnixMillis, n: u64, changes: &mut Vec<Change>) {
        let m = self.at(now, changes);
        m.admissions += n;
        let m = *m;
        changes.push(Change::Minute(m));
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &MinuteStats> {
        self.by_minute.values()
    }

    /// What a report shows at `now`: the last day's minutes, and the week's hours before them
    /// (each row the sum of its hour, counted here too for rows not folded yet), both bounded.
    pub(crate) fn report(&self, now: UnixMillis) -> (Vec<MinuteStats>, Vec<MinuteStats>) {
        let (by_minute, kept) = cutoffs(now.minute());
        let minutes = self.by_minute.range(by_minute..).map(|(_, m)| *m).collect();
        let mut hours: Vec<MinuteStats> = Vec::new();
        for (minute, m) in self.by_minute.range(kept..by_minute) {
            let hour = minute / 60 * 60;
            match hours.last_mut() {
                Some(row) if row.minute == hour => {
                    row.arrivals += m.arrivals;
                    row.admissions += m.admissions;
                }
                _ => hours.push(MinuteStats { minute: hour, ..*m }),
            }
        }
        (minutes, hours)
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

    fn last(changes: &[Change]) -> MinuteStats {
        match changes.last() {
            Some(Change::Minute(m)) => *m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn minutes_add_up() {
        let mut m = Minutes::default();
        let mut changes = Vec::new();
        m.arrived(T0, 3, &mut changes);
        assert_eq!(last(&changes).arrivals, 3);
        m.arrived(T0.plus_secs(1), 2, &mut changes);
        assert_eq!(last(&changes).arrivals, 5);
        m.admitted(T0.plus_secs(61), 4, &mut changes);
        let admitted = last(&changes);
        assert_eq!((admitted.arrivals, admitted.admissions), (0, 4));
        assert_eq!(m.iter().count(), 2);
    }

    /// A sale that runs for weeks with arrivals every minute: memory, the stored rows (replayed
    /// from the changes, as storage applies them) and the report stay within a day of minutes
    /// and a week of hours, and every count of the kept window is still there, hours summed.
    #[test]
    fn minutes_fold_into_hours_and_stay_bounded() {
        let mut m = Minutes::default();
        let mut stored: BTreeMap<u64, MinuteStats> = BTreeMap::new();
        let start = T0.minute();
        let days = 10;
        for i in 0..days * 24 * 60 {
            let now = UnixMillis((start + i) * 60_000 + 5_000);
            let mut changes = Vec::new();
            m.arrived(now, 2, &mut changes);
            m.admitted(now, 1, &mut changes);
            for change in changes {
                match change {
                    Change::Minute(row) => {
                        stored.insert(row.minute, row);
                    }
                    Change::ForgetMinutes { from, to } => {
                        stored.retain(|k, _| !(from..to).contains(k))
                    }
                    other => panic!("{other:?}"),
                }
            }
            let bound = (MINUTES_KEPT + 60 + HOURS_KEPT) as usize;
            assert!(
                m.iter().count() <= bound && stored.len() <= bound,
                "minute {i}"
            );
        }
        // Storage holds what memory holds.
        assert_eq!(
            stored.values().copied().collect::<Vec<_>>(),
            m.iter().copied().collect::<Vec<_>>()
        );
        let now = UnixMillis((start + days * 24 * 60 - 1) * 60_000 + 5_000);
        let (minutes, hours) = m.report(now);
        assert!(minutes.len() as u64 <= MINUTES_KEPT + 60 && minutes.len() as u64 > MINUTES_KEPT);
        assert!(hours.iter().all(|h| h.minute % 60 == 0));
        assert_eq!(hours.len() as u64, HOURS_KEPT);
        // Each full hour counts its 60 minutes.
        assert!(
            hours
                .iter()
                .all(|h| (h.arrivals, h.admissions) == (120, 60)),
            "{hours:?}"
        );
        assert!(minutes.iter().all(|m| (m.arrivals, m.admissions) == (2, 1)));
        // The hours end where the minutes begin.
        assert_eq!(hours.last().unwrap().minute + 60, minutes[0].minute);
    }

    /// Rows stored before the fold existed (a sale that has run for months) are folded and
    /// forgotten at the first new minute, and a report before then sums them by hour already.
    #[test]
    fn old_unfolded_rows_fold_at_the_next_minute() {
        let start = T0.minute();
        let old: Vec<MinuteStats> = (0..30 * 24 * 60)
            .map(|i| MinuteStats {
                minute: start + i,
                arrivals: 1,
                admissions: 0,
            })
            .collect();
        let mut m = Minutes::restore(old);
        let now = UnixMillis((start + 30 * 24 * 60) * 60_000);
        let (minutes, hours) = m.report(now);
        assert_eq!(hours.len() as u64, HOURS_KEPT);
        assert!(hours.iter().all(|h| h.arrivals == 60));
        assert!(minutes.len() as u64 <= MINUTES_KEPT + 60);
        let mut changes = Vec::new();
        m.arrived(now, 1, &mut changes);
        assert!(m.iter().count() as u64 <= MINUTES_KEPT + 60 + HOURS_KEPT);
        assert_eq!(
            changes[0],
            Change::ForgetMinutes {
                from: 0,
                to: cutoffs(now.minute()).1
            }
        );
        assert_eq!(
            m.report(now),
            (
                minutes
                    .into_iter()
                    .chain([MinuteStats {
                        minute: now.minute(),
                        arrivals: 1,
                        admissions: 0
                    }])
                    .collect(),
                hours
            )
        );
    }

    #[test]
    fn the_rate_looks_back_two_minutes_from_creation_at_the_earliest() {
        let mut m = Minutes::default();
        assert_eq!(m.admission_rate(T0, T0), 0.0);
        m.admitted(T0, 60, &mut Vec::new());
        // Created at T0: 60 admitted in the first 30 seconds.
        assert_eq!(m.admission_rate(T0.plus_secs(30), T0), 2.0);
        // Never less than a second.
        assert_eq!(m.admission_rate(T0, T0), 60.0);
        // Ten minutes later nothing was admitted recently.
        assert_eq!(m.admission_rate(T0.plus_secs(600), T0), 0.0);
    }
}
