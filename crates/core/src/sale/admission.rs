//! How a sale lets fans in, its `admission` setting: the origin's windows pull them (`pull`, the
//! default), the coordinator admits a steady number a minute (`rate`), or it keeps at most a
//! number of fans holding an admission at once (`capacity`).
//!
//! The rate is a generic cell rate algorithm (GCRA, "virtual scheduling"): each admission moves
//! the theoretical arrival time (`tat`) on by one interval; a fan may be admitted when `tat` is
//! not in the future; and `tat` never lags `now` by more than one second's worth of admissions
//! minus one (the tolerance). So over any window of `w` ms at most `(w + tolerance) / interval + 1`
//! fans are admitted: over any minute, at most `per_minute` plus one second's burst
//! ([`RateLimit::burst`]). Times are in microseconds so that an interval like 60 000 000 / 7 µs
//! is exact to a microsecond (rounded up: never faster than the rate).

use crate::settings_error::{invalid, SettingsError};
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `admission.per_minute` bounds.
pub const PER_MINUTE_RANGE: (u64, u64) = (1, 120_000);
/// `admission.active` bounds.
pub const ACTIVE_RANGE: (u64, u64) = (1, 100_000);
/// `admission.session_s` bounds.
pub const SESSION_RANGE: (u64, u64) = (10, 86_400);

/// A sale's admission mode, validated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Admission {
    /// The origin's windows pull fans (`POST .../pull`).
    #[default]
    Pull,
    /// `per_minute` fans a minute, in line order, with no origin involvement.
    Rate { per_minute: u32 },
    /// At most `active` fans hold an admission at once; a claimed admission ends `session_s`
    /// after the claim (or when the origin completes or releases it).
    Capacity { active: u32, session_s: u64 },
}

/// The `admission` of `PUT /api/admin/sales/{sale}`, as sent. Numbers are read as JSON numbers of
/// any kind, so that a negative or fractional one is refused naming its field.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionInput {
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub per_minute: Option<f64>,
    #[serde(default)]
    pub active: Option<f64>,
    #[serde(default)]
    pub session_s: Option<f64>,
}

/// A whole number in `lo..=hi`, required.
fn whole(
    field: &'static str,
    value: Option<f64>,
    (lo, hi): (u64, u64),
) -> Result<u64, SettingsError> {
    let value = value.ok_or_else(|| invalid(field, "is required for this mode"))?;
    if value.fract() != 0.0 || value < lo as f64 || value > hi as f64 {
        return Err(invalid(
            field,
            format!("must be a whole number between {lo} and {hi}"),
        ));
    }
    Ok(value as u64)
}

/// Refuses a number that belongs to another mode.
fn absent(field: &'static str, value: Option<f64>, mode: &str) -> Result<(), SettingsError> {
    match value {
        Some(_) => Err(invalid(field, format!("is not a setting of mode {mode}"))),
        None => Ok(()),
    }
}

impl Admission {
    pub fn parse(input: AdmissionInput) -> Result<Self, SettingsError> {
        let mode = input
            .mode
            .ok_or_else(|| invalid("admission.mode", "is required: pull, rate or capacity"))?;
        match mode.as_str() {
            "pull" => {
                absent("admission.per_minute", input.per_minute, "pull")?;
                absent("admission.active", input.active, "pull")?;
                absent("admission.session_s", input.session_s, "pull")?;
                Ok(Admission::Pull)
            }
            "rate" => {
                absent("admission.active", input.active, "rate")?;
                absent("admission.session_s", input.session_s, "rate")?;
                let per_minute = whole("admission.per_minute", input.per_minute, PER_MINUTE_RANGE)?;
                Ok(Admission::Rate {
                    per_minute: per_minute as u32,
                })
            }
            "capacity" => {
                absent("admission.per_minute", input.per_minute, "capacity")?;
                let active = whole("admission.active", input.active, ACTIVE_RANGE)?;
                let session_s = whole("admission.session_s", input.session_s, SESSION_RANGE)?;
                Ok(Admission::Capacity {
                    active: active as u32,
                    session_s,
                })
            }
            _ => Err(invalid(
                "admission.mode",
                "must be one of pull, rate, capacity",
            )),
        }
    }

    pub fn mode(self) -> &'static str {
        match self {
            Admission::Pull => "pull",
            Admission::Rate { .. } => "rate",
            Admission::Capacity { .. } => "capacity",
        }
    }

    pub fn is_pull(&self) -> bool {
        *self == Admission::Pull
    }

    /// The rate schedule, in `rate` mode.
    pub fn rate(self) -> Option<RateLimit> {
        match self {
            Admission::Rate { per_minute } => Some(RateLimit::new(per_minute)),
            _ => None,
        }
    }

    /// The admission rate this mode aims at, in fans a second (`rate` mode only).
    pub fn target_rate(self) -> Option<f64> {
        match self {
            Admission::Rate { per_minute } => Some(f64::from(per_minute) / 60.0),
            _ => None,
        }
    }

    /// How long a claimed admission lasts, and its pass: the sale's `pass_ttl_s`, or in
    /// `capacity` mode the session if it is shorter (an admission cannot outlive its pass).
    pub fn claimed_for_s(self, pass_ttl_s: u64) -> u64 {
        match self {
            Admission::Capacity { session_s, .. } => session_s.min(pass_ttl_s),
            _ => pass_ttl_s,
        }
    }
}

impl fmt::Display for Admission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Admission::Pull => f.write_str("pull"),
            Admission::Rate { per_minute } => write!(f, "rate ({per_minute} a minute)"),
            Admission::Capacity { active, session_s } => {
                write!(f, "capacity ({active} at once, sessions of {session_s} s)")
            }
        }
    }
}

/// The `rate` mode's schedule for `per_minute` fans a minute (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    per_minute: u32,
}

const MINUTE_US: u64 = 60_000_000;

/// Microseconds since the epoch of `at`.
pub fn micros(at: UnixMillis) -> u64 {
    at.0.saturating_mul(1_000)
}

impl RateLimit {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
        }
    }

    pub fn per_minute(self) -> u32 {
        self.per_minute
    }

    /// Microseconds between two admissions, rounded up.
    pub fn interval_us(self) -> u64 {
        MINUTE_US.div_ceil(u64::from(self.per_minute))
    }

    /// One second's worth of admissions (at least one): the most admitted at one instant, and
    /// what a minute may exceed the rate by.
    pub fn burst(self) -> u64 {
        u64::from(self.per_minute).div_ceil(60).max(1)
    }

    fn tolerance_us(self) -> u64 {
        (self.burst() - 1) * self.interval_us()
    }

    /// When the next admission may happen, at `now_us`, after a schedule that reached `tat_us`:
    /// `tat_us`, but never longer ago than the tolerance (time nobody waited is not saved up).
    pub fn next_at_us(self, tat_us: u64, now_us: u64) -> u64 {
        tat_us.max(now_us.saturating_sub(self.tolerance_us()))
    }

    /// How many fans may be admitted at `now_us` (at most [`RateLimit::burst`]).
    pub fn due(self, tat_us: u64, now_us: u64) -> u64 {
        let start = self.next_at_us(tat_us, now_us);
        if start > now_us {
            return 0;
        }
        (now_us - start) / self.interval_us() + 1
    }

    /// The schedule after admitting `n` fans at `now_us` (`n` at most [`RateLimit::due`]).
    pub fn after(self, tat_us: u64, now_us: u64, n: u64) -> u64 {
        self.next_at_us(tat_us, now_us) + n * self.interval_us()
    }

    /// What the edge adds to a snapshot's front: the admissions due at `now` for a schedule
    /// that stood at `next_at` when the snapshot was taken (rounded up to the millisecond), if
    /// fans kept waiting. It is [`RateLimit::due`] itself, so never more than the coordinator
    /// admits by `now` however often it ran (running more often admits no fewer), and it counts
    /// continuously for a snapshot up to a second old; an older one under-states, never over.
    pub fn admitted_by(self, next_at: UnixMillis, now: UnixMillis) -> u64 {
        self.due(micros(next_at), micros(now))
    }

    /// When admission number `k` (0: the next) happens, counted at `now` from a schedule that
    /// stood at `next_at`, as [`RateLimit::admitted_by`] counts.
    pub fn time_of(self, next_at: UnixMillis, now: UnixMillis, k: u64) -> UnixMillis {
        let start = self.next_at_us(micros(next_at), micros(now));
        UnixMillis((start + k.saturating_mul(self.interval_us())).div_ceil(1_000))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(mode: &str) -> AdmissionInput {
        AdmissionInput {
            mode: Some(mode.into()),
            ..AdmissionInput::default()
        }
    }

    #[test]
    fn modes_parse_and_refuse_naming_the_field() {
        assert_eq!(Admission::parse(input("pull")), Ok(Admission::Pull));
        let rate = AdmissionInput {
            per_minute: Some(600.0),
            ..input("rate")
        };
        assert_eq!(
            Admission::parse(rate),
            Ok(Admission::Rate { per_minute: 600 })
        );
        let capacity = AdmissionInput {
            active: Some(50.0),
            session_s: Some(300.0),
            ..input("capacity")
        };
        assert_eq!(
            Admission::parse(capacity),
            Ok(Admission::Capacity {
                active: 50,
                session_s: 300
            })
        );
        let cases = [
            (AdmissionInput::default(), "admission.mode"),
            (input("fast"), "admission.mode"),
            (input("rate"), "admission.per_minute"),
            (
                AdmissionInput {
                    per_minute: Some(0.0),
                    ..input("rate")
                },
                "admission.per_minute",
            ),
            (
                AdmissionInput {
                    per_minute: Some(1.5),
                    ..input("rate")
                },
                "admission.per_minute",
            ),
            (
                AdmissionInput {
                    per_minute: Some(-3.0),
                    ..input("rate")
                },
                "admission.per_minute",
            ),
            (
                AdmissionInput {
                    per_minute: Some(1e9),
                    ..input("rate")
                },
                "admission.per_minute",
            ),
            (
                AdmissionInput {
                    per_minute: Some(60.0),
                    active: Some(3.0),
                    ..input("rate")
                },
                "admission.active",
            ),
            (
                AdmissionInput {
                    active: Some(3.0),
                    ..input("capacity")
                },
                "admission.session_s",
            ),
            (
                AdmissionInput {
                    active: Some(0.0),
                    session_s: Some(60.0),
                    ..input("capacity")
                },
                "admission.active",
            ),
            (
                AdmissionInput {
                    active: Some(3.0),
                    session_s: Some(5.0),
                    ..input("capacity")
                },
                "admission.session_s",
            ),
            (
                AdmissionInput {
                    per_minute: Some(60.0),
                    ..input("pull")
                },
                "admission.per_minute",
            ),
        ];
        for (case, field) in cases {
            let text = format!("{case:?}");
            assert_eq!(Admission::parse(case).unwrap_err().field, field, "{text}");
        }
    }

    #[test]
    fn the_stored_form_is_tagged_by_mode() {
        let a = Admission::Capacity {
            active: 5,
            session_s: 60,
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"mode":"capacity","active":5,"session_s":60}"#);
        assert_eq!(serde_json::from_str::<Admission>(&json).unwrap(), a);
        assert_eq!(
            serde_json::to_string(&Admission::Pull).unwrap(),
            r#"{"mode":"pull"}"#
        );
        assert_eq!(a.claimed_for_s(600), 60);
        assert_eq!(a.claimed_for_s(30), 30, "never past the pass");
        assert_eq!(Admission::Pull.claimed_for_s(600), 600);
    }

    #[test]
    fn the_schedule_spaces_admissions_and_bursts_one_second() {
        let r = RateLimit::new(600);
        assert_eq!((r.interval_us(), r.burst()), (100_000, 10));
        let now = 1_000_000_000_000;
        // Idle for long: one second's burst at once, then one every 100 ms.
        assert_eq!(r.due(0, now), 10);
        let tat = r.after(0, now, 10);
        assert_eq!(tat, now + 100_000);
        assert_eq!(r.due(tat, now + 99_999), 0);
        assert_eq!(r.due(tat, now + 100_000), 1);
        let slow = RateLimit::new(30);
        assert_eq!((slow.interval_us(), slow.burst()), (2_000_000, 1));
        assert_eq!(slow.due(0, now), 1);
        // The edge's count from a snapshot's schedule: continuous for a second, then capped at
        // one second's burst (a schedule long in the past saves nothing up).
        let next = UnixMillis(1_000_000);
        assert_eq!(r.admitted_by(next, UnixMillis(999_999)), 0);
        assert_eq!(r.admitted_by(next, next), 1);
        assert_eq!(r.admitted_by(next, next.plus_millis(250)), 3);
        assert_eq!(r.admitted_by(next, next.plus_millis(900)), 10);
        assert_eq!(r.admitted_by(next, next.plus_secs(60)), 10);
        assert_eq!(r.time_of(next, next, 3), next.plus_millis(300));
        assert_eq!(
            r.time_of(next, next.plus_secs(60), 3),
            next.plus_millis(60_000 - 900 + 300)
        );
    }

    /// The most admissions (times in ms, in order) within any 60 s.
    pub(crate) fn busiest_minute(admitted: &[u64]) -> u64 {
        let mut first = 0;
        let mut most = 0;
        for (last, at) in admitted.iter().enumerate() {
            while admitted[first] + 60_000 <= *at {
                first += 1;
            }
            most = most.max(last + 1 - first);
        }
        most as u64
    }

    proptest! {
        /// Whenever the schedule is asked (at any times, admitting any number up to what is
        /// due), admissions over any 60 s stay within the rate plus one second's burst; and a
        /// fan waiting all along is admitted at the rate.
        #[test]
        fn any_minute_stays_within_the_rate_and_a_burst(
            per_minute in 1u32..5_000,
            steps in prop::collection::vec((0u64..3_000, 0u64..200), 1..300),
        ) {
            let r = RateLimit::new(per_minute);
            let mut now_ms = 1_800_000_000_000u64;
            let mut tat = 0;
            let mut admitted: Vec<u64> = Vec::new();
            for (wait, want) in steps {
                now_ms += wait;
                let now_us = now_ms * 1_000;
                let n = r.due(tat, now_us).min(want);
                prop_assert!(r.due(tat, now_us) <= r.burst());
                tat = r.after(tat, now_us, n);
                admitted.extend(std::iter::repeat_n(now_ms, n as usize));
            }
            let limit = u64::from(per_minute) + r.burst();
            prop_assert!(busiest_minute(&admitted) <= limit, "limit {}", limit);
        }
    }
}
