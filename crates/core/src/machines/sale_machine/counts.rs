//! Requests counted by kind: every request once, in memory; written only along with another
//! change, or when they have been unwritten for [`REQUEST_COUNTS_EVERY_MS`] (the alarm wakes the
//! object for it). After a restart the counts may lag by at most that long.

use crate::queue::Change;
use crate::time::UnixMillis;
use std::collections::{BTreeMap, BTreeSet};

/// Request counts not written with another change are written at most this long after the first
/// of them was counted: the most they can lag after a restart.
pub const REQUEST_COUNTS_EVERY_MS: u64 = 60_000;

/// Requests served, by kind, and which counts are not written yet.
#[derive(Clone, Debug, Default)]
pub(super) struct RequestCounts {
    requests: BTreeMap<String, u64>,
    /// Kinds whose count changed since it was last written, and since when.
    unwritten: BTreeSet<&'static str>,
    unwritten_since: Option<UnixMillis>,
    /// Write the counts with the next changes even if there are none.
    due: bool,
}

impl RequestCounts {
    /// The counts storage kept.
    pub(super) fn restore(requests: BTreeMap<String, u64>) -> Self {
        Self {
            requests,
            ..Self::default()
        }
    }

    /// Requests served, by kind.
    pub(super) fn requests(&self) -> &BTreeMap<String, u64> {
        &self.requests
    }

    pub(super) fn count(&mut self, kind: &'static str, now: UnixMillis) {
        self.count_n(kind, 1, now);
    }

    pub(super) fn count_n(&mut self, kind: &'static str, n: u64, now: UnixMillis) {
        if n == 0 {
            return;
        }
        *self.requests.entry(kind.to_owned()).or_default() += n;
        self.unwritten.insert(kind);
        self.unwritten_since.get_or_insert(now);
    }

    /// Notes at `now` whether unwritten counts have waited [`REQUEST_COUNTS_EVERY_MS`]: then they
    /// are written with the next changes even if there are none.
    pub(super) fn note_due(&mut self, now: UnixMillis) {
        self.due |= self
            .unwritten_since
            .is_some_and(|since| since.plus_millis(REQUEST_COUNTS_EVERY_MS) <= now);
    }

    /// The counts to write after `changes`, if they go along: with another change, or when due.
    pub(super) fn write_with(&mut self, changes: &mut Vec<Change>) {
        let due = std::mem::take(&mut self.due);
        if (due || !changes.is_empty()) && !self.unwritten.is_empty() {
            self.unwritten_since = None;
            let kinds = std::mem::take(&mut self.unwritten);
            changes.push(Change::Requests(
                kinds
                    .into_iter()
                    .map(|kind| (kind.to_owned(), self.requests[kind]))
                    .collect(),
            ));
        }
    }

    /// When unwritten counts are due, for the alarm.
    pub(super) fn due_at(&self) -> Option<UnixMillis> {
        self.unwritten_since
            .map(|since| since.plus_millis(REQUEST_COUNTS_EVERY_MS))
    }
}
