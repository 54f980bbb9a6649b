//! Rate limits per client address: a token bucket per key, in bounded memory.
//!
//! A bucket holds up to `per_minute` requests and refills at `per_minute` a minute, so a client
//! may take a burst of `per_minute` places and then one every `60 / per_minute` seconds. The
//! limiter holds at most `capacity` buckets: when a new key arrives at a full limiter, buckets that
//! have refilled completely (clients that went quiet, who would start full anyway) are dropped,
//! and if none has, the one untouched longest. Forgetting a busy key can only let it through
//! early, never refuse anyone wrongly.

use crate::time::UnixMillis;
use std::collections::HashMap;

/// The most requests a minute a limit may allow (per address).
pub const MAX_PER_MINUTE: u32 = 1_000_000;
/// What a limit is when neither the sale nor the environment says.
pub const DEFAULT_PER_MINUTE: u32 = 30;

/// A limit: at most this many place-taking requests a minute from one address (0: no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerMinute(u32);

impl PerMinute {
    pub const OFF: PerMinute = PerMinute(0);

    /// `n` if it is within `0..=MAX_PER_MINUTE`.
    pub fn new(n: u64) -> Option<Self> {
        u32::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_PER_MINUTE)
            .map(Self)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The address a rate limit counts a request against, from the header the platform sets
/// (`CF-Connecting-IP`; never one a client may add, such as `X-Forwarded-For`).
///
/// - An IPv4 address is its own budget.
/// - An IPv6 address counts by its /64: one subscriber or one LAN is routed a /64 and may pick
///   any of its 2^64 addresses, so counting each alone would give one client endless budgets.
/// - Anything that is not an IP address, or no header at all, is one shared budget,
///   [`ClientAddress::Unknown`]: the platform always sets the header, so only a request that
///   did not come through it (a local run, a misconfigured route) lacks it, and such requests
///   can never buy a budget each by making one up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientAddress {
    V4(std::net::Ipv4Addr),
    /// The first 64 bits of an IPv6 address.
    V6Prefix(u64),
    Unknown,
}

impl ClientAddress {
    pub fn of(header: Option<&str>) -> Self {
        match header
            .map(str::trim)
            .and_then(|h| h.parse::<std::net::IpAddr>().ok())
        {
            Some(std::net::IpAddr::V4(v4)) => Self::V4(v4),
            Some(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::V4(v4),
                None => Self::V6Prefix((v6.to_bits() >> 64) as u64),
            },
            None => Self::Unknown,
        }
    }
}

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::V4(v4) => write!(f, "{v4}"),
            Self::V6Prefix(prefix) => {
                let groups = [prefix >> 48, prefix >> 32, prefix >> 16, *prefix];
                let [a, b, c, d] = groups.map(|g| g & 0xffff);
                write!(f, "{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: UnixMillis,
}

impl Bucket {
    fn refilled(self, per_minute: f64, now: UnixMillis) -> f64 {
        let elapsed = self.at.millis_until(now) as f64;
        (self.tokens + elapsed * per_minute / 60_000.0).min(per_minute)
    }
}

/// A refusal: the client may try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_ms: u64,
}

impl Limited {
    /// `Retry-After` in whole seconds, rounded up (at least 1).
    pub fn retry_after_s(self) -> u64 {
        self.retry_after_ms.div_ceil(1000).max(1)
    }
}

/// How an address stands against its budget (see [`RateLimiter::standing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Its next new place is within the budget (or the sale has no limit).
    Within,
    /// Over the budget by `excess` places (at least 1): what it took beyond the budget and has
    /// not refilled yet, counting the next one. A refusal would say to come back after
    /// `retry_after_ms`.
    Over { excess: u64, retry_after_ms: u64 },
}

/// The most places an address can be in debt for ([`RateLimiter::take`]): far past any price
/// it could pay ([`crate::fairness::place_price`] caps the bits), and what keeps a bucket's number small.
pub const MAX_DEBT: f64 = 1_000_000.0;

#[derive(Debug)]
pub struct RateLimiter {
    buckets: HashMap<String, Bucket>,
    capacity: usize,
}

impl RateLimiter {
    pub fn new(capacity: usize) -> Self {
        Self {
            buckets: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Takes one request from `key`'s bucket at `now`, or says how long until one is there: the
    /// hard limit as the tests count it (the edge asks [`Self::standing`], then
    /// [`crate::fairness::place_price`], then [`Self::take`]).
    #[cfg(test)]
    pub fn check(&mut self, key: &str, limit: PerMinute, now: UnixMillis) -> Result<(), Limited> {
        match self.standing(key, limit, now) {
            Standing::Within => {
                self.take(key, limit, now);
                Ok(())
            }
            Standing::Over { retry_after_ms, .. } => Err(Limited { retry_after_ms }),
        }
    }

    /// Where `key` stands at `now`, taking nothing.
    pub fn standing(&self, key: &str, limit: PerMinute, now: UnixMillis) -> Standing {
        if limit == PerMinute::OFF {
            return Standing::Within;
        }
        let per_minute = f64::from(limit.get());
        let tokens = self
            .buckets
            .get(key)
            .map_or(per_minute, |b| b.refilled(per_minute, now));
        if tokens >= 1.0 {
            return Standing::Within;
        }
        let missing = 1.0 - tokens;
        Standing::Over {
            excess: missing.ceil() as u64,
            retry_after_ms: (missing * 60_000.0 / per_minute).ceil() as u64,
        }
    }

    /// Takes one place from `key`'s budget at `now`, going into debt past it (at most
    /// [`MAX_DEBT`]): an address over its budget that paid the price for a place (see
    /// [`crate::fairness::place_price`]) owes it, and refills at the budget's rate like any bucket.
    pub fn take(&mut self, key: &str, limit: PerMinute, now: UnixMillis) {
        if limit == PerMinute::OFF {
            return;
        }
        let per_minute = f64::from(limit.get());
        let tokens = match self.buckets.get(key) {
            Some(bucket) => bucket.refilled(per_minute, now),
            None => {
                self.make_room(per_minute, now);
                per_minute
            }
        };
        let bucket = Bucket {
            tokens: (tokens - 1.0).max(-MAX_DEBT),
            at: now,
        };
        self.buckets.insert(key.to_owned(), bucket);
    }

    /// Gives `key` back the place [`Self::take`] took (it bought nothing), never past a full
    /// bucket.
    pub fn give_back(&mut self, key: &str, limit: PerMinute, now: UnixMillis) {
        if limit == PerMinute::OFF {
            return;
        }
        let per_minute = f64::from(limit.get());
        if let Some(bucket) = self.buckets.get_mut(key) {
            let tokens = bucket.refilled(per_minute, now);
            *bucket = Bucket {
                tokens: (tokens + 1.0).min(per_minute),
                at: now,
            };
        }
    }

    fn make_room(&mut self, per_minute: f64, now: UnixMillis) {
        if self.buckets.len() < self.capacity {
            return;
        }
        self.buckets
            .retain(|_, b| b.refilled(per_minute, now) < per_minute);
        if self.buckets.len() >= self.capacity {
            if let Some(oldest) = self
                .buckets
                .iter()
                .min_by_key(|(_, b)| b.at)
                .map(|(k, _)| k.clone())
            {
                self.buckets.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn per(n: u64) -> PerMinute {
        PerMinute::new(n).unwrap()
    }

    #[test]
    fn addresses_are_ips_and_ipv6_counts_by_its_64() {
        let of = |h: &str| ClientAddress::of(Some(h)).to_string();
        assert_eq!(of("203.0.113.7"), "203.0.113.7");
        assert_eq!(of(" 203.0.113.7 "), "203.0.113.7");
        assert_eq!(
            of("::ffff:203.0.113.7"),
            "203.0.113.7",
            "v4-mapped is the v4 address"
        );
        // Every address of one /64 is one budget; the next /64 is another.
        assert_eq!(of("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(of("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(of("2001:db8:1:3::1"), "2001:db8:1:3::/64");
        // Anything else, and no header, is the one shared unknown budget.
        for made_up in [
            "",
            "unknown",
            "fan-17",
            "203.0.113.7, 10.0.0.1",
            "1.2.3.4.5",
            "[::1]",
        ] {
            assert_eq!(
                ClientAddress::of(Some(made_up)),
                ClientAddress::Unknown,
                "{made_up:?}"
            );
        }
        assert_eq!(ClientAddress::of(None), ClientAddress::Unknown);
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let mut rl = RateLimiter::new(10);
        let t = UnixMillis(1_000_000);
        for _ in 0..3 {
            assert_eq!(rl.check("a", per(3), t), Ok(()));
        }
        let refused = rl.check("a", per(3), t).unwrap_err();
        assert_eq!(refused.retry_after_ms, 20_000);
        assert_eq!(refused.retry_after_s(), 20);
        // Another address has its own bucket.
        assert_eq!(rl.check("b", per(3), t), Ok(()));
        // Recovered after the interval, and only one came back.
        assert!(rl.check("a", per(3), t.plus_millis(19_000)).is_err());
        assert_eq!(rl.check("a", per(3), t.plus_millis(20_001)), Ok(()));
        assert!(rl.check("a", per(3), t.plus_millis(20_002)).is_err());
    }

    #[test]
    fn off_never_limits_and_bounds_hold() {
        let mut rl = RateLimiter::new(1);
        for _ in 0..100 {
            assert_eq!(rl.check("a", PerMinute::OFF, UnixMillis(0)), Ok(()));
        }
        assert!(rl.is_empty());
        assert_eq!(PerMinute::new(u64::from(MAX_PER_MINUTE) + 1), None);
        assert_eq!(PerMinute::new(0), Some(PerMinute::OFF));
    }

    #[test]
    fn a_full_limiter_drops_idle_buckets_first() {
        let mut rl = RateLimiter::new(2);
        let t = UnixMillis(0);
        rl.check("idle", per(60), t).unwrap();
        let busy_at = t.plus_millis(50_000);
        for _ in 0..60 {
            rl.check("busy", per(60), busy_at).unwrap();
        }
        // A second later "idle" has refilled completely and makes room; "busy" has one request.
        let later = busy_at.plus_millis(1_000);
        rl.check("new", per(60), later).unwrap();
        assert_eq!(rl.len(), 2);
        // "busy" is still remembered: one request, then refused (a fresh bucket would take 60).
        assert_eq!(rl.check("busy", per(60), later), Ok(()));
        assert!(rl.check("busy", per(60), later).is_err());
    }

    #[test]
    fn taking_past_the_budget_is_debt_that_refills_at_the_budgets_rate() {
        let mut rl = RateLimiter::new(10);
        let t = UnixMillis(0);
        for _ in 0..3 {
            assert_eq!(rl.standing("a", per(3), t), Standing::Within);
            rl.take("a", per(3), t);
        }
        // Over by one for the next place; three more taken make it four.
        assert_eq!(
            rl.standing("a", per(3), t),
            Standing::Over {
                excess: 1,
                retry_after_ms: 20_000
            }
        );
        for _ in 0..3 {
            rl.take("a", per(3), t);
        }
        assert!(matches!(
            rl.standing("a", per(3), t),
            Standing::Over { excess: 4, .. }
        ));
        // The debt refills at 3 a minute: a minute later the excess is one again.
        assert!(matches!(
            rl.standing("a", per(3), t.plus_millis(60_000)),
            Standing::Over { excess: 1, .. }
        ));
        assert_eq!(
            rl.standing("a", per(3), t.plus_millis(80_000)),
            Standing::Within
        );
        // A place given back (it bought nothing) is the address's again.
        rl.give_back("a", per(3), t.plus_millis(80_000));
        assert_eq!(
            rl.standing("a", per(3), t.plus_millis(80_000)),
            Standing::Within
        );
        // Standing takes nothing; no limit is always within.
        assert_eq!(rl.standing("b", per(3), t), Standing::Within);
        assert!(rl.standing("b", PerMinute::OFF, t) == Standing::Within);
        rl.take("b", PerMinute::OFF, t);
        assert_eq!(rl.len(), 1);
    }

    proptest! {
        #[test]
        fn never_more_than_the_limit_in_any_minute_and_memory_bounded(
            steps in proptest::collection::vec((0u8..4, 0u64..3_000), 1..300),
            limit in 1u64..20,
        ) {
            // Large enough that no key is forgotten: the count is exact.
            let mut rl = RateLimiter::new(8);
            let mut now = 0u64;
            let mut accepted: Vec<(u8, u64)> = Vec::new();
            for (key, dt) in steps {
                now += dt;
                if rl.check(&key.to_string(), per(limit), UnixMillis(now)).is_ok() {
                    accepted.push((key, now));
                }
                // Any 60 s span holds at most 2 * limit: the burst and a minute's refill.
                let in_minute = accepted
                    .iter()
                    .filter(|(k, at)| *k == key && now - at < 60_000)
                    .count() as u64;
                prop_assert!(in_minute <= 2 * limit);
                prop_assert!(rl.len() <= 8);
            }
        }

        #[test]
        fn many_keys_never_grow_past_capacity(keys in proptest::collection::vec(0u32..1000, 1..500), cap in 1usize..50) {
            let mut rl = RateLimiter::new(cap);
            for (i, k) in keys.into_iter().enumerate() {
                let _ = rl.check(&k.to_string(), per(5), UnixMillis(i as u64));
                prop_assert!(rl.len() <= cap);
            }
        }
    }
}
