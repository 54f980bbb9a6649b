//! Places bound to a device (a sale's `device_binding`): the rule of what proves a device holds
//! the key its place was bound to.
//!
//! When a fan takes a place in such a sale, their page (or app) presents the public half of a
//! P-256 signing key it made and keeps (in a browser: WebCrypto, not extractable, in IndexedDB).
//! The queue token then carries the key's JWK thumbprint (RFC 7638, [`DeviceKey::thumbprint`]),
//! inside what the token's MAC covers. Handing out the turn (the admission pass) then needs a
//! [`DeviceProof`]: a compact JWS (ES256) whose header carries that public key and whose payload
//! names the sale, the place's arrival number, the purpose and the time it was made. A copied
//! cookie or token is the thumbprint alone: without the private key, no proof.
//!
//! Two checks, both here: [`DeviceProof::check`] (bound to this key, for this place and purpose,
//! fresh within [`PROOF_WINDOW_S`] of `now`) needs only SHA-256 and JSON, so the edge runs it on
//! every proof it forwards and a copied token costs no object a request; the signature,
//! [`DeviceProof::verify_signature`], is checked by the sale's coordinator (the full worker), so
//! the edge module carries no elliptic-curve code. docs/api.md, "Bound to this device", gives the
//! format for apps.

use crate::ids::{SaleId, Seq};
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How far a proof's `iat` may be from the verifier's clock, either way, in seconds: a proof
/// seen again later than this is refused (replays are bounded by this window, and a proof
/// names one place and purpose).
pub const PROOF_WINDOW_S: u64 = 60;
/// The proof's JWS `typ`.
pub const PROOF_TYP: &str = "wr-device-proof+jwt";
/// Proofs longer than this are refused before any decoding.
pub const MAX_PROOF_LEN: usize = 1024;
/// The header a proof travels in.
pub const PROOF_HEADER: &str = "Device-Proof";

/// Why a device key or proof was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceError {
    /// A new place in a bound sale came without a device key.
    KeyRequired,
    /// The device key is not a P-256 public key as a JWK (`kty` EC, `crv` P-256, `x`, `y`).
    BadKey,
    /// The turn of a bound place was asked for without a proof.
    ProofRequired,
    /// The proof is not a compact JWS of the documented form.
    Malformed,
    /// The proof was made with another key than the place is bound to.
    OtherKey,
    /// The proof is for another sale, place or purpose.
    OtherPlace,
    /// The proof's `iat` is further than [`PROOF_WINDOW_S`] from now.
    Stale,
    /// The signature does not verify with the proof's key.
    BadSignature,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceError::KeyRequired => "this sale binds each place to the device that takes it: join with a device_key (a P-256 public key as a JWK)",
            DeviceError::BadKey => "device_key must be a P-256 public key as a JWK (kty EC, crv P-256, x, y)",
            DeviceError::ProofRequired => "this place is bound to a device: send a Device-Proof made with its key",
            DeviceError::Malformed => "the device proof is not a compact ES256 JWS of the documented form",
            DeviceError::OtherKey => "the device proof was made with another key than this place is bound to",
            DeviceError::OtherPlace => "the device proof is for another sale, place or purpose",
            DeviceError::Stale => "the device proof is too old or from the future: make a fresh one",
            DeviceError::BadSignature => "the device proof's signature does not verify",
        })
    }
}

impl std::error::Error for DeviceError {}

/// A P-256 public key as a JWK, as a page or app presents it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceJwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
}

/// A device's public key, checked for its form: 32-byte coordinates (whether the point is on the
/// curve is checked with the signature).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceKey {
    x: [u8; 32],
    y: [u8; 32],
}

fn coordinate(text: &str) -> Result<[u8; 32], DeviceError> {
    let bytes = B64.decode(text).map_err(|_| DeviceError::BadKey)?;
    bytes.try_into().map_err(|_| DeviceError::BadKey)
}

impl DeviceKey {
    pub fn from_jwk(jwk: &DeviceJwk) -> Result<Self, DeviceError> {
        if jwk.kty != "EC" || jwk.crv != "P-256" {
            return Err(DeviceError::BadKey);
        }
        Ok(Self {
            x: coordinate(&jwk.x)?,
            y: coordinate(&jwk.y)?,
        })
    }

    /// The key's JWK thumbprint (RFC 7638: SHA-256 over the required members in lexicographic
    /// order, no whitespace), base64url without padding: what a bound token carries.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            B64.encode(self.x),
            B64.encode(self.y)
        );
        B64.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// The uncompressed SEC1 point (`04 || x || y`).
    pub fn sec1(&self) -> [u8; 65] {
        let mut point = [4u8; 65];
        point[1..33].copy_from_slice(&self.x);
        point[33..].copy_from_slice(&self.y);
        point
    }
}

/// What a proof is made for: a proof for one purpose is refused for the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofPurpose {
    /// Being handed the turn (the admission pass), from a status poll, the page or a join that
    /// finds the place reached.
    Claim,
    /// Making the link that moves the place to another device (docs/api.md, "Move my place").
    Move,
}

#[derive(Deserialize)]
struct ProofHeader {
    alg: String,
    typ: String,
    jwk: DeviceJwk,
}

/// What a proof says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofClaims {
    pub sale: SaleId,
    pub seq: Seq,
    pub purpose: ProofPurpose,
    /// When it was made, Unix seconds (by the server's clock as the device knows it: the page
    /// takes it from the `Date` of the answers it gets).
    pub iat: u64,
}

/// A device proof, parsed (not yet checked).
#[derive(Clone, Debug)]
pub struct DeviceProof {
    key: DeviceKey,
    claims: ProofClaims,
    /// `header.payload`, the signed text.
    signed: String,
    /// `r || s`, 64 bytes (JWS ES256).
    signature: Vec<u8>,
}

impl DeviceProof {
    /// Parses `header.payload.signature` (compact JWS): header `{"alg":"ES256","typ":
    /// "wr-device-proof+jwt","jwk":{...}}`, payload [`ProofClaims`], a 64-byte signature.
    pub fn parse(text: &str) -> Result<Self, DeviceError> {
        if text.len() > MAX_PROOF_LEN {
            return Err(DeviceError::Malformed);
        }
        let mut parts = text.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DeviceError::Malformed);
        };
        let decode = |part: &str| B64.decode(part).map_err(|_| DeviceError::Malformed);
        let head: ProofHeader =
            serde_json::from_slice(&decode(header)?).map_err(|_| DeviceError::Malformed)?;
        if head.alg != "ES256" || head.typ != PROOF_TYP {
            return Err(DeviceError::Malformed);
        }
        let key = DeviceKey::from_jwk(&head.jwk).map_err(|_| DeviceError::Malformed)?;
        let claims: ProofClaims =
            serde_json::from_slice(&decode(payload)?).map_err(|_| DeviceError::Malformed)?;
        let signature = decode(signature)?;
        if signature.len() != 64 {
            return Err(DeviceError::Malformed);
        }
        Ok(Self {
            key,
            claims,
            signed: format!("{header}.{payload}"),
            signature,
        })
    }

    pub fn claims(&self) -> &ProofClaims {
        &self.claims
    }

    /// The rule, without the signature: made with the key of thumbprint `bound`, for `sale`'s
    /// place `seq` and `purpose`, at most [`PROOF_WINDOW_S`] from `now` either way.
    pub fn check(
        &self,
        bound: &str,
        sale: &SaleId,
        seq: Seq,
        purpose: ProofPurpose,
        now: UnixMillis,
    ) -> Result<(), DeviceError> {
        if self.key.thumbprint() != bound {
            return Err(DeviceError::OtherKey);
        }
        let c = &self.claims;
        if &c.sale != sale || c.seq != seq || c.purpose != purpose {
            return Err(DeviceError::OtherPlace);
        }
        if now.as_secs().abs_diff(c.iat) > PROOF_WINDOW_S {
            return Err(DeviceError::Stale);
        }
        Ok(())
    }

    /// The ES256 signature over `header.payload` with the proof's own key (a point on P-256).
    /// Together with [`Self::check`] (the key is the bound one) this proves the device.
    pub fn verify_signature(&self) -> Result<(), DeviceError> {
        use p256::ecdsa::signature::Verifier;
        use p256::ecdsa::{Signature, VerifyingKey};
        let key = VerifyingKey::from_sec1_bytes(&self.key.sec1())
            .map_err(|_| DeviceError::BadSignature)?;
        let signature =
            Signature::from_slice(&self.signature).map_err(|_| DeviceError::BadSignature)?;
        key.verify(self.signed.as_bytes(), &signature)
            .map_err(|_| DeviceError::BadSignature)
    }

    /// Both: what the coordinator runs before it hands a bound place its turn.
    pub fn verify(
        &self,
        bound: &str,
        sale: &SaleId,
        seq: Seq,
        purpose: ProofPurpose,
        now: UnixMillis,
    ) -> Result<(), DeviceError> {
        self.check(bound, sale, seq, purpose, now)?;
        self.verify_signature()
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
pub(crate) mod tests;
