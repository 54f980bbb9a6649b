//! Wall-clock time as the HTTP contract writes it.
//!
//! The worker's clock is [`crate::support::Api::now`]: this wall clock plus however far the test
//! moved the worker's (`Api::advance`). A time a test gives the worker or checks in its answers
//! is on that clock; this one is for what takes real time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The wall clock, since the Unix epoch.
pub fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
}

/// RFC 3339 (UTC, whole seconds, `Z`) for a Unix time in seconds.
pub fn rfc3339(unix_secs: u64) -> String {
    let secs = i64::try_from(unix_secs).expect("a Unix time in range");
    OffsetDateTime::from_unix_timestamp(secs)
        .expect("a Unix time in range")
        .format(&Rfc3339)
        .expect("format RFC 3339")
}

#[test]
fn rfc3339_is_utc_whole_seconds() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
}
