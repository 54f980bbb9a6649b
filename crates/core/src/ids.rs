//! Identifiers that validate when parsed, so the rest of the code never sees a bad one.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A fan's arrival number within a sale: 1 for the first fan to join.
pub type Seq = u64;

/// A place in the line's order, where the line's front (`head`), its gaps and presence are kept.
/// A fan's position is their arrival number, except a pre-queue fan's after the draw: the drawn
/// one ([`crate::queue::draw::Permutation::position_of`] of their number), a number of the same
/// range `1..=end`. So positions and arrival numbers share one range, `1..next_seq`, and a number
/// the draw did not move is its own position (`Position(seq)`). Not what a fan is told: how many
/// are ahead of them is a count (`Joined::ahead`, and `position`, one more).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Position(pub u64);

impl Add<u64> for Position {
    type Output = Position;

    fn add(self, n: u64) -> Position {
        Position(self.0 + n)
    }
}

impl AddAssign<u64> for Position {
    fn add_assign(&mut self, n: u64) {
        self.0 += n;
    }
}

/// How many positions from `other` to `self` (`self` is not before `other`).
impl Sub for Position {
    type Output = u64;

    fn sub(self, other: Position) -> u64 {
        self.0 - other.0
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `len` consecutive numbers from `start`: arrival numbers ([`SeqRange`]: a block, its used
/// prefix, its unused numbers) or positions ([`PositionRange`]: the line's gaps). On the wire and
/// in storage it is the pair `[start, len]`, as the tuples it replaced; it orders as they did
/// (by start, then length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span<T> {
    pub start: T,
    pub len: u64,
}

/// Arrival numbers `start..start + len`.
pub type SeqRange = Span<Seq>;
/// Positions `start..start + len`.
pub type PositionRange = Span<Position>;

impl<T> Span<T> {
    pub fn new(start: T, len: u64) -> Self {
        Self { start, len }
    }
}

impl<T: Copy + Add<u64, Output = T>> Span<T> {
    /// The first number after it.
    pub fn end(&self) -> T {
        self.start + self.len
    }
}

impl<T: Serialize> Serialize for Span<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (&self.start, self.len).serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Span<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (start, len) = <(T, u64)>::deserialize(deserializer)?;
        Ok(Self { start, len })
    }
}

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

    /// A position and a range are written as the numbers and tuples they replaced: the wire
    /// and storage forms did not change.
    #[test]
    fn positions_and_ranges_keep_the_tuple_forms() {
        assert_eq!(serde_json::to_string(&Position(7)).unwrap(), "7");
        let range = SeqRange::new(11, 3);
        assert_eq!(
            serde_json::to_string(&range).unwrap(),
            serde_json::to_string(&(11u64, 3u64)).unwrap()
        );
        assert_eq!(serde_json::to_string(&range).unwrap(), "[11,3]");
        assert_eq!(serde_json::from_str::<SeqRange>("[11,3]").unwrap(), range);
        let gaps = vec![
            PositionRange::new(Position(3), 2),
            PositionRange::new(Position(9), 1),
        ];
        assert_eq!(serde_json::to_string(&gaps).unwrap(), "[[3,2],[9,1]]");
        assert_eq!(
            serde_json::from_str::<Vec<PositionRange>>("[[3,2],[9,1]]").unwrap(),
            gaps
        );
        assert!(serde_json::from_str::<SeqRange>("[11]").is_err());
        // Ordered as the tuples were: by start, then length.
        assert!(
            SeqRange::new(3, 9) < SeqRange::new(4, 1) && SeqRange::new(3, 1) < SeqRange::new(3, 2)
        );
        assert_eq!(
            (range.end(), Position(5) + 2, Position(9) - Position(5)),
            (14, Position(7), 4)
        );
    }
}
