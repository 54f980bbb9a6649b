//! The fault switch for tests (docs/api.md, "Testing"): a coordinator that is slow or failing on
//! demand. It exists only when the worker runs with the var `WAITROOM_TEST_FAULTS` set to `"1"`
//! and is asked on a loopback address, so a deployed worker can never have it switched on.

use worker::{Env, Url};

/// The var that turns the switch on.
pub const VAR: &str = "WAITROOM_TEST_FAULTS";

/// Whether the worker runs with test faults allowed.
pub fn enabled(env: &Env) -> bool {
    env.var(VAR).is_ok_and(|v| v.to_string() == "1")
}

/// Whether `url` was asked on a loopback address (127.0.0.1, localhost or [::1]).
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Whether the fault route exists for a request to `url`.
pub fn allowed(env: &Env, url: &Url) -> bool {
    enabled(env) && is_loopback(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_may_switch_faults() {
        for (url, ok) in [
            ("http://127.0.0.1:8787/x", true),
            ("http://localhost:8787/x", true),
            ("http://[::1]:8787/x", true),
            ("http://127.0.0.2/x", true),
            ("https://waitroom.example.com/x", false),
            ("http://10.0.0.1/x", false),
            ("http://localhost.example.com/x", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(url).unwrap()), ok, "{url}");
        }
    }
}
