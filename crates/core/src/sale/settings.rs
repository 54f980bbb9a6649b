//! A promoter's settings for a sale: the body of the `PUT` as sent ([`SaleSettingsInput`]), and
//! checked, with defaults, into what the sale runs on ([`SaleSettings`]). Each defence, mode and
//! key checks its own part; a refusal names the field ([`SettingsError`]).

use super::admission::{Admission, AdmissionInput};
use super::assist::{Assist, AssistInput};
use super::branding::{Branding, BrandingInput};
use super::web_url::{web_url, WebUrl};
use crate::fairness::invitation::{Access, InviteKeys};
use crate::fairness::place_price::OverBudget;
use crate::fairness::pow::{PowBits, MAX_POW_BITS};
use crate::fairness::rate_limit::{PerMinute, MAX_PER_MINUTE};
use crate::fairness::turnstile::SiteKey;
use crate::keys::pass_delivery::PassDelivery;
use crate::protect::{Protect, ProtectInput};
use crate::sale::ProtectSpec;
use crate::settings_error::{invalid, SettingsError};
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};

pub const DEFAULT_CLAIM_TTL_S: u64 = 120;
pub const DEFAULT_PASS_TTL_S: u64 = 600;
pub const CLAIM_TTL_RANGE: (u64, u64) = (10, 3_600);
pub const PASS_TTL_RANGE: (u64, u64) = (30, 86_400);
pub const DEFAULT_PRESENCE_TTL_S: u64 = 30;
pub const PRESENCE_TTL_RANGE: (u64, u64) = (10, 3_600);
pub const MAX_SHARDS: u32 = 64;
const MAX_NAME_CHARS: usize = 120;

/// The body of `PUT /api/admin/sales/{sale}`, as sent. `Default` is for building one in code
/// (`..Default::default()`); an empty name or URL is refused by [`SaleSettings::parse`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleSettingsInput {
    pub name: String,
    pub purchase_url: String,
    #[serde(default)]
    pub opens_at: Option<String>,
    /// When the pre-queue opens (before `opens_at`; absent: no pre-queue).
    #[serde(default)]
    pub prequeue_opens_at: Option<String>,
    #[serde(default)]
    pub claim_ttl_s: Option<u64>,
    #[serde(default)]
    pub pass_ttl_s: Option<u64>,
    #[serde(default)]
    pub branding: Option<BrandingInput>,
    #[serde(default)]
    pub shards: Option<u32>,
    #[serde(default)]
    pub presence_ttl_s: Option<u64>,
    /// Where the sale's events are delivered as signed webhooks (empty or absent: nowhere).
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// How fans are let in (absent: `{"mode": "pull"}`).
    #[serde(default)]
    pub admission: Option<AdmissionInput>,
    /// The sale's Turnstile site key (empty or absent: no Turnstile); see [`crate::fairness::turnstile`].
    #[serde(default)]
    pub turnstile_site_key: Option<String>,
    /// How the pass reaches the purchase page: `query` (default), `form_post` or `fragment`.
    #[serde(default)]
    pub pass_delivery: Option<String>,
    /// Proof of work a new place costs: leading zero bits (0 or absent: none).
    #[serde(default)]
    pub pow_bits: Option<u64>,
    /// Place-taking requests a minute from one address (absent: the environment's default).
    #[serde(default)]
    pub rate_limit_per_min: Option<u64>,
    /// What an address over that budget pays: `"price"` (default: more proof of work for each
    /// new place) or `"refuse"` (429); see [`crate::fairness::place_price`].
    #[serde(default)]
    pub over_budget: Option<String>,
    /// Who may join: `"open"` (default) or `"invite"` (fans present an invitation).
    #[serde(default)]
    pub access: Option<String>,
    /// The promoter's public keys for invitations, a JWKS (`{"keys": [...]}`); null: none.
    #[serde(default)]
    pub invite_jwks: Option<serde_json::Value>,
    /// Places bound to the device that took them (absent: off); see [`crate::keys::device`].
    #[serde(default)]
    pub device_binding: Option<bool>,
    /// The assisted lane: `{"multiplier", "max_places"?}` (absent or null: none).
    #[serde(default)]
    pub assist: Option<AssistInput>,
    /// Call-back by Web Push: `{"near_front"?, "return_window_s"?}` (absent or null: off).
    #[serde(default)]
    pub push: Option<super::CallBackInput>,
    /// Parties: the most fans one place admits together, the leader included (absent or 0:
    /// none; else 2 to [`crate::queue::MAX_PARTY`], in `pull` mode).
    #[serde(default)]
    pub party_max: Option<u8>,
    /// Path protection: the origin paths this sale guards (null or absent: none); see
    /// [`crate::protect`].
    #[serde(default)]
    pub protect: Option<ProtectInput>,
}

/// A promoter's settings for a sale, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleSettings {
    pub name: String,
    /// Where a fan goes when it is their turn; the admission pass is added as `?pass=`.
    pub purchase_url: WebUrl,
    /// When the sale opens by itself. `None`: only `open` opens it.
    #[serde(with = "rfc3339::option")]
    pub opens_at: Option<UnixMillis>,
    /// When the pre-queue opens: fans arriving from then until `opens_at` are drawn into a random
    /// order at `opens_at`. Always before `opens_at`. `None`: no pre-queue.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub prequeue_opens_at: Option<UnixMillis>,
    /// How long a pulled fan has to claim their turn before they lapse.
    pub claim_ttl_s: u64,
    /// How long an admission pass is valid.
    pub pass_ttl_s: u64,
    #[serde(default)]
    pub branding: Branding,
    /// Arrival shards: joins spread over this many Durable Objects (1: the coordinator takes them).
    #[serde(default = "one")]
    pub shards: u32,
    /// A fan near the front who has not polled for this long is skipped (0: never).
    #[serde(default = "default_presence_ttl")]
    pub presence_ttl_s: u64,
    /// Where the sale's events go as signed webhooks (see [`crate::events`]); `None`: nowhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<WebUrl>,
    /// How fans are let in. Stored only when it is not `pull`, so settings stored before modes
    /// existed read (and write) as they did.
    #[serde(default, skip_serializing_if = "Admission::is_pull")]
    pub admission: Admission,
    /// Joins need a Turnstile token solved with this site key; `None`: no Turnstile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile_site_key: Option<SiteKey>,
    /// How the pass reaches the purchase page (stored only when not the default, `query`).
    #[serde(default, skip_serializing_if = "PassDelivery::is_query")]
    pub pass_delivery: PassDelivery,
    /// Proof of work a new place costs (see [`crate::fairness::pow`]).
    #[serde(default, skip_serializing_if = "PowBits::is_off")]
    pub pow_bits: PowBits,
    /// Place-taking requests a minute from one address; `None`: the environment's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_min: Option<u32>,
    /// What an address over that budget pays (not stored when it is the default, `price`).
    #[serde(default, skip_serializing_if = "OverBudget::is_price")]
    pub over_budget: OverBudget,
    /// Who may join (see [`crate::fairness::invitation`]). Not stored for open sales: their stored form
    /// stays what it was before invitations existed.
    #[serde(default, skip_serializing_if = "Access::is_open")]
    pub access: Access,
    /// The keys that sign the sale's invitations, besides ours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_jwks: Option<InviteKeys>,
    /// Each new place is bound to a signing key of the device that takes it, and its turn is
    /// handed only to a proof made with that key (see [`crate::keys::device`]). Not stored when
    /// off, so settings stored before it read and write as they did.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device_binding: bool,
    /// The assisted lane (see [`crate::sale::Assist`]); `None`: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assist: Option<Assist>,
    /// Call-back by Web Push (see [`crate::sale::CallBack`]); `None`: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<super::CallBack>,
    /// The origin paths this sale guards (see [`crate::protect`]), validated, kept as JSON
    /// ([`ProtectSpec`]: read typed by the gate worker only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protect: Option<ProtectSpec>,
    /// Parties (docs/api.md, "Come as a party"): the most fans one place admits together; 0:
    /// none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub party_max: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

fn one() -> u32 {
    1
}

fn default_presence_ttl() -> u64 {
    DEFAULT_PRESENCE_TTL_S
}

fn in_range(
    field: &'static str,
    value: Option<u64>,
    default: u64,
    (lo, hi): (u64, u64),
) -> Result<u64, SettingsError> {
    let value = value.unwrap_or(default);
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            field,
            format!("must be between {lo} and {hi} seconds"),
        ))
    }
}

impl SaleSettings {
    pub fn parse(input: SaleSettingsInput) -> Result<Self, SettingsError> {
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(invalid(
                "name",
                format!("must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid("name", "must not contain control characters"));
        }
        let purchase_url = web_url("purchase_url", &input.purchase_url)?;
        let webhook_url = input
            .webhook_url
            .filter(|u| !u.is_empty())
            .map(|u| web_url("webhook_url", &u))
            .transpose()?;
        let opens_at = input
            .opens_at
            .map(|text| UnixMillis::parse_rfc3339(&text).map_err(|e| invalid("opens_at", e.0)))
            .transpose()?;
        let prequeue_opens_at = prequeue_opens_at(input.prequeue_opens_at.as_deref(), opens_at)?;
        let admission = input
            .admission
            .map(Admission::parse)
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            name,
            purchase_url,
            opens_at,
            prequeue_opens_at,
            claim_ttl_s: in_range(
                "claim_ttl_s",
                input.claim_ttl_s,
                DEFAULT_CLAIM_TTL_S,
                CLAIM_TTL_RANGE,
            )?,
            pass_ttl_s: in_range(
                "pass_ttl_s",
                input.pass_ttl_s,
                DEFAULT_PASS_TTL_S,
                PASS_TTL_RANGE,
            )?,
            shards: match input.shards.unwrap_or(1) {
                n @ 1..=MAX_SHARDS => n,
                _ => {
                    return Err(invalid(
                        "shards",
                        format!("must be between 1 and {MAX_SHARDS}"),
                    ))
                }
            },
            presence_ttl_s: match input.presence_ttl_s {
                Some(0) => 0,
                other => in_range(
                    "presence_ttl_s",
                    other,
                    DEFAULT_PRESENCE_TTL_S,
                    PRESENCE_TTL_RANGE,
                )?,
            },
            branding: input
                .branding
                .map(Branding::parse)
                .transpose()?
                .unwrap_or_default(),
            webhook_url,
            admission,
            turnstile_site_key: input
                .turnstile_site_key
                .filter(|k| !k.trim().is_empty())
                .map(|k| SiteKey::parse(&k).map_err(|e| invalid("turnstile_site_key", e)))
                .transpose()?,
            pass_delivery: input
                .pass_delivery
                .map(|d| PassDelivery::parse(&d).map_err(|e| invalid("pass_delivery", e)))
                .transpose()?
                .unwrap_or_default(),
            access: input
                .access
                .as_deref()
                .map(Access::parse)
                .transpose()?
                .unwrap_or_default(),
            invite_jwks: input
                .invite_jwks
                .filter(|v| !v.is_null())
                .map(InviteKeys::parse)
                .transpose()?,
            protect: input
                .protect
                .map(|p| Protect::parse(p).map(|p| ProtectSpec::of(&p)))
                .transpose()?,
            pow_bits: match input.pow_bits {
                None => PowBits::OFF,
                Some(bits) => PowBits::new(bits).ok_or_else(|| {
                    invalid("pow_bits", format!("must be between 0 and {MAX_POW_BITS}"))
                })?,
            },
            rate_limit_per_min: input
                .rate_limit_per_min
                .map(|n| {
                    PerMinute::new(n).map(PerMinute::get).ok_or_else(|| {
                        invalid(
                            "rate_limit_per_min",
                            format!("must be between 0 and {MAX_PER_MINUTE}"),
                        )
                    })
                })
                .transpose()?,
            assist: input.assist.map(Assist::parse).transpose()?,
            push: input.push.map(super::CallBack::parse).transpose()?,
            party_max: party_max(input.party_max, &admission)?,
            over_budget: match input.over_budget.as_deref() {
                None => OverBudget::Price,
                Some(text) => OverBudget::parse(text)
                    .ok_or_else(|| invalid("over_budget", "must be \"price\" or \"refuse\""))?,
            },
            device_binding: input.device_binding.unwrap_or(false),
        })
    }
}

/// Checks `party_max`: 0 (none), or 2 to [`crate::queue::MAX_PARTY`] in `pull` mode (a party
/// is admitted whole by a window; the queue's own modes count one place as one fan).
fn party_max(max: Option<u8>, admission: &Admission) -> Result<u8, SettingsError> {
    match max.unwrap_or(0) {
        0 => Ok(0),
        n if !(2..=crate::queue::MAX_PARTY).contains(&n) => Err(invalid(
            "party_max",
            format!(
                "must be 0 (no parties) or between 2 and {}",
                crate::queue::MAX_PARTY
            ),
        )),
        _ if !admission.is_pull() => Err(invalid(
            "party_max",
            "parties need the pull admission mode: a window admits a party as its size",
        )),
        n => Ok(n),
    }
}

/// Parses `prequeue_opens_at`, which needs an `opens_at` after it.
fn prequeue_opens_at(
    text: Option<&str>,
    opens_at: Option<UnixMillis>,
) -> Result<Option<UnixMillis>, SettingsError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let at = UnixMillis::parse_rfc3339(text).map_err(|e| invalid("prequeue_opens_at", e.0))?;
    match opens_at {
        None => Err(invalid(
            "prequeue_opens_at",
            "needs opens_at: the pre-queue is drawn when the sale opens",
        )),
        Some(opens) if at >= opens => Err(invalid("prequeue_opens_at", "must be before opens_at")),
        Some(_) => Ok(Some(at)),
    }
}

/// The sale most core tests start from: "Tour", claims held 60 s, passes good for 300 s, presence
/// checks off; a test names only what it changes (`..SaleSettingsInput::tour()`).
#[cfg(test)]
impl SaleSettingsInput {
    pub(crate) fn tour() -> Self {
        Self {
            name: "Tour".into(),
            purchase_url: "https://tickets.example/buy".into(),
            claim_ttl_s: Some(60),
            pass_ttl_s: Some(300),
            presence_ttl_s: Some(0),
            ..Self::default()
        }
    }
}
