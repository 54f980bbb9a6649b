//! A sale's `protect` setting: the origin it guards, the host and path patterns, the bypass rules,
//! how long a session lasts without activity and what happens when we are down.

use super::bypass::{secret_digest, Cidr};
use super::queue_when::{QueueWhen, QueueWhenInput};
use crate::sale::WebUrl;
use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};

/// `protect.session_s` bounds and default.
pub const SESSION_RANGE: (u64, u64) = (30, 86_400);
pub const DEFAULT_SESSION_S: u64 = 600;
/// Most patterns or ranges in one list.
pub const MAX_PATTERNS: usize = 32;
const MAX_PATTERN_BYTES: usize = 256;
/// Shortest staff secret.
pub const MIN_SECRET_CHARS: usize = 24;

/// What the edge does for a fan without a session when the sale's coordinator cannot be reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailMode {
    /// Pass through to the origin (without a session).
    Open,
    /// The busy page: 503 with `Retry-After`.
    #[default]
    Closed,
}

/// The `protect` of `PUT /api/admin/sales/{sale}`, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectInput {
    pub origin: String,
    pub hosts: Vec<String>,
    pub paths: Vec<String>,
    #[serde(default)]
    pub bypass: Option<BypassInput>,
    #[serde(default)]
    pub session_s: Option<u64>,
    #[serde(default)]
    pub fail_mode: Option<String>,
    /// The safety net's thresholds (absent: every fan without a session queues).
    #[serde(default)]
    pub queue_when: Option<QueueWhenInput>,
}

/// `protect.bypass`, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BypassInput {
    #[serde(default)]
    pub paths: Vec<String>,
    /// A request header whose value is the staff secret.
    #[serde(default)]
    pub header: Option<String>,
    /// A cookie whose value is the staff secret.
    #[serde(default)]
    pub cookie: Option<String>,
    /// The staff secret (kept only as its SHA-256).
    #[serde(default)]
    pub secret: Option<String>,
    /// The stored secret's digest, as the report shows it: sent back, it keeps the secret (a
    /// settings form that round-trips the report), unless `secret` replaces it.
    #[serde(default)]
    pub secret_sha256: Option<String>,
    #[serde(default)]
    pub cidrs: Vec<String>,
}

/// The bypass rules, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bypass {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<String>,
    /// The staff secret's SHA-256, hex (never the secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cidrs: Vec<Cidr>,
}

/// A sale's path protection, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protect {
    /// Where admitted requests go: only its scheme, host and port are used.
    pub origin: WebUrl,
    /// Host patterns, lowercased: `shop.example`, `*.shop.example`, `127.0.0.1:8787`.
    pub hosts: Vec<String>,
    /// Path patterns, lowercased: `/store`, `/store/*`.
    pub paths: Vec<String>,
    #[serde(default)]
    pub bypass: Bypass,
    pub session_s: u64,
    #[serde(default)]
    pub fail_mode: FailMode,
    /// The safety net (see [`super::net`]): none, every fan without a session queues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_when: Option<QueueWhen>,
}

fn list(
    field: &'static str,
    items: Vec<String>,
    required: bool,
    check: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, SettingsError> {
    if required && items.is_empty() {
        return Err(invalid(field, "needs at least one pattern"));
    }
    if items.len() > MAX_PATTERNS {
        return Err(invalid(field, format!("at most {MAX_PATTERNS} entries")));
    }
    items
        .iter()
        .map(|item| {
            if item.is_empty()
                || item.len() > MAX_PATTERN_BYTES
                || item.chars().any(char::is_control)
            {
                return Err(invalid(
                    field,
                    format!("`{item}`: 1 to {MAX_PATTERN_BYTES} bytes, no control characters"),
                ));
            }
            check(item).map_err(|m| invalid(field, m))
        })
        .collect()
}

fn path_pattern(text: &str) -> Result<String, String> {
    let star = text.find('*');
    if !text.starts_with('/') || star.is_some_and(|at| at != text.len() - 1) {
        return Err(format!(
            "`{text}` must start with / and may end with one * (a prefix)"
        ));
    }
    if text.contains(['?', '#', '%', '\\']) || text.split('/').any(|s| s == "." || s == "..") {
        return Err(format!(
            "`{text}` must be a plain path (no ?, #, %, \\, . or ..)"
        ));
    }
    Ok(text.to_ascii_lowercase())
}

fn host_pattern(text: &str) -> Result<String, String> {
    let name = text.strip_prefix("*.").unwrap_or(text);
    let (host, port) = match name.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (name, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    if !host_ok || !port_ok {
        return Err(format!(
            "`{text}` must be a host name (maybe `*.` before it, `:port` after it)"
        ));
    }
    Ok(text.to_ascii_lowercase())
}

fn token_name(field: &'static str, name: Option<String>) -> Result<Option<String>, SettingsError> {
    match name.filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(n)
            if n.len() <= 64
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(Some(n))
        }
        Some(_) => Err(invalid(field, "must be 1 to 64 letters, digits, - or _")),
    }
}

impl Bypass {
    fn parse(input: BypassInput) -> Result<Self, SettingsError> {
        let paths = list("protect.bypass.paths", input.paths, false, path_pattern)?;
        let header =
            token_name("protect.bypass.header", input.header)?.map(|h| h.to_ascii_lowercase());
        let cookie = token_name("protect.bypass.cookie", input.cookie)?;
        let kept = input
            .secret_sha256
            .filter(|d| !d.is_empty())
            .map(|d| {
                let ok = d.len() == 64
                    && d.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                ok.then_some(d).ok_or_else(|| {
                    invalid(
                        "protect.bypass.secret_sha256",
                        "must be the 64 hex digits the report shows",
                    )
                })
            })
            .transpose()?;
        let secret = input.secret.filter(|s| !s.is_empty());
        let staff = header.is_some() || cookie.is_some();
        let secret_sha256 = match (secret, &header, &cookie) {
            (None, _, _) if staff && kept.is_some() => kept,
            (None, None, None) => None,
            (None, _, _) => {
                return Err(invalid(
                    "protect.bypass.secret",
                    "is required with a bypass header or cookie",
                ))
            }
            (Some(_), None, None) => {
                return Err(invalid(
                    "protect.bypass.secret",
                    "needs a bypass header or cookie to be presented in",
                ))
            }
            (Some(s), _, _) if s.chars().count() < MIN_SECRET_CHARS || s.chars().any(char::is_control) => {
                return Err(invalid(
                    "protect.bypass.secret",
                    format!("must be at least {MIN_SECRET_CHARS} characters, none of them control characters"),
                ))
            }
            (Some(s), _, _) => Some(secret_digest(&s)),
        };
        if input.cidrs.len() > MAX_PATTERNS {
            return Err(invalid(
                "protect.bypass.cidrs",
                format!("at most {MAX_PATTERNS} entries"),
            ));
        }
        let cidrs = input
            .cidrs
            .iter()
            .map(|c| Cidr::parse(c).map_err(|m| invalid("protect.bypass.cidrs", m)))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            paths,
            header,
            cookie,
            secret_sha256,
            cidrs,
        })
    }
}

impl Protect {
    pub fn parse(input: ProtectInput) -> Result<Self, SettingsError> {
        let origin = crate::sale::web_url_for("protect.origin", &input.origin)?;
        if origin.as_url().path() != "/" || origin.as_url().query().is_some() {
            return Err(invalid(
                "protect.origin",
                "must be a scheme, host and port only (requests keep their own path)",
            ));
        }
        let hosts = list("protect.hosts", input.hosts, true, host_pattern)?;
        let paths = list("protect.paths", input.paths, true, path_pattern)?;
        let session_s = input.session_s.unwrap_or(DEFAULT_SESSION_S);
        let (lo, hi) = SESSION_RANGE;
        if !(lo..=hi).contains(&session_s) {
            return Err(invalid(
                "protect.session_s",
                format!("must be between {lo} and {hi} seconds"),
            ));
        }
        let fail_mode = match input.fail_mode.as_deref() {
            None | Some("closed") => FailMode::Closed,
            Some("open") => FailMode::Open,
            Some(_) => return Err(invalid("protect.fail_mode", "must be open or closed")),
        };
        Ok(Self {
            origin,
            hosts,
            paths,
            bypass: Bypass::parse(input.bypass.unwrap_or_default())?,
            session_s,
            fail_mode,
            queue_when: input.queue_when.map(QueueWhen::parse).transpose()?,
        })
    }

    /// Whether this sale guards `host` at all (its other paths pass through without a session).
    pub fn guards_host(&self, host: &str) -> bool {
        self.hosts
            .iter()
            .any(|p| super::path::host_matches(p, host))
    }

    /// Whether `raw_path` on a guarded host is protected (any reading of it matches).
    pub fn guards_path(&self, raw_path: &str) -> bool {
        super::path::any_reading_matches(&self.paths, raw_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProtectInput {
        ProtectInput {
            origin: "https://origin.shop.example".into(),
            hosts: vec!["Shop.Example".into()],
            paths: vec!["/Store/*".into()],
            ..Default::default()
        }
    }

    #[test]
    fn defaults_and_lowercased_patterns() {
        let p = Protect::parse(input()).unwrap();
        assert_eq!(p.hosts, ["shop.example"]);
        assert_eq!(p.paths, ["/store/*"]);
        assert_eq!(p.session_s, DEFAULT_SESSION_S);
        assert_eq!(p.fail_mode, FailMode::Closed);
        assert!(p.guards_host("shop.example:443"));
        assert!(p.guards_path("/STORE/x"));
    }

    #[test]
    fn bad_settings_name_their_field() {
        let field = |i: ProtectInput| Protect::parse(i).unwrap_err().field;
        assert_eq!(
            field(ProtectInput {
                origin: "ftp://x".into(),
                ..input()
            }),
            "protect.origin"
        );
        assert_eq!(
            field(ProtectInput {
                origin: "https://x/app".into(),
                ..input()
            }),
            "protect.origin"
        );
        assert_eq!(
            field(ProtectInput {
                hosts: vec![],
                ..input()
            }),
            "protect.hosts"
        );
        assert_eq!(
            field(ProtectInput {
                hosts: vec!["a b".into()],
                ..input()
            }),
            "protect.hosts"
        );
        assert_eq!(
            field(ProtectInput {
                paths: vec!["store".into()],
                ..input()
            }),
            "protect.paths"
        );
        assert_eq!(
            field(ProtectInput {
                paths: vec!["/a/*/b".into()],
                ..input()
            }),
            "protect.paths"
        );
        assert_eq!(
            field(ProtectInput {
                paths: vec!["/a/../b".into()],
                ..input()
            }),
            "protect.paths"
        );
        assert_eq!(
            field(ProtectInput {
                session_s: Some(5),
                ..input()
            }),
            "protect.session_s"
        );
        assert_eq!(
            field(ProtectInput {
                fail_mode: Some("maybe".into()),
                ..input()
            }),
            "protect.fail_mode"
        );
        let bypass = |b: BypassInput| ProtectInput {
            bypass: Some(b),
            ..input()
        };
        assert_eq!(
            field(bypass(BypassInput {
                header: Some("x-staff".into()),
                ..Default::default()
            })),
            "protect.bypass.secret"
        );
        assert_eq!(
            field(bypass(BypassInput {
                header: Some("x-staff".into()),
                secret: Some("short".into()),
                ..Default::default()
            })),
            "protect.bypass.secret"
        );
        assert_eq!(
            field(bypass(BypassInput {
                cidrs: vec!["10.0.0.0/40".into()],
                ..Default::default()
            })),
            "protect.bypass.cidrs"
        );
    }

    #[test]
    fn the_staff_secret_is_stored_as_its_digest_only() {
        let p = Protect::parse(ProtectInput {
            bypass: Some(BypassInput {
                header: Some("X-Staff".into()),
                secret: Some("a-staff-secret-long-enough-1234".into()),
                ..Default::default()
            }),
            ..input()
        })
        .unwrap();
        let stored = serde_json::to_string(&p).unwrap();
        assert!(!stored.contains("a-staff-secret-long-enough-1234"));
        assert_eq!(p.bypass.header.as_deref(), Some("x-staff"));
        let back: Protect = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, p);
        // The report's form sent back keeps the secret.
        let again: ProtectInput = serde_json::from_str(&stored).unwrap();
        assert_eq!(Protect::parse(again).unwrap(), p);
    }
}
