//! The one-time link that moves a place to another device (docs/api.md, "Move my place").
//!
//! `m1.<payload>.<mac>`: the payload is base64url of the place's arrival number (8 bytes, big
//! endian), the hand it is given from (1 byte) and the link's expiry (Unix seconds, 8 bytes); the
//! MAC is HMAC-SHA256, truncated to 16 bytes, over `m1.<sale>.<payload>`, with a secret derived
//! from each queue-token key (`derive:move-link`, see [`TokenKeys::derive`]): the first signs,
//! every key verifies. The link is made at the edge without asking anyone; it is used once
//! because the move it names hands the place on from `hand`, after which `hand` no longer holds
//! it (the coordinator's compare, [`crate::queue::Queue::move_place`]).

use crate::ids::{SaleId, Seq};
use crate::keys::token::TokenKeys;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a move link is valid.
pub const MOVE_LINK_TTL_S: u64 = 300;
const VERSION: &str = "m1";
const PURPOSE: &str = "move-link";
const MAC_LEN: usize = 16;
/// Longer codes are refused before any decoding.
const MAX_LEN: usize = 128;

/// What a move link says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveLink {
    pub seq: Seq,
    /// The hand the place is given from: the link's maker's token's.
    pub hand: u8,
    /// Expires at, Unix seconds.
    pub exp: u64,
}

/// Why a move code was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveLinkError {
    /// Not a move code of this sale (or altered).
    Invalid,
    /// Older than [`MOVE_LINK_TTL_S`].
    Expired,
}

impl MoveLink {
    /// A link for the place `seq` held by `hand`, valid for [`MOVE_LINK_TTL_S`] from `now`.
    pub fn new(seq: Seq, hand: u8, now: UnixMillis) -> Self {
        Self {
            seq,
            hand,
            exp: now.as_secs() + MOVE_LINK_TTL_S,
        }
    }

    pub fn expires_at(&self) -> UnixMillis {
        UnixMillis::from_secs(self.exp)
    }

    /// The code, signed for `sale`.
    pub fn sign(&self, keys: &TokenKeys, sale: &SaleId) -> String {
        let mut payload = Vec::with_capacity(17);
        payload.extend_from_slice(&self.seq.to_be_bytes());
        payload.push(self.hand);
        payload.extend_from_slice(&self.exp.to_be_bytes());
        let payload = B64.encode(payload);
        let tag = mac(&keys.derive_current(PURPOSE), sale, &payload);
        format!("{VERSION}.{payload}.{}", B64.encode(tag))
    }

    /// Reads `code` for `sale` at `now`, comparing the MAC in constant time.
    pub fn verify(
        code: &str,
        keys: &TokenKeys,
        sale: &SaleId,
        now: UnixMillis,
    ) -> Result<Self, MoveLinkError> {
        let invalid = MoveLinkError::Invalid;
        if code.len() > MAX_LEN {
            return Err(invalid);
        }
        let mut parts = code.trim().split('.');
        let (Some(VERSION), Some(payload), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid);
        };
        let tag = B64.decode(tag).map_err(|_| invalid)?;
        let authentic = keys.derive(PURPOSE).iter().any(|secret| {
            let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
            m.update(signed(sale, payload).as_bytes());
            m.verify_truncated_left(&tag).is_ok() && tag.len() == MAC_LEN
        });
        if !authentic {
            return Err(invalid);
        }
        let bytes = B64.decode(payload).map_err(|_| invalid)?;
        let [s0, s1, s2, s3, s4, s5, s6, s7, hand, e0, e1, e2, e3, e4, e5, e6, e7] = bytes[..]
        else {
            return Err(invalid);
        };
        let link = Self {
            seq: u64::from_be_bytes([s0, s1, s2, s3, s4, s5, s6, s7]),
            hand,
            exp: u64::from_be_bytes([e0, e1, e2, e3, e4, e5, e6, e7]),
        };
        if now.as_secs() >= link.exp {
            return Err(MoveLinkError::Expired);
        }
        Ok(link)
    }
}

fn signed(sale: &SaleId, payload: &str) -> String {
    format!("{VERSION}.{sale}.{payload}")
}

fn mac(secret: &[u8; 32], sale: &SaleId, payload: &str) -> [u8; MAC_LEN] {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    m.update(signed(sale, payload).as_bytes());
    let full = m.finalize().into_bytes();
    let mut tag = [0; MAC_LEN];
    tag.copy_from_slice(&full[..MAC_LEN]);
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixMillis = UnixMillis(1_800_000_000_000);

    fn keys(text: &str) -> TokenKeys {
        TokenKeys::parse(text).unwrap()
    }

    fn sale(id: &str) -> SaleId {
        SaleId::parse(id).unwrap()
    }

    #[test]
    fn a_link_reads_back_for_its_sale_until_it_expires() {
        let k = keys("k1:a-very-long-secret-for-tests-0123456789");
        let link = MoveLink::new(42, 1, T0);
        let code = link.sign(&k, &sale("tour"));
        assert!(code.len() < 64, "short enough for a QR code: {code}");
        assert_eq!(MoveLink::verify(&code, &k, &sale("tour"), T0), Ok(link));
        let late = T0.plus_secs(MOVE_LINK_TTL_S);
        assert_eq!(
            MoveLink::verify(&code, &k, &sale("tour"), late),
            Err(MoveLinkError::Expired)
        );
        assert_eq!(
            MoveLink::verify(&code, &k, &sale("other"), T0),
            Err(MoveLinkError::Invalid)
        );
        // Rotated: the old key still verifies.
        let rotated = keys("k2:another-long-secret-for-tests-9876543210,k1:a-very-long-secret-for-tests-0123456789");
        assert_eq!(
            MoveLink::verify(&code, &rotated, &sale("tour"), T0),
            Ok(link)
        );
    }

    #[test]
    fn an_altered_or_foreign_code_is_refused() {
        let k = keys("k1:a-very-long-secret-for-tests-0123456789");
        let code = MoveLink::new(42, 0, T0).sign(&k, &sale("tour"));
        let other = keys("k1:another-long-secret-for-tests-9876543210");
        assert_eq!(
            MoveLink::verify(&code, &other, &sale("tour"), T0),
            Err(MoveLinkError::Invalid)
        );
        // Another number under the same MAC.
        let forged = MoveLink::new(43, 0, T0).sign(&other, &sale("tour"));
        let (_, forged_payload) = forged.split_once('.').unwrap();
        let (forged_payload, _) = forged_payload.split_once('.').unwrap();
        let tag = code.rsplit_once('.').unwrap().1;
        let spliced = format!("m1.{forged_payload}.{tag}");
        assert_eq!(
            MoveLink::verify(&spliced, &k, &sale("tour"), T0),
            Err(MoveLinkError::Invalid)
        );
        for junk in ["", "m1", "m1..", "m1.a.b.c", "v1.x.y", &"m".repeat(200)] {
            assert_eq!(
                MoveLink::verify(junk, &k, &sale("tour"), T0),
                Err(MoveLinkError::Invalid),
                "{junk}"
            );
        }
    }
}
