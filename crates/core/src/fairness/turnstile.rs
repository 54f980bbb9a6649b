//! Cloudflare Turnstile, optional per sale (docs/api.md, "Turnstile"): the sale's site key, the
//! token a fan presents, and how the siteverify answer is judged. No I/O: the edge posts the form
//! ([`SiteverifyForm`]) and hands the answer back to [`judge`].

use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

/// The action the widget runs with (`data-action`), checked in every answer.
pub const JOIN_ACTION: &str = "join";

/// Where tokens are verified unless `TURNSTILE_VERIFY_URL` says otherwise.
pub const DEFAULT_VERIFY_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/// Where the widget's script comes from unless `TURNSTILE_SCRIPT_URL` says otherwise.
pub const DEFAULT_SCRIPT_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/api.js";

/// Turnstile tokens are at most 2048 characters; longer ones are refused unread.
pub const MAX_TOKEN_CHARS: usize = 2048;

const MAX_SITE_KEY_CHARS: usize = 64;

/// A sale's Turnstile site key (public: it is in the page). Site keys are short and made of
/// letters, digits, `_` and `-` (e.g. `0x4AAAAAAA...`, the test key `1x00000000000000000000AA`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SiteKey(String);

impl SiteKey {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_SITE_KEY_CHARS {
            return Err(format!("must be 1 to {MAX_SITE_KEY_CHARS} characters"));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err("must be letters, digits, _ and - only".into());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for SiteKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a join of a Turnstile sale was refused (403; nothing changes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TurnstileError {
    /// No token came with the join (`turnstile_required`).
    Required,
    /// The token did not pass (`turnstile_invalid`).
    Invalid(TurnstileRefusal),
}

/// What was wrong with a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TurnstileRefusal {
    /// Siteverify said no (`invalid-input-response`, `bad-request`, ...).
    NotPassed,
    /// Siteverify's `timeout-or-duplicate`: the token is older than 300 s or was already used.
    ExpiredOrUsed,
    /// Solved on another site than the one the fan joins on.
    WrongHostname,
    /// Solved for another action than [`JOIN_ACTION`].
    WrongAction,
    /// Longer than any Turnstile token.
    TooLong,
}

impl fmt::Display for TurnstileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TurnstileError::Required => {
                f.write_str("this sale needs a Turnstile check: send turnstile_token with the join")
            }
            TurnstileError::Invalid(reason) => f.write_str(match reason {
                TurnstileRefusal::NotPassed => "the Turnstile check did not pass; try again",
                TurnstileRefusal::ExpiredOrUsed => {
                    "the Turnstile token expired or was already used; get a new one"
                }
                TurnstileRefusal::WrongHostname => {
                    "the Turnstile check was solved for another site"
                }
                TurnstileRefusal::WrongAction => {
                    "the Turnstile check was solved for another action"
                }
                TurnstileRefusal::TooLong => "the Turnstile token is not a Turnstile token",
            }),
        }
    }
}

impl std::error::Error for TurnstileError {}

/// The token a fan presented: required, and no longer than a Turnstile token can be.
pub fn presented(token: Option<&str>) -> Result<&str, TurnstileError> {
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(TurnstileError::Required),
        Some(t) if t.chars().count() > MAX_TOKEN_CHARS => {
            Err(TurnstileError::Invalid(TurnstileRefusal::TooLong))
        }
        Some(t) => Ok(t),
    }
}

/// The form posted to siteverify (`application/x-www-form-urlencoded`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteverifyForm<'a> {
    pub secret: &'a str,
    pub response: &'a str,
    /// The fan's address (`CF-Connecting-IP`), when known.
    pub remoteip: Option<&'a str>,
    /// The same for a retry of the same check, so siteverify answers the retry as the first try
    /// instead of as a duplicate.
    pub idempotency_key: &'a str,
}

impl SiteverifyForm<'_> {
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        let mut fields = vec![("secret", self.secret), ("response", self.response)];
        if let Some(ip) = self.remoteip {
            fields.push(("remoteip", ip));
        }
        fields.push(("idempotency_key", self.idempotency_key));
        fields
    }
}

/// Siteverify's answer, as far as we read it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SiteverifyAnswer {
    pub success: bool,
    #[serde(default, rename = "error-codes")]
    pub error_codes: Vec<String>,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
}

/// What a siteverify answer means for the join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Refused(TurnstileError),
    /// Siteverify could not say (an error status, no JSON, `internal-error`): try again later
    /// (503), never a pass.
    Unavailable(String),
    /// Siteverify refused our secret: the operator's mistake (503, logged).
    BadSecret,
}

/// Judges siteverify's answer (HTTP `status`, `body`) for a fan joining on `hostname`.
pub fn judge(status: u16, body: &str, hostname: &str) -> Verdict {
    if !(200..300).contains(&status) {
        return Verdict::Unavailable(format!("siteverify answered {status}"));
    }
    let answer: SiteverifyAnswer = match serde_json::from_str(body) {
        Ok(answer) => answer,
        Err(e) => return Verdict::Unavailable(format!("siteverify answered no JSON: {e}")),
    };
    judge_answer(&answer, hostname)
}

/// The rules, on a parsed answer.
pub fn judge_answer(answer: &SiteverifyAnswer, hostname: &str) -> Verdict {
    let has = |code: &str| answer.error_codes.iter().any(|c| c == code);
    if !answer.success {
        return if has("missing-input-secret") || has("invalid-input-secret") {
            Verdict::BadSecret
        } else if has("internal-error") {
            Verdict::Unavailable("siteverify had an internal error".into())
        } else if has("timeout-or-duplicate") {
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::ExpiredOrUsed))
        } else {
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::NotPassed))
        };
    }
    let same_host = answer
        .hostname
        .as_deref()
        .is_some_and(|h| h.eq_ignore_ascii_case(hostname));
    if !same_host {
        return Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::WrongHostname));
    }
    if answer.action.as_deref() != Some(JOIN_ACTION) {
        return Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::WrongAction));
    }
    Verdict::Passed
}

/// The siteverify URL from `TURNSTILE_VERIFY_URL` (absent or empty: [`DEFAULT_VERIFY_URL`]).
/// It must be https; plain http is allowed only to a loopback host, and only where `local` (the
/// worker was asked on a loopback address, as in `wrangler dev` and the tests): a deployed worker
/// never sends a fan's token in clear.
pub fn verify_url(configured: Option<&str>, local: bool) -> Result<Url, String> {
    setting_url(configured, DEFAULT_VERIFY_URL, local)
}

/// The widget's script URL from `TURNSTILE_SCRIPT_URL` (absent or empty: [`DEFAULT_SCRIPT_URL`]),
/// under the same rule as [`verify_url`]: https, or http to a loopback host in local runs only (a
/// stand-in widget for tests). The page's CSP allows this URL's origin.
pub fn script_url(configured: Option<&str>, local: bool) -> Result<Url, String> {
    setting_url(configured, DEFAULT_SCRIPT_URL, local)
}

/// A URL setting for Turnstile: https, or plain http only to loopback where `local`.
fn setting_url(configured: Option<&str>, default: &str, local: bool) -> Result<Url, String> {
    let text = configured
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(default);
    let url = Url::parse(text).map_err(|e| format!("is not an absolute URL: {e}"))?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if local && is_loopback_host(&url) => Ok(url),
        _ => Err("must be an https URL (http only to a loopback host, in local runs)".into()),
    }
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answer(success: bool, codes: &[&str], hostname: &str, action: &str) -> String {
        serde_json::json!({
            "success": success,
            "error-codes": codes,
            "challenge_ts": "2026-11-26T12:00:00.000Z",
            "hostname": hostname,
            "action": action,
            "cdata": "",
        })
        .to_string()
    }

    #[test]
    fn a_success_for_this_host_and_the_join_action_passes() {
        let body = answer(true, &[], "queue.example.com", "join");
        assert_eq!(judge(200, &body, "queue.example.com"), Verdict::Passed);
        assert_eq!(judge(200, &body, "QUEUE.example.com"), Verdict::Passed);
    }

    #[test]
    fn hostname_and_action_must_match() {
        let other_host = answer(true, &[], "evil.example", "join");
        assert_eq!(
            judge(200, &other_host, "queue.example.com"),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::WrongHostname))
        );
        let other_action = answer(true, &[], "queue.example.com", "login");
        assert_eq!(
            judge(200, &other_action, "queue.example.com"),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::WrongAction))
        );
        // An answer without a hostname or action is no pass either.
        assert_eq!(
            judge(200, r#"{"success": true}"#, "queue.example.com"),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::WrongHostname))
        );
        let no_action = r#"{"success": true, "hostname": "q.example"}"#;
        assert_eq!(
            judge(200, no_action, "q.example"),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::WrongAction))
        );
    }

    #[test]
    fn error_codes_are_mapped() {
        let refused = |codes: &[&str]| judge(200, &answer(false, codes, "", ""), "q.example");
        assert_eq!(
            refused(&["timeout-or-duplicate"]),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::ExpiredOrUsed))
        );
        assert_eq!(
            refused(&["invalid-input-response"]),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::NotPassed))
        );
        assert_eq!(
            refused(&[]),
            Verdict::Refused(TurnstileError::Invalid(TurnstileRefusal::NotPassed))
        );
        assert_eq!(refused(&["invalid-input-secret"]), Verdict::BadSecret);
        assert_eq!(refused(&["missing-input-secret"]), Verdict::BadSecret);
        assert!(matches!(
            refused(&["internal-error"]),
            Verdict::Unavailable(_)
        ));
    }

    #[test]
    fn an_outage_is_never_a_pass() {
        let ok = answer(true, &[], "q.example", "join");
        for (status, body) in [
            (500, ok.as_str()),
            (502, ""),
            (429, ok.as_str()),
            (200, "<html>oops</html>"),
            (200, ""),
            (200, r#"{"success": "yes"}"#),
        ] {
            assert!(
                matches!(judge(status, body, "q.example"), Verdict::Unavailable(_)),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn a_token_is_required_and_bounded() {
        assert_eq!(presented(None), Err(TurnstileError::Required));
        assert_eq!(presented(Some("  ")), Err(TurnstileError::Required));
        assert_eq!(presented(Some(" tok ")), Ok("tok"));
        let long = "x".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(
            presented(Some(&long)),
            Err(TurnstileError::Invalid(TurnstileRefusal::TooLong))
        );
    }

    #[test]
    fn site_keys_are_short_plain_text() {
        assert_eq!(
            SiteKey::parse(" 1x00000000000000000000AA ")
                .unwrap()
                .as_str(),
            "1x00000000000000000000AA"
        );
        for bad in ["", "a b", "<script>", "k\"ey", &"k".repeat(65)] {
            assert!(SiteKey::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<SiteKey>(r#""x\"><script>""#).is_err());
    }

    #[test]
    fn the_form_names_every_field_siteverify_reads() {
        let form = SiteverifyForm {
            secret: "s",
            response: "t",
            remoteip: Some("203.0.113.9"),
            idempotency_key: "k",
        };
        assert_eq!(
            form.fields(),
            vec![
                ("secret", "s"),
                ("response", "t"),
                ("remoteip", "203.0.113.9"),
                ("idempotency_key", "k")
            ]
        );
        let no_ip = SiteverifyForm {
            remoteip: None,
            ..form
        };
        assert_eq!(no_ip.fields().len(), 3);
    }

    #[test]
    fn the_verify_url_is_https_except_to_loopback_in_local_runs() {
        assert_eq!(
            verify_url(None, false).unwrap().as_str(),
            DEFAULT_VERIFY_URL
        );
        assert_eq!(
            verify_url(Some(" "), false).unwrap().as_str(),
            DEFAULT_VERIFY_URL
        );
        assert!(verify_url(Some("https://verify.example/x"), false).is_ok());
        assert!(verify_url(Some("http://127.0.0.1:9/v"), true).is_ok());
        assert!(verify_url(Some("http://localhost:9/v"), true).is_ok());
        assert!(verify_url(Some("http://[::1]:9/v"), true).is_ok());
        for (url, local) in [
            ("http://127.0.0.1:9/v", false),
            ("http://verify.example/v", true),
            ("ftp://127.0.0.1/v", true),
            ("not a url", true),
        ] {
            assert!(verify_url(Some(url), local).is_err(), "{url} {local}");
        }
    }

    #[test]
    fn the_script_url_follows_the_same_rule() {
        assert_eq!(
            script_url(None, false).unwrap().as_str(),
            DEFAULT_SCRIPT_URL
        );
        assert_eq!(
            script_url(Some(""), true).unwrap().as_str(),
            DEFAULT_SCRIPT_URL
        );
        assert!(script_url(Some("https://widget.example/api.js"), false).is_ok());
        assert!(script_url(Some("http://127.0.0.1:9/api.js"), true).is_ok());
        for (url, local) in [
            ("http://127.0.0.1:9/api.js", false),
            ("http://widget.example/api.js", true),
            ("javascript:alert(1)", true),
            ("data:text/javascript,1", true),
            ("/api.js", true),
        ] {
            assert!(script_url(Some(url), local).is_err(), "{url} {local}");
        }
    }

    proptest! {
        /// Whatever siteverify answers, only `success: true` with our hostname and action passes.
        #[test]
        fn only_a_matching_success_passes(
            status in 100u16..600,
            success in any::<bool>(),
            host in "[a-z.]{0,12}",
            action in "[a-z]{0,6}",
            codes in proptest::collection::vec("[a-z-]{0,20}", 0..3),
        ) {
            let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
            let body = answer(success, &refs, &host, &action);
            let passed = judge(status, &body, "q.example") == Verdict::Passed;
            prop_assert_eq!(
                passed,
                (200..300).contains(&status) && success && host == "q.example" && action == JOIN_ACTION
            );
        }
    }
}
