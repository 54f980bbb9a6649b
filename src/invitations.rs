//! Invitation-only sales at the edge: which member a join is for, where their one place is kept,
//! the cookie the fan page keeps an invitation in, and the invitations we sign for promoters.
//! The rules are in [`waitroom_core::fairness::invitation`].
//!
//! A member's place is numbered and kept by the arrival shard their [`member_key`] names (also
//! for a sale with one shard), which records member → place in its SQLite in the same step as it
//! numbers them: the same member joining again, from any device, gets the same place.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::objects::Shard;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::fairness::invitation::{
    member_key, member_shard, InvitationSigner, InviteKey, MemberId,
};
use waitroom_core::fairness::pow::Verified;
use waitroom_core::keys::token::TokenKeys;
use waitroom_core::machines::protocol::{ShardCommand, ShardJoined};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{SaleId, UnixMillis};
use worker::Request;

/// What our own invitation keys are derived from each `TOKEN_KEYS` key for.
const KEY_PURPOSE: &str = "invitation-signing-key";
/// The most invitations one request generates.
pub const MAX_GENERATED: usize = 1_000;
/// How long generated invitations are valid unless the request says: 30 days.
pub const DEFAULT_TTL_S: u64 = 30 * 24 * 3600;
/// At most a year.
pub const TTL_RANGE: (u64, u64) = (60, 365 * 24 * 3600);
/// The fan page keeps an invitation in its cookie at most this long (or until it expires).
const COOKIE_MAX_AGE_S: u64 = 30 * 24 * 3600;

/// Our invitation keys: one per `TOKEN_KEYS` key, derived from it, the first signing; so
/// rotating `TOKEN_KEYS` as for queue tokens keeps invitations signed before it valid. For the
/// promoter's invitation route (the full worker's); joins check invitations with [`ours`].
pub fn signer(token_keys: &TokenKeys) -> Result<InvitationSigner, ApiError> {
    InvitationSigner::from_seeds(&token_keys.derive(KEY_PURPOSE))
        .ok_or_else(|| ApiError::Internal("no token keys to derive invitation keys from".into()))
}

thread_local! {
    static OURS: RefCell<Option<Rc<[InviteKey]>>> = const { RefCell::new(None) };
}

/// The public halves of our invitation keys ([`signer`]'s), which every sale trusts: derived
/// once per isolate, each Ed25519 public key by the runtime's WebCrypto, so the edge module
/// carries no Ed25519 arithmetic (docs/capacity.md, "Cold start").
pub async fn ours(token_keys: &TokenKeys) -> Result<Rc<[InviteKey]>, ApiError> {
    if let Some(keys) = OURS.with(|k| k.borrow().clone()) {
        return Ok(keys);
    }
    let mut keys = Vec::new();
    for seed in token_keys.derive(KEY_PURPOSE) {
        let public = crate::webcrypto::eddsa_public_key(&seed)
            .await
            .map_err(|e| ApiError::Internal(format!("our invitation keys: WebCrypto: {e:?}")))?;
        keys.push(InviteKey::ours(public));
    }
    let keys: Rc<[InviteKey]> = keys.into();
    OURS.with(|k| *k.borrow_mut() = Some(keys.clone()));
    Ok(keys)
}

/// A member of an invitation-only sale, as an accepted invitation names them.
pub struct Member {
    /// [`member_key`]: the member within the sale, hashed.
    key: String,
    pub expires_at: UnixMillis,
    /// The invitation's `assist` claim: the member asks for the sale's assisted lane.
    pub assist: bool,
}

/// Who a join is for. Open sales take anyone (an invitation presented there is ignored);
/// invitation-only sales need a valid one: 403 `invitation_required` without, 401
/// `bad_invitation` for a forged, expired or other-sale one. Nothing has changed when it refuses.
pub async fn member(
    ctx: &Ctx,
    snap: &Snapshot,
    presented: Option<&str>,
) -> Result<Option<Member>, ApiError> {
    if snap.sale.access.is_open() {
        return Ok(None);
    }
    let text = presented
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::InvitationRequired)?;
    let config = ctx.config()?;
    let ours = ours(&config.secrets.token_keys).await?;
    let unverified =
        waitroom_core::fairness::invitation::read(text, snap.sale.invite_jwks.as_ref(), &ours)
            .map_err(ApiError::BadInvitation)?;
    // The signatures: the runtime's WebCrypto.
    let mut verified = false;
    for check in unverified.signature_checks() {
        if crate::webcrypto::verifies(&check).await {
            verified = true;
            break;
        }
    }
    let invitation = unverified
        .accept(verified, &snap.sale.id, ctx.now)
        .map_err(ApiError::BadInvitation)?;
    Ok(Some(Member {
        key: member_key(&snap.sale.id, &invitation.member),
        expires_at: invitation.expires_at,
        assist: invitation.assist,
    }))
}

/// The member's place: the one they have, or a new one, at the shard that keeps it.
pub async fn place_of(
    ctx: &Ctx,
    snap: &Snapshot,
    member: &Member,
    paid: Option<Verified>,
) -> Result<ShardJoined, ApiError> {
    let shard = member_shard(&member.key, snap.sale.shards);
    let sale = &snap.sale.id;
    let command = ShardCommand::Join {
        sale: sale.clone(),
        shard,
        pow: paid,
        member: Some(member.key.clone()),
    };
    Ok(ctx.objects.ask(&Shard { sale, shard }, &command).await?)
}

/// The cookie the fan page keeps an invitation in, until the sale opens and after: `__Host-`
/// like the token cookie, `HttpOnly`, never in a URL.
pub fn cookie_name(sale: &SaleId) -> String {
    format!("__Host-wi_{sale}")
}

pub fn from_cookie(req: &Request, sale: &SaleId) -> Option<String> {
    http::cookie(req, &cookie_name(sale))
}

/// The invitation of an invitation link (`/s/{sale}?invitation=`), if the URL has one.
pub fn from_link(req: &Request) -> Option<String> {
    http::query(req, "invitation")
}

/// The `Set-Cookie` value keeping `text` for `member`'s invitation.
pub fn keep_cookie(sale: &SaleId, text: &str, member: &Member, now: UnixMillis) -> String {
    let max_age_s = (now.millis_until(member.expires_at) / 1000).min(COOKIE_MAX_AGE_S);
    format!(
        "{}={text}; Path=/; Max-Age={max_age_s}; HttpOnly; Secure; SameSite=Lax",
        cookie_name(sale)
    )
}

/// `POST /api/admin/sales/{sale}/invitations`: `{"members": [ids]}` or `{"count": n}`, and
/// optionally `ttl_s` and `assist` (the invitations carry the `assist` claim).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateBody {
    #[serde(default)]
    pub members: Option<Vec<String>>,
    #[serde(default)]
    pub count: Option<usize>,
    #[serde(default)]
    pub ttl_s: Option<u64>,
    #[serde(default)]
    pub assist: bool,
}

#[derive(Serialize)]
pub struct Generated {
    pub member: String,
    pub invitation: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct GeneratedList {
    pub invitations: Vec<Generated>,
    #[serde(with = "waitroom_core::time::rfc3339")]
    pub expires_at: UnixMillis,
}

/// The members a generation request names, checked: the listed ones, or `count` random ids
/// (`random_id` makes one).
pub fn members_to_invite(
    body: &GenerateBody,
    mut random_id: impl FnMut() -> String,
) -> Result<Vec<MemberId>, ApiError> {
    let invalid = |field: &'static str, message: String| ApiError::InvalidField { field, message };
    let bound = format!("must hold 1 to {MAX_GENERATED} members");
    match (&body.members, body.count) {
        (Some(list), None) => {
            if list.is_empty() || list.len() > MAX_GENERATED {
                return Err(invalid("members", bound));
            }
            list.iter()
                .enumerate()
                .map(|(i, m)| {
                    MemberId::parse(m)
                        .map_err(|e| invalid("members", format!("item {}: {e}", i + 1)))
                })
                .collect()
        }
        (None, Some(n)) if (1..=MAX_GENERATED).contains(&n) => (0..n)
            .map(|_| MemberId::parse(&random_id()).map_err(ApiError::Internal))
            .collect(),
        (None, Some(_)) => Err(invalid(
            "count",
            format!("must be between 1 and {MAX_GENERATED}"),
        )),
        _ => Err(invalid(
            "members",
            "give either \"members\" (a list of member ids) or \"count\"".into(),
        )),
    }
}

pub fn ttl_of(body: &GenerateBody) -> Result<u64, ApiError> {
    let ttl = body.ttl_s.unwrap_or(DEFAULT_TTL_S);
    if (TTL_RANGE.0..=TTL_RANGE.1).contains(&ttl) {
        Ok(ttl)
    } else {
        Err(ApiError::InvalidField {
            field: "ttl_s",
            message: format!(
                "must be between {} and {} seconds",
                TTL_RANGE.0, TTL_RANGE.1
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> GenerateBody {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn generation_names_listed_members_or_a_bounded_count_of_random_ones() {
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("m{n}")
        };
        let listed = members_to_invite(&body(r#"{"members": ["a", "b"]}"#), &mut next).unwrap();
        assert_eq!(
            listed.iter().map(MemberId::as_str).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(
            members_to_invite(&body(r#"{"count": 3}"#), &mut next)
                .unwrap()
                .len(),
            3
        );
        for (json, field) in [
            (r#"{"count": 0}"#, "count"),
            (r#"{"count": 1001}"#, "count"),
            (r#"{"members": []}"#, "members"),
            (r#"{"members": [""]}"#, "members"),
            (r#"{}"#, "members"),
            (r#"{"members": ["a"], "count": 1}"#, "members"),
        ] {
            match members_to_invite(&body(json), &mut next) {
                Err(ApiError::InvalidField { field: f, .. }) => assert_eq!(f, field, "{json}"),
                other => panic!("{json}: {:?}", other.map(|m| m.len())),
            }
        }
        assert!(ttl_of(&body(r#"{"count": 1, "ttl_s": 10}"#)).is_err());
        assert_eq!(ttl_of(&body(r#"{"count": 1}"#)).unwrap(), DEFAULT_TTL_S);
    }
}
