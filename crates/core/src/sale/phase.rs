//! Where a sale is: the phase fans and windows see ([`Phase`]), the one a promoter last set
//! ([`Control`]), and the rule from one to the other at an instant ([`phase_at`]).

use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// The phase a promoter last set. `Scheduled` turns into `Open` by itself at `opens_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Scheduled,
    Open,
    Paused,
    Closed,
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
