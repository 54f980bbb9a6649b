//! A local stand-in for Cloudflare Turnstile's siteverify (the worker's `TURNSTILE_VERIFY_URL` in
//! tests): keeps every form it is sent and answers by the token's first word, as the real one
//! would for such a token:
//! - `pass-...`: success, on hostname 127.0.0.1, action `join`; a second use of the same token is
//!   `timeout-or-duplicate` (siteverify's single use);
//! - `fail-...`: `invalid-input-response`;
//! - `host-...`: success on another hostname; `action-...`: success for another action;
//! - `down-...`: 500 (an outage).
//!
//! A form with another secret than [`SECRET`] is `invalid-input-secret`.
//!
//! It also serves a stand-in for the widget's script ([`Siteverify::script_url`], the worker's
//! `TURNSTILE_SCRIPT_URL` in browser tests): tests/support/fake-turnstile-api.js, which "solves"
//! at once with a `pass-...` token (`fail-...` for a site key starting with `2x`).

use crate::support::test_server::{read_request, respond, Request, TestServer};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The secret the stand-in accepts: give it to the worker as `TURNSTILE_SECRET`.
pub const SECRET: &str = "turnstile-test-secret-0123456789abcdef";
/// A site key for test sales (the shape of Cloudflare's test keys).
pub const SITE_KEY: &str = "1x00000000000000000000AA";
/// A site key whose fake widget hands out tokens siteverify refuses.
pub const FAILING_SITE_KEY: &str = "2x00000000000000000000AB";

/// Where the stand-in serves the fake widget script.
const SCRIPT_PATH: &str = "/turnstile/v0/api.js";
const SCRIPT: &str = include_str!("fake-turnstile-api.js");

#[derive(Default)]
struct Seen {
    forms: Vec<Vec<(String, String)>>,
    used: HashSet<String>,
}

/// The running stand-in; stops when dropped.
pub struct Siteverify {
    pub url: String,
    /// The fake widget script: give it to the worker as `TURNSTILE_SCRIPT_URL`.
    pub script_url: String,
    seen: Arc<Mutex<Seen>>,
    _server: TestServer,
}

impl Siteverify {
    pub async fn start() -> Self {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let keep = seen.clone();
        let server = TestServer::start("siteverify", move |mut stream| {
            let seen = keep.clone();
            async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                let (status, content_type, body) = if request.path == SCRIPT_PATH {
                    ("200 OK", "text/javascript", SCRIPT.to_owned())
                } else {
                    let (status, body) = answer(&request, &seen);
                    (status, "application/json", body)
                };
                let headers = format!("Content-Type: {content_type}\r\n");
                respond(&mut stream, status, &headers, &body).await;
            }
        })
        .await;
        let base = server.base();
        Self {
            url: format!("{base}/turnstile/v0/siteverify"),
            script_url: format!("{base}{SCRIPT_PATH}"),
            seen,
            _server: server,
        }
    }

    /// Every form posted so far, as (name, value) pairs.
    pub fn forms(&self) -> Vec<Vec<(String, String)>> {
        self.seen.lock().unwrap().forms.clone()
    }
}

/// The value of field `name` in `form`.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn answer(request: &Request, seen: &Mutex<Seen>) -> (&'static str, String) {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let token = field(&form, "response").unwrap_or_default().to_owned();
    let secret_ok = field(&form, "secret") == Some(SECRET);
    let mut seen = seen.lock().unwrap();
    seen.forms.push(form);
    let verdict = |success: bool, codes: &[&str], hostname: &str, action: &str| {
        serde_json::json!({
            "success": success,
            "error-codes": codes,
            "challenge_ts": "2026-11-26T12:00:00.000Z",
            "hostname": hostname,
            "action": action,
            "cdata": "",
        })
        .to_string()
    };
    if token.starts_with("down-") {
        return ("500 Internal Server Error", "{}".into());
    }
    if !secret_ok {
        return ("200 OK", verdict(false, &["invalid-input-secret"], "", ""));
    }
    let body = match token.split('-').next().unwrap_or_default() {
        "pass" if !seen.used.insert(token.clone()) => {
            verdict(false, &["timeout-or-duplicate"], "", "")
        }
        "pass" => verdict(true, &[], "127.0.0.1", "join"),
        "host" => verdict(true, &[], "evil.example", "join"),
        "action" => verdict(true, &[], "127.0.0.1", "login"),
        _ => verdict(false, &["invalid-input-response"], "", ""),
    };
    ("200 OK", body)
}
