//! Who may join a sale ([`Access`]), and a member of an invitation-only sale: who they are
//! ([`MemberId`]), how the sale names them without storing who they are ([`member_key`]), and the
//! arrival shard that keeps their one place ([`member_shard`]).

use crate::ids::SaleId;
use crate::settings_error::SettingsError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Member ids: 1 to this many characters, no control characters.
pub const MAX_MEMBER_CHARS: usize = 128;

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
