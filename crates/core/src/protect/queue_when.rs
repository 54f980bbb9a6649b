//! `protect.queue_when`: the safety net's thresholds. A protected path with it is always on and
//! dormant: while the sale's sessions stay at or below both thresholds, a fan without a session
//! passes straight through with one; once either is crossed the net rises and new fans queue, in
//! arrival order, until it is safe again (see [`super::net`]). Without it every fan without a
//! session queues.

use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};

/// Bounds of each threshold.
pub const THRESHOLD_RANGE: (u64, u64) = (1, 10_000_000);
/// Bounds and default of `quiet_s`: how long the measures must stay at or below the thresholds
/// (with nobody waiting) before the net falls.
pub const QUIET_RANGE: (u64, u64) = (10, 3_600);
pub const DEFAULT_QUIET_S: u64 = 60;

/// `protect.queue_when`, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueWhenInput {
    #[serde(default)]
    pub active_sessions: Option<u64>,
    #[serde(default)]
    pub new_sessions_per_min: Option<u64>,
    #[serde(default)]
    pub quiet_s: Option<u64>,
}

/// The thresholds, validated: the net rises when active sessions exceed `active_sessions` or
/// sessions started in the last minute exceed `new_sessions_per_min` (an absent one never
/// raises it), and falls after `quiet_s` at or below both with nobody waiting in line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueWhen {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_sessions: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_sessions_per_min: Option<u64>,
    pub quiet_s: u64,
}

impl QueueWhen {
    pub fn parse(input: QueueWhenInput) -> Result<Self, SettingsError> {
        let threshold = |field: &'static str, value: Option<u64>| {
            let (lo, hi) = THRESHOLD_RANGE;
            match value {
                Some(v) if !(lo..=hi).contains(&v) => {
                    Err(invalid(field, format!("must be between {lo} and {hi}")))
                }
                v => Ok(v),
            }
        };
        let active_sessions =
            threshold("protect.queue_when.active_sessions", input.active_sessions)?;
        let new_sessions_per_min = threshold(
            "protect.queue_when.new_sessions_per_min",
            input.new_sessions_per_min,
        )?;
        if active_sessions.is_none() && new_sessions_per_min.is_none() {
            return Err(invalid(
                "protect.queue_when",
                "needs active_sessions, new_sessions_per_min or both (leave queue_when out to always queue)",
            ));
        }
        let quiet_s = input.quiet_s.unwrap_or(DEFAULT_QUIET_S);
        let (lo, hi) = QUIET_RANGE;
        if !(lo..=hi).contains(&quiet_s) {
            return Err(invalid(
                "protect.queue_when.quiet_s",
                format!("must be between {lo} and {hi} seconds"),
            ));
        }
        Ok(Self {
            active_sessions,
            new_sessions_per_min,
            quiet_s,
        })
    }

    /// Whether these measures cross a threshold.
    pub fn crossed(&self, active: u64, new_per_min: u64) -> bool {
        self.active_sessions.is_some_and(|n| active > n)
            || self.new_sessions_per_min.is_some_and(|m| new_per_min > m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(a: Option<u64>, m: Option<u64>, q: Option<u64>) -> Result<QueueWhen, SettingsError> {
        QueueWhen::parse(QueueWhenInput {
            active_sessions: a,
            new_sessions_per_min: m,
            quiet_s: q,
        })
    }

    #[test]
    fn thresholds_are_checked_and_one_is_needed() {
        let w = parse(Some(100), None, None).unwrap();
        assert_eq!(w.quiet_s, DEFAULT_QUIET_S);
        assert!(
            !w.crossed(100, 1_000_000),
            "an absent threshold never rises"
        );
        assert!(w.crossed(101, 0));
        let field = |r: Result<QueueWhen, SettingsError>| r.unwrap_err().field;
        assert_eq!(field(parse(None, None, None)), "protect.queue_when");
        assert_eq!(
            field(parse(Some(0), None, None)),
            "protect.queue_when.active_sessions"
        );
        assert_eq!(
            field(parse(None, Some(10_000_001), None)),
            "protect.queue_when.new_sessions_per_min"
        );
        assert_eq!(
            field(parse(None, Some(5), Some(5))),
            "protect.queue_when.quiet_s"
        );
        let both = parse(Some(10), Some(5), Some(30)).unwrap();
        assert!(both.crossed(0, 6) && both.crossed(11, 0) && !both.crossed(10, 5));
    }

    #[test]
    fn the_stored_form_reads_back_as_input() {
        let w = parse(None, Some(5), Some(30)).unwrap();
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, r#"{"new_sessions_per_min":5,"quiet_s":30}"#);
        let again: QueueWhenInput = serde_json::from_str(&json).unwrap();
        assert_eq!(QueueWhen::parse(again).unwrap(), w);
    }
}
