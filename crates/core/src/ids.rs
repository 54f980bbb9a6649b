//! Identifiers that validate when parsed, so the rest of the code never sees a bad one.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A fan's arrival number within a sale: 1 for the first fan to join.
pub type Seq = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub what: &'static str,
    pub rule: &'static str,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must match {}", self.what, self.rule)
    }
}

impl std::error::Error for IdError {}

macro_rules! validated_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $rule:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, IdError> {
                let check: fn(&str) -> bool = $check;
                if check(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(IdError { what: $what, rule: $rule })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::parse(text)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

validated_id!(
    /// A sale's id, as in `/s/{sale}`: `^[a-z0-9][a-z0-9-]{0,63}$`.
    SaleId,
    "sale id",
    "^[a-z0-9][a-z0-9-]{0,63}$",
    |s| {
        let b = s.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && is_lower_alnum(b[0])
            && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
    }
);

/// The canary sale every environment's synthetic monitor runs its fan through
/// ([`crate::monitor`]); never put in the sales registry, so the dashboard never shows it.
pub const CANARY_SALE: &str = "canary";

impl SaleId {
    /// An id kept for the service's own sale (the synthetic monitor's canary, [`CANARY_SALE`]):
    /// no fan route reaches it and no promoter creates it, so no crowd can take its places and
    /// starve the monitor's fan.
    pub fn is_reserved(&self) -> bool {
        self.0 == CANARY_SALE
    }
}

validated_id!(
    /// A fan's id: `fan_` and 20 lowercase hex digits, derived from the sale and arrival number.
    FanId,
    "fan id",
    "^fan_[0-9a-f]{20}$",
    |s| {
        s.len() == 24
            && s.starts_with("fan_")
            && s.as_bytes()[4..].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    }
);

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':')
}

validated_id!(
    /// The name an origin gives one of its ticket-issuing windows: `^[A-Za-z0-9._:-]{1,64}$`.
    WindowId,
    "window",
    "^[A-Za-z0-9._:-]{1,64}$",
    |s| (1..=64).contains(&s.len()) && s.bytes().all(is_token_char)
);

validated_id!(
    /// An origin's idempotency key for one pull: `^[A-Za-z0-9._:-]{1,128}$`.
    RequestId,
    "request_id",
    "^[A-Za-z0-9._:-]{1,128}$",
    |s| (1..=128).contains(&s.len()) && s.bytes().all(is_token_char)
);

impl WindowId {
    /// The window named after a sale's admission mode (`rate`, `capacity`): the fans the
    /// coordinator admits by itself are assigned to it.
    pub fn of_mode(mode: &'static str) -> Self {
        Self(mode.to_owned())
    }
}

impl FanId {
    /// Builds the id from the 10 bytes that identify the fan.
    pub fn from_bytes(bytes: [u8; 10]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut id = String::with_capacity(24);
        id.push_str("fan_");
        for b in bytes {
            id.push(char::from(HEX[usize::from(b >> 4)]));
            id.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        Self(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sale_ids() {
        for good in ["a", "0", "summer-tour-2027", &"a".repeat(64)] {
            assert!(SaleId::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-a",
            "A",
            "a_b",
            "a b",
            "é",
            &"a".repeat(65),
            "a/b",
            "../x",
        ] {
            assert!(SaleId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fan_ids_round_trip() {
        let id = FanId::from_bytes([0xab; 10]);
        assert_eq!(id.as_str(), "fan_abababababababababab");
        assert_eq!(
            FanId::from_bytes([0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0x9a, 0xc3, 0xf0, 0xff])
                .as_str(),
            "fan_00010f107f809ac3f0ff"
        );
        assert_eq!(FanId::parse(id.as_str()).unwrap(), id);
        assert!(FanId::parse("fan_ABABABABABABABABABAB").is_err());
        assert!(FanId::parse("fan_abab").is_err());
    }

    #[test]
    fn window_and_request_ids() {
        assert!(WindowId::parse("window-1").is_ok());
        assert!(WindowId::parse("").is_err());
        assert!(WindowId::parse("w 1").is_err());
        assert!(RequestId::parse("3f0c:pull:17").is_ok());
        assert!(RequestId::parse(&"r".repeat(129)).is_err());
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<SaleId>("\"Bad\"").is_err());
        assert_eq!(
            serde_json::from_str::<SaleId>("\"ok-1\"").unwrap(),
            SaleId::parse("ok-1").unwrap()
        );
    }
}
