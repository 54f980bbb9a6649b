//! Queue tokens: what a fan holds to prove their place in line.
//!
//! `v1.<kid>.<payload>.<mac>`: the payload is base64url JSON naming the sale, the fan and the
//! arrival number; the MAC is HMAC-SHA256 over `v1.<kid>.<payload>` with the key `kid` names. The
//! first key of the ring signs and every key verifies, so keys rotate without losing anyone's place.

use crate::ids::{FanId, SaleId, Seq};
use crate::keys::secret_strength::check_strength;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;

/// How long a queue token is valid: longer than any sale's line.
pub const TOKEN_TTL_S: u64 = 24 * 3600;
const VERSION: &str = "v1";
/// Tokens longer than this are refused before any decoding.
const MAX_TOKEN_LEN: usize = 1024;

/// What a queue token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueToken {
    #[serde(rename = "s")]
    pub sale: SaleId,
    #[serde(rename = "f")]
    pub fan_id: FanId,
    #[serde(rename = "n")]
    pub seq: Seq,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
    /// The fan was granted the sale's assisted lane (absent: not).
    #[serde(rename = "a", default, skip_serializing_if = "std::ops::Not::not")]
    pub assist: bool,
    /// The hand this token holds the place as: 0 for the device that took it, one more for each
    /// move to another device (docs/api.md, "Move my place"). Only the place's current hand is
    /// its holder.
    #[serde(rename = "h", default, skip_serializing_if = "is_first_hand")]
    pub hand: u8,
}

fn is_first_hand(hand: &u8) -> bool {
    *hand == 0
}

impl QueueToken {
    pub fn new(sale: SaleId, fan_id: FanId, seq: Seq, now: UnixMillis) -> Self {
        Self {
            sale,
            fan_id,
            seq,
            iat: now.as_secs(),
            exp: now.as_secs() + TOKEN_TTL_S,
            assist: false,
            hand: 0,
        }
    }

    /// The same place's token, saying it was granted the assisted lane, issued at `now`.
    pub fn assisted(&self, now: UnixMillis) -> Self {
        Self {
            assist: true,
            hand: self.hand,
            ..Self::new(self.sale.clone(), self.fan_id.clone(), self.seq, now)
        }
    }

    /// The token of the place's next holder, after a move to `hand`: the same place and fan
    /// (and its assisted lane), issued now.
    pub fn moved_to(&self, hand: u8, now: UnixMillis) -> Self {
        Self {
            hand,
            assist: self.assist,
            ..Self::new(self.sale.clone(), self.fan_id.clone(), self.seq, now)
        }
    }
}

/// Why a token was refused. All of them are a 401 to the fan; the kinds are for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    UnknownKey,
    BadSignature,
    Expired,
    OtherSale,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Malformed => "the queue token is malformed",
            TokenError::UnknownKey => "the queue token was signed with an unknown key",
            TokenError::BadSignature => "the queue token's signature does not match",
            TokenError::Expired => "the queue token has expired",
            TokenError::OtherSale => "the queue token is for another sale",
        })
    }
}

impl std::error::Error for TokenError {}

#[derive(Clone)]
struct TokenKey {
    kid: String,
    mac: Hmac<Sha256>,
}

/// The HMAC keys from `TOKEN_KEYS`: `kid:secret[,kid:secret...]`, the first one signing.
#[derive(Clone)]
pub struct TokenKeys {
    keys: Vec<TokenKey>,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("TokenKeys")
            .field("kids", &kids)
            .finish_non_exhaustive()
    }
}

impl TokenKey {
    /// The key's HMAC over `derive:<purpose>`.
    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(format!("derive:{purpose}").as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn valid_kid(kid: &str) -> bool {
    (1..=32).contains(&kid.len())
        && kid
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

impl TokenKeys {
    /// Parses `kid:secret[,kid:secret...]`. Each secret needs at least 32 characters; kids are
    /// `[A-Za-z0-9_-]{1,32}` and unique.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut keys: Vec<TokenKey> = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (kid, secret) = entry
                .split_once(':')
                .ok_or("each entry must be kid:secret")?;
            if !valid_kid(kid) {
                return Err(format!("key id `{kid}` must match [A-Za-z0-9_-]{{1,32}}"));
            }
            if keys.iter().any(|k| k.kid == kid) {
                return Err(format!("key id `{kid}` appears twice"));
            }
            check_strength(secret).map_err(|e| format!("the secret for `{kid}` {e}"))?;
            let mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes any key length");
            keys.push(TokenKey {
                kid: kid.to_owned(),
                mac,
            });
        }
        if keys.is_empty() {
            return Err("needs at least one kid:secret".into());
        }
        Ok(Self { keys })
    }

    /// 32 secret bytes derived from each key for `purpose`, the signing key's first: the key's
    /// HMAC over `derive:<purpose>`, a text no token's signed part starts with (those start with
    /// the version), so a derived secret is never a token's MAC. Used for our invitation keys.
    pub fn derive(&self, purpose: &str) -> Vec<[u8; 32]> {
        self.keys.iter().map(|key| key.derive(purpose)).collect()
    }

    /// The signing key's secret for `purpose` alone (see [`Self::derive`]): for what only the
    /// current key needs to make and check, such as short-lived proof-of-work challenges.
    pub fn derive_current(&self, purpose: &str) -> [u8; 32] {
        self.keys[0].derive(purpose)
    }

    pub fn signing_kid(&self) -> &str {
        &self.keys[0].kid
    }

    pub fn sign(&self, token: &QueueToken) -> String {
        let key = &self.keys[0];
        let payload = B64.encode(serde_json::to_vec(token).expect("token serializes"));
        let signed = format!("{VERSION}.{}.{payload}", key.kid);
        let mut mac = key.mac.clone();
        mac.update(signed.as_bytes());
        format!("{signed}.{}", B64.encode(mac.finalize().into_bytes()))
    }

    /// Verifies a token for `sale` at `now`, comparing the MAC in constant time.
    pub fn verify(
        &self,
        text: &str,
        sale: &SaleId,
        now: UnixMillis,
    ) -> Result<QueueToken, TokenError> {
        if text.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let (signed, mac_b64) = text.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let mut parts = signed.splitn(3, '.');
        let (Some(VERSION), Some(kid), Some(payload)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or(TokenError::UnknownKey)?;
        let tag = B64.decode(mac_b64).map_err(|_| TokenError::Malformed)?;
        let mut mac = key.mac.clone();
        mac.update(signed.as_bytes());
        mac.verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        // Only an authentic payload is parsed.
        let bytes = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        let token: QueueToken =
            serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
        if &token.sale != sale {
            return Err(TokenError::OtherSale);
        }
        if now.as_secs() >= token.exp {
            return Err(TokenError::Expired);
        }
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET_A: &str = "a-very-long-secret-for-tests-0123456789";
    const SECRET_B: &str = "another-long-secret-for-tests-9876543210";

    fn sale() -> SaleId {
        SaleId::parse("tour").unwrap()
    }

    fn token() -> QueueToken {
        QueueToken::new(
            sale(),
            FanId::from_bytes([7; 10]),
            42,
            UnixMillis::from_secs(1_000),
        )
    }

    #[test]
    fn round_trips() {
        let keys = TokenKeys::parse(&format!("k1:{SECRET_A}")).unwrap();
        let text = keys.sign(&token());
        assert!(text.starts_with("v1.k1."));
        assert_eq!(
            keys.verify(&text, &sale(), UnixMillis::from_secs(1_001))
                .unwrap(),
            token()
        );
    }

    #[test]
    fn rotation_keeps_old_tokens_valid() {
        let old = TokenKeys::parse(&format!("k1:{SECRET_A}")).unwrap();
        let rotated = TokenKeys::parse(&format!("k2:{SECRET_B},k1:{SECRET_A}")).unwrap();
        let text = old.sign(&token());
        assert!(rotated
            .verify(&text, &sale(), UnixMillis::from_secs(1_001))
            .is_ok());
        assert!(rotated.sign(&token()).starts_with("v1.k2."));
        let dropped = TokenKeys::parse(&format!("k2:{SECRET_B}")).unwrap();
        assert_eq!(
            dropped.verify(&text, &sale(), UnixMillis::from_secs(1_001)),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn refuses_other_sale_expired_and_forged() {
        let keys = TokenKeys::parse(&format!("k1:{SECRET_A}")).unwrap();
        let text = keys.sign(&token());
        let other = SaleId::parse("other").unwrap();
        assert_eq!(
            keys.verify(&text, &other, UnixMillis::from_secs(1_001)),
            Err(TokenError::OtherSale)
        );
        let later = UnixMillis::from_secs(1_000 + TOKEN_TTL_S);
        assert_eq!(keys.verify(&text, &sale(), later), Err(TokenError::Expired));
        let attacker = TokenKeys::parse(&format!("k1:{SECRET_B}")).unwrap();
        assert_eq!(
            keys.verify(
                &attacker.sign(&token()),
                &sale(),
                UnixMillis::from_secs(1_001)
            ),
            Err(TokenError::BadSignature)
        );
        for junk in ["", "v1", "v1.k1.x", "v2.k1.e30.AAAA", &"v1.k1.".repeat(200)] {
            assert!(
                keys.verify(junk, &sale(), UnixMillis::from_secs(1_001))
                    .is_err(),
                "{junk}"
            );
        }
    }

    #[test]
    fn refuses_weak_rings() {
        assert!(TokenKeys::parse("").is_err());
        assert!(TokenKeys::parse("k1:short").is_err());
        assert!(TokenKeys::parse(&format!("k1{SECRET_A}")).is_err());
        assert!(TokenKeys::parse(&format!("k 1:{SECRET_A}")).is_err());
        assert!(TokenKeys::parse(&format!("k1:{SECRET_A},k1:{SECRET_B}")).is_err());
        assert!(TokenKeys::parse(&format!("k1:{}", "a".repeat(40))).is_err());
    }

    proptest! {
        /// Any altered byte of a token is refused.
        #[test]
        fn any_altered_byte_is_refused(index in any::<prop::sample::Index>(), replacement in any::<u8>()) {
            let keys = TokenKeys::parse(&format!("k1:{SECRET_A}")).unwrap();
            let text = keys.sign(&token());
            let mut bytes = text.clone().into_bytes();
            let i = index.index(bytes.len());
            prop_assume!(bytes[i] != replacement);
            bytes[i] = replacement;
            let altered = String::from_utf8_lossy(&bytes).into_owned();
            prop_assert!(keys.verify(&altered, &sale(), UnixMillis::from_secs(1_001)).is_err());
        }
    }
}
