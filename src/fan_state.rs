//! A fan's state: one enum for the status answer's `state` (docs/api.md) and the waiting page's
//! (its `data-state`, which the page's script reads as the status's, and the words it shows), so
//! the two cannot drift apart.

use serde::{Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanState {
    /// In line: the status's `position` and `ahead` say where.
    Waiting,
    /// Admitted: the pass, and where to take it.
    YourTurn,
    /// In the pre-queue: the order is drawn at `draw_at`.
    Prequeue,
    /// The turn is over without a purchase (lapsed, released, left or expired), or the record of
    /// the place could not be read.
    Lapsed,
    /// The sale closed.
    Closed,
    /// The place moved to another device: this token no longer holds it (docs/api.md, "Move my
    /// place").
    Moved,
}

impl FanState {
    pub const ALL: [FanState; 6] = [
        FanState::Waiting,
        FanState::YourTurn,
        FanState::Prequeue,
        FanState::Lapsed,
        FanState::Closed,
        FanState::Moved,
    ];

    /// Its name in the contract.
    pub const fn as_str(self) -> &'static str {
        match self {
            FanState::Waiting => "waiting",
            FanState::YourTurn => "your_turn",
            FanState::Prequeue => "prequeue",
            FanState::Lapsed => "lapsed",
            FanState::Closed => "closed",
            FanState::Moved => "moved",
        }
    }
}

impl fmt::Display for FanState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FanState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_the_json_say_the_same_names() {
        let names: Vec<String> = FanState::ALL
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "waiting",
                "your_turn",
                "prequeue",
                "lapsed",
                "closed",
                "moved"
            ]
        );
        for state in FanState::ALL {
            assert_eq!(state.to_string(), state.as_str());
        }
    }
}
