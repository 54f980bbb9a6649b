//! Admission passes: standard EdDSA (Ed25519) JWTs that an origin verifies with our JWKS and any
//! JWT library, holding no secret of ours.

use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The claims of an admission pass. A claimed assignment's are [`PassClaims::for_assignment`],
/// defined where assignments are ([`crate::queue`]): a pass knows nothing of the line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    pub iss: String,
    /// The sale id.
    pub aud: String,
    /// The fan id.
    pub sub: String,
    /// The window the fan was assigned to.
    pub win: String,
    /// The fan's arrival number.
    pub seq: u64,
    pub iat: u64,
    pub exp: u64,
    /// Unique per assignment, so an origin can refuse a pass used twice.
    pub jti: String,
    /// An assisted fan (the sale's assisted lane): `true`, and their pass (and claim time) is the
    /// sale's times its `assist.multiplier`; absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assist: bool,
}

impl PassClaims {
    pub fn expires_at(&self) -> UnixMillis {
        UnixMillis::from_secs(self.exp)
    }
}

/// The JWKS document served at `/.well-known/jwks.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// An Ed25519 public key as a JWK (RFC 8037).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub kid: String,
    /// The public key, base64url.
    pub x: String,
}

/// A pass's JOSE header. Members in the order passes have always had, so a pass asked for again
/// is byte for byte the same.
#[derive(Serialize)]
struct JwtHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    typ: &'static str,
}

/// One Ed25519 key and its key id.
#[derive(Clone)]
struct PassKey {
    key: SigningKey,
    kid: String,
}

impl PassKey {
    fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        // The key id is the RFC 7638 thumbprint of the public key: stable, and changes with the key.
        let kid = B64.encode(Sha256::digest(public_jwk_members(&key.verifying_key())));
        Self { key, kid }
    }

    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let seed = B64
            .decode(text.trim_end_matches('='))
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(text))
            .map_err(|_| {
                "must be a base64 (or base64url) encoded 32-byte Ed25519 seed".to_owned()
            })?;
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|v: Vec<u8>| format!("must decode to 32 bytes, not {}", v.len()))?;
        if seed.iter().all(|b| *b == seed[0]) {
            return Err("is a trivial key (all bytes equal)".into());
        }
        Ok(Self::from_seed(seed))
    }

    fn jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP",
            crv: "Ed25519",
            alg: "EdDSA",
            use_: "sig",
            kid: self.kid.clone(),
            x: B64.encode(self.key.verifying_key().as_bytes()),
        }
    }
}

/// The pass-signing keys (`PASS_SIGNING_KEYS`, or the single `PASS_SIGNING_KEY`): the first
/// signs, every one is published in the JWKS, so passes signed before a rotation still verify.
#[derive(Clone)]
pub struct PassSigner {
    /// Never empty; `keys[0]` signs.
    keys: Vec<PassKey>,
}

impl fmt::Debug for PassSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("PassSigner")
            .field("kids", &kids)
            .finish_non_exhaustive()
    }
}

/// The public key as a JWK (RFC 8037), members in RFC 7638 thumbprint order.
fn public_jwk_members(key: &VerifyingKey) -> String {
    format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        B64.encode(key.as_bytes())
    )
}

impl PassSigner {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            keys: vec![PassKey::from_seed(seed)],
        }
    }

    /// One seed (base64 or base64url of 32 bytes).
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(Self {
            keys: vec![PassKey::parse(text)?],
        })
    }

    /// Comma-separated seeds, the signing key first. A key listed twice is refused (its kid
    /// would be published twice).
    pub fn parse_many(text: &str) -> Result<Self, String> {
        let mut keys: Vec<PassKey> = Vec::new();
        for (i, part) in text.split(',').enumerate() {
            let key = PassKey::parse(part).map_err(|p| format!("key {} {p}", i + 1))?;
            if keys.iter().any(|k| k.kid == key.kid) {
                return Err(format!("key {} is listed twice", i + 1));
            }
            keys.push(key);
        }
        Ok(Self { keys })
    }

    /// The signing key's id.
    pub fn kid(&self) -> &str {
        &self.keys[0].kid
    }

    /// The signing key's public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.keys[0].key.verifying_key()
    }

    /// The JWKS document served at `/.well-known/jwks.json`: every key, the signing key first.
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self.keys.iter().map(PassKey::jwk).collect(),
        }
    }

    /// Signs the claims as a compact JWS (`header.payload.signature`).
    pub fn sign(&self, claims: &PassClaims) -> String {
        let signing = &self.keys[0];
        let header = JwtHeader {
            alg: "EdDSA",
            kid: &signing.kid,
            typ: "JWT",
        };
        let signing_input = format!(
            "{}.{}",
            B64.encode(serde_json::to_vec(&header).expect("the header serializes")),
            B64.encode(serde_json::to_vec(claims).expect("claims serialize"))
        );
        let signature = signing.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", B64.encode(signature.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signature;

    fn claims() -> PassClaims {
        PassClaims {
            iss: "waitroom".into(),
            aud: "tour".into(),
            sub: "fan_0000000000000000000a".into(),
            win: "w1".into(),
            seq: 10,
            iat: 100,
            exp: 700,
            jti: "tour.10".into(),
            assist: false,
        }
    }

    #[test]
    fn signs_a_verifiable_jwt() {
        let signer = PassSigner::from_seed([9; 32]);
        let jwt = signer.sign(&claims());
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = Signature::from_slice(&B64.decode(sig).unwrap()).unwrap();
        signer
            .verifying_key()
            .verify_strict(input.as_bytes(), &sig)
            .unwrap();
        let (header, payload) = input.split_once('.').unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(header).unwrap()).unwrap();
        assert_eq!(header["alg"], "EdDSA");
        // The header's bytes are those passes have always had.
        assert_eq!(
            std::str::from_utf8(&B64.decode(input.split_once('.').unwrap().0).unwrap()).unwrap(),
            format!(r#"{{"alg":"EdDSA","kid":"{}","typ":"JWT"}}"#, signer.kid())
        );
        assert_eq!(header["kid"], signer.kid());
        let decoded: PassClaims = serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap();
        assert_eq!(decoded, claims());
    }

    #[test]
    fn jwks_names_the_key() {
        let signer = PassSigner::from_seed([9; 32]);
        let jwks = serde_json::to_value(signer.jwks()).unwrap();
        let key = &jwks["keys"][0];
        assert_eq!(key["alg"], "EdDSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(
            (key["kty"].as_str(), key["crv"].as_str()),
            (Some("OKP"), Some("Ed25519"))
        );
        assert_eq!(key["kid"], signer.kid());
        assert_eq!(
            B64.decode(key["x"].as_str().unwrap()).unwrap(),
            signer.verifying_key().as_bytes()
        );
    }

    #[test]
    fn parses_seeds() {
        let seed: Vec<u8> = (1..=32).collect();
        let a = PassSigner::parse(&B64.encode(&seed)).unwrap();
        let b =
            PassSigner::parse(&base64::engine::general_purpose::STANDARD.encode(&seed)).unwrap();
        assert_eq!(a.kid(), b.kid());
        assert!(PassSigner::parse("short").is_err());
        assert!(PassSigner::parse(&B64.encode([0u8; 32])).is_err());
    }

    #[test]
    fn several_keys_first_signs_all_published() {
        let seed = |n: u8| {
            B64.encode([
                n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23, 24, 25, 26, 27, 28, 29, 30, 31,
            ])
        };
        let before = PassSigner::parse(&seed(9)).unwrap();
        let ring = PassSigner::parse_many(&format!("{}, {}", seed(7), seed(9))).unwrap();
        // The first key signs; the old one is still in the JWKS under its own kid.
        assert_ne!(ring.kid(), before.kid());
        let jwks = ring.jwks();
        assert_eq!(jwks.keys.len(), 2);
        assert_eq!(jwks.keys[0].kid, ring.kid());
        assert_eq!(jwks.keys[1], before.jwks().keys[0]);
        // A pass signed before the rotation verifies with the key the JWKS names by its kid.
        let jwt = before.sign(&claims());
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
        let published = jwks.keys.iter().find(|k| k.kid == header["kid"]).unwrap();
        let x: [u8; 32] = B64.decode(&published.x).unwrap().try_into().unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = Signature::from_slice(&B64.decode(sig).unwrap()).unwrap();
        VerifyingKey::from_bytes(&x)
            .unwrap()
            .verify_strict(input.as_bytes(), &sig)
            .unwrap();
        // One key through parse_many is the single key.
        assert_eq!(
            PassSigner::parse_many(&seed(9)).unwrap().jwks(),
            before.jwks()
        );
    }

    #[test]
    fn refuses_bad_key_lists() {
        let seed = B64.encode((1..=32).collect::<Vec<u8>>());
        assert!(PassSigner::parse_many("").is_err());
        assert!(PassSigner::parse_many(&format!("{seed},")).is_err());
        let twice = PassSigner::parse_many(&format!("{seed},{seed}")).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
        let bad = PassSigner::parse_many(&format!("{seed},short")).unwrap_err();
        assert!(bad.starts_with("key 2 "), "{bad}");
    }
}
