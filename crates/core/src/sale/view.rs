//! A sale as anyone may see it: what the edge caches in its snapshot and promoters see in the
//! report.

use super::admission::Admission;
use super::assist::Assist;
use super::branding::BrandingView;
use super::phase::{phase_at, Control, Phase};
use super::record::{Sale, ShardsChange};
use super::web_url::WebUrl;
use crate::fairness::invitation::{Access, InviteKeys};
use crate::fairness::place_price::OverBudget;
use crate::fairness::pow::PowBits;
use crate::fairness::turnstile::SiteKey;
use crate::ids::SaleId;
use crate::keys::pass_delivery::PassDelivery;
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};

/// What anyone may know of a sale's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleView {
    pub id: SaleId,
    pub name: String,
    pub control: Control,
    #[serde(with = "rfc3339::option")]
    pub opens_at: Option<UnixMillis>,
    /// When the pre-queue opens (absent: no pre-queue).
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub prequeue_opens_at: Option<UnixMillis>,
    pub purchase_url: WebUrl,
    pub claim_ttl_s: u64,
    pub pass_ttl_s: u64,
    pub branding: BrandingView,
    pub shards: u32,
    pub presence_ttl_s: u64,
    /// Where the sale's events go (promoters see it in the report; absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<WebUrl>,
    /// How fans are let in (`{"mode": "pull"}` when absent: a snapshot from before modes).
    #[serde(default)]
    pub admission: Admission,
    /// Joins need a Turnstile token for this site key (absent: no Turnstile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile_site_key: Option<SiteKey>,
    /// How the pass reaches the purchase page.
    #[serde(default)]
    pub pass_delivery: PassDelivery,
    /// Proof of work a new place costs (0: none).
    #[serde(default)]
    pub pow_bits: PowBits,
    /// Place-taking requests a minute from one address (absent: the environment's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_min: Option<u32>,
    /// What an address over that budget pays (`price` when absent: a snapshot from before it).
    #[serde(default)]
    pub over_budget: OverBudget,
    /// The last live change of `shards`, for where proof-of-work joins go
    /// ([`crate::queue::snapshot::home_shard`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards_changed: Option<ShardsChange>,
    /// Who may join, and the promoter's keys for invitations (the edge verifies them).
    #[serde(default)]
    pub access: Access,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_jwks: Option<InviteKeys>,
    /// Places are bound to the device that took them (absent: off, a snapshot from before it).
    #[serde(default)]
    pub device_binding: bool,
    /// The assisted lane (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assist: Option<Assist>,
    /// Fans may ask to be called back by Web Push (absent: off). In the snapshot too, so the
    /// edge's waiting page offers it without asking the coordinator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<super::CallBack>,
    /// Parties: the most fans one place admits together (absent: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub party_max: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl SaleView {
    pub fn of(sale: &Sale) -> Self {
        Self {
            id: sale.id.clone(),
            name: sale.settings.name.clone(),
            control: sale.control,
            opens_at: sale.settings.opens_at,
            prequeue_opens_at: sale.settings.prequeue_opens_at,
            purchase_url: sale.settings.purchase_url.clone(),
            claim_ttl_s: sale.settings.claim_ttl_s,
            pass_ttl_s: sale.settings.pass_ttl_s,
            branding: BrandingView::from(&sale.settings.branding),
            shards: sale.settings.shards,
            presence_ttl_s: sale.settings.presence_ttl_s,
            webhook_url: sale.settings.webhook_url.clone(),
            admission: sale.settings.admission,
            turnstile_site_key: sale.settings.turnstile_site_key.clone(),
            pass_delivery: sale.settings.pass_delivery,
            pow_bits: sale.settings.pow_bits,
            rate_limit_per_min: sale.settings.rate_limit_per_min,
            over_budget: sale.settings.over_budget,
            shards_changed: sale.shards_changed,
            access: sale.settings.access,
            invite_jwks: sale.settings.invite_jwks.clone(),
            device_binding: sale.settings.device_binding,
            assist: sale.settings.assist,
            party_max: sale.settings.party_max,
            push: sale.settings.push,
        }
    }

    pub fn phase_at(&self, now: UnixMillis) -> Phase {
        phase_at(self.control, self.prequeue_opens_at, self.opens_at, now)
    }
}
