//! How a request's host and path are matched against a sale's patterns, whatever their spelling:
//! a fan must not reach a protected path by case (`/Store`), dot segments (`/x/../store`),
//! percent-encoding (`/%73tore`, `%2e%2e`), doubled slashes or backslashes. A path is protected
//! when any reading of it matches (the raw text, lowercased, and its decoded, resolved form); a
//! path is bypassed only when every reading matches a bypass pattern.

/// Most rounds of percent-decoding (`%252e` is `%2e` after one, `.` after two).
const DECODE_ROUNDS: usize = 3;

/// A pattern: `/store` (that path, with or without a trailing slash), or `/store/*` / `/static*`
/// (everything that starts with the text before the `*`). Patterns are kept lowercased.
pub fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix) || path == prefix.trim_end_matches('/'),
        None => path == pattern || path.strip_suffix('/') == Some(pattern),
    }
}

/// Whether `host` (as the request named it, maybe with a port) matches a host pattern:
/// `shop.example`, `*.shop.example` (any subdomain), with a port only if the pattern has one.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let bare = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(']') => {
            name.to_owned()
        }
        _ => host.clone(),
    };
    let candidate = if pattern.contains(':') { &host } else { &bare };
    match pattern.strip_prefix("*.") {
        Some(domain) => candidate
            .strip_suffix(domain)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => candidate == pattern,
    }
}

/// Every reading of a raw path: lowercased as sent, and decoded and resolved.
pub fn readings(raw: &str) -> [String; 2] {
    let raw_path = raw.split(['?', '#']).next().unwrap_or("");
    [resolve(&raw_path.to_ascii_lowercase()), normalize(raw_path)]
}

/// A path decoded (up to [`DECODE_ROUNDS`] times), lowercased, with `\` as `/`, empty and `.`
/// segments dropped and `..` resolved (never above the root).
pub fn normalize(raw: &str) -> String {
    let mut text = raw.to_owned();
    for _ in 0..DECODE_ROUNDS {
        let decoded = percent_decode(&text);
        if decoded == text {
            break;
        }
        text = decoded;
    }
    // ASCII case only: no Unicode case tables in the edge module, and origins fold ASCII.
    resolve(&text.to_ascii_lowercase())
}

fn resolve(path: &str) -> String {
    let unified = path.replace('\\', "/");
    let mut segments: Vec<&str> = Vec::new();
    for segment in unified.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(unified.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() || (unified.ends_with('/') && !segments.is_empty()) {
        out.push('/');
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether any reading of `raw` matches any of `patterns`.
pub fn any_reading_matches(patterns: &[String], raw: &str) -> bool {
    readings(raw)
        .iter()
        .any(|path| patterns.iter().any(|p| matches(p, path)))
}

/// Whether every reading of `raw` matches one of `patterns`.
pub fn every_reading_matches(patterns: &[String], raw: &str) -> bool {
    readings(raw)
        .iter()
        .all(|path| patterns.iter().any(|p| matches(p, path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(raw: &str) -> bool {
        any_reading_matches(&["/store*".to_owned()], raw)
    }

    #[test]
    fn spelling_tricks_still_reach_the_pattern() {
        for raw in [
            "/store",
            "/store/",
            "/store/checkout",
            "/Store",
            "/STORE/checkout",
            "/x/../store",
            "/x/%2e%2e/store",
            "/x/%2E%2E/store/",
            "/%73tore",
            "/%2573tore",
            "//store",
            "/./store",
            "\\store",
            "/x/..\\store",
            "/store?x=1",
        ] {
            assert!(protected(raw), "{raw} must be protected");
        }
        for raw in ["/", "/stor", "/x", "/store/../x", "/about/store"] {
            assert!(!protected(raw), "{raw} is not protected");
        }
    }

    #[test]
    fn exact_and_prefix_patterns() {
        assert!(matches("/store", "/store"));
        assert!(matches("/store", "/store/"));
        assert!(!matches("/store", "/store/x"));
        assert!(matches("/store/*", "/store"));
        assert!(matches("/store/*", "/store/x"));
        assert!(!matches("/store/*", "/storefront"));
        assert!(matches("/static*", "/static.css"));
    }

    #[test]
    fn a_bypass_holds_only_when_every_reading_is_bypassed() {
        let statics = ["/static/*".to_owned()];
        assert!(every_reading_matches(&statics, "/static/app.css"));
        assert!(every_reading_matches(&statics, "/Static/app.css"));
        assert!(!every_reading_matches(&statics, "/static/../store"));
        assert!(!every_reading_matches(&statics, "/static/%2e%2e/store"));
        assert!(!every_reading_matches(&statics, "/static/..%2fstore"));
    }

    #[test]
    fn hosts_match_with_or_without_a_port() {
        assert!(host_matches("shop.example", "shop.example"));
        assert!(host_matches("shop.example", "SHOP.example:443"));
        assert!(host_matches("shop.example", "shop.example."));
        assert!(!host_matches("shop.example", "evil-shop.example"));
        assert!(host_matches("*.shop.example", "eu.shop.example"));
        assert!(!host_matches("*.shop.example", "shop.example"));
        assert!(!host_matches("*.shop.example", "xshop.example"));
        assert!(host_matches("127.0.0.1:8787", "127.0.0.1:8787"));
        assert!(!host_matches("127.0.0.1:8787", "127.0.0.1:9999"));
    }
}
