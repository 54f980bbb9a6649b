//! The pre-queue's draw: a keyed permutation of the pre-queue's arrival numbers that anyone can
//! check once the key is revealed.
//!
//! Fans who arrive while a sale is in its pre-queue get arrival numbers `1..=end` like anyone
//! else; at the draw their places in line are `draw(seq)`, a uniformly random permutation of
//! `1..=end` chosen by a 256-bit key. The key is chosen (by the adapter's randomness) before
//! the pre-queue opens, only its SHA-256 ([`DrawKey::commitment`]) is published until the draw,
//! and the key itself after it: so nobody can learn or steer the order in advance, and everyone
//! can recompute it afterwards.
//!
//! The permutation ([`Permutation`]) is a balanced Feistel network of [`ROUNDS`] rounds over the
//! smallest domain of `2h` bits (`h >= 1`) holding `end` values, with cycle walking down to
//! `0..end`; the version ([`DrawVersion`], published as the draw's `algorithm`) says its round
//! function:
//!
//! ```text
//! x = seq - 1                          (0 <= x < end)
//! repeat: x = E(x) until x < end       (cycle walking)
//! position = x + 1
//! E(x): L = x >> h, R = x & (2^h - 1)
//!       for r in 0..ROUNDS: (L, R) = (R, L xor F(r, R))
//!       return (L << h) | R
//! v1: F(r, R) = first 8 bytes, big-endian, of
//!           HMAC-SHA256(key, "waitroom-draw-v1" || u64be(end) || u8(r) || u64be(R)), masked to h bits
//! v2: F(r, R) = SipHash-2-4(K, u8(r) || u64be(R)), masked to h bits, where the 128-bit key K is
//!           the first 16 bytes of HMAC-SHA256(key, "waitroom-draw-v2" || u64be(end))
//!           (k0 = bytes 0..8 and k1 = bytes 8..16, little-endian, as SipHash reads its key) and
//!           SipHash's output is the reference implementation's 64-bit value
//! ```
//!
//! v2 is v1 with a faster round function (one SipHash of 9 bytes instead of one HMAC-SHA256,
//! about 20 times less work), keyed once per permutation (one HMAC): the same key, commitment and
//! reveal, and the same unpredictability before the reveal (K follows from the secret key through
//! HMAC-SHA256, and SipHash-2-4 is a pseudorandom function of its 128-bit key). Keys chosen since v2 are drawn
//! with v2; a sale whose key was chosen before keeps v1 (its stored record has no version), so
//! its draw is computed and verified as it was published.
//!
//! Its inverse ([`Permutation::seq_at`]) runs the rounds backwards, with the same cycle walk.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use siphasher::sip::SipHasher24;
use std::fmt;
use std::hash::Hasher;

/// The current algorithm's name and version, published with every draw whose key is chosen now.
pub const ALGORITHM: &str = ALGORITHM_V2;
/// Version 1 (sales whose key was chosen before v2).
pub const ALGORITHM_V1: &str = "waitroom-draw-v1: feistel-hmac-sha256, 8 rounds, cycle walking";
/// Version 2.
pub const ALGORITHM_V2: &str =
    "waitroom-draw-v2: feistel-siphash24, hmac-sha256 round keys, 8 rounds, cycle walking";
/// Feistel rounds.
pub const ROUNDS: u8 = 8;
/// The round functions' domain separation.
const LABEL_V1: &[u8] = b"waitroom-draw-v1";
const LABEL_V2: &[u8] = b"waitroom-draw-v2";

/// Which round function a draw uses (see the module's text). A stored record without one is v1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawVersion {
    #[default]
    V1,
    V2,
}

impl DrawVersion {
    /// The version of every key chosen now.
    pub const CURRENT: DrawVersion = DrawVersion::V2;

    /// Its published name ([`DrawInfo::algorithm`]).
    pub fn algorithm(self) -> &'static str {
        match self {
            DrawVersion::V1 => ALGORITHM_V1,
            DrawVersion::V2 => ALGORITHM_V2,
        }
    }

    /// The version a published `algorithm` names, if this code knows it.
    pub fn from_algorithm(algorithm: &str) -> Option<Self> {
        [DrawVersion::V1, DrawVersion::V2]
            .into_iter()
            .find(|v| v.algorithm() == algorithm)
    }
}

/// The draw's secret key: 32 random bytes, chosen before the pre-queue opens. Serialized as 64
/// lowercase hex digits; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct DrawKey([u8; 32]);

impl DrawKey {
    /// A key from 32 random bytes (the caller's: the core has no randomness).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 hex digits.
    pub fn parse_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// The key as 64 lowercase hex digits: only to be published after the draw.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The published commitment: SHA-256 of the key's 32 bytes, as 64 lowercase hex digits.
    pub fn commitment(&self) -> String {
        hex(&Sha256::digest(self.0))
    }
}

impl fmt::Debug for DrawKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DrawKey(<redacted>)")
    }
}

impl Serialize for DrawKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for DrawKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("a draw key is 64 hex digits"))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The keyed permutation of arrival numbers `1..=end`.
#[derive(Clone)]
pub struct Permutation {
    rounds: RoundFunction,
    end: u64,
    half_bits: u32,
}

/// The round function, keyed once.
#[derive(Clone)]
enum RoundFunction {
    /// HMAC-SHA256 with the label and `end` absorbed.
    V1(Hmac<Sha256>),
    /// SipHash-2-4 keyed with K.
    V2(SipHasher24),
}

impl fmt::Debug for Permutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permutation(1..={}, <key redacted>)", self.end)
    }
}

impl Permutation {
    /// The permutation of `1..=end` under `key`, with the current version.
    pub fn new(key: &DrawKey, end: u64) -> Self {
        Self::with_version(DrawVersion::CURRENT, key, end)
    }

    /// The permutation of `1..=end` under `key`, with `version`'s round function.
    pub fn with_version(version: DrawVersion, key: &DrawKey, end: u64) -> Self {
        let mut half_bits = 1;
        while (1u128 << (2 * half_bits)) < u128::from(end) {
            half_bits += 1;
        }
        let keyed = |label: &[u8]| {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
            mac.update(label);
            mac.update(&end.to_be_bytes());
            mac
        };
        let rounds = match version {
            DrawVersion::V1 => RoundFunction::V1(keyed(LABEL_V1)),
            DrawVersion::V2 => {
                let bytes = keyed(LABEL_V2).finalize().into_bytes();
                let word =
                    |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
                RoundFunction::V2(SipHasher24::new_with_keys(word(0), word(8)))
            }
        };
        Self {
            rounds,
            end,
            half_bits,
        }
    }

    /// The permutation a published draw describes, if its algorithm is one this code knows and
    /// its key is revealed.
    pub fn of_draw(info: &DrawInfo) -> Option<Self> {
        let version = DrawVersion::from_algorithm(&info.algorithm)?;
        Some(Self::with_version(version, info.key.as_ref()?, info.end))
    }

    /// The last number permuted.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether `seq` is one of the permuted numbers.
    pub fn covers(&self, seq: u64) -> bool {
        (1..=self.end).contains(&seq)
    }

    /// The drawn position (1-based) of arrival number `seq`; numbers outside `1..=end` keep
    /// their own.
    pub fn position_of(&self, seq: u64) -> u64 {
        if !self.covers(seq) {
            return seq;
        }
        let mut x = seq - 1;
        loop {
            x = self.encrypt(x);
            if x < self.end {
                return x + 1;
            }
        }
    }

    /// The arrival number drawn to `position`: the inverse of [`Permutation::position_of`].
    pub fn seq_at(&self, position: u64) -> u64 {
        if !self.covers(position) {
            return position;
        }
        let mut x = position - 1;
        loop {
            x = self.decrypt(x);
            if x < self.end {
                return x + 1;
            }
        }
    }

    fn mask(&self) -> u64 {
        (1u64 << self.half_bits) - 1
    }

    fn round(&self, r: u8, half: u64) -> u64 {
        let value = match &self.rounds {
            RoundFunction::V1(mac) => {
                let mut mac = mac.clone();
                mac.update(&[r]);
                mac.update(&half.to_be_bytes());
                let digest = mac.finalize().into_bytes();
                u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
            }
            RoundFunction::V2(keyed) => {
                let mut input = [r; 9];
                input[1..].copy_from_slice(&half.to_be_bytes());
                let mut sip = *keyed;
                sip.write(&input);
                sip.finish()
            }
        };
        value & self.mask()
    }

    fn encrypt(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half_bits, x & self.mask());
        for round in 0..ROUNDS {
            (l, r) = (r, l ^ self.round(round, r));
        }
        (l << self.half_bits) | r
    }

    fn decrypt(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half_bits, x & self.mask());
        for round in (0..ROUNDS).rev() {
            (l, r) = (r ^ self.round(round, l), l);
        }
        (l << self.half_bits) | r
    }
}

/// What `GET /api/sales/{sale}/draw` publishes, and what the verifier reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawInfo {
    /// The draw's [`DrawVersion::algorithm`]: [`ALGORITHM`] for every key chosen now.
    pub algorithm: String,
    /// SHA-256 of the key, hex: published from the moment the key was chosen.
    pub commitment: String,
    /// The key, hex, once the draw has happened (`null` before).
    pub key: Option<DrawKey>,
    /// The pre-queue's arrival numbers are `1..=end` (0: nobody arrived in the pre-queue; final
    /// once the key is revealed).
    pub end: u64,
}

impl DrawInfo {
    /// Whether the revealed key matches the commitment (`None` before it is revealed).
    pub fn key_matches(&self) -> Option<bool> {
        self.key.as_ref().map(|k| k.commitment() == self.commitment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn key(n: u64) -> DrawKey {
        DrawKey::from_bytes(Sha256::digest(n.to_be_bytes()).into())
    }

    #[test]
    fn the_key_round_trips_and_commits() {
        let k = key(1);
        let text = serde_json::to_string(&k).unwrap();
        assert_eq!(serde_json::from_str::<DrawKey>(&text).unwrap(), k);
        assert_eq!(k.commitment().len(), 64);
        assert_ne!(k.commitment(), k.to_hex());
        assert!(!format!("{k:?}").contains(&k.to_hex()[..8]));
        assert!(DrawKey::parse_hex("zz").is_none());
        // The commitment is SHA-256 of the bytes: the all-zero key's is well known.
        assert_eq!(
            DrawKey::from_bytes([0; 32]).commitment(),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
    }

    #[test]
    fn outside_the_range_numbers_keep_their_place() {
        let p = Permutation::new(&key(3), 10);
        assert_eq!(p.position_of(11), 11);
        assert_eq!(p.seq_at(0), 0);
        assert_eq!(Permutation::new(&key(3), 0).position_of(1), 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn it_is_a_bijection_on_any_range(end in 1u64..600, k in any::<u64>(), v1 in any::<bool>()) {
            let version = if v1 { DrawVersion::V1 } else { DrawVersion::V2 };
            let p = Permutation::with_version(version, &key(k), end);
            let mut seen = vec![false; end as usize];
            for seq in 1..=end {
                let pos = p.position_of(seq);
                prop_assert!((1..=end).contains(&pos));
                prop_assert!(!seen[(pos - 1) as usize], "{pos} drawn twice");
                seen[(pos - 1) as usize] = true;
                prop_assert_eq!(p.seq_at(pos), seq);
            }
        }

        #[test]
        fn large_ranges_invert(end in 1u64..u64::from(u32::MAX) * 8, seq in any::<u64>(), k in any::<u64>(), v1 in any::<bool>()) {
            let version = if v1 { DrawVersion::V1 } else { DrawVersion::V2 };
            let p = Permutation::with_version(version, &key(k), end);
            let seq = seq % end + 1;
            let pos = p.position_of(seq);
            prop_assert!((1..=end).contains(&pos));
            prop_assert_eq!(p.seq_at(pos), seq);
        }
    }

    /// Over many keys every ordering of a small range is about equally likely: a chi-square test
    /// of the 24 orderings of 4 numbers (23 degrees of freedom; 49.7 is the 0.1 % critical value),
    /// and of each number's position on a range that needs cycle walking.
    #[test]
    fn it_is_uniform() {
        let keys = 12_000u64;
        let mut orders: HashMap<Vec<u64>, u64> = HashMap::new();
        for k in 0..keys {
            let p = Permutation::new(&key(k), 4);
            *orders
                .entry((1..=4).map(|s| p.position_of(s)).collect())
                .or_default() += 1;
        }
        assert_eq!(orders.len(), 24, "every ordering occurs");
        let expected = keys as f64 / 24.0;
        let chi: f64 = orders
            .values()
            .map(|&n| (n as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi < 49.7, "chi-square {chi} over 23 degrees of freedom");

        // 5 numbers in a domain of 16: cycle walking. Each (number, position) cell: 24 degrees of
        // freedom per number; sum over all 5 numbers: 20 degrees of freedom for the table
        // (5x5 with fixed margins: 16), 0.1 % critical value 39.3.
        let mut cells = [[0u64; 5]; 5];
        for k in 0..keys {
            let p = Permutation::new(&key(1_000_000 + k), 5);
            for s in 1..=5u64 {
                cells[(s - 1) as usize][(p.position_of(s) - 1) as usize] += 1;
            }
        }
        let expected = keys as f64 / 5.0;
        let chi: f64 = cells
            .iter()
            .flatten()
            .map(|&n| (n as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi < 39.3, "chi-square {chi} over 16 degrees of freedom");
    }

    #[test]
    fn known_answers_pin_both_versions() {
        // If one changes, that algorithm changed: a new version, never an edit (sales drawn
        // with it are verified with it forever).
        let key = DrawKey::from_bytes([7; 32]);
        let order = |v| {
            let p = Permutation::with_version(v, &key, 10);
            (1..=10).map(|s| p.position_of(s)).collect::<Vec<u64>>()
        };
        assert_eq!(order(DrawVersion::V1), KNOWN_ORDER_V1);
        assert_eq!(order(DrawVersion::V2), KNOWN_ORDER_V2);
        assert_ne!(KNOWN_ORDER_V1, KNOWN_ORDER_V2);
    }

    const KNOWN_ORDER_V1: [u64; 10] = [5, 1, 4, 3, 10, 9, 6, 2, 8, 7];
    const KNOWN_ORDER_V2: [u64; 10] = [5, 10, 4, 1, 2, 6, 3, 9, 8, 7];

    #[test]
    fn siphash_is_the_reference_siphash_2_4() {
        // The reference test vector (Aumasson and Bernstein, appendix A): key 00..0f, message
        // 00..0e. A verifier in another language can rely on any SipHash-2-4.
        let k = |from: u8| u64::from_le_bytes(std::array::from_fn(|i| from + i as u8));
        let mut sip = SipHasher24::new_with_keys(k(0), k(8));
        sip.write(&(0u8..15).collect::<Vec<u8>>());
        assert_eq!(sip.finish(), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn published_algorithms_name_their_versions() {
        for v in [DrawVersion::V1, DrawVersion::V2] {
            assert_eq!(DrawVersion::from_algorithm(v.algorithm()), Some(v));
        }
        assert_eq!(ALGORITHM, DrawVersion::CURRENT.algorithm());
        assert_eq!(DrawVersion::from_algorithm("waitroom-draw-v9"), None);
        assert_eq!(
            serde_json::from_str::<DrawVersion>("\"v2\"").unwrap(),
            DrawVersion::V2
        );
        let key = DrawKey::from_bytes([1; 32]);
        let info = |algorithm: &str| DrawInfo {
            algorithm: algorithm.into(),
            commitment: key.commitment(),
            key: Some(key.clone()),
            end: 50,
        };
        let v1 = Permutation::of_draw(&info(ALGORITHM_V1)).unwrap();
        let old = Permutation::with_version(DrawVersion::V1, &key, 50);
        assert!((1..=50).all(|s| v1.position_of(s) == old.position_of(s)));
        assert!(Permutation::of_draw(&info("unknown")).is_none());
    }
}
