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
//!
//! In files: who may join and members (`access.rs`), the keys (`keys.rs`), reading and accepting
//! an invitation (`verify.rs`), our own signer (`signer.rs`); every item is named from here.

mod access;
mod keys;
pub(crate) use keys::is_p256_point;
mod signer;
mod verify;

pub use access::{member_key, member_shard, Access, MemberId, MAX_MEMBER_CHARS};
pub use keys::{InviteKey, InviteKeys, PublicKey, SignatureCheck, MAX_KEYS, RSA_BITS};
pub use signer::InvitationSigner;
pub use verify::{
    read, verify, Invitation, InvitationError, Unverified, LEEWAY_S, MAX_INVITATION_LEN,
};

#[cfg(test)]
mod tests;
