//! "Close the tab, be called back" (docs/api.md, "Called back"): a sale may let a waiting fan
//! ask to be notified by Web Push. Such a fan gets a push when `near_front` or fewer fans are
//! ahead of them and another when it is their turn; their turn is then held `return_window_s`
//! (instead of the sale's `claim_ttl_s`, if that is shorter) for them to come back, and presence
//! does not skip them at the front.

use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};

/// The distances a promoter may set for the "near the front" push.
pub const NEAR_FRONT_RANGE: (u64, u64) = (1, 100_000);
/// The "near the front" push when the promoter does not say.
pub const DEFAULT_NEAR_FRONT: u64 = 50;
/// The return windows a promoter may set, in seconds.
pub const RETURN_WINDOW_RANGE: (u64, u64) = (60, 1_800);
/// The return window when the promoter does not say: 5 minutes.
pub const DEFAULT_RETURN_WINDOW_S: u64 = 300;

/// The `push` setting, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallBackInput {
    #[serde(default)]
    pub near_front: Option<u64>,
    #[serde(default)]
    pub return_window_s: Option<u64>,
}

/// A sale's call-back by Web Push.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallBack {
    /// The "near the front" push goes out when this many fans or fewer are ahead.
    pub near_front: u32,
    /// How long a called fan's turn is held for them to come back.
    pub return_window_s: u32,
}

impl CallBack {
    pub fn parse(input: CallBackInput) -> Result<Self, SettingsError> {
        let bounded = |field, value: Option<u64>, default, (lo, hi): (u64, u64), unit| {
            let value = value.unwrap_or(default);
            if (lo..=hi).contains(&value) {
                Ok(value as u32)
            } else {
                Err(invalid(
                    field,
                    format!("must be between {lo} and {hi}{unit}"),
                ))
            }
        };
        Ok(Self {
            near_front: bounded(
                "push.near_front",
                input.near_front,
                DEFAULT_NEAR_FRONT,
                NEAR_FRONT_RANGE,
                "",
            )?,
            return_window_s: bounded(
                "push.return_window_s",
                input.return_window_s,
                DEFAULT_RETURN_WINDOW_S,
                RETURN_WINDOW_RANGE,
                " seconds",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_and_the_window_are_bounded_with_defaults() {
        let parse = |near_front, return_window_s| {
            CallBack::parse(CallBackInput {
                near_front,
                return_window_s,
            })
        };
        assert_eq!(
            parse(None, None).unwrap(),
            CallBack {
                near_front: 50,
                return_window_s: 300
            }
        );
        assert_eq!(parse(Some(1), Some(1_800)).unwrap().near_front, 1);
        for (n, w) in [
            (Some(0), None),
            (Some(100_001), None),
            (None, Some(59)),
            (None, Some(1_801)),
        ] {
            assert!(parse(n, w).is_err(), "{n:?} {w:?}");
        }
    }
}
