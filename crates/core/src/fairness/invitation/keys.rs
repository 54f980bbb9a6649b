//! The keys that sign invitations: a sale's `invite_jwks` (the promoter's public keys, a JWKS) and
//! ours. A key's form is checked whenever it is read ([`InviteKey`]'s `Deserialize`, no
//! arithmetic), and whether it is a usable public key (a point of its curve; an RSA key of
//! [`RSA_BITS`]) when a sale's keys are set ([`InviteKeys::parse`]). The signature checks
//! themselves are the caller's ([`SignatureCheck`]).

use crate::settings_error::SettingsError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The most keys a sale's `invite_jwks` holds.
pub const MAX_KEYS: usize = 8;
/// RSA moduli we accept, in bits.
pub const RSA_BITS: (usize, usize) = (2048, 4096);
const MAX_KID_CHARS: usize = 128;

/// The algorithms accepted, each tied to one key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Alg {
    EdDsa,
    Es256,
    Rs256,
}

impl Alg {
    pub(super) fn parse(name: &str) -> Option<Self> {
        match name {
            "EdDSA" => Some(Alg::EdDsa),
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
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
pub(super) enum KeyMaterial {
    Ed25519([u8; 32]),
    /// The uncompressed SEC1 point, `04 || x || y`.
    P256(Vec<u8>),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl KeyMaterial {
    pub(super) fn alg(&self) -> Alg {
        match self {
            KeyMaterial::Ed25519(_) => Alg::EdDsa,
            KeyMaterial::P256(_) => Alg::Es256,
            KeyMaterial::Rsa { .. } => Alg::Rs256,
        }
    }

    /// The check of `signature` over `signed` the caller makes (the runtime's WebCrypto in the
    /// worker), or `None` when the signature's form already refuses it (its length).
    pub(super) fn check<'a>(
        &'a self,
        signed: &'a [u8],
        signature: &'a [u8],
    ) -> Option<SignatureCheck<'a>> {
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
pub(crate) fn is_p256_point(x: &[u8], y: &[u8]) -> bool {
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
pub(super) fn check_rsa(n: &[u8], e: &[u8]) -> Result<(), String> {
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
    pub(super) kid: Option<String>,
    pub(super) material: KeyMaterial,
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
    /// One of our own invitation keys ([`super::InvitationSigner`]), from its Ed25519 public key: its
    /// key id is the RFC 7638 thumbprint, as for passes. The edge worker derives the public key
    /// with the runtime's WebCrypto and calls this; [`super::InvitationSigner`] with its own arithmetic.
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
