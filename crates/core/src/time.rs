//! Time as the core sees it: milliseconds since the Unix epoch, always handed in by the caller.
//!
//! `std::time::SystemTime` panics on `wasm32-unknown-unknown`, and a state machine that reads
//! the clock itself cannot be tested deterministically, so no code in this crate reads a clock.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub u64);

/// Latest accepted instant (9999-12-31T23:59:59.999Z): keeps every stored time formattable.
const MAX_MILLIS: u64 = 253_402_300_799_999;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError(pub String);

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl UnixMillis {
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs * 1000)
    }

    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    pub fn plus_secs(self, secs: u64) -> Self {
        Self(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    pub fn plus_millis(self, millis: u64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    /// Milliseconds from `self` until `later`, zero if `later` is not later.
    pub fn millis_until(self, later: UnixMillis) -> u64 {
        later.0.saturating_sub(self.0)
    }

    /// The whole minute this instant falls in, counted from the epoch.
    pub const fn minute(self) -> u64 {
        self.0 / 60_000
    }

    /// Parses an RFC 3339 timestamp such as `2026-12-01T10:00:00Z` or `...+01:00`.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimeError> {
        let parsed = OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|e| TimeError(format!("`{text}` is not an RFC 3339 time: {e}")))?;
        let millis = parsed.unix_timestamp_nanos() / 1_000_000;
        u64::try_from(millis)
            .ok()
            .filter(|m| *m <= MAX_MILLIS)
            .map(UnixMillis)
            .ok_or_else(|| TimeError(format!("`{text}` is outside 1970..9999")))
    }

    /// Formats as RFC 3339 in UTC with millisecond precision only when needed.
    pub fn to_rfc3339(self) -> String {
        let clamped = self.0.min(MAX_MILLIS) as i128;
        let at = OffsetDateTime::from_unix_timestamp_nanos(clamped * 1_000_000)
            .expect("clamped to the representable range");
        at.format(&Rfc3339)
            .expect("UTC times always format as RFC 3339")
    }
}

impl fmt::Display for UnixMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Serde helper: a `UnixMillis` written as an RFC 3339 string in public JSON.
pub mod rfc3339 {
    use super::UnixMillis;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &UnixMillis, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<UnixMillis, D::Error> {
        let text = String::deserialize(d)?;
        UnixMillis::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<UnixMillis>` (`null` when absent).
    pub mod option {
        use super::UnixMillis;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(at: &Option<UnixMillis>, s: S) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => s.serialize_str(&at.to_rfc3339()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<UnixMillis>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|text| UnixMillis::parse_rfc3339(&text).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc3339() {
        let at = UnixMillis::parse_rfc3339("2026-12-01T10:00:00Z").unwrap();
        assert_eq!(at, UnixMillis(1_796_119_200_000));
        assert_eq!(at.to_rfc3339(), "2026-12-01T10:00:00Z");
        let with_ms = UnixMillis(at.0 + 250);
        assert_eq!(with_ms.to_rfc3339(), "2026-12-01T10:00:00.25Z");
        assert_eq!(
            UnixMillis::parse_rfc3339(&with_ms.to_rfc3339()).unwrap(),
            with_ms
        );
    }

    #[test]
    fn honours_offsets() {
        let utc = UnixMillis::parse_rfc3339("2026-12-01T10:00:00Z").unwrap();
        let cet = UnixMillis::parse_rfc3339("2026-12-01T11:00:00+01:00").unwrap();
        assert_eq!(utc, cet);
    }

    #[test]
    fn refuses_garbage_and_pre_epoch() {
        assert!(UnixMillis::parse_rfc3339("tomorrow").is_err());
        assert!(UnixMillis::parse_rfc3339("2026-12-01 10:00").is_err());
        assert!(UnixMillis::parse_rfc3339("1969-12-31T23:59:59Z").is_err());
    }
}
