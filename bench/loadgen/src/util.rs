//! Small pure helpers: the env file, the loopback-only guard, a seeded random source.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// `KEY=VALUE` lines (as wrangler's `--env-file` reads them); blank lines and `#` comments skipped,
/// one pair of surrounding quotes removed.
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_owned(), v.to_owned())
        })
        .collect()
}

/// The load generator only ever talks to this machine: `http://` on 127.0.0.0/8, `[::1]` or
/// `localhost`. Returns the base URL without a trailing slash.
pub fn loopback_base(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// on the loopback interface is allowed"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if rest.len() > authority.len() && rest[authority.len()..] != *"/" {
        return Err(format!("{url}: give the bare origin, without a path"));
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback || authority.contains('@') {
        return Err(format!(
            "{url}: refusing to send load anywhere but 127.0.0.1 / [::1] / localhost"
        ));
    }
    Ok(format!("http://{authority}"))
}

/// SplitMix64: a tiny seeded generator, enough to spread fans' first polls.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file() {
        let vars = parse_env_file(
            "# secrets\nADMIN_KEY=abc=def\n\n ORIGIN_KEY = \"q u\" \nnonsense\nTOKEN_KEYS=t1:x\n",
        );
        assert_eq!(vars["ADMIN_KEY"], "abc=def");
        assert_eq!(vars["ORIGIN_KEY"], "q u");
        assert_eq!(vars["TOKEN_KEYS"], "t1:x");
        assert_eq!(vars.len(), 3);
    }

    #[test]
    fn only_loopback_targets() {
        assert_eq!(
            loopback_base("http://127.0.0.1:8787/").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert!(loopback_base("http://127.3.2.1:80").is_ok());
        assert!(loopback_base("http://localhost:1234").is_ok());
        assert!(loopback_base("http://[::1]:1234").is_ok());
        for bad in [
            "http://10.0.0.1:8787",
            "http://192.168.1.2",
            "http://example.com",
            "https://127.0.0.1:8787",
            "http://127.0.0.1.example.com:80",
            "http://user@127.0.0.1:80",
            "http://127.0.0.1:8787/api",
            "127.0.0.1:8787",
        ] {
            assert!(loopback_base(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn rng_is_seeded_and_bounded() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..100).map(|_| a.below(10)).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.below(10)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|&x| x < 10));
        assert!(xs.iter().any(|&x| x != xs[0]));
        assert_eq!(a.below(0), 0);
    }
}
