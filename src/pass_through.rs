//! Path protection's forwarding (docs/api.md, "Path protection"): a request passed through to a
//! protected sale's origin, streamed both ways, and the origin's answer handed back. The rules
//! (which URL, which headers) are the core's ([`waitroom_core::protect::forward`]); this only
//! carries them out: the request body and the answer body are streams, never read here.

use crate::error::ApiError;
use js_sys::Reflect;
use waitroom_core::protect::forward::{
    forwards_request_header, forwards_response_header, origin_cookies, upstream_url, SESSION_HEADER,
};
use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Fetch, Headers, Request, Response, Url};

/// What the fan's request carries on to the origin besides itself.
pub struct Extra<'a> {
    /// Headers we add (the pass, the fan, why it passed).
    pub headers: &'a [(&'static str, String)],
}

/// The origin's answer, and whether it ended the fan's session (`Waitroom-Session: end`).
pub struct Answered {
    pub response: Response,
    pub ends_session: bool,
}

/// Sends `req` to `origin` (its scheme, host and port only) with the request's method, path,
/// query, headers (less hop-by-hop, our own and our cookies) and body, following no redirect:
/// the fan sees the origin's redirect as the origin sent it.
pub async fn forward(req: Request, origin: &Url, extra: Extra<'_>) -> Result<Answered, ApiError> {
    let url = upstream_url(origin, &req.url()?);
    let incoming = req.headers();
    let connection = incoming.get("Connection")?;
    let headers = Headers::new();
    for (name, value) in incoming.entries() {
        if !forwards_request_header(&name, connection.as_deref()) {
            continue;
        }
        if name.eq_ignore_ascii_case("cookie") {
            if let Some(kept) = origin_cookies(&value) {
                headers.set("Cookie", &kept)?;
            }
            continue;
        }
        headers.append(&name, &value)?;
    }
    if let Some(host) = req.url()?.host_str() {
        headers.set("X-Forwarded-Host", host)?;
    }
    for (name, value) in extra.headers {
        headers.set(name, value)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(req.method().as_ref());
    init.set_headers(headers.as_ref());
    if let Some(body) = req.inner().body() {
        init.set_body(&body);
    }
    Reflect::set(
        &init,
        &JsValue::from_str("redirect"),
        &JsValue::from_str("manual"),
    )
    .map_err(|e| ApiError::Internal(format!("redirect option: {e:?}")))?;
    let upstream = web_sys::Request::new_with_str_and_init(url.as_str(), &init)
        .map_err(|e| ApiError::Internal(format!("the origin request: {e:?}")))?;
    let answer = Fetch::Request(upstream.into()).send().await.map_err(|e| {
        ApiError::OriginUnreachable(format!("{}: {e}", origin.origin().ascii_serialization()))
    })?;
    let ends_session = waitroom_core::protect::decide::origin_ends_session(
        answer.headers().get(SESSION_HEADER)?.as_deref(),
    );
    let connection = answer.headers().get("Connection")?;
    let out = Headers::new();
    for (name, value) in answer.headers().entries() {
        if forwards_response_header(&name, connection.as_deref()) {
            out.append(&name, &value)?;
        }
    }
    let status = answer.status_code();
    let (_, body) = answer.into_parts();
    Ok(Answered {
        response: Response::from_body(body)?
            .with_status(status)
            .with_headers(out),
        ends_session,
    })
}
