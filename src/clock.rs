//! The one place the Worker reads the clock. Everything below takes `now` as an argument.

use waitroom_core::UnixMillis;

/// The runtime's current time. In Workers, `Date.now()` advances with I/O, which is all we need.
pub fn now() -> UnixMillis {
    UnixMillis(js_sys::Date::now() as u64)
}
