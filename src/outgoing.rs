//! The requests the worker sends: to its Durable Objects, to Turnstile, webhooks and alerts.
//!
//! Built on the platform's `Request` directly rather than through workers-rs' `RequestInit`: that
//! one also compiles its encoder for the `cf` options (image resizing and the like, through
//! serde-wasm-bindgen), ~20 KB of the module, though none of these requests sets one
//! (docs/capacity.md, "Cold start").

use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Headers, Method, Request};

/// `message` (an error of a request to `url`) as a log may say it: `url` replaced by its origin
/// (scheme, host, port). A webhook's or an alert's URL may carry a credential in its user info,
/// path or query, and no secret reaches a log.
pub fn redacted(message: &str, url: &str) -> String {
    let origin = url::Url::parse(url).map_or_else(
        |_| "(a URL)".to_owned(),
        |u| u.origin().ascii_serialization(),
    );
    message.replace(url, &origin)
}

/// A `method` request to `url` with `headers` and, if any, a text `body`.
pub fn request(
    method: Method,
    url: &str,
    headers: &Headers,
    body: Option<&str>,
) -> worker::Result<Request> {
    let init = web_sys::RequestInit::new();
    init.set_method(method.as_ref());
    init.set_headers(headers.as_ref());
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    Ok(request.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_error_names_a_url_by_its_origin_only() {
        let url = "https://user:pass@hooks.example:8443/services/T0/B0/secret?key=abc";
        let said = redacted(&format!("Fetch API cannot load: {url}"), url);
        assert_eq!(said, "Fetch API cannot load: https://hooks.example:8443");
        assert!(!said.contains("secret") && !said.contains("pass"));
        assert_eq!(redacted("no url here", "not a url"), "no url here");
    }
}
