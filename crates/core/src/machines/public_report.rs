//! The sale's public report: what anyone may read once the sale is closed (or the promoter
//! published it): how many fans were in line and were let in, how long they waited, the draw
//! and how to check it, and when the sale ended. Built from the promoter's [`SaleReport`], it
//! carries only totals and quantiles: no fan's id, number, token or address, and no wait
//! quantile while fewer than [`MIN_WAITS_SHOWN`] fans were admitted (one fan's wait would be
//! theirs alone).

use crate::fairness::refusals::RefusedCounts;
use crate::machines::protocol::SaleReport;
use crate::queue::draw::DrawInfo;
use crate::sale::{Phase, ReportVisibility};
use crate::time::{rfc3339, UnixMillis};
use crate::SaleId;
use serde::{Deserialize, Serialize};

/// Wait quantiles are shown only once at least this many fans were admitted.
pub const MIN_WAITS_SHOWN: u64 = 10;

/// The public report of one sale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicReport {
    pub sale: SaleId,
    pub name: String,
    pub phase: Phase,
    /// Whether the numbers are final (the sale is closed).
    #[serde(rename = "final")]
    pub is_final: bool,
    /// When the sale ended (the promoter closed it); `null` while it runs.
    #[serde(with = "rfc3339::option")]
    pub ended_at: Option<UnixMillis>,
    /// Fans who took a place in line.
    pub fans_in_line: u64,
    /// Fans let in (their turn came: assigned to a window), whatever they did then.
    pub admitted: u64,
    /// Of those: purchases the origin reported done.
    pub completed: u64,
    /// Fans skipped at the front because they had left before their turn.
    pub left_before_turn: u64,
    /// Fans granted the assisted lane (more time to claim and buy).
    pub assisted: u64,
    pub waits: PublicWaits,
    /// Places refused, by defence: proof of work, the address's rate, Turnstile, invitations,
    /// and sockets past the bounds per address or object. Counts of refusals, not of fans (a
    /// script refused ten times counts ten).
    pub refused: RefusedCounts,
    /// The pre-queue's draw, for a sale that had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<PublicDraw>,
}

/// Waits from joining the line to admission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicWaits {
    /// How many waits the quantiles are read from.
    pub counted: u64,
    /// In whole seconds, within 1/16 (exact below 16 s); `null` while fewer than
    /// [`MIN_WAITS_SHOWN`] fans were admitted.
    pub median_s: Option<u64>,
    pub p90_s: Option<u64>,
}

/// The draw as the report shows it, with the command that checks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDraw {
    #[serde(flatten)]
    pub info: DrawInfo,
    /// Whether the revealed key matches the commitment (`null` before the draw).
    pub key_matches: Option<bool>,
    /// The verifier's command (`{edge}`: this service's public address).
    pub verify: String,
}

impl PublicReport {
    /// The public report of `report`'s sale, or `None` while the public may not see it.
    pub fn of(report: &SaleReport) -> Option<Self> {
        if !report.report_visibility.shows(report.phase) {
            return None;
        }
        Some(Self::preview(report))
    }

    /// The report as it would be published, whoever may see it (the promoter's preview).
    pub fn preview(report: &SaleReport) -> Self {
        let s = &report.stats;
        let admitted = s.assigned + s.completed + s.released + s.lapsed + s.expired;
        let counted = report.waits.count();
        let shown = counted >= MIN_WAITS_SHOWN;
        let sale = report.sale.id.clone();
        Self {
            name: report.sale.name.clone(),
            phase: report.phase,
            is_final: report.phase == Phase::Closed,
            ended_at: report.closed_at,
            fans_in_line: s.joined,
            admitted,
            completed: s.completed,
            left_before_turn: s.left,
            assisted: report.assisted,
            waits: PublicWaits {
                counted,
                median_s: shown.then(|| report.waits.quantile(0.5)).flatten(),
                p90_s: shown.then(|| report.waits.quantile(0.9)).flatten(),
            },
            refused: report.refused,
            draw: report.draw.clone().map(|info| PublicDraw {
                key_matches: info.key_matches(),
                verify: format!("cargo run -p verify-draw -- --edge-url {{edge}} --sale {sale}"),
                info,
            }),
            sale,
        }
    }
}

/// Whether `visibility` is a promoter's word the report can take (every value is).
pub fn visibility_names() -> &'static str {
    "after_close, published, hidden"
}

impl ReportVisibility {
    /// The visibility a promoter names.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::AfterClose, Self::Published, Self::Hidden]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}
