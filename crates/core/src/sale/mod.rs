//! A sale: what the promoter configures, and the phase it is in at a given instant.

pub mod admission;

use crate::fairness::invitation::{Access, InviteKeys};
use crate::fairness::place_price::OverBudget;
use crate::fairness::pow::{PowBits, MAX_POW_BITS};
use crate::fairness::rate_limit::{PerMinute, MAX_PER_MINUTE};
use crate::fairness::turnstile::SiteKey;
use crate::ids::SaleId;
use crate::keys::pass_delivery::PassDelivery;
use crate::sale::admission::{Admission, AdmissionInput};
use crate::settings_error::{invalid, SettingsError};
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

/// Where a sale is, as fans and windows see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not on sale yet: fans get the static page.
    Scheduled,
    /// Between `prequeue_opens_at` and `opens_at`: fans join the pre-queue, whose order is drawn
    /// at random at `opens_at` (see [`crate::queue::draw`]).
    Prequeue,
    /// Fans join and windows pull.
    Open,
    /// Fans join and keep their place; windows get nobody.
    Paused,
    /// No joins; polls say closed. Final.
    Closed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Scheduled => "scheduled",
            Phase::Prequeue => "prequeue",
            Phase::Open => "open",
            Phase::Paused => "paused",
            Phase::Closed => "closed",
        }
    }

    /// Whether new fans may take a place in line.
    pub fn admits_joins(self) -> bool {
        matches!(self, Phase::Prequeue | Phase::Open | Phase::Paused)
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DEFAULT_CLAIM_TTL_S: u64 = 120;
pub const DEFAULT_PASS_TTL_S: u64 = 600;
pub const CLAIM_TTL_RANGE: (u64, u64) = (10, 3_600);
pub const PASS_TTL_RANGE: (u64, u64) = (30, 86_400);
pub const DEFAULT_PRESENCE_TTL_S: u64 = 30;
pub const PRESENCE_TTL_RANGE: (u64, u64) = (10, 3_600);
pub const MAX_SHARDS: u32 = 64;
const MAX_NAME_CHARS: usize = 120;
const MAX_URL_BYTES: usize = 2_048;

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
}

/// A promoter's branding, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingInput {
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// A brand colour, `#rrggbb`: parsed once, so every use of it is well formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BrandColor([u8; 3]);

pub const DEFAULT_BRAND_COLOR: BrandColor = BrandColor([0x5b, 0x21, 0xb6]);

impl BrandColor {
    /// Parses `#rrggbb` (either case).
    pub fn parse(text: &str) -> Result<Self, SettingsError> {
        let bad = || invalid("branding.color", "must be a colour like #1a2b3c");
        let hex = text.strip_prefix('#').ok_or_else(bad)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Self([channel(0)?, channel(2)?, channel(4)?]))
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn ink(self) -> Ink {
        let linear = |c: u8| {
            let v = f64::from(c) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        // Contrast with white is (1.05)/(L+0.05); with black (L+0.05)/0.05. Pick the larger.
        if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 {
            Ink::Light
        } else {
            Ink::Dark
        }
    }
}

impl fmt::Display for BrandColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl Serialize for BrandColor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BrandColor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The text colour on a brand colour: the server picks it, pages and the dashboard show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ink {
    #[serde(rename = "#ffffff")]
    Light,
    #[serde(rename = "#111111")]
    Dark,
}

impl Ink {
    pub fn as_str(self) -> &'static str {
        match self {
            Ink::Light => "#ffffff",
            Ink::Dark => "#111111",
        }
    }
}

impl fmt::Display for Ink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a sale's fan pages look: validated so that nothing a promoter enters can break a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub color: Option<BrandColor>,
    pub logo_url: Option<WebUrl>,
    /// Plain text shown on the fan pages (escaped there; newlines kept).
    pub message: Option<String>,
}

const MAX_MESSAGE_CHARS: usize = 1_000;

impl Branding {
    pub fn parse(input: BrandingInput) -> Result<Self, SettingsError> {
        let color = input
            .color
            .filter(|c| !c.is_empty())
            .map(|c| BrandColor::parse(&c))
            .transpose()?;
        let logo_url = input
            .logo_url
            .filter(|u| !u.is_empty())
            .map(|u| web_url("branding.logo_url", &u))
            .transpose()?;
        let message = input
            .message
            .map(|m| m.trim().replace("\r\n", "\n"))
            .filter(|m| !m.is_empty());
        if message
            .as_ref()
            .is_some_and(|m| m.chars().count() > MAX_MESSAGE_CHARS)
        {
            return Err(invalid(
                "branding.message",
                format!("must be at most {MAX_MESSAGE_CHARS} characters"),
            ));
        }
        Ok(Self {
            color,
            logo_url,
            message,
        })
    }

    /// The promoter's colour, or the default.
    pub fn color(&self) -> BrandColor {
        self.color.unwrap_or(DEFAULT_BRAND_COLOR)
    }

    pub fn ink(&self) -> Ink {
        self.color().ink()
    }
}

/// Branding as anyone may see it: the promoter's settings and the ink the server picked for them.
// Deserialize: `flat_read!` below (the flattened settings read in one pass, no `Content` buffering).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrandingView {
    #[serde(flatten)]
    pub settings: Branding,
    /// Black or white text on [`Branding::color`].
    pub ink: Ink,
}

crate::flat_read! { BrandingView {
    settings: Branding,
    ink: Ink;
} }

impl From<&Branding> for BrandingView {
    fn from(settings: &Branding) -> Self {
        Self {
            settings: settings.clone(),
            ink: settings.ink(),
        }
    }
}

/// An absolute http(s) URL with a host and no fragment, at most [`MAX_URL_BYTES`]: where fans go
/// to buy, or where a logo comes from. Serialized as the URL's text. Boxed: a `Url` is large, and
/// settings travel inside the protocol's enums.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WebUrl(Box<Url>);

impl<'de> Deserialize<'de> for WebUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        web_url("url", &text).map_err(serde::de::Error::custom)
    }
}

impl WebUrl {
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a [`WebUrl`] for settings field `field`.
fn web_url(field: &'static str, text: &str) -> Result<WebUrl, SettingsError> {
    if text.len() > MAX_URL_BYTES {
        return Err(invalid(
            field,
            format!("must be at most {MAX_URL_BYTES} bytes"),
        ));
    }
    let url =
        Url::parse(text).map_err(|e| invalid(field, format!("is not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(field, "must be an http or https URL with a host"));
    }
    if url.fragment().is_some() {
        return Err(invalid(field, "must not have a #fragment"));
    }
    // What is stored (and read back through this same check) is the normalised text, which can
    // be longer than what was typed (a space becomes `%20`): the bound holds for it too.
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(invalid(
            field,
            format!("must be at most {MAX_URL_BYTES} bytes once normalised (a space becomes %20)"),
        ));
    }
    Ok(WebUrl(Box::new(url)))
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
            admission: input
                .admission
                .map(Admission::parse)
                .transpose()?
                .unwrap_or_default(),
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
            over_budget: match input.over_budget.as_deref() {
                None => OverBudget::Price,
                Some(text) => OverBudget::parse(text)
                    .ok_or_else(|| invalid("over_budget", "must be \"price\" or \"refuse\""))?,
            },
        })
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

/// The phase a promoter last set. `Scheduled` turns into `Open` by itself at `opens_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Scheduled,
    Open,
    Paused,
    Closed,
}

/// A sale's secret salt, from which fan ids are derived. Stored as its plain text (hex); its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FanSalt(String);

impl FanSalt {
    /// The secret itself, for deriving fan ids.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for FanSalt {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for FanSalt {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl fmt::Debug for FanSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FanSalt(<redacted>)")
    }
}

/// A sale as the coordinator keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub id: SaleId,
    pub settings: SaleSettings,
    pub control: Control,
    /// Secret per sale from which fan ids are derived (hex, 32 digits).
    pub fan_salt: FanSalt,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    /// The last live change of `shards` (absent: none, and in records stored before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards_changed: Option<ShardsChange>,
}

/// A live change of a sale's `shards`: kept so that every edge, whatever snapshot it holds,
/// sends a proof-of-work solution to the same arrival shard ([`crate::queue::snapshot::home_shard`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardsChange {
    /// The number of shards before the change.
    pub from: u32,
    #[serde(with = "rfc3339")]
    pub at: UnixMillis,
}

impl Sale {
    /// The phase at `now`. A scheduled sale opens at `opens_at` whether or not anything ran then.
    pub fn phase_at(&self, now: UnixMillis) -> Phase {
        phase_at(
            self.control,
            self.settings.prequeue_opens_at,
            self.settings.opens_at,
            now,
        )
    }
}

impl Sale {
    /// Whether the pre-queue's order is drawn (and its key may be published): the sale has a
    /// pre-queue and is past it (open, paused or closed; or opened by hand before it began, when
    /// nobody is in it).
    pub fn draw_due(&self, now: UnixMillis) -> bool {
        self.settings.prequeue_opens_at.is_some()
            && !matches!(self.phase_at(now), Phase::Scheduled | Phase::Prequeue)
    }
}

/// The phase rule, shared by the coordinator and the edge (which only has a snapshot). A
/// scheduled sale with a pre-queue is in it from `prequeue_opens_at` until `opens_at`.
pub fn phase_at(
    control: Control,
    prequeue_opens_at: Option<UnixMillis>,
    opens_at: Option<UnixMillis>,
    now: UnixMillis,
) -> Phase {
    match control {
        Control::Scheduled if opens_at.is_some_and(|at| now >= at) => Phase::Open,
        Control::Scheduled if prequeue_opens_at.is_some_and(|at| now >= at) => Phase::Prequeue,
        Control::Scheduled => Phase::Scheduled,
        Control::Open => Phase::Open,
        Control::Paused => Phase::Paused,
        Control::Closed => Phase::Closed,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SaleSettingsInput {
        SaleSettingsInput {
            name: "Summer Tour".into(),
            purchase_url: "https://tickets.example/buy".into(),
            opens_at: Some("2026-12-01T10:00:00Z".into()),
            ..SaleSettingsInput::default()
        }
    }

    /// URLs are parsed without Unicode host support (idna_adapter 1.0: the worker's module is on
    /// the fan's path at every cold start, and the ICU4X tables were a tenth of the edge's; see
    /// docs/capacity.md, "Cold start"): an internationalised host is given in its ASCII
    /// (punycode) form, which is also how a URL is stored and shown.
    #[test]
    fn a_unicode_host_is_refused_naming_the_field_and_its_punycode_form_is_taken() {
        let punycode = SaleSettings::parse(SaleSettingsInput {
            purchase_url: "https://xn--bcher-kva.example/buy".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(
            punycode.purchase_url.as_str(),
            "https://xn--bcher-kva.example/buy"
        );
        let unicode = SaleSettings::parse(SaleSettingsInput {
            purchase_url: "https://b\u{fc}cher.example/buy".into(),
            ..input()
        })
        .unwrap_err();
        assert_eq!(unicode.field, "purchase_url");
        assert!(
            unicode.message.contains("not an absolute URL"),
            "{unicode:?}"
        );
    }

    /// The bound holds for what is stored: typed text that normalises past it (spaces become
    /// `%20`) is refused naming the field, and what is accepted reads back through the same
    /// check (it once stored a URL it could not read back: a 500 on every later request).
    #[test]
    fn a_url_is_bounded_as_stored_and_what_is_stored_reads_back() {
        let with_spaces = format!("https://tickets.example/{}", "a b".repeat(500));
        assert!(
            with_spaces.len() <= MAX_URL_BYTES,
            "typed: {}",
            with_spaces.len()
        );
        for (field, set) in [
            (
                "purchase_url",
                (|i: &mut SaleSettingsInput, u: String| i.purchase_url = u)
                    as fn(&mut SaleSettingsInput, String),
            ),
            ("webhook_url", |i, u| i.webhook_url = Some(u)),
        ] {
            let mut typed = input();
            set(&mut typed, with_spaces.clone());
            let refused = SaleSettings::parse(typed).unwrap_err();
            assert_eq!(refused.field, field);
            assert!(refused.message.contains("normalised"), "{refused:?}");
        }
        let fits = format!("https://tickets.example/{}", "a b".repeat(300));
        let settings = SaleSettings::parse(SaleSettingsInput {
            purchase_url: fits,
            ..input()
        })
        .unwrap();
        let stored = serde_json::to_string(&settings).unwrap();
        assert_eq!(
            serde_json::from_str::<SaleSettings>(&stored).unwrap(),
            settings
        );
    }

    #[test]
    fn parses_with_defaults() {
        let s = SaleSettings::parse(input()).unwrap();
        assert_eq!(s.claim_ttl_s, DEFAULT_CLAIM_TTL_S);
        assert_eq!(s.pass_ttl_s, DEFAULT_PASS_TTL_S);
        assert_eq!(s.opens_at, Some(UnixMillis(1_796_119_200_000)));
    }

    #[test]
    fn refuses_bad_settings() {
        type Mutation = Box<dyn Fn(&mut SaleSettingsInput)>;
        let cases: Vec<(&str, Mutation)> = vec![
            ("name", Box::new(|i| i.name = "  ".into())),
            ("name", Box::new(|i| i.name = "x".repeat(121))),
            ("name", Box::new(|i| i.name = "a\u{7}b".into())),
            (
                "purchase_url",
                Box::new(|i| i.purchase_url = "/relative".into()),
            ),
            (
                "webhook_url",
                Box::new(|i| i.webhook_url = Some("ftp://hooks.example/x".into())),
            ),
            (
                "webhook_url",
                Box::new(|i| i.webhook_url = Some("https://hooks.example/#x".into())),
            ),
            (
                "purchase_url",
                Box::new(|i| i.purchase_url = "javascript:alert(1)".into()),
            ),
            (
                "purchase_url",
                Box::new(|i| i.purchase_url = "https://x.example/#frag".into()),
            ),
            ("opens_at", Box::new(|i| i.opens_at = Some("soon".into()))),
            (
                "turnstile_site_key",
                Box::new(|i| i.turnstile_site_key = Some("<key>".into())),
            ),
            (
                "pass_delivery",
                Box::new(|i| i.pass_delivery = Some("email".into())),
            ),
            (
                "prequeue_opens_at",
                Box::new(|i| i.prequeue_opens_at = Some("soon".into())),
            ),
            (
                "prequeue_opens_at",
                Box::new(|i| i.prequeue_opens_at = Some("2026-12-01T10:00:00Z".into())),
            ),
            (
                "prequeue_opens_at",
                Box::new(|i| {
                    i.opens_at = None;
                    i.prequeue_opens_at = Some("2026-12-01T09:00:00Z".into())
                }),
            ),
            ("claim_ttl_s", Box::new(|i| i.claim_ttl_s = Some(1))),
            ("pow_bits", Box::new(|i| i.pow_bits = Some(27))),
            (
                "rate_limit_per_min",
                Box::new(|i| i.rate_limit_per_min = Some(u64::MAX)),
            ),
            (
                "over_budget",
                Box::new(|i| i.over_budget = Some("block".into())),
            ),
            ("pass_ttl_s", Box::new(|i| i.pass_ttl_s = Some(1_000_000))),
            (
                "admission.per_minute",
                Box::new(|i| {
                    i.admission = Some(AdmissionInput {
                        mode: Some("rate".into()),
                        ..Default::default()
                    })
                }),
            ),
            (
                "branding.color",
                Box::new(|i| {
                    i.branding = Some(BrandingInput {
                        color: Some("red;}".into()),
                        ..Default::default()
                    })
                }),
            ),
            (
                "branding.logo_url",
                Box::new(|i| {
                    i.branding = Some(BrandingInput {
                        logo_url: Some("javascript:x".into()),
                        ..Default::default()
                    })
                }),
            ),
            (
                "branding.message",
                Box::new(|i| {
                    i.branding = Some(BrandingInput {
                        message: Some("m".repeat(1001)),
                        ..Default::default()
                    })
                }),
            ),
        ];
        for (field, mutate) in cases {
            let mut i = input();
            mutate(&mut i);
            assert_eq!(SaleSettings::parse(i).unwrap_err().field, field);
        }
    }

    #[test]
    fn turnstile_and_pass_delivery_are_optional() {
        let s = SaleSettings::parse(input()).unwrap();
        assert_eq!(
            (s.turnstile_site_key, s.pass_delivery),
            (None, PassDelivery::Query)
        );
        let mut i = input();
        i.turnstile_site_key = Some(" 1x00000000000000000000AA ".into());
        i.pass_delivery = Some("form_post".into());
        let s = SaleSettings::parse(i).unwrap();
        assert_eq!(
            s.turnstile_site_key.as_ref().map(SiteKey::as_str),
            Some("1x00000000000000000000AA")
        );
        assert_eq!(s.pass_delivery, PassDelivery::FormPost);
        let stored = serde_json::to_value(&s).unwrap();
        assert_eq!(stored["pass_delivery"], "form_post");
        assert_eq!(serde_json::from_value::<SaleSettings>(stored).unwrap(), s);
        let mut empty = input();
        empty.turnstile_site_key = Some("".into());
        assert_eq!(SaleSettings::parse(empty).unwrap().turnstile_site_key, None);
    }

    #[test]
    fn branding_picks_a_readable_ink() {
        let ink = |c: &str| BrandColor::parse(c).unwrap().ink();
        assert_eq!(ink("#111827"), Ink::Light);
        assert_eq!(ink("#fde68a"), Ink::Dark);
        assert_eq!(ink("#000000"), Ink::Light);
        assert_eq!(ink("#ffffff"), Ink::Dark);
        assert_eq!(Branding::default().color(), DEFAULT_BRAND_COLOR);
        assert_eq!(DEFAULT_BRAND_COLOR.to_string(), "#5b21b6");
        assert_eq!(Branding::default().ink(), Ink::Light);
        let parsed = Branding::parse(BrandingInput {
            color: Some("#AABBCC".into()),
            logo_url: None,
            message: Some("  hi  ".into()),
        })
        .unwrap();
        assert_eq!(
            (
                parsed.color.map(|c| c.to_string()),
                parsed.message.as_deref()
            ),
            (Some("#aabbcc".to_owned()), Some("hi"))
        );
    }

    #[test]
    fn the_fan_salt_is_stored_as_text_and_never_shown() {
        let salt = FanSalt::from("0123456789abcdef");
        assert_eq!(
            serde_json::to_string(&salt).unwrap(),
            "\"0123456789abcdef\""
        );
        let back: FanSalt = serde_json::from_str("\"0123456789abcdef\"").unwrap();
        assert_eq!(back, salt);
        assert!(!format!("{salt:?}").contains("0123"));
    }

    #[test]
    fn brand_colours_parse_only_as_rrggbb() {
        for bad in [
            "", "#", "123456", "#12345", "#1234567", "#12345g", "#+12345", "red;}",
        ] {
            assert!(BrandColor::parse(bad).is_err(), "{bad}");
        }
        let c = BrandColor::parse("#0F766e").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), r##""#0f766e""##);
        assert_eq!(
            serde_json::from_str::<BrandColor>(r##""#0f766e""##).unwrap(),
            c
        );
        assert!(serde_json::from_str::<BrandColor>(r#""red""#).is_err());
        assert_eq!(serde_json::to_string(&Ink::Dark).unwrap(), r##""#111111""##);
    }

    #[test]
    fn settings_keep_their_stored_form() {
        // Settings stored before the URL and colour had types of their own still load, and
        // serialize to the same text.
        let stored = r##"{"name":"S","purchase_url":"https://tickets.example/buy?x=1","opens_at":null,"claim_ttl_s":120,"pass_ttl_s":600,"branding":{"color":"#aabbcc","logo_url":"https://cdn.example/l.png","message":null},"shards":1,"presence_ttl_s":30}"##;
        let settings: SaleSettings = serde_json::from_str(stored).unwrap();
        assert_eq!(
            settings.purchase_url.as_str(),
            "https://tickets.example/buy?x=1"
        );
        assert_eq!(serde_json::to_string(&settings).unwrap(), stored);
        let view = BrandingView::from(&settings.branding);
        let shown = serde_json::to_value(&view).unwrap();
        assert_eq!(
            shown,
            serde_json::json!({"color": "#aabbcc", "logo_url": "https://cdn.example/l.png", "message": null, "ink": "#111111"})
        );
        assert_eq!(serde_json::from_value::<BrandingView>(shown).unwrap(), view);
        assert!(serde_json::from_str::<WebUrl>(r#""javascript:alert(1)""#).is_err());
    }

    #[test]
    fn scheduled_sale_opens_by_itself() {
        let opens = UnixMillis(10_000);
        assert_eq!(
            phase_at(Control::Scheduled, None, Some(opens), UnixMillis(9_999)),
            Phase::Scheduled
        );
        assert_eq!(
            phase_at(Control::Scheduled, None, Some(opens), opens),
            Phase::Open
        );
        assert_eq!(
            phase_at(Control::Scheduled, None, None, UnixMillis(u64::MAX)),
            Phase::Scheduled
        );
        assert_eq!(
            phase_at(Control::Paused, None, Some(opens), UnixMillis(0)),
            Phase::Paused
        );
    }

    #[test]
    fn access_and_invitation_keys_are_checked_and_stored() {
        let open = SaleSettings::parse(input()).unwrap();
        assert_eq!(open.access, Access::Open);
        assert!(!serde_json::to_string(&open).unwrap().contains("access"));
        let mut bad = input();
        bad.access = Some("friends".into());
        assert_eq!(SaleSettings::parse(bad).unwrap_err().field, "access");
        let mut bad = input();
        bad.invite_jwks = Some(serde_json::json!({"keys": [{"kty": "oct"}]}));
        assert_eq!(SaleSettings::parse(bad).unwrap_err().field, "invite_jwks");
        let mut invite = input();
        invite.access = Some("invite".into());
        invite.invite_jwks = Some(serde_json::json!({"keys": [{
            "kty": "OKP", "crv": "Ed25519", "kid": "k1",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        }]}));
        let invite = SaleSettings::parse(invite).unwrap();
        assert_eq!(invite.access, Access::Invite);
        let stored = serde_json::to_string(&invite).unwrap();
        let back: SaleSettings = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, invite, "{stored}");
        // `null` is no keys.
        let mut none = input();
        none.invite_jwks = Some(serde_json::Value::Null);
        assert_eq!(SaleSettings::parse(none).unwrap().invite_jwks, None);
    }

    #[test]
    fn a_prequeue_comes_between_scheduled_and_open() {
        let (pre, opens) = (Some(UnixMillis(5_000)), Some(UnixMillis(10_000)));
        let at = |now| phase_at(Control::Scheduled, pre, opens, UnixMillis(now));
        assert_eq!(at(4_999), Phase::Scheduled);
        assert_eq!(at(5_000), Phase::Prequeue);
        assert_eq!(at(9_999), Phase::Prequeue);
        assert_eq!(at(10_000), Phase::Open);
        assert!(Phase::Prequeue.admits_joins());
        let mut i = input();
        i.prequeue_opens_at = Some("2026-12-01T09:30:00Z".into());
        let s = SaleSettings::parse(i).unwrap();
        assert_eq!(
            s.prequeue_opens_at,
            Some(UnixMillis(1_796_119_200_000 - 1_800_000))
        );
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains(r#""prequeue_opens_at":"2026-12-01T09:30:00Z""#));
        assert_eq!(serde_json::from_str::<SaleSettings>(&text).unwrap(), s);
    }
}
