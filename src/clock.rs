//! The one place the Worker reads the clock. Everything below takes `now` as an argument.

use waitroom_core::UnixMillis;

/// The runtime's current time. In Workers, `Date.now()` advances with I/O, which is all we need.
pub fn now() -> UnixMillis {
    UnixMillis(js_sys::Date::now() as u64)
}

/// The delay from `now` until `at`, as Durable Object alarms take it (an offset, not a date).
pub fn until(at: UnixMillis, now: UnixMillis) -> std::time::Duration {
    std::time::Duration::from_millis(now.millis_until(at))
}
