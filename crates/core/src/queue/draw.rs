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
//! The permutation ([`Permutation`], algorithm [`ALGORITHM`]) is a balanced Feistel network of
//! [`ROUNDS`] rounds over the smallest domain of `2h` bits (`h >= 1`) holding `end` values, with
//! HMAC-SHA256 as the round function, and cycle walking down to `0..end`:
//!
//! ```text
//! x = seq - 1                          (0 <= x < end)
//! repeat: x = E(x) until x < end       (cycle walking)
//! position = x + 1
//! E(x): L = x >> h, R = x & (2^h - 1)
//!       for r in 0..ROUNDS: (L, R) = (R, L xor F(r, R))
//!       return (L << h) | R
//! F(r, R) = first 8 bytes, big-endian, of
//!           HMAC-SHA256(key, "waitroom-draw-v1" || u64be(end) || u8(r) || u64be(R)), masked to h bits
//! ```
//!
//! Its inverse ([`Permutation::seq_at`]) runs the rounds backwards, with the same cycle walk.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The algorithm's name and version, published with the draw.
pub const ALGORITHM: &str = "waitroom-draw-v1: feistel-hmac-sha256, 8 rounds, cycle walking";
/// Feistel rounds.
pub const ROUNDS: u8 = 8;
/// The round function's domain separation.
const LABEL: &[u8] = b"waitroom-draw-v1";

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
    mac: Hmac<Sha256>,
    end: u64,
    half_bits: u32,
}

impl fmt::Debug for Permutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permutation(1..={}, <key redacted>)", self.end)
    }
}

impl Permutation {
    /// The permutation of `1..=end` under `key`.
    pub fn new(key: &DrawKey, end: u64) -> Self {
        let mut half_bits = 1;
        while (1u128 << (2 * half_bits)) < u128::from(end) {
            half_bits += 1;
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
        mac.update(LABEL);
        mac.update(&end.to_be_bytes());
        Self {
            mac,
            end,
            half_bits,
        }
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
        let mut mac = self.mac.clone();
        mac.update(&[r]);
        mac.update(&half.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) & self.mask()
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
    /// [`ALGORITHM`].
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
        fn it_is_a_bijection_on_any_range(end in 1u64..600, k in any::<u64>()) {
            let p = Permutation::new(&key(k), end);
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
        fn large_ranges_invert(end in 1u64..u64::from(u32::MAX) * 8, seq in any::<u64>(), k in any::<u64>()) {
            let p = Permutation::new(&key(k), end);
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
    fn a_known_answer_pins_the_algorithm() {
        // If this changes, the algorithm changed: bump ALGORITHM and docs/api.md.
        let p = Permutation::new(&DrawKey::from_bytes([7; 32]), 10);
        let order: Vec<u64> = (1..=10).map(|s| p.position_of(s)).collect();
        assert_eq!(order, KNOWN_ORDER);
    }

    const KNOWN_ORDER: [u64; 10] = [5, 1, 4, 3, 10, 9, 6, 2, 8, 7];
}
