//! What the routes read from a request: JSON bodies, bearer keys, cookies, path and query
//! parameters. (Answers are built in [`crate::response`].)

use crate::error::ApiError;
use futures::StreamExt;
use serde::de::DeserializeOwned;
use waitroom_core::fairness::rate_limit::ClientAddress;
use waitroom_core::keys::secrets::ApiKey;
use waitroom_core::SaleId;
use worker::Request;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads and parses a JSON body of at most [`MAX_BODY_BYTES`]. The limit holds while reading:
/// a body declared larger is refused unread, and one that grows past it (a chunked body declares
/// no length) is refused at the chunk that crosses it, never read whole.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    let bytes = read_body(req).await?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::BadJson(e.to_string()))
}

/// Like [`read_json`], but an empty body is `T::default()` (a body that is optional).
pub async fn read_optional_json<T: DeserializeOwned + Default>(
    req: &mut Request,
) -> Result<T, ApiError> {
    let bytes = read_body(req).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(&bytes).map_err(|e| ApiError::BadJson(e.to_string()))
}

/// The fields of a form body (`application/x-www-form-urlencoded`), within [`MAX_BODY_BYTES`].
pub async fn read_form(req: &mut Request) -> Result<Vec<(String, String)>, ApiError> {
    let bytes = read_body(req).await?;
    Ok(url::form_urlencoded::parse(&bytes).into_owned().collect())
}

/// Refuses a request whose declared body is larger than [`MAX_BODY_BYTES`], unread: every route
/// answers it 413, whether or not it reads a body.
pub fn refuse_declared_oversize(req: &Request) -> Result<(), ApiError> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => Err(ApiError::BodyTooLarge {
            limit: MAX_BODY_BYTES,
        }),
        _ => Ok(()),
    }
}

/// Reads a body of at most [`MAX_BODY_BYTES`] (see [`read_json`]).
async fn read_body(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    let too_large = || ApiError::BodyTooLarge {
        limit: MAX_BODY_BYTES,
    };
    refuse_declared_oversize(req)?;
    let mut bytes = Vec::new();
    // A request without a body has no stream: it is the empty body.
    if let Ok(mut stream) = req.stream() {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ApiError::BadJson(e.to_string()))?;
            append_within(&mut bytes, &chunk, MAX_BODY_BYTES).map_err(|()| too_large())?;
        }
    }
    Ok(bytes)
}

/// Appends `chunk` to `body` unless that makes it longer than `limit`.
fn append_within(body: &mut Vec<u8>, chunk: &[u8], limit: usize) -> Result<(), ()> {
    if body.len() + chunk.len() > limit {
        return Err(());
    }
    body.extend_from_slice(chunk);
    Ok(())
}

/// The client's address, as rate limits and socket bounds count it ([`ClientAddress`]): the
/// platform's `CF-Connecting-IP`, an IP address (IPv6 by its /64), else the one shared unknown
/// address.
pub fn client_address(req: &Request) -> ClientAddress {
    let header = req.headers().get("CF-Connecting-IP").ok().flatten();
    ClientAddress::of(header.as_deref())
}

/// The bearer token of the `Authorization` header, if any.
pub fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok().flatten()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Refuses the request unless it carries `key` as its bearer token.
pub fn require_key(req: &Request, key: &ApiKey) -> Result<(), ApiError> {
    match bearer(req) {
        Some(presented) if key.matches(&presented) => Ok(()),
        _ => Err(ApiError::Unauthorized),
    }
}

/// The name of the cookie holding a fan's queue token for `sale`. The `__Host-` prefix makes
/// browsers keep it only if it is `Secure`, has `Path=/` and no `Domain`: no subdomain and no
/// plain-HTTP page can set or replace it.
pub fn token_cookie_name(sale: &SaleId) -> String {
    format!("__Host-wr_{sale}")
}

/// The value of header `name`, if the request has it.
fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Whether a request may take a place: a top-level navigation. Browsers say what a request is
/// for in `Sec-Fetch-Dest`; one without it (an older browser, an app, curl) counts as a
/// navigation. An image, script, frame or `fetch` (`empty`) never takes a place.
pub fn is_navigation(req: &Request) -> bool {
    dest_is_navigation(header(req, "Sec-Fetch-Dest").as_deref())
}

fn dest_is_navigation(dest: Option<&str>) -> bool {
    dest.is_none_or(|d| d.trim().eq_ignore_ascii_case("document"))
}

/// Refuses a state-changing request another site made: `Sec-Fetch-Site: cross-site`, or an
/// `Origin` header (sent by browsers with every POST) that is not this worker's own origin.
pub fn require_same_site(req: &Request) -> Result<(), ApiError> {
    let own = req.url().map(|url| url.origin().ascii_serialization()).ok();
    let site = header(req, "Sec-Fetch-Site");
    let origin = header(req, "Origin");
    if is_cross_site(site.as_deref(), origin.as_deref(), own.as_deref()) {
        return Err(ApiError::CrossSite);
    }
    Ok(())
}

fn is_cross_site(site: Option<&str>, origin: Option<&str>, own: Option<&str>) -> bool {
    let site_is = |name: &str| site.is_some_and(|s| s.trim().eq_ignore_ascii_case(name));
    // `Origin: null` (a sandboxed frame, a privacy redirect) is no origin of ours either, except
    // where the browser says the request came from our own origin: our pages' `Referrer-Policy:
    // no-referrer` makes browsers send `Origin: null` with every form POST (the fetch standard's
    // rule), so the rejoin and Turnstile forms would be refused otherwise.
    let own_form = site_is("same-origin") && origin.is_some_and(|o| o.trim() == "null");
    let foreign_origin = origin.is_some_and(|o| Some(o.trim()) != own) && !own_form;
    site_is("cross-site") || foreign_origin
}

/// The value of cookie `name`, if the request has it.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// The `Set-Cookie` value that hands a fan their queue token.
pub fn token_cookie(sale: &SaleId, token: &str, max_age_s: u64) -> String {
    format!(
        "{}={token}; Path=/; Max-Age={max_age_s}; HttpOnly; Secure; SameSite=Lax",
        token_cookie_name(sale)
    )
}

/// Parses a sale id from a path segment.
pub fn sale_id(segment: &str) -> Result<SaleId, ApiError> {
    SaleId::parse(segment).map_err(ApiError::BadSaleId)
}

/// The value of query parameter `name`.
pub fn query(req: &Request, name: &str) -> Option<String> {
    let url = req.url().ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_documents_take_places() {
        assert!(dest_is_navigation(None));
        assert!(dest_is_navigation(Some("document")));
        for dest in ["image", "script", "iframe", "empty", "style", "frame", ""] {
            assert!(!dest_is_navigation(Some(dest)), "{dest}");
        }
    }

    #[test]
    fn cross_site_requests_are_told_apart() {
        let own = Some("https://wait.example");
        assert!(!is_cross_site(None, None, own));
        assert!(!is_cross_site(
            Some("same-origin"),
            Some("https://wait.example"),
            own
        ));
        assert!(!is_cross_site(Some("none"), None, own));
        assert!(is_cross_site(Some("cross-site"), None, own));
        assert!(is_cross_site(None, Some("https://evil.example"), own));
        assert!(is_cross_site(None, Some("null"), own));
        // Our own form under `Referrer-Policy: no-referrer`: the browser says same-origin and
        // sends `Origin: null`. Only same-origin vouches for a null origin.
        assert!(!is_cross_site(Some("same-origin"), Some("null"), own));
        assert!(is_cross_site(Some("same-site"), Some("null"), own));
        assert!(is_cross_site(Some("cross-site"), Some("null"), own));
        assert!(is_cross_site(Some("none"), Some("null"), own));
        assert!(is_cross_site(
            Some("same-origin"),
            Some("http://wait.example"),
            own
        ));
    }

    #[test]
    fn the_cookie_is_host_prefixed() {
        let sale = SaleId::parse("tour").unwrap();
        let cookie = token_cookie(&sale, "t", 60);
        assert!(cookie.starts_with("__Host-wr_tour=t; Path=/;"), "{cookie}");
        assert!(
            cookie.contains("; Secure") && !cookie.contains("Domain"),
            "{cookie}"
        );
    }

    #[test]
    fn a_body_is_refused_at_the_chunk_that_crosses_the_limit() {
        let mut body = Vec::new();
        assert!(append_within(&mut body, &[1; 40], 64).is_ok());
        assert!(append_within(&mut body, &[2; 24], 64).is_ok());
        assert!(append_within(&mut body, &[3; 1], 64).is_err());
        assert_eq!(body.len(), 64);
    }
}
