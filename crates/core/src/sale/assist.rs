//! The assisted lane: a sale may give fans who need it more time, `multiplier` times the claim
//! and pass time, to at most `max_places` fans (those who ask on the page, and members whose
//! invitation carries an `assist` claim). Counted and capped per sale, so it cannot be used to
//! hold places: once the cap is reached, asking is refused (docs/api.md, "The assisted lane").

use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};

/// The multipliers a sale may grant.
pub const ASSIST_MULTIPLIER_RANGE: (u32, u32) = (2, 10);
/// The most assisted places a sale may grant (the coordinator keeps one number per place).
pub const MAX_ASSISTED_PLACES: u32 = 10_000;
/// Assisted places when the promoter does not say.
pub const DEFAULT_ASSISTED_PLACES: u32 = 100;

/// The `assist` setting, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistInput {
    pub multiplier: Option<u64>,
    #[serde(default)]
    pub max_places: Option<u64>,
}

/// The assisted lane of a sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assist {
    /// Claim and pass time of an assisted fan, as a multiple of the sale's.
    pub multiplier: u32,
    /// The most fans the lane takes.
    pub max_places: u32,
}

impl Assist {
    pub fn parse(input: AssistInput) -> Result<Self, SettingsError> {
        let (lo, hi) = ASSIST_MULTIPLIER_RANGE;
        let multiplier = input
            .multiplier
            .filter(|m| (u64::from(lo)..=u64::from(hi)).contains(m))
            .ok_or_else(|| {
                invalid(
                    "assist.multiplier",
                    format!("must be a whole number from {lo} to {hi}"),
                )
            })? as u32;
        let max_places = match input.max_places {
            None => DEFAULT_ASSISTED_PLACES,
            Some(n @ 1..) if n <= u64::from(MAX_ASSISTED_PLACES) => n as u32,
            Some(_) => {
                return Err(invalid(
                    "assist.max_places",
                    format!("must be between 1 and {MAX_ASSISTED_PLACES}"),
                ))
            }
        };
        Ok(Self {
            multiplier,
            max_places,
        })
    }

    /// `secs` of the sale's time, as an assisted fan has it.
    pub fn times(self, secs: u64) -> u64 {
        secs.saturating_mul(u64::from(self.multiplier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_multiplier_and_the_cap_are_bounded() {
        let ok = |m, n| {
            Assist::parse(AssistInput {
                multiplier: m,
                max_places: n,
            })
        };
        assert_eq!(
            ok(Some(3), None).unwrap(),
            Assist {
                multiplier: 3,
                max_places: DEFAULT_ASSISTED_PLACES
            }
        );
        assert_eq!(ok(Some(10), Some(10_000)).unwrap().max_places, 10_000);
        for (m, n) in [
            (None, None),
            (Some(1), None),
            (Some(11), None),
            (Some(3), Some(0)),
            (Some(3), Some(10_001)),
        ] {
            assert!(ok(m, n).is_err(), "{m:?} {n:?}");
        }
        assert_eq!(ok(Some(3), None).unwrap().times(120), 360);
        assert_eq!(ok(Some(3), None).unwrap().times(u64::MAX), u64::MAX);
    }
}
