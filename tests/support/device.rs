//! A device's signing key, as an app (or the fan page's WebCrypto) keeps it for a sale that binds
//! places to devices: its public JWK for the join, and proofs made with it (docs/api.md, "Bound
//! to this device").

use crate::support::random::random_bytes;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use waitroom_core::keys::device::{DeviceJwk, DeviceKey, PROOF_TYP};

pub struct Device {
    key: SigningKey,
}

impl Device {
    /// A new key, at random.
    pub fn new() -> Self {
        loop {
            let bytes: [u8; 32] = random_bytes(32).try_into().expect("32 bytes");
            if let Ok(key) = SigningKey::from_bytes(&bytes.into()) {
                return Self { key };
            }
        }
    }

    /// The public key as the join's `device_key`.
    pub fn jwk(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": B64.encode(point.x().expect("x")),
            "y": B64.encode(point.y().expect("y")),
        })
    }

    /// The key's RFC 7638 thumbprint, as a bound token carries it.
    pub fn thumbprint(&self) -> String {
        let jwk: DeviceJwk = serde_json::from_value(self.jwk()).expect("a JWK");
        DeviceKey::from_jwk(&jwk).expect("a key").thumbprint()
    }

    /// A proof for place `seq` of `sale`, made at `iat` (Unix seconds, the worker's clock).
    pub fn proof(&self, sale: &str, seq: u64, iat: u64) -> String {
        self.proof_with_header_key(&self.jwk(), sale, seq, iat)
    }

    /// A proof of `purpose` (`claim`, `move`) for place `seq` of `sale`, made at `iat`.
    pub fn proof_for(&self, purpose: &str, sale: &str, seq: u64, iat: u64) -> String {
        self.proof_as(&self.jwk(), purpose, sale, seq, iat)
    }

    /// A proof signed with this key whose header names `jwk`: a forgery when `jwk` is another
    /// device's public key.
    pub fn proof_with_header_key(&self, jwk: &Value, sale: &str, seq: u64, iat: u64) -> String {
        self.proof_as(jwk, "claim", sale, seq, iat)
    }

    /// A proof of `purpose` signed with this key whose header names `jwk`.
    pub fn proof_as(&self, jwk: &Value, purpose: &str, sale: &str, seq: u64, iat: u64) -> String {
        let header = json!({ "alg": "ES256", "typ": PROOF_TYP, "jwk": jwk });
        let claims = json!({ "sale": sale, "seq": seq, "purpose": purpose, "iat": iat });
        let signed = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature: Signature = self.key.sign(signed.as_bytes());
        format!("{signed}.{}", B64.encode(signature.to_bytes()))
    }
}

/// What a queue token says (its payload, not verified): to read the device it is bound to.
pub fn token_claims(token: &str) -> Value {
    let payload = token.split('.').nth(2).expect("a token's payload");
    serde_json::from_slice(&B64.decode(payload).expect("base64url")).expect("JSON")
}
