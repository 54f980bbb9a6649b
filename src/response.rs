//! Building answers: JSON and HTML bodies, how long they may be cached, and the headers every
//! answer of ours carries.

use serde::Serialize;
use worker::{Headers, Response};

/// How long an answer may be kept, and by whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheControl {
    /// Never stored: answers about one fan or one request.
    NoStore,
    /// A page for one fan: no shared cache may keep it.
    PrivateNoStore,
    /// The same for everyone, for this many seconds.
    Public { max_age_s: u64 },
}

impl CacheControl {
    pub fn header(self) -> String {
        match self {
            CacheControl::NoStore => "no-store".into(),
            CacheControl::PrivateNoStore => "private, no-store".into(),
            CacheControl::Public { max_age_s } => format!("public, max-age={max_age_s}"),
        }
    }
}

/// The content security policy of every answer: scripts, styles, fonts and requests only from
/// our own files (no inline script or style, no `eval`), images also from promoters' `https:`
/// logos, no plugins, no `<base>`, and no other site may frame our pages (the dashboard holds the
/// admin key).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' https: data:; connect-src 'self'; font-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Where Cloudflare Turnstile's script and widget frame come from (the origin of
/// `TURNSTILE_SCRIPT_URL`'s default).
pub const TURNSTILE_ORIGIN: &str = "https://challenges.cloudflare.com";

/// The policy of a Turnstile sale's challenge page, and of no other answer: the strict policy
/// above, with the widget's script and frame allowed from `origin` (the origin of the widget's
/// script URL, [`TURNSTILE_ORIGIN`] unless `TURNSTILE_SCRIPT_URL` says otherwise).
pub fn turnstile_content_security_policy(origin: &str) -> String {
    CONTENT_SECURITY_POLICY.replacen(
        "script-src 'self';",
        &format!("script-src 'self' {origin}; frame-src {origin};"),
        1,
    )
}

/// Marks `response` as a page that shows the Turnstile widget from `origin`: it keeps
/// [`turnstile_content_security_policy`] instead of the strict one.
pub fn allow_turnstile(response: &mut Response, origin: &str) -> worker::Result<()> {
    response.headers_mut().set(
        "Content-Security-Policy",
        &turnstile_content_security_policy(origin),
    )
}

/// HTTPS only, for a year, on every subdomain too.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Browser features no page of ours uses.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()";

/// The headers every answer carries (pages, static files, API answers, errors, redirects), set
/// here and nowhere else: the CSP above, HTTPS only, browsers must not guess content types, no
/// referrer leaves our pages, no framing, and no powerful browser features.
pub fn set_security_headers(headers: &Headers) -> worker::Result<()> {
    let marked = headers.get("Content-Security-Policy")?;
    headers.set("Content-Security-Policy", &policy_for(marked.as_deref()))?;
    headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)?;
    headers.set("X-Frame-Options", "DENY")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Permissions-Policy", PERMISSIONS_POLICY)?;
    Ok(())
}

/// The policy an answer gets: the strict one, unless its handler marked it as a Turnstile page
/// ([`allow_turnstile`]): exactly the strict policy widened by one origin (a scheme, host and
/// port, nothing else). Any other policy a handler or static file set is replaced.
fn policy_for(marked: Option<&str>) -> String {
    marked
        .and_then(|policy| {
            let origin = widened_by(policy)?;
            (turnstile_content_security_policy(origin) == policy).then(|| policy.to_owned())
        })
        .unwrap_or_else(|| CONTENT_SECURITY_POLICY.to_owned())
}

/// The origin a Turnstile page's policy lets in, if it names one and only one.
fn widened_by(policy: &str) -> Option<&str> {
    let (origin, _) = policy
        .strip_prefix("default-src 'self'; script-src 'self' ")?
        .split_once(';')?;
    let url = url::Url::parse(origin).ok()?;
    let is_origin =
        matches!(url.scheme(), "https" | "http") && url.origin().ascii_serialization() == origin;
    is_origin.then_some(origin)
}

/// A body with its content type and cache policy. If building the response fails (it cannot with
/// our own values), the answer is an empty 500.
fn with_body(status: u16, body: String, content_type: &str, cache: CacheControl) -> Response {
    let headers = Headers::new();
    let built = headers
        .set("Content-Type", content_type)
        .and_then(|()| headers.set("Cache-Control", &cache.header()))
        .and_then(|()| Response::ok(body));
    match built {
        Ok(response) => response.with_status(status).with_headers(headers),
        Err(_) => Response::empty()
            .map(|r| r.with_status(500))
            .unwrap_or_else(|_| Response::error("", 500).expect("a 500 response")),
    }
}

/// A JSON answer, not to be cached unless `cache` says so.
pub fn json_with<T: Serialize>(status: u16, body: &T, cache: CacheControl) -> Response {
    // Serializing our own answer types cannot fail; if it did, the client gets a 500.
    let (status, text) = match serde_json::to_string(body) {
        Ok(text) => (status, text),
        Err(_) => (500, r#"{"error":"internal"}"#.to_owned()),
    };
    with_body(status, text, "application/json; charset=utf-8", cache)
}

/// A JSON answer that is never cached.
pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    json_with(status, body, CacheControl::NoStore)
}

/// An HTML page.
pub fn html(status: u16, page: String, cache: CacheControl) -> Response {
    with_body(status, page, "text/html; charset=utf-8", cache)
}

/// A stylesheet.
pub fn css(body: String, cache: CacheControl) -> Response {
    with_body(200, body, "text/css; charset=utf-8", cache)
}

/// `303 See Other` to `location`.
pub fn see_other(location: &str) -> worker::Result<Response> {
    let mut response = Response::empty()?.with_status(303);
    response.headers_mut().set("Location", location)?;
    response
        .headers_mut()
        .set("Cache-Control", &CacheControl::NoStore.header())?;
    Ok(response)
}

/// A response of our own with `answer`'s status, headers and body: a fetched response's headers
/// are immutable, and every answer gets the security headers.
pub(crate) fn own_copy(answer: Response) -> worker::Result<Response> {
    let headers = Headers::new();
    for (name, value) in answer.headers().entries() {
        headers.set(&name, &value)?;
    }
    let status = answer.status_code();
    let (_, body) = answer.into_parts();
    Ok(Response::from_body(body)?
        .with_status(status)
        .with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_turnstile_page_allows_turnstile() {
        let cloudflare = turnstile_content_security_policy(TURNSTILE_ORIGIN);
        assert_eq!(policy_for(None), CONTENT_SECURITY_POLICY);
        assert_eq!(
            policy_for(Some("script-src *; default-src *")),
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(policy_for(Some(&cloudflare)), cloudflare);
        assert!(!CONTENT_SECURITY_POLICY.contains(TURNSTILE_ORIGIN));
        // The Turnstile policy is the strict one plus Turnstile's script and frame, nothing else.
        let widened = CONTENT_SECURITY_POLICY.replace(
            "script-src 'self';",
            &format!("script-src 'self' {TURNSTILE_ORIGIN}; frame-src {TURNSTILE_ORIGIN};"),
        );
        assert_eq!(cloudflare, widened);
        // Another widget origin (TURNSTILE_SCRIPT_URL's: a local stand-in) is kept the same way.
        let local = turnstile_content_security_policy("http://127.0.0.1:4321");
        assert_eq!(policy_for(Some(&local)), local);
        // A policy widened by anything but one origin is replaced by the strict one.
        for sneaky in [
            "'unsafe-inline'",
            "*",
            "https:",
            "https://a.example https://b.example",
            "https://a.example/path",
            "data:",
        ] {
            let policy = turnstile_content_security_policy(sneaky);
            assert_eq!(
                policy_for(Some(&policy)),
                CONTENT_SECURITY_POLICY,
                "{sneaky}"
            );
        }
    }

    #[test]
    fn cache_control_headers() {
        assert_eq!(CacheControl::NoStore.header(), "no-store");
        assert_eq!(CacheControl::PrivateNoStore.header(), "private, no-store");
        assert_eq!(
            CacheControl::Public { max_age_s: 5 }.header(),
            "public, max-age=5"
        );
    }
}
