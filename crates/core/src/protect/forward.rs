//! What a passed-through request and its answer carry: the rules the edge's forwarding follows.
//! The request goes to the sale's origin only (its scheme, host and port; never a host the request
//! names), with the fan's path and query as sent; hop-by-hop headers stay on their hop; the headers
//! we speak to the origin with are ours alone (a fan's copy is dropped); our own cookies stay with
//! us, and so does a device's proof (`Device-Proof`: what claimed a bound turn at the door, good
//! for a minute). The origin's answer loses its hop-by-hop headers and our `Waitroom-Session`
//! instruction.

use url::Url;

/// The pass the fan was admitted with (a JWT the origin may verify with our JWKS).
pub const PASS_HEADER: &str = "waitroom-pass";
/// The fan, as the pass names them.
pub const FAN_HEADER: &str = "waitroom-fan";
/// The origin's instruction (`end`: the fan's session ends), and when a session ends (to the origin).
pub const SESSION_HEADER: &str = "waitroom-session";
/// Why a request passed without a session (`path`, `staff`, `address`, `fail_open`).
pub const BYPASS_HEADER: &str = "waitroom-bypass";

/// Headers that belong to one hop (RFC 9110 §7.6.1), and `host` (the origin's own).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// The URL a request to `request` is forwarded to: `origin`'s scheme, host and port with the
/// request's path and query.
pub fn upstream_url(origin: &Url, request: &Url) -> Url {
    let mut up = origin.clone();
    up.set_path(request.path());
    up.set_query(request.query());
    up.set_fragment(None);
    up
}

/// Whether a request header goes on to the origin. `connection` names more hop-by-hop headers.
pub fn forwards_request_header(name: &str, connection: Option<&str>) -> bool {
    let name = name.to_ascii_lowercase();
    !HOP_BY_HOP.contains(&name.as_str())
        && !name.starts_with("waitroom-")
        && !name.eq_ignore_ascii_case(crate::keys::device::PROOF_HEADER)
        && !named_in(connection, &name)
}

/// Whether a response header goes on to the fan.
pub fn forwards_response_header(name: &str, connection: Option<&str>) -> bool {
    let name = name.to_ascii_lowercase();
    !HOP_BY_HOP.contains(&name.as_str()) && name != SESSION_HEADER && !named_in(connection, &name)
}

fn named_in(connection: Option<&str>, name: &str) -> bool {
    connection.is_some_and(|c| c.split(',').any(|t| t.trim().eq_ignore_ascii_case(name)))
}

/// The `Cookie` header without our own cookies (`__Host-wr_...`, the queue token and the
/// session), or `None` if nothing is left.
pub fn origin_cookies(cookie: &str) -> Option<String> {
    let kept: Vec<&str> = cookie
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.starts_with("__Host-wr_"))
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_goes_to_the_origin_only() {
        let origin = Url::parse("https://origin.example:8443").unwrap();
        for (asked, sent) in [
            (
                "https://shop.example/store?x=1",
                "https://origin.example:8443/store?x=1",
            ),
            (
                "https://evil.example/%2e%2e/store",
                "https://origin.example:8443/store",
            ),
            (
                "https://shop.example//evil.example/x",
                "https://origin.example:8443//evil.example/x",
            ),
        ] {
            let up = upstream_url(&origin, &Url::parse(asked).unwrap());
            assert_eq!(up.as_str(), sent);
            assert_eq!(up.host_str(), Some("origin.example"));
        }
    }

    #[test]
    fn hop_by_hop_and_our_headers_stay_here() {
        assert!(forwards_request_header("Content-Type", None));
        assert!(forwards_request_header("X-Custom", Some("keep-alive")));
        for dropped in [
            "Connection",
            "Transfer-Encoding",
            "Host",
            "Upgrade",
            "Waitroom-Pass",
            "waitroom-fan",
            "Device-Proof",
            "device-proof",
        ] {
            assert!(!forwards_request_header(dropped, None), "{dropped}");
        }
        assert!(!forwards_request_header("X-Hop", Some("close, X-Hop")));
        assert!(!forwards_response_header("Waitroom-Session", None));
        assert!(forwards_response_header("Set-Cookie", None));
        assert!(!forwards_response_header("Keep-Alive", None));
    }

    #[test]
    fn our_cookies_stay_with_us() {
        assert_eq!(
            origin_cookies("a=1; __Host-wr_shop=tok; __Host-wr_session_shop=s; b=2").as_deref(),
            Some("a=1; b=2")
        );
        assert_eq!(origin_cookies("__Host-wr_shop=tok"), None);
    }
}
