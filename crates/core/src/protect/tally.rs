//! Counting a protected sale's sessions for its safety net ([`super::net`]).
//!
//! The sessions are signed cookies the gate worker issues and renews; no object hears of them one by
//! one. So each gate isolate gathers what it issued into a [`SessionTally`] (sessions started, and
//! the expiries that sessions gained or lost: a start gains one, a renewal moves one later, an end
//! by the origin loses one) and tells the sale's coordinator at most once a second, as it does
//! presence. The coordinator adds the tallies into [`SessionCounts`]: sessions by the second they
//! expire (active: those not expired yet) and sessions started by second (new a minute: those of
//! the last 60 s). Expiries are kept in buckets of [`bucket_s`] (about 1/64 of a session), so
//! the counts are bounded whatever the traffic; a session counts until the end of its bucket
//! (an over-count of at most one bucket's life, the safe direction).

use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most expiry buckets one tally or one count holds (more are dropped: a session is about 66
/// buckets long, so only a tally kept far too long could reach it).
pub const MAX_BUCKETS: usize = 256;
/// The window of "new sessions a minute".
const MINUTE_S: u64 = 60;

/// The width of an expiry bucket for sessions of `session_s`: about 1/64 of a session, at least
/// 5 s.
pub fn bucket_s(session_s: u64) -> u64 {
    session_s.div_ceil(64).max(5)
}

/// The end of the bucket `exp` (Unix seconds) falls in.
fn bucket(exp: u64, width: u64) -> u64 {
    exp.div_ceil(width) * width
}

/// What an isolate issued since it last told the coordinator (on the wire: additive).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTally {
    /// Sessions started (passed straight through, or at the fan's turn).
    #[serde(default)]
    pub started: u64,
    /// Expiry bucket (Unix seconds) → sessions that now expire then.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", with = "pairs")]
    pub expiring: BTreeMap<u64, u64>,
    /// Expiry bucket → sessions that no longer expire then (renewed later, or ended).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", with = "pairs")]
    pub gone: BTreeMap<u64, u64>,
}

/// A map on the wire as `[[key, count], ...]`: a command is read through serde's buffered form
/// (its `op` tag first), which cannot read a JSON object's keys as numbers.
mod pairs {
    use super::MAX_BUCKETS;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(map: &BTreeMap<u64, u64>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<u64, u64>, D::Error> {
        let pairs = Vec::<(u64, u64)>::deserialize(d)?;
        Ok(pairs.into_iter().take(MAX_BUCKETS).collect())
    }
}

impl SessionTally {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// A session started, expiring at `exp` (Unix seconds).
    pub fn started(&mut self, exp: u64, session_s: u64) {
        self.started += 1;
        add(&mut self.expiring, bucket(exp, bucket_s(session_s)), 1);
    }

    /// A session renewed from `old_exp` to `new_exp`.
    pub fn renewed(&mut self, old_exp: u64, new_exp: u64, session_s: u64) {
        let width = bucket_s(session_s);
        let (old, new) = (bucket(old_exp, width), bucket(new_exp, width));
        if old != new {
            add(&mut self.gone, old, 1);
            add(&mut self.expiring, new, 1);
        }
    }

    /// A session ended (by the origin) before `exp`.
    pub fn ended(&mut self, exp: u64, session_s: u64) {
        add(&mut self.gone, bucket(exp, bucket_s(session_s)), 1);
    }
}

fn add(map: &mut BTreeMap<u64, u64>, key: u64, n: u64) {
    if map.len() < MAX_BUCKETS || map.contains_key(&key) {
        *map.entry(key).or_default() += n;
    }
}

/// A sale's sessions as its coordinator counts them from the tallies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionCounts {
    /// Expiry bucket end (Unix seconds) → sessions expiring in it.
    expiring: BTreeMap<u64, u64>,
    /// Second (Unix) → sessions started then (as the coordinator heard).
    started: BTreeMap<u64, u64>,
}

impl SessionCounts {
    /// Adds a tally told at `now`, for sessions of `session_s`. Expiries in the past or further
    /// than a session (and a bucket) ahead are not the sessions of this sale's gate: ignored.
    pub fn add(&mut self, tally: &SessionTally, session_s: u64, now: UnixMillis) {
        self.forget_old(now);
        let width = bucket_s(session_s);
        let (from, to) = (now.as_secs(), now.as_secs() + session_s + 2 * width);
        let in_range = |exp: &u64| (from + 1..=to).contains(exp);
        for (exp, n) in tally.gone.iter().filter(|(e, _)| in_range(e)) {
            let key = bucket(*exp, width);
            if let Some(count) = self.expiring.get_mut(&key) {
                *count = count.saturating_sub(*n);
                if *count == 0 {
                    self.expiring.remove(&key);
                }
            }
        }
        for (exp, n) in tally.expiring.iter().filter(|(e, _)| in_range(e)) {
            add(&mut self.expiring, bucket(*exp, width), *n);
        }
        if tally.started > 0 {
            *self.started.entry(now.as_secs()).or_default() += tally.started;
        }
    }

    fn forget_old(&mut self, now: UnixMillis) {
        let s = now.as_secs();
        self.expiring = self.expiring.split_off(&(s + 1));
        self.started = self.started.split_off(&(s.saturating_sub(MINUTE_S - 1)));
    }

    /// Sessions not expired at `now`.
    pub fn active(&self, now: UnixMillis) -> u64 {
        self.expiring
            .range(now.as_secs() + 1..)
            .map(|(_, n)| n)
            .sum()
    }

    /// Sessions started in the minute up to `now`.
    pub fn new_per_min(&self, now: UnixMillis) -> u64 {
        let s = now.as_secs();
        self.started
            .range(s.saturating_sub(MINUTE_S - 1)..=s)
            .map(|(_, n)| n)
            .sum()
    }

    /// Brings the counts up to `now` (drops what expired or is older than a minute).
    pub fn sweep(&mut self, now: UnixMillis) {
        self.forget_old(now);
    }

    /// How many entries are kept (for tests of the bound).
    pub fn entries(&self) -> usize {
        self.expiring.len() + self.started.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: u64 = 600;

    fn at(s: u64) -> UnixMillis {
        UnixMillis::from_secs(s)
    }

    #[test]
    fn starts_renewals_and_ends_move_the_counts() {
        let mut counts = SessionCounts::default();
        let mut t = SessionTally::default();
        for _ in 0..3 {
            t.started(1_000 + S, S);
        }
        counts.add(&t, S, at(1_000));
        assert_eq!(
            (counts.active(at(1_000)), counts.new_per_min(at(1_000))),
            (3, 3)
        );
        // One renewed later, one ended: still two active (the renewed one past its first expiry).
        let mut t = SessionTally::default();
        t.renewed(1_000 + S, 1_400 + S, S);
        t.ended(1_000 + S, S);
        counts.add(&t, S, at(1_400));
        assert_eq!(counts.active(at(1_400)), 2);
        assert_eq!(counts.new_per_min(at(1_400)), 0, "the minute passed");
        // After the first expiry (and its bucket), only the renewed one.
        assert_eq!(counts.active(at(1_000 + S + bucket_s(S))), 1);
        assert_eq!(counts.active(at(1_400 + S + bucket_s(S))), 0);
    }

    #[test]
    fn a_tally_travels_in_a_command() {
        use crate::machines::protocol::Command;
        let mut tally = SessionTally::default();
        tally.started(1_000, S);
        tally.renewed(990, 1_600, S);
        let command = Command::Sessions { tally };
        let json = serde_json::to_string(&command).unwrap();
        assert_eq!(
            json,
            r#"{"op":"sessions","tally":{"started":1,"expiring":[[1000,1],[1600,1]],"gone":[[990,1]]}}"#
        );
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), command);
    }

    #[test]
    fn a_renewal_within_a_bucket_is_no_change() {
        let mut t = SessionTally::default();
        t.renewed(1_001, 1_002, S);
        assert!(t.is_empty());
    }

    #[test]
    fn expiries_out_of_range_are_ignored() {
        let mut counts = SessionCounts::default();
        let mut t = SessionTally::default();
        t.started(10 * S, S); // already past
        t.started(1_000 + 100 * S, S); // far beyond one session
        counts.add(&t, S, at(1_000 + S));
        assert_eq!(counts.active(at(1_000 + S)), 0);
        assert_eq!(
            counts.new_per_min(at(1_000 + S)),
            2,
            "starts count all the same"
        );
    }

    proptest! {
        /// Whatever the tallies, the counts stay bounded (about a session of buckets and a
        /// minute of seconds) and "new a minute" is exactly the starts told in the last 60 s.
        #[test]
        fn counts_are_bounded_and_new_per_minute_is_exact(
            steps in proptest::collection::vec((0u64..5, 0u64..50, 0u64..2_000), 1..200)
        ) {
            let mut counts = SessionCounts::default();
            let mut now = 1_000_000u64;
            let mut told: Vec<(u64, u64)> = Vec::new();
            for (dt, starts, offset) in steps {
                now += dt;
                let mut t = SessionTally::default();
                for i in 0..starts {
                    t.started(now + S - (i % 3), S);
                }
                t.renewed(now + offset % S, now + S, S);
                counts.add(&t, S, at(now));
                told.push((now, starts));
                let expected: u64 = told.iter().filter(|(s, _)| s + 60 > now).map(|(_, n)| n).sum();
                prop_assert_eq!(counts.new_per_min(at(now)), expected);
                prop_assert!(counts.entries() <= (S / bucket_s(S) + 3) as usize + 60);
            }
        }
    }
}
