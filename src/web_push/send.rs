//! Sending the core's Web Push calls (docs/api.md, "Called back"): each message encrypted for its
//! subscription (RFC 8291, a fresh one-time key and salt each), signed for the push service
//! (VAPID) and POSTed to the subscription's endpoint, a few at a time, each bounded by
//! [`PUSH_TIMEOUT_MS`]. One bad subscription (404/410, another error, a timeout) is logged (by
//! the endpoint's origin only: the path is the subscription's secret), counted and dropped,
//! never holding the others up. The coordinator runs this after it answered
//! (`State::wait_until`), so a pull never waits for a push service.

use super::encrypt::encrypt;
use super::vapid::VapidKeys;
use crate::clock;
use crate::outgoing::redacted;
use futures::future::{select, Either};
use futures::stream::{self, StreamExt};
use std::rc::Rc;
use std::time::Duration;
use waitroom_core::machines::sale_machine::{PushCall, PushOutcome};
use waitroom_core::Seq;
use worker::js_sys::Uint8Array;
use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Delay, Fetch, Request};

/// The longest one push may take before it is dropped as failed.
pub const PUSH_TIMEOUT_MS: u64 = 10_000;
/// Pushes sent at once (the runtime runs at most six connections per invocation anyway).
const AT_ONCE: usize = 6;

/// How one push came out, for the object to tell its core.
pub struct Pushed {
    pub seq: Seq,
    pub endpoint: String,
    pub outcome: PushOutcome,
}

/// Sends every call; how each came out.
pub async fn send_all(
    calls: Vec<PushCall>,
    keys: Rc<VapidKeys>,
    subject: Option<String>,
) -> Vec<Pushed> {
    stream::iter(calls)
        .map(|call| {
            let keys = keys.clone();
            let subject = subject.clone();
            async move {
                let outcome = send_one(&call, &keys, subject.as_deref()).await;
                Pushed {
                    seq: call.seq,
                    endpoint: call.subscription.endpoint,
                    outcome,
                }
            }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await
}

async fn send_one(call: &PushCall, keys: &VapidKeys, subject: Option<&str>) -> PushOutcome {
    let endpoint = &call.subscription.endpoint;
    let failed = |why: String| {
        worker::console_warn!("web push: {}", redacted(&why, endpoint));
        PushOutcome::Failed
    };
    let Some((ua_public, auth)) = call.subscription.keys() else {
        return failed(format!(
            "a stored subscription's keys do not decode ({endpoint})"
        ));
    };
    let body = match encrypt(
        call.payload.as_bytes(),
        &ua_public,
        &auth,
        crate::random::bytes(),
        crate::random::bytes(),
    ) {
        Ok(body) => body,
        Err(e) => return failed(format!("not encrypted ({e:?}) for {endpoint}")),
    };
    // Signed with the key the browser subscribed with (one kept after a rotation), else the
    // current one.
    let key = call
        .subscription
        .vapid
        .as_deref()
        .and_then(|public| keys.by_public(public))
        .unwrap_or_else(|| keys.current());
    let Some(authorization) = key.authorization(endpoint, subject, clock::now()) else {
        return failed(format!("no VAPID header for {endpoint}"));
    };
    let request = match request(endpoint, &authorization, call, &body) {
        Ok(request) => request,
        Err(e) => return failed(format!("{e} ({endpoint})")),
    };
    let fetch = Fetch::Request(request);
    let sent = Box::pin(fetch.send());
    let timeout = Box::pin(Delay::from(Duration::from_millis(PUSH_TIMEOUT_MS)));
    let answered = match select(sent, timeout).await {
        Either::Left((answer, _)) => Some(answer.map(|r| r.status_code())),
        Either::Right(_) => None,
    };
    match answered {
        Some(Ok(status)) => match status {
            200..=299 => PushOutcome::Sent,
            404 | 410 => {
                worker::console_log!(
                    "web push: a subscription is gone ({}): forgotten",
                    redacted(endpoint, endpoint)
                );
                PushOutcome::Gone
            }
            status => failed(format!("{endpoint} answered {status}")),
        },
        Some(Err(e)) => failed(format!("{e} ({endpoint})")),
        None => failed(format!(
            "no answer within {PUSH_TIMEOUT_MS} ms ({endpoint})"
        )),
    }
}

/// The push's request (RFC 8030): the encrypted body, its encoding, `TTL`, `Urgency` and the
/// VAPID `Authorization`.
fn request(
    endpoint: &str,
    authorization: &str,
    call: &PushCall,
    body: &[u8],
) -> worker::Result<Request> {
    let headers = worker::Headers::new();
    headers.set("Content-Type", "application/octet-stream")?;
    headers.set("Content-Encoding", "aes128gcm")?;
    headers.set("TTL", &call.ttl_s.to_string())?;
    headers.set("Urgency", call.urgency)?;
    headers.set("Authorization", authorization)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(headers.as_ref());
    init.set_body(&JsValue::from(Uint8Array::from(body)));
    Ok(web_sys::Request::new_with_str_and_init(endpoint, &init)?.into())
}
