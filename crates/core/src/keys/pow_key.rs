//! The key proof-of-work challenges are signed with ([`crate::fairness::pow`]): derived from the
//! token-signing key, so there is nothing to set.

use crate::keys::token::TokenKeys;
use std::fmt;

/// The key challenges are signed with: derived from the worker's secrets, never stored.
#[derive(Clone)]
pub struct PowKey([u8; 32]);

impl fmt::Debug for PowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PowKey(..)")
    }
}

/// What the challenge key is derived for from `TOKEN_KEYS` (see [`PowKey::derived_from`]).
const KEY_PURPOSE: &str = "waitroom proof-of-work challenges v1";

impl PowKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key the worker signs challenges with: derived from the current token-signing key, so
    /// there is nothing to set (and a rotation of `TOKEN_KEYS` retires open challenges).
    pub fn derived_from(token_keys: &TokenKeys) -> Self {
        Self(token_keys.derive_current(KEY_PURPOSE))
    }

    /// The key's bytes, for the challenges' MAC ([`crate::fairness::pow`]).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}
