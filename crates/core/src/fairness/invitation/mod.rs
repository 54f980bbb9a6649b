//! Invitations: invitation-only sales (`access: "invite"`), where a fan joins by presenting a JWT
//! that says which member they are.
//!
//! An invitation is a compact JWS signed by the promoter's own identity system (EdDSA with Ed25519,
//! ES256 or RS256) with the claims `aud` (the sale id), `sub` (the member id) and `exp`; the sale's
//! `invite_jwks` holds the public keys that may sign them. Promoters without an identity system
//! have us sign invitations ([`InvitationSigner`]): its keys are trusted by every sale.
//!
//! Only the three algorithms are accepted, each only with a key of its own type: `none`, `HS256`
//! and any other algorithm, or an RS256 header naming an EC key, are refused before any
//! signature is checked. The signatures themselves are asked of the caller ([`read`] gives an
//! [`Unverified`] invitation and its [`SignatureCheck`]s), so the worker verifies them with the
//! runtime's WebCrypto and its edge module carries no Ed25519, P-256 or RSA arithmetic. The keys
//! are checked in two steps: their form whenever they are read ([`InviteKey`]'s `Deserialize`,
//! no arithmetic), and whether they are usable public keys (an Ed25519 point, a P-256 point) when
//! a sale's keys are set ([`InviteKeys::parse`], the promoter's `PUT`). A member is one place in
//! line: [`member_key`] names the member within the sale (a hash, so the member id itself is never
//! stored), [`member_shard`] the arrival shard that keeps the member's place.

use crate::ids::SaleId;
use crate::settings_error::SettingsError;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The clock skew allowed between the identity system that signed an invitation and us.
pub const LEEWAY_S: u64 = 60;
/// The longest invitation read; anything longer is malformed.
pub const MAX_INVITATION_LEN: usize = 8 * 1024;
/// The most keys a sale's `invite_jwks` holds.
pub const MAX_KEYS: usize = 8;
/// Member ids: 1 to this many characters, no control characters.
pub const MAX_MEMBER_CHARS: usize = 128;
/// RSA moduli we accept, in bits.
pub const RSA_BITS: (usize, usize) = (2048, 4096);
const MAX_KID_CHARS: usize = 128;

/// Who may join a sale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone.
    #[default]
    Open,
    /// Only fans presenting an invitation; one place per member.
    Invite,
}

impl Access {
    pub fn parse(text: &str) -> Result<Self, SettingsError> {
        match text {
            "open" => Ok(Access::Open),
            "invite" => Ok(Access::Invite),
            _ => Err(SettingsError {
                field: "access",
                message: "must be \"open\" or \"invite\"".into(),
            }),
        }
    }

    pub fn is_open(&self) -> bool {
        *self == Access::Open
    }
}

/// A member of the promoter's list, as an invitation's `sub` names them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberId(String);

impl MemberId {
    pub fn parse(text: &str) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars == 0 || chars > MAX_MEMBER_CHARS {
            return Err(format!("must be 1 to {MAX_MEMBER_CHARS} characters"));
        }
        if text.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The member's name within a sale, as the arrival shard keeps it: the hex SHA-256 of the sale
/// and the member id, so a member's place is found again without storing who they are.
pub fn member_key(sale: &SaleId, member: &MemberId) -> String {
    let mut hash = Sha256::new();
    hash.update(sale.as_str().as_bytes());
    hash.update([0]);
    hash.update(member.as_str().as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The arrival shard (of `shards`) that numbers `member` and keeps their place: always the same
/// one for the same sale, member and shard count.
pub fn member_shard(member_key: &str, shards: u32) -> u32 {
    let prefix = u64::from_str_radix(member_key.get(..16).unwrap_or("0"), 16).unwrap_or(0);
    (prefix % u64::from(shards.max(1))) as u32
}

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
}

/// The algorithms accepted, each tied to one key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alg {
    EdDsa,
    Es256,
    Rs256,
}

impl Alg {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "EdDSA" => Some(Alg::EdDsa),
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
        }
    }
}

/// A public key's material: its form checked when it was read, its arithmetic when a sale's keys
/// were set ([`KeyMaterial::check_usable`]).
#[derive(Clone, PartialEq, Eq)]
enum KeyMaterial {
    Ed25519([u8; 32]),
    /// The uncompressed SEC1 point, `04 || x || y`.
    P256(Vec<u8>),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl KeyMaterial {
    fn alg(&self) -> Alg {
        match self {
            KeyMaterial::Ed25519(_) => Alg::EdDsa,
            KeyMaterial::P256(_) => Alg::Es256,
            KeyMaterial::Rsa { .. } => Alg::Rs256,
        }
    }

    /// The check of `signature` over `signed` the caller makes (the runtime's WebCrypto in the
    /// worker), or `None` when the signature's form already refuses it (its length).
    fn check<'a>(&'a self, signed: &'a [u8], signature: &'a [u8]) -> Option<SignatureCheck<'a>> {
        let key = match self {
            // Ed25519 and ES256 (JWS carries r || s, not DER): 64 bytes.
            KeyMaterial::Ed25519(x) if signature.len() == 64 => PublicKey::Ed25519 { x },
            KeyMaterial::P256(point) if signature.len() == 64 => PublicKey::P256 { point },
            KeyMaterial::Rsa { n, e } if signature.len() == n.len() => PublicKey::Rsa { n, e },
            KeyMaterial::Ed25519(_) | KeyMaterial::P256(_) | KeyMaterial::Rsa { .. } => {
                return None
            }
        };
        Some(SignatureCheck {
            key,
            signed,
            signature,
        })
    }

    /// Whether the key is a usable public key, beyond its form: an Ed25519 key a point of the
    /// curve (it decompresses), a P-256 key a point of P-256. The checks that need curve
    /// arithmetic: run where a sale's keys are set (the full worker), never where they are read
    /// back (the edge; a key the runtime refuses there is a signature that does not verify).
    fn check_usable(&self) -> Result<(), String> {
        match self {
            KeyMaterial::Ed25519(x) => ed25519_dalek::VerifyingKey::from_bytes(x)
                .map(|_| ())
                .map_err(|_| "\"x\" is not an Ed25519 public key".to_owned()),
            KeyMaterial::P256(point) if is_p256_point(&point[1..33], &point[33..]) => Ok(()),
            KeyMaterial::P256(_) => Err("\"x\", \"y\" is not a point of P-256".into()),
            KeyMaterial::Rsa { .. } => Ok(()),
        }
    }
}

/// A signature the core leaves to its caller (EdDSA, ES256 or RS256): the key's form is checked
/// already (and, when the sale's keys were set, that it is a point of its curve; an RSA key of
/// [`RSA_BITS`]), and so is the signature's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureCheck<'a> {
    pub key: PublicKey<'a>,
    /// The JWS signing input, `header.claims` as sent.
    pub signed: &'a [u8],
    /// EdDSA: 64 bytes; ES256: `r || s`, 64 bytes; RS256: RSASSA-PKCS1-v1_5 with SHA-256, as long
    /// as the modulus.
    pub signature: &'a [u8],
}

/// The public key of a [`SignatureCheck`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicKey<'a> {
    /// EdDSA: the 32-byte Ed25519 public key (RFC 8037's `x`).
    Ed25519 { x: &'a [u8; 32] },
    /// ES256: the uncompressed SEC1 point `04 || x || y` of a P-256 key.
    P256 { point: &'a [u8] },
    /// RS256: modulus and public exponent, big-endian, no leading zeros in `n`.
    Rsa { n: &'a [u8], e: &'a [u8] },
}

/// P-256's field, `p = 2^256 - 2^224 + 2^192 + 2^96 - 1`.
mod p256_field {
    crypto_bigint::impl_modulus!(
        P256Field,
        crypto_bigint::U256,
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
    );
}

/// Whether `(x, y)` is a point of P-256: both below `p` and `y^2 = x^3 - 3x + b (mod p)`. (The
/// point at infinity has no uncompressed encoding.)
fn is_p256_point(x: &[u8], y: &[u8]) -> bool {
    use crypto_bigint::modular::constant_mod::{Residue, ResidueParams};
    use crypto_bigint::U256;
    use p256_field::P256Field;
    type Fp = Residue<P256Field, { U256::LIMBS }>;
    const B: U256 =
        U256::from_be_hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    if x.len() != 32 || y.len() != 32 {
        return false;
    }
    let (x, y) = (U256::from_be_slice(x), U256::from_be_slice(y));
    if x >= P256Field::MODULUS || y >= P256Field::MODULUS {
        return false;
    }
    let (x, y) = (Fp::new(&x), Fp::new(&y));
    let three = Fp::new(&U256::from_u8(3));
    y.square() == x.square() * x - three * x + Fp::new(&B)
}

/// An RSA public key's checks: the modulus (big-endian, no leading zeros) odd and of
/// [`RSA_BITS`], the exponent odd, at least 3 and below 2^33.
fn check_rsa(n: &[u8], e: &[u8]) -> Result<(), String> {
    let bits = n
        .first()
        .map_or(0, |top| 8 * n.len() - top.leading_zeros() as usize);
    if !(RSA_BITS.0..=RSA_BITS.1).contains(&bits) {
        return Err(format!(
            "an RSA modulus must have {} to {} bits, not {bits}",
            RSA_BITS.0, RSA_BITS.1
        ));
    }
    let e = e.iter().skip_while(|b| **b == 0).collect::<Vec<_>>();
    if e.len() > 8 {
        return Err("is not an RSA public key: public exponent too large".into());
    }
    let e = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(**b));
    if n.last().is_some_and(|b| b % 2 == 0) {
        return Err("is not an RSA public key: invalid modulus".into());
    }
    if e % 2 == 0 {
        return Err("is not an RSA public key: invalid exponent".into());
    }
    if e < 2 {
        return Err("is not an RSA public key: public exponent too small".into());
    }
    if e > (1 << 33) - 1 {
        return Err("is not an RSA public key: public exponent too large".into());
    }
    Ok(())
}

/// A JWK as sent and as stored: the members we use, nothing else kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct JwkText {
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    /// A private key's secret part: present only to be refused.
    #[serde(default, skip_serializing)]
    d: Option<String>,
}

/// One public key a sale trusts to sign invitations.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "JwkText", into = "JwkText")]
pub struct InviteKey {
    text: JwkText,
    kid: Option<String>,
    material: KeyMaterial,
}

impl fmt::Debug for InviteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InviteKey")
            .field("alg", &self.material.alg().name())
            .field("kid", &self.kid)
            .finish()
    }
}

impl From<InviteKey> for JwkText {
    fn from(key: InviteKey) -> Self {
        key.text
    }
}

impl TryFrom<JwkText> for InviteKey {
    type Error = String;

    fn try_from(text: JwkText) -> Result<Self, String> {
        let field = |value: &Option<String>, name: &str| {
            let value = value
                .as_deref()
                .ok_or_else(|| format!("lacks \"{name}\""))?;
            B64.decode(value.trim_end_matches('='))
                .map_err(|_| format!("\"{name}\" is not base64url"))
        };
        if text.d.is_some() {
            return Err("is a private key (it has \"d\"): give only the public key".into());
        }
        if let Some(use_) = &text.use_ {
            if use_ != "sig" {
                return Err(format!("has \"use\": {use_:?}; only \"sig\" keys sign"));
            }
        }
        if let Some(kid) = &text.kid {
            if kid.is_empty() || kid.chars().count() > MAX_KID_CHARS {
                return Err(format!("\"kid\" must be 1 to {MAX_KID_CHARS} characters"));
            }
        }
        let material = match (text.kty.as_str(), text.crv.as_deref()) {
            ("OKP", Some("Ed25519")) => {
                let x: [u8; 32] = field(&text.x, "x")?
                    .try_into()
                    .map_err(|_| "\"x\" must be 32 bytes".to_owned())?;
                KeyMaterial::Ed25519(x)
            }
            ("EC", Some("P-256")) => {
                let (x, y) = (field(&text.x, "x")?, field(&text.y, "y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err("\"x\" and \"y\" must be 32 bytes each".into());
                }
                KeyMaterial::P256([&[4u8][..], &x, &y].concat())
            }
            ("RSA", _) => {
                let n = field(&text.n, "n")?;
                let e = field(&text.e, "e")?;
                let n = n[n.iter().take_while(|b| **b == 0).count()..].to_vec();
                check_rsa(&n, &e)?;
                KeyMaterial::Rsa { n, e }
            }
            (kty, crv) => {
                return Err(format!(
                    "has kty {kty:?}{}: only OKP/Ed25519, EC/P-256 and RSA keys are accepted",
                    crv.map(|c| format!(", crv {c:?}")).unwrap_or_default()
                ))
            }
        };
        if let Some(alg) = &text.alg {
            if Alg::parse(alg) != Some(material.alg()) {
                return Err(format!(
                    "has \"alg\": {alg:?}, but a {} key signs only {}",
                    text.kty,
                    material.alg().name()
                ));
            }
        }
        Ok(Self {
            kid: text.kid.clone(),
            text,
            material,
        })
    }
}

impl InviteKey {
    /// One of our own invitation keys ([`InvitationSigner`]), from its Ed25519 public key: its
    /// key id is the RFC 7638 thumbprint, as for passes. The edge worker derives the public key
    /// with the runtime's WebCrypto and calls this; [`InvitationSigner`] with its own arithmetic.
    pub fn ours(public: [u8; 32]) -> Self {
        let members = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            B64.encode(public)
        );
        let kid = B64.encode(Sha256::digest(members));
        Self {
            text: JwkText {
                kty: "OKP".into(),
                kid: Some(kid.clone()),
                alg: Some("EdDSA".into()),
                use_: Some("sig".into()),
                crv: Some("Ed25519".into()),
                x: Some(B64.encode(public)),
                ..JwkText::default()
            },
            kid: Some(kid),
            material: KeyMaterial::Ed25519(public),
        }
    }
}

/// The promoter's public keys for a sale (`invite_jwks`, a JWKS: `{"keys": [...]}`), checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteKeys {
    pub keys: Vec<InviteKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JwksText {
    keys: Vec<serde_json::Value>,
}

impl InviteKeys {
    /// Parses and checks a JWKS as a promoter sends it: each key's form, and that it is a usable
    /// public key. Errors name the `invite_jwks` field. (Keys read back from storage or a
    /// snapshot are checked for form only: they were checked in full when set.)
    pub fn parse(value: serde_json::Value) -> Result<Self, SettingsError> {
        let bad = |message: String| SettingsError {
            field: "invite_jwks",
            message,
        };
        let jwks: JwksText = serde_json::from_value(value)
            .map_err(|e| bad(format!("must be a JWKS, {{\"keys\": [...]}}: {e}")))?;
        if jwks.keys.is_empty() || jwks.keys.len() > MAX_KEYS {
            return Err(bad(format!("must hold 1 to {MAX_KEYS} keys")));
        }
        let mut keys = Vec::with_capacity(jwks.keys.len());
        for (i, key) in jwks.keys.into_iter().enumerate() {
            let key: JwkText = serde_json::from_value(key)
                .map_err(|e| bad(format!("key {}: is not a JWK: {e}", i + 1)))?;
            let key = InviteKey::try_from(key)
                .and_then(|key| key.material.check_usable().map(|()| key))
                .map_err(|e| bad(format!("key {}: {e}", i + 1)))?;
            keys.push(key);
        }
        Ok(Self { keys })
    }
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

/// Our own invitation keys (Ed25519), for promoters without an identity system: the first signs,
/// every one is trusted by every sale (so invitations signed before a rotation still verify).
#[derive(Clone)]
pub struct InvitationSigner {
    /// Never empty; `keys[0]` signs.
    keys: Vec<(ed25519_dalek::SigningKey, String)>,
    trusted: Vec<InviteKey>,
}

impl fmt::Debug for InvitationSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvitationSigner")
            .field("kids", &self.keys.iter().map(|k| &k.1).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct SignedHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

#[derive(Serialize)]
struct SignedClaims<'a> {
    aud: &'a str,
    sub: &'a str,
    iat: u64,
    exp: u64,
}

impl InvitationSigner {
    /// From Ed25519 seeds, the signing one first; `None` for no seeds.
    pub fn from_seeds(seeds: &[[u8; 32]]) -> Option<Self> {
        if seeds.is_empty() {
            return None;
        }
        let (keys, trusted) = seeds
            .iter()
            .map(|seed| {
                let key = ed25519_dalek::SigningKey::from_bytes(seed);
                let ours = InviteKey::ours(key.verifying_key().to_bytes());
                ((key, ours.kid.clone().unwrap_or_default()), ours)
            })
            .unzip();
        Some(Self { keys, trusted })
    }

    /// The keys every sale trusts, as [`verify`] takes them.
    pub fn trusted(&self) -> &[InviteKey] {
        &self.trusted
    }

    /// The invitation of `member` to `sale`, issued at `now`, valid until `expires_at`.
    pub fn sign(
        &self,
        sale: &SaleId,
        member: &MemberId,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> String {
        use ed25519_dalek::Signer;
        let (key, kid) = &self.keys[0];
        let header = b64_json(&SignedHeader {
            alg: "EdDSA",
            typ: "JWT",
            kid,
        });
        let claims = b64_json(&SignedClaims {
            aud: sale.as_str(),
            sub: member.as_str(),
            iat: now.as_secs(),
            exp: expires_at.as_secs(),
        });
        let signed = format!("{header}.{claims}");
        let signature = key.sign(signed.as_bytes());
        format!("{signed}.{}", B64.encode(signature.to_bytes()))
    }
}

/// The base64url of a value's JSON (plain structs of strings and numbers: it cannot fail).
fn b64_json(value: &impl Serialize) -> String {
    B64.encode(serde_json::to_vec(value).unwrap_or_default())
}

#[cfg(test)]
mod tests;
