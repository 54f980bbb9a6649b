//! Proof of work: what a client pays for a place in line.
//!
//! The edge hands out a **challenge**, a short text bound to one sale and one time window and
//! signed with a key only the worker knows, so issuing one stores nothing. A client finds a
//! **nonce** such that `SHA-256(challenge || nonce)` starts with at least the sale's `pow_bits`
//! zero bits (about `2^pow_bits` hashes on average); the edge checks it with one hash and one
//! HMAC. Each solution is accepted once: [`Verified::id`] names it, and [`SpentSolutions`]
//! remembers the ids until their challenge expires.
//!
//! The challenge's text is `{sale}.{window}.{salt}.{mac}`: `window` counts [`WINDOW_MS`] periods
//! from the epoch, `salt` is the URL-safe base64 of 9 random bytes the caller passes in (so two
//! clients never get the same challenge, and a client that counts nonces from 0 never finds
//! another's solution), and `mac` the URL-safe base64 of the first 16 bytes of
//! `HMAC-SHA256(key, "pow1|{sale}|{window}|{salt}")`. A challenge is accepted during its own
//! window and the next, so it lives between one and two windows.

use crate::ids::SaleId;
use crate::keys::pow_key::PowKey;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use subtle::ConstantTimeEq;

/// The hardest difficulty a sale may ask for: 2^26 hashes is tens of seconds on a phone.
pub const MAX_POW_BITS: u8 = 26;
/// How long a challenge's window is. A challenge is good for its window and the next.
pub const WINDOW_MS: u64 = 60_000;
/// The longest nonce accepted, in bytes.
pub const MAX_NONCE_BYTES: usize = 64;
/// Bytes of the HMAC kept in the challenge.
const MAC_BYTES: usize = 16;

/// The MAC a challenge carries: its sale, window and salt, under the worker's key.
fn challenge_mac(key: &PowKey, sale: &SaleId, window: u64, salt: &str) -> [u8; MAC_BYTES] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).expect("HMAC takes any key length");
    mac.update(format!("pow1|{sale}|{window}|{salt}").as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0; MAC_BYTES];
    out.copy_from_slice(&full[..MAC_BYTES]);
    out
}

/// A sale's difficulty: leading zero bits a solution's hash needs (0: no proof of work).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PowBits(u8);

impl PowBits {
    pub const OFF: PowBits = PowBits(0);

    /// `bits` if it is within `0..=MAX_POW_BITS`.
    pub fn new(bits: u64) -> Option<Self> {
        u8::try_from(bits)
            .ok()
            .filter(|b| *b <= MAX_POW_BITS)
            .map(Self)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn is_off(&self) -> bool {
        self.0 == 0
    }

    /// The hashes a solver tries on average: `2^bits`.
    pub fn expected_hashes(self) -> u64 {
        1 << self.0
    }
}

impl<'de> Deserialize<'de> for PowBits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bits = u64::deserialize(d)?;
        Self::new(bits).ok_or_else(|| {
            serde::de::Error::custom(format!("pow_bits must be between 0 and {MAX_POW_BITS}"))
        })
    }
}

/// A challenge as handed to a client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// The text to hash the nonce after.
    pub challenge: String,
    /// Leading zero bits the hash needs.
    pub bits: u8,
    /// The last instant a solution is accepted.
    #[serde(with = "crate::time::rfc3339")]
    pub expires_at: UnixMillis,
}

fn window_of(now: UnixMillis) -> u64 {
    now.0 / WINDOW_MS
}

/// When challenges of `window` stop being accepted: the end of the next window.
fn expiry_of(window: u64) -> UnixMillis {
    UnixMillis(window.saturating_add(2).saturating_mul(WINDOW_MS) - 1)
}

/// Random bytes that make each challenge unique.
pub type Salt = [u8; 9];

/// A fresh challenge for `sale` at `now`, asking for `bits`; `salt` is random.
pub fn issue(key: &PowKey, sale: &SaleId, bits: PowBits, now: UnixMillis, salt: Salt) -> Challenge {
    let window = window_of(now);
    let salt = B64.encode(salt);
    let mac = B64.encode(challenge_mac(key, sale, window, &salt));
    Challenge {
        challenge: format!("{sale}.{window}.{salt}.{mac}"),
        bits: bits.get(),
        expires_at: expiry_of(window),
    }
}

/// A client's answer to a challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    pub challenge: String,
    pub nonce: String,
}

/// Why a solution was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowError {
    /// The sale asks for proof of work and none came.
    Required,
    /// Not a challenge of ours, or a nonce that is empty, too long or not printable ASCII.
    Malformed,
    /// A challenge for another sale.
    OtherSale,
    /// The challenge's window is over (or not begun).
    Expired,
    /// The hash has fewer leading zero bits than the sale asks for.
    TooFewBits,
    /// This solution was accepted before.
    Spent,
}

impl fmt::Display for PowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PowError::Required => "this sale asks for proof of work: solve the challenge",
            PowError::Malformed => "the proof of work is not a solution to a challenge of ours",
            PowError::OtherSale => "the proof of work solves another sale's challenge",
            PowError::Expired => "the proof of work's challenge has expired",
            PowError::TooFewBits => "the proof of work has too few leading zero bits",
            PowError::Spent => "this proof of work was used already",
        })
    }
}

impl std::error::Error for PowError {}

/// A solution that checked out: `id` names it (for [`SpentSolutions`]) until `expires_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Verified {
    pub id: SolutionId,
    pub expires_at: UnixMillis,
}

/// The first 16 bytes of a solution's hash: what a replay is recognised by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SolutionId(pub [u8; 16]);

impl SolutionId {
    /// A number from the id, for spreading solutions over `n` places (arrival shards).
    pub fn spread(&self, n: u32) -> u32 {
        let v = u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]]);
        v % n.max(1)
    }
}

/// Leading zero bits of `hash`.
pub fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// `SHA-256(challenge || nonce)`.
pub fn hash(challenge: &str, nonce: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(challenge.as_bytes());
    h.update(nonce.as_bytes());
    h.finalize().into()
}

/// Checks `solution` for `sale` at `now` against difficulty `bits`: signature, sale, window and
/// hash. (Whether it was used before is [`SpentSolutions`]'s business.)
pub fn verify(
    key: &PowKey,
    sale: &SaleId,
    bits: PowBits,
    solution: &Solution,
    now: UnixMillis,
) -> Result<Verified, PowError> {
    let nonce = &solution.nonce;
    if nonce.is_empty()
        || nonce.len() > MAX_NONCE_BYTES
        || !nonce.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(PowError::Malformed);
    }
    let mut parts = solution.challenge.split('.');
    let (Some(for_sale), Some(window), Some(salt), Some(mac), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(PowError::Malformed);
    };
    let window: u64 = window.parse().map_err(|_| PowError::Malformed)?;
    let mac = B64.decode(mac).map_err(|_| PowError::Malformed)?;
    let for_sale = SaleId::parse(for_sale).map_err(|_| PowError::Malformed)?;
    if salt.len() > 16
        || !bool::from(challenge_mac(key, &for_sale, window, salt).ct_eq(mac.as_slice()))
    {
        return Err(PowError::Malformed);
    }
    if &for_sale != sale {
        return Err(PowError::OtherSale);
    }
    let current = window_of(now);
    if window > current || current - window > 1 {
        return Err(PowError::Expired);
    }
    let digest = hash(&solution.challenge, nonce);
    if leading_zero_bits(&digest) < u32::from(bits.get()) {
        return Err(PowError::TooFewBits);
    }
    let mut id = [0; 16];
    id.copy_from_slice(&digest[..16]);
    Ok(Verified {
        id: SolutionId(id),
        expires_at: expiry_of(window),
    })
}

/// Finds a nonce for `challenge` with `bits` leading zero bits, trying `start`, `start + 1`, ...
/// at most `max_tries` times: what a client does (and the benchmarks and tests).
pub fn solve(challenge: &str, bits: u8, start: u64, max_tries: u64) -> Option<String> {
    (start..start.saturating_add(max_tries))
        .map(|n| n.to_string())
        .find(|nonce| leading_zero_bits(&hash(challenge, nonce)) >= u32::from(bits))
}

/// How long past its challenge's expiry an object still counts a solution as spendable, and so
/// remembers it: the edge that verified it may have done so up to its expiry by its own clock,
/// and the join then travels to the object (whose clock may differ) before it is spent there.
/// A solution that reaches an object later than this is refused as spent, so the set may forget
/// it then: a copy is either still remembered or too late, never new again.
pub const SPEND_GRACE_MS: u64 = 30_000;

/// Solutions accepted that could still be spent, at most `capacity` of them: whoever takes the
/// places keeps one, so a solution is accepted once.
/// The most unexpired proof-of-work solutions a coordinator or arrival shard remembers: beyond
/// it joins are answered busy. 200,000 x ~60 bytes; more than a shard takes in two minutes.
pub const MAX_SPENT_SOLUTIONS: usize = 200_000;

#[derive(Debug)]
pub struct SpentSolutions {
    ids: HashSet<SolutionId>,
    /// The same, soonest to expire first.
    by_expiry: BTreeSet<(UnixMillis, SolutionId)>,
    capacity: usize,
}

/// Why [`SpentSolutions::spend`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpendError {
    /// Spent before.
    Spent,
    /// As many unexpired solutions as the set holds: try again shortly.
    Full,
}

impl SpentSolutions {
    pub fn new(capacity: usize) -> Self {
        Self {
            ids: HashSet::new(),
            by_expiry: BTreeSet::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Records `solution` as spent at `now`, unless it was spent before or the set is full of
    /// unexpired solutions.
    pub fn spend(&mut self, solution: Verified, now: UnixMillis) -> Result<(), SpendError> {
        self.forget_expired(now);
        let too_late = solution.expires_at.plus_millis(SPEND_GRACE_MS) < now;
        if too_late || self.ids.contains(&solution.id) {
            return Err(SpendError::Spent);
        }
        if self.ids.len() >= self.capacity {
            return Err(SpendError::Full);
        }
        self.ids.insert(solution.id);
        self.by_expiry.insert((solution.expires_at, solution.id));
        Ok(())
    }

    /// Spends the solution a join was paid with (if any), as [`Self::spend`].
    pub fn spend_for_join(
        &mut self,
        pow: Option<Verified>,
        now: UnixMillis,
    ) -> Result<(), SpendError> {
        pow.map_or(Ok(()), |v| self.spend(v, now))
    }

    /// Forgets `solution` again: the join it paid for was refused, so it bought nothing.
    pub fn forget(&mut self, solution: &Verified) {
        if self.ids.remove(&solution.id) {
            self.by_expiry.remove(&(solution.expires_at, solution.id));
        }
    }

    /// Forgets the solutions no copy of which could be spent any more ([`SPEND_GRACE_MS`]).
    fn forget_expired(&mut self, now: UnixMillis) {
        while let Some(&(expires_at, id)) = self.by_expiry.first() {
            if expires_at.plus_millis(SPEND_GRACE_MS) >= now {
                break;
            }
            self.ids.remove(&id);
            self.by_expiry.pop_first();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::token::TokenKeys;
    use proptest::prelude::*;

    fn key() -> PowKey {
        PowKey::new([7; 32])
    }

    fn sale(s: &str) -> SaleId {
        SaleId::parse(s).unwrap()
    }

    const T0: UnixMillis = UnixMillis(1_800_000_000_000);
    const SALT: Salt = [3; 9];

    fn solved(c: &Challenge) -> Solution {
        Solution {
            challenge: c.challenge.clone(),
            nonce: solve(&c.challenge, c.bits, 0, 1 << 24).unwrap(),
        }
    }

    #[test]
    fn a_solved_challenge_verifies_within_its_window_and_the_next() {
        let bits = PowBits::new(8).unwrap();
        let c = issue(&key(), &sale("s1"), bits, T0, SALT);
        let s = solved(&c);
        let ok = verify(&key(), &sale("s1"), bits, &s, T0).unwrap();
        assert_eq!(ok.expires_at, c.expires_at);
        assert_eq!(verify(&key(), &sale("s1"), bits, &s, c.expires_at), Ok(ok));
        assert!(c.expires_at.0 - T0.0 >= WINDOW_MS);
        assert_eq!(
            verify(&key(), &sale("s1"), bits, &s, c.expires_at.plus_millis(1)),
            Err(PowError::Expired)
        );
        // A challenge from the future (a clock far behind at issue) is no good either.
        assert_eq!(
            verify(&key(), &sale("s1"), bits, &s, UnixMillis(T0.0 - WINDOW_MS)),
            Err(PowError::Expired)
        );
    }

    #[test]
    fn refuses_other_sales_other_keys_and_too_few_bits() {
        let bits = PowBits::new(8).unwrap();
        let c = issue(&key(), &sale("s1"), bits, T0, SALT);
        let s = solved(&c);
        assert_eq!(
            verify(&key(), &sale("s2"), bits, &s, T0),
            Err(PowError::OtherSale)
        );
        assert_eq!(
            verify(&PowKey::new([8; 32]), &sale("s1"), bits, &s, T0),
            Err(PowError::Malformed)
        );
        // A difficulty raised after the challenge was solved: the solution may fall short.
        let harder = PowBits::new(MAX_POW_BITS.into()).unwrap();
        assert_eq!(
            verify(&key(), &sale("s1"), harder, &s, T0),
            Err(PowError::TooFewBits)
        );
        // A forged window or salt (the MAC covers both).
        let parts: Vec<&str> = c.challenge.split('.').collect();
        let window = T0.0 / WINDOW_MS + 1;
        for forged in [
            format!("s1.{window}.{}.{}", parts[2], parts[3]),
            format!("s1.{}.AAAAAAAAAAAA.{}", parts[1], parts[3]),
        ] {
            let forged = Solution {
                challenge: forged,
                nonce: s.nonce.clone(),
            };
            assert_eq!(
                verify(&key(), &sale("s1"), bits, &forged, T0),
                Err(PowError::Malformed)
            );
        }
        // Another salt is another challenge.
        let other = issue(&key(), &sale("s1"), bits, T0, [4; 9]);
        assert_ne!(other.challenge, c.challenge);
    }

    #[test]
    fn bad_text_is_malformed() {
        let c = issue(&key(), &sale("s1"), PowBits::OFF, T0, SALT);
        for (challenge, nonce) in [
            ("", "1"),
            ("s1", "1"),
            ("s1.1.2.3", "1"),
            ("s1.1.2.3.4.5", "1"),
            ("S1.1.AAAA", "1"),
            (c.challenge.as_str(), ""),
            (c.challenge.as_str(), "a b"),
            (c.challenge.as_str(), "é"),
        ] {
            let s = Solution {
                challenge: challenge.into(),
                nonce: nonce.into(),
            };
            assert_eq!(
                verify(&key(), &sale("s1"), PowBits::OFF, &s, T0),
                Err(PowError::Malformed),
                "{challenge:?} {nonce:?}"
            );
        }
        let long = Solution {
            challenge: c.challenge.clone(),
            nonce: "1".repeat(MAX_NONCE_BYTES + 1),
        };
        assert_eq!(
            verify(&key(), &sale("s1"), PowBits::OFF, &long, T0),
            Err(PowError::Malformed)
        );
    }

    #[test]
    fn the_key_is_derived_from_the_current_token_key_only() {
        let keys = |text: &str| TokenKeys::parse(text).unwrap();
        let current = keys(
            "k2:token-two-0123456789abcdefghijklmnopq,k1:token-one-0123456789abcdefghijklmnopq",
        );
        let c = issue(
            &PowKey::derived_from(&current),
            &sale("s1"),
            PowBits::OFF,
            T0,
            SALT,
        );
        let s = solved(&c);
        let check = |k: &TokenKeys| {
            verify(&PowKey::derived_from(k), &sale("s1"), PowBits::OFF, &s, T0).map(|_| ())
        };
        // The same current key (a second parse of the setting) verifies; the old key alone, or a
        // list whose current key is another, does not.
        assert_eq!(
            check(&keys("k2:token-two-0123456789abcdefghijklmnopq")),
            Ok(())
        );
        assert_eq!(
            check(&keys("k1:token-one-0123456789abcdefghijklmnopq")),
            Err(PowError::Malformed)
        );
    }

    #[test]
    fn difficulty_is_bounded() {
        assert_eq!(PowBits::new(0), Some(PowBits::OFF));
        assert_eq!(PowBits::new(26).map(PowBits::get), Some(26));
        assert_eq!(PowBits::new(27), None);
        assert_eq!(PowBits::new(256), None);
        assert!(serde_json::from_str::<PowBits>("27").is_err());
        assert_eq!(serde_json::from_str::<PowBits>("12").unwrap().get(), 12);
        assert_eq!(PowBits::new(10).unwrap().expected_hashes(), 1024);
    }

    #[test]
    fn counts_leading_zero_bits() {
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0x01]), 7);
        assert_eq!(leading_zero_bits(&[0, 0x0f]), 12);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }

    #[test]
    fn the_example_in_the_api_docs_holds() {
        // docs/api.md, "Proof of work": the first nonce with 8 zero bits for this text.
        let challenge = "demo.29666666.AAECAwQFBgcI.q83vEjRWeJCrze8SNFZ4kA";
        assert_eq!(solve(challenge, 8, 0, 10_000).as_deref(), Some(DOC_NONCE));
        assert_eq!(leading_zero_bits(&hash(challenge, DOC_NONCE)), DOC_BITS);
    }
    const DOC_NONCE: &str = "90";
    const DOC_BITS: u32 = 8;

    #[test]
    fn a_solution_is_spent_once_and_forgotten_only_once_no_copy_could_be_spent() {
        let mut spent = SpentSolutions::new(2);
        let v = |b: u8, exp: u64| Verified {
            id: SolutionId([b; 16]),
            expires_at: UnixMillis(exp),
        };
        let grace = SPEND_GRACE_MS;
        assert_eq!(spent.spend(v(1, 100), UnixMillis(0)), Ok(()));
        assert_eq!(
            spent.spend(v(1, 100), UnixMillis(50)),
            Err(SpendError::Spent)
        );
        // A copy the edge accepted just before expiry, reaching the object just after: still
        // spent (the race that bought several places with one solution).
        assert_eq!(
            spent.spend(v(1, 100), UnixMillis(101)),
            Err(SpendError::Spent)
        );
        assert_eq!(spent.spend(v(2, 200), UnixMillis(50)), Ok(()));
        assert_eq!(
            spent.spend(v(3, 200), UnixMillis(60)),
            Err(SpendError::Full)
        );
        // Past the grace, 1 is forgotten, and any copy of it is too late: never new again.
        let after = UnixMillis(100 + grace + 1);
        assert_eq!(spent.spend(v(3, 200 + grace), after), Ok(()));
        assert_eq!(spent.len(), 2);
        assert_eq!(spent.spend(v(1, 100), after), Err(SpendError::Spent));
        // A refused join gives its solution back.
        spent.forget(&v(3, 200 + grace));
        assert_eq!(spent.spend_for_join(Some(v(3, 200 + grace)), after), Ok(()));
        assert_eq!(spent.spend_for_join(None, after), Ok(()));
    }

    proptest! {
        #[test]
        fn any_found_nonce_verifies_and_any_other_sale_does_not(
            start in 0u64..1_000_000,
            bits in 0u8..=10,
            offset in 0u64..(2 * WINDOW_MS),
            s in "[a-z0-9][a-z0-9-]{0,20}",
        ) {
            let bits = PowBits::new(bits.into()).unwrap();
            let id = sale(&s);
            let c = issue(&key(), &id, bits, T0, SALT);
            let nonce = solve(&c.challenge, c.bits, start, 1 << 20).unwrap();
            let sol = Solution { challenge: c.challenge.clone(), nonce };
            let at = UnixMillis(T0.0 - T0.0 % WINDOW_MS + offset);
            let v = verify(&key(), &id, bits, &sol, at).unwrap();
            prop_assert!(leading_zero_bits(&hash(&sol.challenge, &sol.nonce)) >= u32::from(bits.get()));
            prop_assert!(v.expires_at >= at);
            let other = sale(&format!("{s}x"));
            prop_assert_eq!(verify(&key(), &other, bits, &sol, at), Err(PowError::OtherSale));
        }

        #[test]
        fn a_changed_nonce_or_challenge_byte_never_passes_for_the_original(
            nonce in "[0-9]{1,12}",
            flip in 0usize..40,
        ) {
            let c = issue(&key(), &sale("s1"), PowBits::OFF, T0, SALT);
            let mut text = c.challenge.clone().into_bytes();
            let i = flip % text.len();
            text[i] = if text[i] == b'A' { b'B' } else { b'A' };
            let changed = Solution { challenge: String::from_utf8(text).unwrap(), nonce };
            if changed.challenge != c.challenge {
                prop_assert!(verify(&key(), &sale("s1"), PowBits::OFF, &changed, T0).is_err());
            }
        }

        #[test]
        fn spent_set_never_accepts_a_solution_twice_and_never_grows_past_capacity(
            ids in proptest::collection::vec((0u8..20, 0u64..400), 1..200),
            capacity in 1usize..16,
        ) {
            // A solution's expiry is part of it (its challenge's window): one per id here.
            let expiry = |b: u8| UnixMillis(u64::from(b) * 7_000);
            let mut spent = SpentSolutions::new(capacity);
            let mut accepted: Vec<u8> = Vec::new();
            let mut now = UnixMillis(0);
            for (b, step) in ids {
                now = now.plus_millis(step * 5);
                let v = Verified { id: SolutionId([b; 16]), expires_at: expiry(b) };
                let too_late = expiry(b).plus_millis(SPEND_GRACE_MS) < now;
                match spent.spend(v, now) {
                    Ok(()) => {
                        prop_assert!(!accepted.contains(&b), "accepted {} twice", b);
                        prop_assert!(!too_late);
                        accepted.push(b);
                    }
                    Err(SpendError::Spent) => prop_assert!(too_late || accepted.contains(&b)),
                    Err(SpendError::Full) => {}
                }
                prop_assert!(spent.len() <= capacity);
            }
        }
    }
}
