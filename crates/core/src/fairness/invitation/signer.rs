//! Our own invitation keys, for promoters without an identity system: we sign their members'
//! invitations, and every sale trusts them.

use super::access::MemberId;
use super::keys::InviteKey;
use crate::ids::SaleId;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::Serialize;
use std::fmt;

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
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    assist: bool,
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

    /// The keys every sale trusts, as [`super::verify`] takes them.
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
        self.sign_with(sale, member, now, expires_at, false)
    }

    /// [`InvitationSigner::sign`], with the `assist` claim when `assist` (the member asks for the
    /// sale's assisted lane).
    pub fn sign_with(
        &self,
        sale: &SaleId,
        member: &MemberId,
        now: UnixMillis,
        expires_at: UnixMillis,
        assist: bool,
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
            assist,
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
