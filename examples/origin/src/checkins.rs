//! The check-in ledger: which passes were used here and how each purchase ended. A pass checks in
//! once (its `jti` is never accepted again); its purchase page then completes or releases it once.
//!
//! Each check-in gets a random session secret that the purchase page's forms carry, so knowing a
//! `jti` (which is just `<sale>.<seq>`) is not enough to finish someone else's purchase.

use crate::pass::{Pass, LEEWAY_S};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// Where a checked-in purchase stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// On the purchase page.
    Shopping,
    /// Completing or releasing at the edge right now.
    Finishing,
    Completed,
    Released,
    /// The edge refused to finish the assignment (it lapsed, or is unknown).
    Void,
}

impl Stage {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Shopping => "is on its purchase page",
            Self::Finishing => "is being finished right now",
            Self::Completed => "already bought tickets",
            Self::Released => "already gave up its turn",
            Self::Void => "is no longer valid at the waiting room",
        }
    }
}

#[derive(Clone, Debug)]
pub struct CheckIn {
    pub pass: Pass,
    session: String,
    pub stage: Stage,
    pub checked_in_at: u64,
}

/// Running totals for the status page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub checked_in: u64,
    pub completed: u64,
    pub released: u64,
    pub refused: u64,
}

/// A second use of a pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reused {
    pub stage: Stage,
    pub checked_in_at: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinishError {
    /// No check-in with this `jti` (or it was forgotten after its pass expired).
    NotCheckedIn,
    WrongSession,
    Expired,
    AlreadyFinished(Stage),
}

impl fmt::Display for FinishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotCheckedIn => f.write_str("no pass with this id is checked in here"),
            Self::WrongSession => {
                f.write_str("this form does not belong to that pass's purchase page")
            }
            Self::Expired => f.write_str("the pass expired before the purchase was finished"),
            Self::AlreadyFinished(stage) => write!(f, "this pass {}", stage.describe()),
        }
    }
}

impl std::error::Error for FinishError {}

#[derive(Debug, Default)]
pub struct Ledger {
    entries: HashMap<String, CheckIn>,
    stats: Stats,
}

impl Ledger {
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Check-ins whose purchase page is still open (and pass unexpired) at `now`.
    pub fn shopping(&self, now: u64) -> usize {
        self.entries
            .values()
            .filter(|c| matches!(c.stage, Stage::Shopping | Stage::Finishing))
            .filter(|c| c.pass.expires_at > now)
            .count()
    }

    pub fn note_refused(&mut self) {
        self.stats.refused += 1;
    }

    /// Records the first use of a verified pass; a second use of its `jti` is refused.
    pub fn check_in(&mut self, pass: Pass, session: String, now: u64) -> Result<(), Reused> {
        self.forget_expired(now);
        if let Some(existing) = self.entries.get(&pass.jti) {
            return Err(Reused {
                stage: existing.stage,
                checked_in_at: existing.checked_in_at,
            });
        }
        self.stats.checked_in += 1;
        let jti = pass.jti.clone();
        self.entries.insert(
            jti,
            CheckIn {
                pass,
                session,
                stage: Stage::Shopping,
                checked_in_at: now,
            },
        );
        Ok(())
    }

    /// The pass checked in with `session`, while its purchase page is open (the page a
    /// redirect after the check-in shows, so the pass never stays in the URL).
    pub fn shopping_with(&self, session: &str) -> Option<Pass> {
        self.entries
            .values()
            .find(|c| constant_time_eq(c.session.as_bytes(), session.as_bytes()))
            .filter(|c| c.stage == Stage::Shopping)
            .map(|c| c.pass.clone())
    }

    /// Starts finishing the purchase of `jti` (which must be checked in, open, carry the right
    /// session and be unexpired) and marks it [`Stage::Finishing`] so a double submit is refused.
    pub fn begin_finish(
        &mut self,
        jti: &str,
        session: &str,
        now: u64,
    ) -> Result<Pass, FinishError> {
        let entry = self.entries.get_mut(jti).ok_or(FinishError::NotCheckedIn)?;
        if !constant_time_eq(entry.session.as_bytes(), session.as_bytes()) {
            return Err(FinishError::WrongSession);
        }
        if entry.stage != Stage::Shopping {
            return Err(FinishError::AlreadyFinished(entry.stage));
        }
        if entry.pass.expires_at.saturating_add(LEEWAY_S) <= now {
            return Err(FinishError::Expired);
        }
        entry.stage = Stage::Finishing;
        Ok(entry.pass.clone())
    }

    /// Ends a [`Ledger::begin_finish`]: `Shopping` to allow another try, or the final stage.
    pub fn end_finish(&mut self, jti: &str, stage: Stage) {
        let Some(entry) = self.entries.get_mut(jti) else {
            return;
        };
        if entry.stage != Stage::Finishing {
            return;
        }
        entry.stage = stage;
        match stage {
            Stage::Completed => self.stats.completed += 1,
            Stage::Released => self.stats.released += 1,
            _ => {}
        }
    }

    /// Drops check-ins whose pass has expired (a reuse is then refused as expired anyway), keeping
    /// any that are being finished.
    fn forget_expired(&mut self, now: u64) {
        self.entries.retain(|_, c| {
            c.stage == Stage::Finishing || c.pass.expires_at.saturating_add(LEEWAY_S) > now
        });
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn pass(seq: u64) -> Pass {
        Pass {
            sale: "demo".into(),
            fan_id: format!("fan_{seq}"),
            window: "window-1".into(),
            seq,
            jti: format!("demo.{seq}"),
            issued_at: NOW,
            expires_at: NOW + 600,
        }
    }

    #[test]
    fn a_pass_checks_in_once() {
        let mut ledger = Ledger::default();
        ledger
            .check_in(pass(1), "s1".into(), NOW)
            .expect("first use");
        assert_eq!(
            ledger.check_in(pass(1), "s2".into(), NOW + 1),
            Err(Reused {
                stage: Stage::Shopping,
                checked_in_at: NOW
            })
        );
        ledger
            .check_in(pass(2), "s3".into(), NOW)
            .expect("another pass");
        assert_eq!(ledger.stats().checked_in, 2);
        assert_eq!(ledger.shopping(NOW), 2);
        assert_eq!(ledger.shopping(NOW + 600), 0);
    }

    #[test]
    fn finishing_needs_the_session_and_happens_once() {
        let mut ledger = Ledger::default();
        ledger
            .check_in(pass(1), "secret".into(), NOW)
            .expect("first use");
        assert_eq!(
            ledger.begin_finish("demo.9", "secret", NOW),
            Err(FinishError::NotCheckedIn)
        );
        assert_eq!(
            ledger.begin_finish("demo.1", "guess", NOW),
            Err(FinishError::WrongSession)
        );
        assert_eq!(
            ledger.begin_finish("demo.1", "secret", NOW).map(|p| p.seq),
            Ok(1)
        );
        assert_eq!(
            ledger.begin_finish("demo.1", "secret", NOW),
            Err(FinishError::AlreadyFinished(Stage::Finishing))
        );
        // The edge could not be reached: the fan may try again.
        ledger.end_finish("demo.1", Stage::Shopping);
        assert!(ledger.begin_finish("demo.1", "secret", NOW).is_ok());
        ledger.end_finish("demo.1", Stage::Completed);
        assert_eq!(
            ledger.begin_finish("demo.1", "secret", NOW),
            Err(FinishError::AlreadyFinished(Stage::Completed))
        );
        assert_eq!(ledger.stats().completed, 1);
        assert_eq!(ledger.shopping(NOW), 0);
        assert!(ledger.check_in(pass(1), "again".into(), NOW).is_err());
    }

    #[test]
    fn expired_passes_cannot_finish_and_are_forgotten() {
        let mut ledger = Ledger::default();
        ledger
            .check_in(pass(1), "s".into(), NOW)
            .expect("first use");
        let later = NOW + 600 + LEEWAY_S;
        assert_eq!(
            ledger.begin_finish("demo.1", "s", later),
            Err(FinishError::Expired)
        );
        let mut fresh = pass(2);
        fresh.expires_at = later + 600;
        ledger
            .check_in(fresh, "t".into(), later)
            .expect("another pass");
        assert_eq!(
            ledger.begin_finish("demo.1", "s", later),
            Err(FinishError::NotCheckedIn)
        );
    }
}
