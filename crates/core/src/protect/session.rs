//! The session of a fan admitted to a protected path: a cookie the edge signs (HMAC-SHA256 with a
//! key derived from the queue-token keys, so it rotates with them), naming the sale, the fan and
//! the pass they were admitted with, valid until `exp`. Each request in the second half of its
//! life renews it for another `session_s`, so a fan keeps it while active and loses it after
//! `session_s` without a request.

use crate::ids::{SaleId, Seq};
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What the session keys are derived for ([`crate::keys::token::TokenKeys::derive`]).
pub const KEY_PURPOSE: &str = "protect-session";
/// Longest cookie value read (a pass is well under 1 KB).
const MAX_COOKIE_LEN: usize = 3_000;

/// A protected path's session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    #[serde(rename = "s")]
    pub sale: SaleId,
    /// The fan, as the pass names them (`sub`).
    #[serde(rename = "f")]
    pub fan: String,
    /// The fan's number in the line (to forget their cached outcome when the session ends).
    #[serde(rename = "n")]
    pub seq: Seq,
    /// The hand of the fan's place (0, or more once moved to another device): with `seq`, whose
    /// cached outcome is theirs.
    #[serde(rename = "h", default)]
    pub hand: u8,
    /// The admission pass the fan was admitted with, handed to the origin in a header.
    #[serde(rename = "p")]
    pub pass: String,
    /// Expires at, Unix seconds.
    pub exp: u64,
}

/// Why a session cookie was refused: each means "no session" to the fan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    Malformed,
    BadSignature,
    Expired,
    OtherSale,
}

impl Session {
    pub fn new(
        sale: SaleId,
        (fan, seq): (String, Seq),
        pass: String,
        now: UnixMillis,
        session_s: u64,
    ) -> Self {
        Self {
            sale,
            fan,
            seq,
            hand: 0,
            pass,
            exp: now.as_secs() + session_s,
        }
    }

    /// The session renewed for `session_s` from `now`, if it is in the second half of its life.
    pub fn renewed(&self, now: UnixMillis, session_s: u64) -> Option<Self> {
        let left = self.exp.saturating_sub(now.as_secs());
        (left < session_s.div_ceil(2)).then(|| Self {
            exp: now.as_secs() + session_s,
            ..self.clone()
        })
    }

    pub fn sign(&self, key: &[u8; 32]) -> String {
        let payload = B64.encode(serde_json::to_vec(self).expect("a session serializes"));
        format!("{payload}.{}", B64.encode(mac(key, &payload)))
    }

    /// Verifies a cookie for `sale` at `now` against every key (the first one signs).
    pub fn verify(
        text: &str,
        keys: &[[u8; 32]],
        sale: &SaleId,
        now: UnixMillis,
    ) -> Result<Self, SessionError> {
        if text.len() > MAX_COOKIE_LEN {
            return Err(SessionError::Malformed);
        }
        let (payload, tag) = text.split_once('.').ok_or(SessionError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| SessionError::Malformed)?;
        let authentic = keys.iter().any(|key| {
            let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
            m.update(payload.as_bytes());
            m.verify_slice(&tag).is_ok()
        });
        if !authentic {
            return Err(SessionError::BadSignature);
        }
        let bytes = B64.decode(payload).map_err(|_| SessionError::Malformed)?;
        let session: Session =
            serde_json::from_slice(&bytes).map_err(|_| SessionError::Malformed)?;
        if &session.sale != sale {
            return Err(SessionError::OtherSale);
        }
        if now.as_secs() >= session.exp {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }
}

fn mac(key: &[u8; 32], payload: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(payload.as_bytes());
    m.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(id: &str) -> SaleId {
        SaleId::parse(id).unwrap()
    }

    #[test]
    fn a_session_verifies_until_it_expires_and_only_for_its_sale() {
        let key = [7u8; 32];
        let s = Session::new(
            sale("shop"),
            ("fan1".into(), 1),
            "pass".into(),
            UnixMillis(1_000_000),
            60,
        );
        let text = s.sign(&key);
        assert_eq!(
            Session::verify(&text, &[key], &sale("shop"), UnixMillis(1_059_000)),
            Ok(s.clone())
        );
        assert_eq!(
            Session::verify(&text, &[key], &sale("shop"), UnixMillis(1_060_000)),
            Err(SessionError::Expired)
        );
        assert_eq!(
            Session::verify(&text, &[key], &sale("other"), UnixMillis(1_000_000)),
            Err(SessionError::OtherSale)
        );
        // An old key still verifies after rotation; an unknown key does not.
        assert!(Session::verify(
            &text,
            &[[1u8; 32], key],
            &sale("shop"),
            UnixMillis(1_000_000)
        )
        .is_ok());
        assert_eq!(
            Session::verify(&text, &[[1u8; 32]], &sale("shop"), UnixMillis(1_000_000)),
            Err(SessionError::BadSignature)
        );
    }

    #[test]
    fn a_forged_session_is_refused() {
        let key = [7u8; 32];
        let s = Session::new(
            sale("shop"),
            ("fan1".into(), 1),
            "pass".into(),
            UnixMillis(0),
            60,
        );
        let text = s.sign(&key);
        let (_, tag) = text.split_once('.').unwrap();
        // A longer life under the old signature.
        let longer = Session { exp: 999_999, ..s };
        let forged = format!("{}.{tag}", longer.sign(&key).split_once('.').unwrap().0);
        assert_eq!(
            Session::verify(&forged, &[key], &sale("shop"), UnixMillis(0)),
            Err(SessionError::BadSignature)
        );
        for junk in ["", ".", "abc", "a.b", &"x".repeat(5_000)] {
            assert!(Session::verify(junk, &[key], &sale("shop"), UnixMillis(0)).is_err());
        }
    }

    #[test]
    fn renewed_only_in_the_second_half_of_its_life() {
        let s = Session::new(sale("shop"), ("f".into(), 1), "p".into(), UnixMillis(0), 60);
        assert!(s.renewed(UnixMillis(29_000), 60).is_none());
        let renewed = s.renewed(UnixMillis(31_000), 60).unwrap();
        assert_eq!(renewed.exp, 91);
    }
}
