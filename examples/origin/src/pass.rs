//! Admission-pass verification (docs/api.md, "Admission pass"), without I/O or a clock: the caller
//! supplies the edge's keys and the current time.
//!
//! A pass is an EdDSA JWT with header `{"alg":"EdDSA","typ":"JWT","kid"}` and claims `iss`, `aud`
//! (the sale), `sub` (the fan), `win`, `seq`, `iat`, `exp`, `jti`.

use crate::jwks::KeySet;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use std::fmt;

/// Allowed clock difference with the edge, in seconds, when checking `exp`.
pub const LEEWAY_S: u64 = 5;

/// Longer tokens are refused before any parsing (a pass is a few hundred bytes).
const MAX_TOKEN_LEN: usize = 4096;

/// What a pass must say to be accepted here.
#[derive(Clone, Debug)]
pub struct PassPolicy {
    pub issuer: String,
    pub sale: String,
}

/// A verified pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    pub sale: String,
    pub fan_id: String,
    pub window: String,
    pub seq: u64,
    pub jti: String,
    pub issued_at: u64,
    pub expires_at: u64,
}

impl Pass {
    /// Whole seconds left at `now` (Unix seconds), zero once expired.
    pub fn seconds_left(&self, now: u64) -> u64 {
        self.expires_at.saturating_sub(now)
    }
}

/// Why a pass was refused. The `Display` text is shown to the fan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PassError {
    Malformed,
    WrongAlgorithm,
    /// No key of the edge has this id: the pass was not issued by this waiting room.
    UnknownKey,
    BadSignature,
    Expired,
    WrongIssuer,
    /// The pass is for another sale.
    WrongAudience,
    MissingClaim(&'static str),
}

impl fmt::Display for PassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "the pass is not a well-formed admission pass",
            Self::WrongAlgorithm => "the pass is not signed with EdDSA",
            Self::UnknownKey => "the pass is signed with a key the waiting room does not use",
            Self::BadSignature => "the pass signature is invalid (forged or altered)",
            Self::Expired => "the pass has expired",
            Self::WrongIssuer => "the pass was not issued by this waiting room",
            Self::WrongAudience => "the pass is for a different sale",
            Self::MissingClaim(claim) => {
                return write!(f, "the pass lacks the required claim `{claim}`")
            }
        })
    }
}

impl std::error::Error for PassError {}

/// The claims as they may arrive; required ones are checked after the signature.
#[derive(Deserialize)]
struct RawClaims {
    sub: Option<String>,
    win: Option<String>,
    seq: Option<u64>,
    jti: Option<String>,
    iat: Option<u64>,
    exp: Option<u64>,
}

/// The `kid` of a pass's header, to find (or fetch) its key. Nothing is trusted yet.
pub fn peek_kid(token: &str) -> Result<String, PassError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(PassError::Malformed);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| PassError::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(PassError::WrongAlgorithm);
    }
    header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(PassError::UnknownKey)
}

/// Verifies a pass: EdDSA signature by one of `keys`, `iss`, `aud`, `exp` against `now` (Unix
/// seconds, with [`LEEWAY_S`]), and the presence of `sub`, `win`, `seq`, `jti`.
pub fn verify(
    token: &str,
    keys: &KeySet,
    policy: &PassPolicy,
    now: u64,
) -> Result<Pass, PassError> {
    let kid = peek_kid(token)?;
    let key = keys.get(&kid).ok_or(PassError::UnknownKey)?;

    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[&policy.issuer]);
    validation.set_audience(&[&policy.sale]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    // `exp` is checked below against the caller's clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;

    let data =
        jsonwebtoken::decode::<RawClaims>(token, key, &validation).map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature | ErrorKind::InvalidKeyFormat | ErrorKind::Crypto(_) => {
                PassError::BadSignature
            }
            ErrorKind::InvalidAlgorithm => PassError::WrongAlgorithm,
            ErrorKind::InvalidIssuer => PassError::WrongIssuer,
            ErrorKind::InvalidAudience => PassError::WrongAudience,
            ErrorKind::MissingRequiredClaim(claim) => {
                PassError::MissingClaim(match claim.as_str() {
                    "exp" => "exp",
                    "iss" => "iss",
                    "aud" => "aud",
                    _ => "sub",
                })
            }
            _ => PassError::Malformed,
        })?;
    let claims = data.claims;

    let expires_at = claims.exp.ok_or(PassError::MissingClaim("exp"))?;
    if expires_at.saturating_add(LEEWAY_S) <= now {
        return Err(PassError::Expired);
    }
    let nonempty = |value: Option<String>, name: &'static str| {
        value
            .filter(|v| !v.is_empty())
            .ok_or(PassError::MissingClaim(name))
    };
    Ok(Pass {
        sale: policy.sale.clone(),
        fan_id: nonempty(claims.sub, "sub")?,
        window: nonempty(claims.win, "win")?,
        seq: claims.seq.ok_or(PassError::MissingClaim("seq"))?,
        jti: nonempty(claims.jti, "jti")?,
        issued_at: claims.iat.unwrap_or(0),
        expires_at,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use ed25519_dalek::{Signer, SigningKey};
    use serde_json::{json, Value};

    pub const NOW: u64 = 1_800_000_000;
    pub const KID: &str = "test-key-1";

    pub fn signing_key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    /// A JWT exactly as the edge signs one.
    pub fn sign(key: &SigningKey, kid: &str, claims: &Value) -> String {
        let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": kid });
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature = key.sign(input.as_bytes());
        format!("{input}.{}", B64.encode(signature.to_bytes()))
    }

    /// A JWKS document as the edge serves it.
    pub fn jwks(key: &SigningKey, kid: &str) -> Value {
        let x = B64.encode(key.verifying_key().as_bytes());
        json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x }] })
    }

    pub fn claims(seq: u64) -> Value {
        json!({
            "iss": "waitroom",
            "aud": "demo",
            "sub": "fan_0123456789abcdef0123",
            "win": "window-1",
            "seq": seq,
            "iat": NOW - 60,
            "exp": NOW + 540,
            "jti": format!("demo.{seq}"),
        })
    }

    pub fn policy() -> PassPolicy {
        PassPolicy {
            issuer: "waitroom".into(),
            sale: "demo".into(),
        }
    }

    fn keys() -> KeySet {
        KeySet::from_jwks(&jwks(&signing_key(1), KID)).expect("jwks")
    }

    fn check(claims: &Value) -> Result<Pass, PassError> {
        verify(&sign(&signing_key(1), KID, claims), &keys(), &policy(), NOW)
    }

    #[test]
    fn accepts_a_pass_signed_by_the_edge() {
        let pass = check(&claims(7)).expect("accepted");
        assert_eq!(
            pass,
            Pass {
                sale: "demo".into(),
                fan_id: "fan_0123456789abcdef0123".into(),
                window: "window-1".into(),
                seq: 7,
                jti: "demo.7".into(),
                issued_at: NOW - 60,
                expires_at: NOW + 540,
            }
        );
        assert_eq!(pass.seconds_left(NOW), 540);
        assert_eq!(
            peek_kid(&sign(&signing_key(1), KID, &claims(7))),
            Ok(KID.into())
        );
    }

    #[test]
    fn refuses_a_forged_signature() {
        // Signed by another key under the edge's kid.
        let forged = sign(&signing_key(2), KID, &claims(7));
        assert_eq!(
            verify(&forged, &keys(), &policy(), NOW),
            Err(PassError::BadSignature)
        );

        // A genuine pass with its claims altered.
        let genuine = sign(&signing_key(1), KID, &claims(7));
        let parts: Vec<&str> = genuine.split('.').collect();
        let altered = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(claims(1).to_string()),
            parts[2]
        );
        assert_eq!(
            verify(&altered, &keys(), &policy(), NOW),
            Err(PassError::BadSignature)
        );

        // A key id the edge does not publish.
        let unknown = sign(&signing_key(1), "other", &claims(7));
        assert_eq!(
            verify(&unknown, &keys(), &policy(), NOW),
            Err(PassError::UnknownKey)
        );
    }

    #[test]
    fn refuses_an_expired_pass() {
        let mut c = claims(7);
        c["exp"] = json!(NOW - LEEWAY_S);
        assert_eq!(check(&c), Err(PassError::Expired));
        c["exp"] = json!(NOW - LEEWAY_S + 1);
        assert!(check(&c).is_ok(), "within the leeway");
    }

    #[test]
    fn refuses_a_pass_for_another_sale_or_issuer() {
        let mut c = claims(7);
        c["aud"] = json!("other-sale");
        assert_eq!(check(&c), Err(PassError::WrongAudience));
        let mut c = claims(7);
        c["iss"] = json!("someone-else");
        assert_eq!(check(&c), Err(PassError::WrongIssuer));
    }

    #[test]
    fn refuses_missing_claims() {
        for claim in ["sub", "win", "seq", "jti", "exp", "aud", "iss"] {
            let mut c = claims(7);
            c.as_object_mut().expect("object").remove(claim);
            assert!(
                matches!(check(&c), Err(PassError::MissingClaim(_))),
                "without {claim}: {:?}",
                check(&c)
            );
        }
        let mut c = claims(7);
        c["jti"] = json!("");
        assert_eq!(check(&c), Err(PassError::MissingClaim("jti")));
    }

    #[test]
    fn refuses_garbage_and_other_algorithms() {
        assert_eq!(
            verify("", &keys(), &policy(), NOW),
            Err(PassError::Malformed)
        );
        assert_eq!(
            verify("a.b.c", &keys(), &policy(), NOW),
            Err(PassError::Malformed)
        );
        assert_eq!(
            verify(&"a".repeat(5000), &keys(), &policy(), NOW),
            Err(PassError::Malformed)
        );
        let header = B64.encode(json!({"alg": "HS256", "typ": "JWT", "kid": KID}).to_string());
        let token = format!("{header}.{}.sig", B64.encode(claims(7).to_string()));
        assert_eq!(
            verify(&token, &keys(), &policy(), NOW),
            Err(PassError::WrongAlgorithm)
        );
        let header = B64.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
        let token = format!("{header}.{}.", B64.encode(claims(7).to_string()));
        assert!(verify(&token, &keys(), &policy(), NOW).is_err());
    }
}
