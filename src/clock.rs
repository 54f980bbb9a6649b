//! The one place the Worker reads the clock. Everything below takes `now` as an argument.
//!
//! # The test clock (docs/api.md, "Testing")
//!
//! A test moves the worker's clock forward instead of sleeping: `POST /api/admin/test/clock`
//! (only with `WAITROOM_TEST_FAULTS=1`, asked on a loopback address: see [`crate::test_faults`])
//! adds to an offset, and [`now`] is the wall clock plus that offset. A deployed worker never
//! has the route, so its offset is 0 and [`now`] is the wall clock.
//!
//! The offset is a value in memory, so it is per isolate. What we found about isolates in local
//! runs (`wrangler dev` 4.86 with `-c wrangler.edge.toml -c wrangler.toml`, as the tests start
//! it): each Worker is one isolate, and the Durable Objects run in the full worker's (workerd
//! makes no isolate per object). So there are two, and tests/api/test_clock.rs checks both:
//! - the edge worker's: its fetch. It hands the clock route to the full worker through its
//!   service binding and, when that answers 200, learns the new offset from the answer
//!   ([`learn_offset`]). Without that its clock stays the wall clock (tried: the test fails).
//! - the full worker's: its fetch, cron and queue consumer, and every Durable Object
//!   (coordinators, arrival shards, the registry, the monitor). The route sets the offset there:
//!   a move made before any sale existed (so told to no object) is read by a coordinator created
//!   after it. Each object the route tells of a move (to run its alarm) is given the offset too,
//!   so objects in an isolate of their own (not so locally) would learn it as well.
//!
//! The offset only grows ([`moved`]). It lives in the Wasm module's memory and, mirrored, on the
//! isolate's `globalThis`: a Wasm module reinitialized after a fatal error (the workers-rs shim
//! does that) restores it at start ([`restore_offset`]) instead of setting the clock back. A
//! restarted `wrangler dev` starts at 0 again: the test that restarts a worker applies its
//! offset again (tests/support/worker.rs).
//!
//! Alarms: objects set them relative to [`now`] ([`until`]), so an alarm wanted at (offset) time
//! `T` is set at wall time `T - offset`. An alarm set before an advance rings too late: the
//! route runs the alarm handler of every object with an alarm pending, which does what is due by
//! the moved clock and sets the next alarm from it: each sale's coordinator (the registry lists
//! them) and its arrival shards. The registry and the monitor set no alarms; the monitor's canary
//! sale is in no registry, and its alarms ring at the wall time they were set for.
//!
//! What a move does not touch: timers (`worker::Delay`, a `setTimeout`: the edge's idle report of
//! a sub-block, a fault's delay) and the runtime's own time (the Cache API's expiry, the queue's
//! batch timeout, an idle object hibernating) stay real time. Cached snapshots are judged fresh
//! by their `taken_at` against [`now`], not by the Cache API, so a move past their second makes
//! them stale at once.

use serde::{Deserialize, Serialize};
use std::cell::Cell;
use waitroom_core::UnixMillis;

/// The runtime's current time. In Workers, `Date.now()` advances with I/O, which is all we need.
/// Plus the test clock's offset (0 but in tests).
pub fn now() -> UnixMillis {
    UnixMillis((js_sys::Date::now() as u64).saturating_add(offset_ms()))
}

/// The delay from `now` until `at`, as Durable Object alarms take it (an offset, not a date: the
/// runtime adds it to its wall clock, so the alarm rings at `at` by [`now`], test offset or not).
pub fn until(at: UnixMillis, now: UnixMillis) -> std::time::Duration {
    std::time::Duration::from_millis(now.millis_until(at))
}

thread_local! {
    static OFFSET_MS: Cell<u64> = const { Cell::new(0) };
}

/// The property of `globalThis` that keeps the offset through a reinitialized Wasm module.
const GLOBAL_OFFSET: &str = "__waitroom_test_clock_offset_ms";

/// How far this isolate's clock was moved by tests (0 but in tests).
pub fn offset_ms() -> u64 {
    OFFSET_MS.with(Cell::get)
}

/// Moves this isolate's clock to at least `offset_ms` ahead of the wall clock (never back); the
/// offset it has now.
pub fn learn_offset(offset_ms: u64) -> u64 {
    let offset = OFFSET_MS.with(|o| {
        o.set(o.get().max(offset_ms));
        o.get()
    });
    if offset > 0 {
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &GLOBAL_OFFSET.into(),
            &(offset as f64).into(),
        );
    }
    offset
}

/// At the Wasm module's start: the offset this isolate had before the module was reinitialized,
/// if any (none in a deployed worker, which never sets it).
pub fn restore_offset() {
    let kept = js_sys::Reflect::get(&js_sys::global(), &GLOBAL_OFFSET.into())
        .ok()
        .and_then(|v| v.as_f64());
    if let Some(kept) = kept.filter(|k| *k > 0.0) {
        OFFSET_MS.with(|o| o.set(o.get().max(kept as u64)));
    }
}

/// The most a test may move the clock, in all: a year and a day.
pub const MAX_OFFSET_MS: u64 = 366 * 24 * 3_600_000;

/// A test's move of the clock: `POST /api/admin/test/clock` with exactly one of the two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// Forward by this much.
    pub advance_ms: Option<u64>,
    /// To this offset from the wall clock, which must not be behind the current one (a restarted
    /// worker is given its test's offset again this way).
    pub offset_ms: Option<u64>,
}

/// Why a move was refused: the field, and what is wrong with it.
pub type Refusal = (&'static str, &'static str);

/// The offset after `by`, from `current`: never back, never past [`MAX_OFFSET_MS`].
pub fn moved(current: u64, by: &Move) -> Result<u64, Refusal> {
    let offset = match (by.advance_ms, by.offset_ms) {
        (Some(advance), None) => current.saturating_add(advance),
        (None, Some(offset)) if offset < current => {
            return Err((
                "offset_ms",
                "is behind the clock's offset: it never goes back",
            ))
        }
        (None, Some(offset)) => offset,
        _ => return Err(("advance_ms", "give exactly one of advance_ms and offset_ms")),
    };
    if offset > MAX_OFFSET_MS {
        return Err((
            "advance_ms",
            "moves the clock more than a year and a day in all",
        ));
    }
    Ok(offset)
}

/// What the clock route answers, and what an object is told of it (`offset_ms` alone).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// The offset from the wall clock now.
    pub offset_ms: u64,
    /// The clock as moved (Unix ms).
    #[serde(default)]
    pub now_ms: u64,
    /// Objects whose pending alarm was run at the moved time.
    #[serde(default)]
    pub alarms_run: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advance(ms: u64) -> Move {
        Move {
            advance_ms: Some(ms),
            offset_ms: None,
        }
    }

    fn to(ms: u64) -> Move {
        Move {
            advance_ms: None,
            offset_ms: Some(ms),
        }
    }

    #[test]
    fn the_clock_only_moves_forward() {
        assert_eq!(moved(0, &advance(1_500)), Ok(1_500));
        assert_eq!(moved(1_500, &advance(0)), Ok(1_500));
        assert_eq!(moved(1_500, &advance(20_000)), Ok(21_500));
        // A restarted worker is given its offset again; an isolate that kept it is unchanged.
        assert_eq!(moved(0, &to(21_500)), Ok(21_500));
        assert_eq!(moved(21_500, &to(21_500)), Ok(21_500));
        assert_eq!(moved(21_500, &to(21_499)).unwrap_err().0, "offset_ms");
        assert!(moved(0, &Move::default()).is_err());
        let both = Move {
            advance_ms: Some(1),
            offset_ms: Some(1),
        };
        assert!(moved(0, &both).is_err());
        assert!(moved(0, &advance(MAX_OFFSET_MS)).is_ok());
        assert!(moved(1, &advance(MAX_OFFSET_MS)).is_err());
        assert!(moved(1, &advance(u64::MAX)).is_err(), "no overflow");
    }

    #[test]
    fn a_move_is_read_strictly() {
        let read = |text: &str| serde_json::from_str::<Move>(text);
        assert_eq!(read(r#"{"advance_ms": 20000}"#).unwrap(), advance(20_000));
        assert_eq!(read(r#"{"offset_ms": 5}"#).unwrap(), to(5));
        assert!(read(r#"{"advance_ms": -1}"#).is_err());
        assert!(read(r#"{"advance_s": 1}"#).is_err());
    }

    #[test]
    fn an_alarm_is_an_offset_from_the_moved_clock() {
        // Wanted at T by the moved clock: the delay the runtime adds to its wall clock is the
        // same whatever the offset, so it rings at wall time T - offset.
        let (wall, offset) = (1_000_000, 20_000);
        let now = UnixMillis(wall + offset);
        let wanted = UnixMillis(wall + offset + 10_000);
        let rings_at = wall + until(wanted, now).as_millis() as u64;
        assert_eq!(rings_at, wanted.0 - offset);
        assert_eq!(until(UnixMillis(wall), now).as_millis(), 0, "due: at once");
    }
}
