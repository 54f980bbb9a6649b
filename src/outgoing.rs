//! The requests the worker sends: to its Durable Objects, to Turnstile, webhooks and alerts.
//!
//! Built on the platform's `Request` directly rather than through workers-rs' `RequestInit`: that
//! one also compiles its encoder for the `cf` options (image resizing and the like, through
//! serde-wasm-bindgen), ~20 KB of the module, though none of these requests sets one
//! (docs/capacity.md, "Cold start").

use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Headers, Method, Request};

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
