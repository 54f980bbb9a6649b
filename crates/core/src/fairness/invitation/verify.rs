//! Reading an invitation and accepting its claims: the header picks the trusted keys that may
//! have signed it ([`read`]), the caller checks their signatures, and an authentic invitation's
//! claims are checked ([`Unverified::accept`]): `aud` the sale, `exp` and `nbf` the clock, `sub`
//! a member.

use super::access::MemberId;
use super::keys::{Alg, InviteKey, InviteKeys, KeyMaterial, SignatureCheck};
use crate::ids::SaleId;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::Deserialize;
use std::fmt;

/// The clock skew allowed between the identity system that signed an invitation and us.
pub const LEEWAY_S: u64 = 60;
/// The longest invitation read; anything longer is malformed.
pub const MAX_INVITATION_LEN: usize = 8 * 1024;

/// Why an invitation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvitationError {
    /// Not a compact JWS with a JSON header and claims.
    Malformed,
    /// An algorithm other than EdDSA, ES256 or RS256 (`none`, `HS256`, ...).
    UnsupportedAlgorithm(String),
    /// No trusted key of the header's algorithm (and `kid`, if it names one) verified it.
    BadSignature,
    /// `aud` does not name this sale.
    OtherSale,
    /// `exp` is past (beyond the allowed clock skew).
    Expired,
    /// `nbf` is still ahead (beyond the allowed clock skew).
    NotYetValid,
    /// A required claim is missing or of the wrong type.
    MissingClaim(&'static str),
    /// `sub` is not a member id.
    BadMember(String),
}

impl fmt::Display for InvitationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvitationError::Malformed => f.write_str("the invitation is not a well-formed JWT"),
            InvitationError::UnsupportedAlgorithm(alg) => write!(
                f,
                "the invitation's algorithm {alg:?} is not accepted (EdDSA, ES256 or RS256)"
            ),
            InvitationError::BadSignature => {
                f.write_str("the invitation is not signed by a key this sale trusts")
            }
            InvitationError::OtherSale => f.write_str("the invitation is for another sale"),
            InvitationError::Expired => f.write_str("the invitation has expired"),
            InvitationError::NotYetValid => f.write_str("the invitation is not valid yet"),
            InvitationError::MissingClaim(claim) => {
                write!(f, "the invitation lacks the claim {claim}")
            }
            InvitationError::BadMember(problem) => {
                write!(f, "the invitation's member id (sub) {problem}")
            }
        }
    }
}

impl std::error::Error for InvitationError {}

/// A verified invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub member: MemberId,
    pub expires_at: UnixMillis,
    /// The `assist` claim (`true`): the member asks for the sale's assisted lane with their
    /// place (docs/api.md, "The assisted lane"). Anything but `true` is no ask.
    pub assist: bool,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// A time claim: a JSON number of seconds (a fraction is allowed and ignored).
fn seconds(claims: &serde_json::Value, name: &'static str) -> Result<Option<u64>, InvitationError> {
    match claims.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or(InvitationError::MissingClaim(name)),
    }
}

/// An invitation read but not yet accepted: its header checked and the keys that may have signed
/// it chosen. Their signature checks are left to the caller ([`Unverified::signature_checks`]),
/// so the worker uses the runtime's WebCrypto instead of carrying Ed25519, P-256 and RSA
/// arithmetic in its module. Then [`Unverified::accept`] reads the claims.
pub struct Unverified {
    signed: Vec<u8>,
    signature: Vec<u8>,
    claims: Vec<u8>,
    /// The candidate keys, whose checks are the caller's.
    candidates: Vec<KeyMaterial>,
}

/// Reads invitation `text` against the sale's keys and ours: the header's algorithm (EdDSA,
/// ES256 or RS256 only) picks keys of its type, and its `kid`, if any, keys of that id.
pub fn read(
    text: &str,
    sale_keys: Option<&InviteKeys>,
    ours: &[InviteKey],
) -> Result<Unverified, InvitationError> {
    if text.len() > MAX_INVITATION_LEN {
        return Err(InvitationError::Malformed);
    }
    let mut parts = text.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(InvitationError::Malformed);
    };
    let decode = |part: &str| B64.decode(part).map_err(|_| InvitationError::Malformed);
    let header: Header =
        serde_json::from_slice(&decode(header_b64)?).map_err(|_| InvitationError::Malformed)?;
    let alg = Alg::parse(&header.alg)
        .ok_or_else(|| InvitationError::UnsupportedAlgorithm(header.alg.clone()))?;
    let signature = decode(signature_b64)?;
    let claims = decode(claims_b64)?;
    let signed = text.as_bytes()[..header_b64.len() + 1 + claims_b64.len()].to_vec();
    let trusted = sale_keys
        .map(|k| k.keys.as_slice())
        .unwrap_or_default()
        .iter()
        .chain(ours)
        .filter(|k| k.material.alg() == alg)
        .filter(|k| match (&header.kid, &k.kid) {
            (Some(wanted), Some(kid)) => wanted == kid,
            _ => true,
        });
    let candidates = trusted
        .filter(|k| k.material.check(&signed, &signature).is_some())
        .map(|k| k.material.clone())
        .collect();
    Ok(Unverified {
        signed,
        signature,
        claims,
        candidates,
    })
}

impl Unverified {
    /// The signature checks left to the caller, any one of which passing means the invitation is
    /// authentic; none when no trusted key may have signed it.
    pub fn signature_checks(&self) -> impl Iterator<Item = SignatureCheck<'_>> {
        self.candidates
            .iter()
            .filter_map(|key| key.check(&self.signed, &self.signature))
    }

    /// Accepts the invitation for `sale` at `now`, given whether one of
    /// [`signature_checks`](Self::signature_checks) passed (with none, it is refused): only an
    /// authentic payload is read; then `aud` must name the sale, `exp` be ahead and `nbf` (if
    /// any) behind, both within [`LEEWAY_S`], and `sub` be a member id.
    pub fn accept(
        self,
        caller_verified: bool,
        sale: &SaleId,
        now: UnixMillis,
    ) -> Result<Invitation, InvitationError> {
        if self.candidates.is_empty() || !caller_verified {
            return Err(InvitationError::BadSignature);
        }
        let claims: serde_json::Value =
            serde_json::from_slice(&self.claims).map_err(|_| InvitationError::Malformed)?;
        let for_sale = match claims.get("aud") {
            Some(serde_json::Value::String(aud)) => aud == sale.as_str(),
            Some(serde_json::Value::Array(auds)) => auds.iter().any(|a| a == sale.as_str()),
            _ => return Err(InvitationError::MissingClaim("aud")),
        };
        if !for_sale {
            return Err(InvitationError::OtherSale);
        }
        let exp = seconds(&claims, "exp")?.ok_or(InvitationError::MissingClaim("exp"))?;
        let now_s = now.as_secs();
        if now_s >= exp.saturating_add(LEEWAY_S) {
            return Err(InvitationError::Expired);
        }
        if let Some(nbf) = seconds(&claims, "nbf")? {
            if now_s.saturating_add(LEEWAY_S) < nbf {
                return Err(InvitationError::NotYetValid);
            }
        }
        let sub = claims
            .get("sub")
            .and_then(|s| s.as_str())
            .ok_or(InvitationError::MissingClaim("sub"))?;
        let member = MemberId::parse(sub).map_err(InvitationError::BadMember)?;
        Ok(Invitation {
            member,
            expires_at: UnixMillis(exp.saturating_mul(1000)),
            assist: claims.get("assist") == Some(&serde_json::Value::Bool(true)),
        })
    }
}

/// [`read`] and [`Unverified::accept`] in one step, with a synchronous `check` for the signatures
/// the core leaves to its caller.
pub fn verify(
    text: &str,
    sale: &SaleId,
    sale_keys: Option<&InviteKeys>,
    ours: &[InviteKey],
    now: UnixMillis,
    mut check: impl FnMut(&SignatureCheck<'_>) -> bool,
) -> Result<Invitation, InvitationError> {
    let unverified = read(text, sale_keys, ours)?;
    let verified = unverified.signature_checks().any(|c| check(&c));
    unverified.accept(verified, sale, now)
}
