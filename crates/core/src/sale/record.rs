//! A sale as the coordinator keeps (and stores) it: its settings, the phase its promoter set, the
//! secret its fan ids are derived from, and the last live change of its shards.

use super::phase::{phase_at, Control, Phase};
use super::settings::SaleSettings;
use crate::ids::SaleId;
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// When the promoter closed the sale: its end, as the public report says (absent while it
    /// is not closed, and in records stored before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<UnixMillis>,
    /// Who may see the sale's public report (docs/api.md, "The public report").
    #[serde(default)]
    pub report: ReportVisibility,
}

/// Who may see a sale's public report: by default anyone once the sale is closed; the promoter
/// can publish it before, or hide it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportVisibility {
    /// Public once the sale is closed.
    #[default]
    AfterClose,
    /// Public now, while the sale runs too (its numbers then still move).
    Published,
    /// Never public (the promoter still sees it).
    Hidden,
}

impl ReportVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AfterClose => "after_close",
            Self::Published => "published",
            Self::Hidden => "hidden",
        }
    }

    /// Whether the public may see the report of a sale in `phase`.
    pub fn shows(self, phase: Phase) -> bool {
        match self {
            Self::AfterClose => phase == Phase::Closed,
            Self::Published => true,
            Self::Hidden => false,
        }
    }
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
