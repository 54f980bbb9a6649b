//! What a request does about one cached key, decided without I/O: the pure half of
//! [`super`]. Each kind of cache gives its own [`Rules`]; the state of one key in one isolate is a
//! [`Slot`], asked for a [`Plan`] and told how the refresh went ([`Slot::settle`]).

use crate::error::ApiError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use waitroom_core::{QueueError, UnixMillis};

/// A refresh that has not finished by then is presumed lost, and the next request tries again.
/// Longer than any answer a slow object gives, so a slow one never has two at once.
pub const REFRESH_TIMEOUT_MS: u64 = 10_000;

/// How a kind of cache treats a key whose value is not fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// How long after it was true ([`Kept::at`]) a value that is no longer fresh still answers
    /// while this isolate refreshes it or after a refresh failed: stale beats none (0: never).
    pub stale_ms: u64,
    /// One request of an isolate refreshes a key at a time: the others answer from the stale
    /// value meanwhile, or, with none, look again shortly ([`Plan::Wait`]).
    pub one_refresher: bool,
    /// After `n` failed refreshes in a row, the next is tried `backoff_ms * 2^(n-1)` after the
    /// last one ended, at most `max_backoff_ms` (0: at once).
    pub backoff_ms: u64,
    pub max_backoff_ms: u64,
}

impl Rules {
    /// Every request whose key is not fresh asks for itself, and nothing stale answers.
    pub const ASK_WHEN_NOT_FRESH: Rules = Rules {
        stale_ms: 0,
        one_refresher: false,
        backoff_ms: 0,
        max_backoff_ms: 0,
    };
}

/// A value as the cache keeps it, in isolate memory and in the Cache API: the one stored format
/// of every kind, there the JSON array `[at, fresh_until, value]` (a struct's field names would
/// cost each kind a reader of its own in the module).
#[derive(Clone, Debug, PartialEq)]
pub struct Kept<V> {
    pub value: V,
    /// When the value was true (a snapshot's `taken_at`, when the object was asked).
    pub at: UnixMillis,
    /// It answers as fresh until then. A value fresh for no time at all (`fresh_until <= at`)
    /// is answered once and not kept.
    pub fresh_until: UnixMillis,
}

impl<V: Serialize> Serialize for Kept<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.at, self.fresh_until, &self.value).serialize(s)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Kept<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (at, fresh_until, value) = Deserialize::deserialize(d)?;
        Ok(Kept {
            value,
            at,
            fresh_until,
        })
    }
}

impl<V> Kept<V> {
    pub fn is_fresh(&self, now: UnixMillis) -> bool {
        now < self.fresh_until
    }

    /// Until when it may answer at all: fresh, or stale under `rules`. The Cache API keeps it
    /// that long.
    pub fn answers_until(&self, rules: &Rules) -> UnixMillis {
        self.fresh_until.max(self.at.plus_millis(rules.stale_ms))
    }

    fn answers_stale(&self, now: UnixMillis, rules: &Rules) -> bool {
        now < self.at.plus_millis(rules.stale_ms)
    }
}

/// One key's state in one isolate.
pub struct Slot<V> {
    entry: Option<Kept<V>>,
    /// Set while one request of this isolate refreshes the key (with [`Rules::one_refresher`]).
    refreshing_since: Option<UnixMillis>,
    /// Values true before this (a promoter's change) are out of date: served only as stale.
    not_before: UnixMillis,
    /// Failed refreshes in a row, and when the next may start.
    failures: u32,
    retry_at: UnixMillis,
    /// What the object refused the last refresh with (a sale whose settings cannot be read):
    /// the answer, rather than busy, until the next refresh.
    refused: Option<QueueError>,
}

impl<V> Default for Slot<V> {
    fn default() -> Self {
        Self {
            entry: None,
            refreshing_since: None,
            not_before: UnixMillis(0),
            failures: 0,
            retry_at: UnixMillis(0),
            refused: None,
        }
    }
}

/// What a request does about a key.
#[derive(Debug, PartialEq)]
pub enum Plan<V> {
    Answer(V),
    /// Refresh it (Cache API, then the object); with [`Rules::one_refresher`] this request is
    /// the isolate's one refresher.
    Refresh {
        not_before: UnixMillis,
    },
    /// Nothing to answer from, and another request refreshes it: look again shortly.
    Wait,
    /// Nothing to answer from, and refreshes are failing: answer busy.
    Busy,
    /// Nothing to answer from, and the object refused the last refresh: the same refusal.
    Refused(QueueError),
}

impl<V: Clone> Slot<V> {
    /// The entry to answer with while no fresh one can be had.
    fn stale(&self, now: UnixMillis, rules: &Rules) -> Option<&Kept<V>> {
        self.entry.as_ref().filter(|e| e.answers_stale(now, rules))
    }

    /// What a request at `now` does; a request that is to refresh is marked as the refresher.
    pub fn plan(&mut self, now: UnixMillis, rules: &Rules) -> Plan<V> {
        if let Some(entry) = &self.entry {
            if entry.is_fresh(now) && entry.at >= self.not_before {
                return Plan::Answer(entry.value.clone());
            }
        }
        let refreshing = self
            .refreshing_since
            .is_some_and(|t| now < t.plus_millis(REFRESH_TIMEOUT_MS));
        if refreshing || now < self.retry_at {
            return match (self.stale(now, rules), &self.refused) {
                (_, Some(refusal)) if !refreshing => Plan::Refused(refusal.clone()),
                (Some(entry), _) => Plan::Answer(entry.value.clone()),
                (None, _) if refreshing => Plan::Wait,
                (None, _) => Plan::Busy,
            };
        }
        if rules.one_refresher {
            self.refreshing_since = Some(now);
        }
        Plan::Refresh {
            not_before: self.not_before,
        }
    }

    /// The refresher's result at `now` (with what the Cache API held, even if stale): the answer.
    /// A failure backs off and answers from the newest stale value, if there is one.
    pub fn settle(
        &mut self,
        started: UnixMillis,
        fetched: Result<Kept<V>, ApiError>,
        from_cache: Option<Kept<V>>,
        now: UnixMillis,
        rules: &Rules,
    ) -> Result<V, ApiError> {
        // A refresh that was given up on (timed out, or overtaken by a promoter's change) does
        // not end the one under way now.
        if self.refreshing_since == Some(started) {
            self.refreshing_since = None;
        }
        if let Some(cached) = from_cache.filter(|c| c.answers_until(rules) > now) {
            self.keep(cached);
        }
        match fetched {
            Ok(entry) => {
                self.failures = 0;
                self.retry_at = UnixMillis(0);
                self.refused = None;
                if entry.at >= self.not_before && entry.answers_until(rules) > now {
                    self.keep(entry.clone());
                }
                Ok(entry.value)
            }
            Err(e) => {
                self.failures = self.failures.saturating_add(1);
                let backoff = rules
                    .backoff_ms
                    .saturating_mul(1 << (self.failures - 1).min(16))
                    .min(rules.max_backoff_ms);
                self.retry_at = now.plus_millis(backoff);
                // Refusals (no such sale, unreadable settings) are answers, not failures to hide.
                let failed = matches!(e, ApiError::Busy(_) | ApiError::Queue(QueueError::Busy));
                self.refused = match &e {
                    ApiError::Queue(refusal) if !failed => Some(refusal.clone()),
                    _ => None,
                };
                match self.stale(now, rules) {
                    Some(entry) if failed => Ok(entry.value.clone()),
                    _ => Err(e),
                }
            }
        }
    }

    /// Keeps `entry` if it is not older than what is kept.
    fn keep(&mut self, entry: Kept<V>) {
        if self.entry.as_ref().is_none_or(|old| old.at <= entry.at) {
            self.entry = Some(entry);
        }
    }

    /// The value held, fresh or not.
    pub fn value(&self) -> Option<&V> {
        self.entry.as_ref().map(|e| &e.value)
    }

    /// Keeps `entry` as the key's value, whatever was kept (what this isolate just learned).
    pub fn put(&mut self, entry: Kept<V>) {
        self.entry = Some(entry);
    }

    /// Values true before `now` are out of date (a promoter's change): the next request
    /// refreshes at once, even if a refresh was under way or backing off. The old value is kept
    /// only as a stale fallback.
    pub fn invalidate(&mut self, now: UnixMillis) {
        self.not_before = now;
        self.refreshing_since = None;
        self.failures = 0;
        self.retry_at = UnixMillis(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL_MS: u64 = 1_000;
    const STALE_MS: u64 = 60_000;
    /// As the snapshots' rules.
    const RULES: Rules = Rules {
        stale_ms: STALE_MS,
        one_refresher: true,
        backoff_ms: TTL_MS,
        max_backoff_ms: 4 * TTL_MS,
    };

    fn at(ms: u64) -> UnixMillis {
        UnixMillis(ms)
    }

    fn taken(ms: u64) -> Kept<u64> {
        Kept {
            value: ms,
            at: at(ms),
            fresh_until: at(ms + TTL_MS),
        }
    }

    fn busy() -> ApiError {
        ApiError::Busy("the coordinator timed out".into())
    }

    /// Runs the refresh of one request: plan at `start`, settle at `end` with `result`.
    fn refresh(c: &mut Slot<u64>, start: u64, end: u64, result: Result<Kept<u64>, ApiError>) {
        assert!(matches!(c.plan(at(start), &RULES), Plan::Refresh { .. }));
        let _ = c.settle(at(start), result, None, at(end), &RULES);
    }

    #[test]
    fn a_fresh_value_answers_and_a_stale_one_is_refreshed_by_one_request() {
        let mut c = Slot::default();
        assert_eq!(c.plan(at(0), &RULES), Plan::Refresh { not_before: at(0) });
        // Nothing to answer from while the first refresh runs: wait, never a second request.
        assert_eq!(c.plan(at(10), &RULES), Plan::Wait);
        assert_eq!(
            c.settle(at(0), Ok(taken(5)), None, at(20), &RULES).unwrap(),
            5
        );
        assert_eq!(c.plan(at(900), &RULES), Plan::Answer(5));
        assert!(matches!(c.plan(at(1_100), &RULES), Plan::Refresh { .. }));
        // While it refreshes, the others answer from the stale one.
        assert_eq!(c.plan(at(1_200), &RULES), Plan::Answer(5));
    }

    #[test]
    fn a_slow_object_is_asked_once_at_a_time_and_requests_stay_answered() {
        let mut c = Slot::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        // Each refresh takes 3 s: every request meanwhile is answered, and the object is asked
        // once per refresh.
        let mut asked = 0;
        let mut refreshing: Option<u64> = None;
        for t in (1_000..30_000).step_by(50) {
            if let Some(started) = refreshing.filter(|s| t >= s + 3_000) {
                let _ = c.settle(at(started), Ok(taken(t - 10)), None, at(t), &RULES);
                refreshing = None;
            }
            match c.plan(at(t), &RULES) {
                Plan::Answer(_) => {}
                Plan::Refresh { .. } => {
                    asked += 1;
                    refreshing = Some(t);
                }
                other => panic!("at {t}: {other:?}"),
            }
        }
        assert!(asked <= 29 / 4 + 1, "{asked} refreshes in 29 s");
    }

    #[test]
    fn a_failing_object_backs_off_and_stale_answers_for_a_minute() {
        let mut c = Slot::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        let mut asked = 0;
        for t in (1_000..STALE_MS).step_by(10) {
            match c.plan(at(t), &RULES) {
                Plan::Answer(v) => assert_eq!(v, 5),
                Plan::Refresh { .. } => {
                    asked += 1;
                    // The refresher too answers from the stale value.
                    assert_eq!(
                        c.settle(at(t), Err(busy()), None, at(t + 1), &RULES)
                            .unwrap(),
                        5
                    );
                }
                other => panic!("at {t}: {other:?}"),
            }
        }
        // 1 s, 2 s, then every 4 s: at most one request per TTL.
        assert!(asked <= STALE_MS / TTL_MS, "{asked}");
        assert!(asked >= 10, "{asked}");
        // Past the bound nothing stale is served: busy until a refresh succeeds.
        let mut t = STALE_MS + 5;
        while let Plan::Refresh { .. } = c.plan(at(t), &RULES) {
            assert!(c.settle(at(t), Err(busy()), None, at(t), &RULES).is_err());
            t += 1;
        }
        assert_eq!(c.plan(at(t), &RULES), Plan::Busy);
    }

    #[test]
    fn refusals_are_answers_and_a_newer_cached_value_is_kept() {
        let mut c = Slot::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        assert!(matches!(c.plan(at(2_000), &RULES), Plan::Refresh { .. }));
        let refused = ApiError::Queue(QueueError::SaleUnavailable);
        assert!(c
            .settle(at(2_000), Err(refused), None, at(2_001), &RULES)
            .is_err());
        assert_eq!(
            c.plan(at(2_002), &RULES),
            Plan::Refused(QueueError::SaleUnavailable)
        );
        // Until the next refresh, the refusal is the answer (the stale value is not).
        let mut broken = Slot::<u64>::default();
        assert!(matches!(broken.plan(at(0), &RULES), Plan::Refresh { .. }));
        let refused = ApiError::Queue(QueueError::SaleUnavailable);
        assert!(broken
            .settle(at(0), Err(refused), None, at(1), &RULES)
            .is_err());
        assert_eq!(
            broken.plan(at(2), &RULES),
            Plan::Refused(QueueError::SaleUnavailable)
        );
        // The Cache API had a newer (stale) one than memory: it is what answers next.
        c.retry_at = at(0);
        assert!(matches!(c.plan(at(4_000), &RULES), Plan::Refresh { .. }));
        let answer = c.settle(
            at(4_000),
            Err(busy()),
            Some(taken(2_500)),
            at(4_001),
            &RULES,
        );
        assert_eq!(answer.unwrap(), 2_500);
        assert_eq!(c.plan(at(4_002), &RULES), Plan::Answer(2_500));
    }

    #[test]
    fn a_promoters_change_is_seen_at_once_by_its_isolate() {
        let mut c = Slot::default();
        refresh(&mut c, 0, 5, Ok(taken(5)));
        assert!(matches!(c.plan(at(900), &RULES), Plan::Answer(_)));
        // Even with a refresh under way (started before the change), the next request refreshes.
        assert!(matches!(c.plan(at(1_100), &RULES), Plan::Refresh { .. }));
        c.invalidate(at(1_200));
        assert_eq!(
            c.plan(at(1_300), &RULES),
            Plan::Refresh {
                not_before: at(1_200)
            }
        );
        // The old refresh's result (true before the change) answers its request, but is not
        // kept as fresh.
        let answer = c.settle(at(1_100), Ok(taken(1_150)), None, at(1_350), &RULES);
        assert_eq!(answer.unwrap(), 1_150);
        assert_eq!(c.plan(at(1_360), &RULES), Plan::Answer(5));
        let _ = c.settle(at(1_300), Ok(taken(1_310)), None, at(1_370), &RULES);
        assert_eq!(c.plan(at(1_380), &RULES), Plan::Answer(1_310));
    }

    #[test]
    fn without_a_refresher_or_stale_values_every_request_not_fresh_asks() {
        let rules = Rules::ASK_WHEN_NOT_FRESH;
        let mut c = Slot::default();
        assert!(matches!(c.plan(at(0), &rules), Plan::Refresh { .. }));
        // Another request meanwhile asks too: no waiting on someone else's I/O.
        assert!(matches!(c.plan(at(1), &rules), Plan::Refresh { .. }));
        assert_eq!(
            c.settle(at(0), Ok(taken(2)), None, at(3), &rules).unwrap(),
            2
        );
        assert_eq!(c.plan(at(4), &rules), Plan::Answer(2));
        // A failure is the answer, and the next request asks again at once: no backoff.
        assert!(matches!(
            c.plan(at(TTL_MS + 2), &rules),
            Plan::Refresh { .. }
        ));
        assert!(c
            .settle(at(TTL_MS + 2), Err(busy()), None, at(TTL_MS + 3), &rules)
            .is_err());
        assert!(matches!(
            c.plan(at(TTL_MS + 3), &rules),
            Plan::Refresh { .. }
        ));
        // A value fresh for no time is answered and not kept.
        let once = Kept {
            value: 7,
            at: at(TTL_MS + 4),
            fresh_until: at(TTL_MS + 4),
        };
        assert_eq!(
            c.settle(at(TTL_MS + 3), Ok(once), None, at(TTL_MS + 4), &rules)
                .unwrap(),
            7
        );
        assert!(matches!(
            c.plan(at(TTL_MS + 5), &rules),
            Plan::Refresh { .. }
        ));
        // A value put by this isolate answers at once.
        c.put(taken(TTL_MS + 6));
        assert_eq!(c.plan(at(TTL_MS + 7), &rules), Plan::Answer(TTL_MS + 6));
    }
}
