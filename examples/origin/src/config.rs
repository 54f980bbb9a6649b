//! Settings: command-line flags with environment fallbacks, an optional `KEY=VALUE` env file, and
//! the origin key, which only ever comes from the environment.

use crate::envfile;
use clap::Parser;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// The environment variables this program reads. An env file may supply only these; anything else
/// in it (the edge's own signing keys, for one) is ignored and never enters this process.
pub const KNOWN_VARS: &[&str] = &[
    "ORIGIN_KEY",
    "EDGE_URL",
    "SALE",
    "WINDOWS",
    "PACE_MS",
    "CAPACITY",
    "LISTEN",
    "PASS_ISSUER",
];

/// The most fans one pull may ask for (the edge accepts `max` in 1..=100).
pub const MAX_PULL: u32 = 100;

/// The demo origin: sale windows that pull fans from the edge waiting room, and a purchase page
/// that admits them with their admission pass.
///
/// The origin key is read from the environment variable ORIGIN_KEY only (or from --env-file).
#[derive(Debug, Parser)]
#[command(
    name = "demo-origin",
    version,
    about,
    long_about = None,
    after_help = "The origin key is read only from the environment variable ORIGIN_KEY (or from \
                  --env-file); it is never a flag and never logged."
)]
pub struct Args {
    /// Base URL of the edge Worker.
    #[arg(long, env = "EDGE_URL", default_value = "http://127.0.0.1:8787")]
    pub edge_url: Url,

    /// The sale id this origin serves.
    #[arg(long, env = "SALE", default_value = "demo")]
    pub sale: String,

    /// How many sale windows pull fans (named window-1..window-N).
    #[arg(long, env = "WINDOWS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub windows: u32,

    /// Each window pulls at most once per this many milliseconds.
    #[arg(long, env = "PACE_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub pace_ms: u64,

    /// How many fans one window serves at once.
    #[arg(long, env = "CAPACITY", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=MAX_PULL as i64))]
    pub capacity: u32,

    /// Address of the purchase-page server.
    #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8788")]
    pub listen: SocketAddr,

    /// The `iss` an admission pass must carry.
    #[arg(long, env = "PASS_ISSUER", default_value = "waitroom")]
    pub pass_issuer: String,

    /// Read KEY=VALUE lines from this file (e.g. the project's .dev.vars) for the variables above
    /// and ORIGIN_KEY. Variables already set in the environment win over the file.
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<PathBuf>,
}

/// A secret string that never shows up in `Debug` or `Display` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Validated settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub edge_url: Url,
    pub sale: String,
    pub windows: u32,
    pub pace: Duration,
    pub capacity: u32,
    pub listen: SocketAddr,
    pub pass_issuer: String,
    pub origin_key: Secret,
}

#[derive(Debug)]
pub enum ConfigError {
    EnvFile {
        path: PathBuf,
        error: std::io::Error,
    },
    MissingOriginKey,
    BadOriginKey(&'static str),
    BadSale(String),
    BadEdgeUrl(String),
    BadIssuer,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EnvFile { path, error } => {
                write!(f, "cannot read the env file {}: {error}", path.display())
            }
            Self::MissingOriginKey => f.write_str(
                "ORIGIN_KEY is not set: export it (the same value the edge has) or pass \
                 --env-file pointing at a file that defines it (e.g. .dev.vars)",
            ),
            Self::BadOriginKey(why) => write!(f, "ORIGIN_KEY {why}"),
            Self::BadSale(sale) => write!(
                f,
                "sale id `{sale}` is invalid: it must match ^[a-z0-9][a-z0-9-]{{0,63}}$"
            ),
            Self::BadEdgeUrl(why) => write!(f, "--edge-url {why}"),
            Self::BadIssuer => f.write_str("--pass-issuer must not be empty"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Reads the settings: flags, then the environment, then the env file (if `--env-file` is given),
/// then defaults. Call before starting any threads: values from the env file are placed into the
/// process environment so that the flag parser sees them.
pub fn load() -> Result<Config, ConfigError> {
    let mut args = Args::parse();
    if let Some(path) = args.env_file.clone() {
        let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::EnvFile {
            path: path.clone(),
            error,
        })?;
        let mut imported = false;
        for (key, value) in envfile::parse(&text) {
            if KNOWN_VARS.contains(&key.as_str()) && std::env::var_os(&key).is_none() {
                std::env::set_var(&key, value);
                imported = true;
            }
        }
        if imported {
            // Parse again so that the env fallbacks pick up what the file supplied.
            args = Args::parse();
        }
    }
    let origin_key = std::env::var("ORIGIN_KEY").ok();
    from_args(args, origin_key)
}

/// Validates parsed flags and the origin key.
pub fn from_args(args: Args, origin_key: Option<String>) -> Result<Config, ConfigError> {
    let origin_key = origin_key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .ok_or(ConfigError::MissingOriginKey)?;
    if !origin_key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::BadOriginKey(
            "must be printable ASCII without spaces (it is sent in an HTTP header)",
        ));
    }
    if !valid_sale_id(&args.sale) {
        return Err(ConfigError::BadSale(args.sale));
    }
    if !matches!(args.edge_url.scheme(), "http" | "https") || args.edge_url.host().is_none() {
        return Err(ConfigError::BadEdgeUrl(
            "must be an http(s) URL with a host".into(),
        ));
    }
    if args.edge_url.query().is_some() || args.edge_url.fragment().is_some() {
        return Err(ConfigError::BadEdgeUrl(
            "must not carry a query or fragment".into(),
        ));
    }
    let pass_issuer = args.pass_issuer.trim().to_owned();
    if pass_issuer.is_empty() {
        return Err(ConfigError::BadIssuer);
    }
    Ok(Config {
        edge_url: args.edge_url,
        sale: args.sale,
        windows: args.windows,
        pace: Duration::from_millis(args.pace_ms),
        capacity: args.capacity,
        listen: args.listen,
        pass_issuer,
        origin_key: Secret(origin_key),
    })
}

/// `^[a-z0-9][a-z0-9-]{0,63}$`, as the edge requires.
pub fn valid_sale_id(sale: &str) -> bool {
    let bytes = sale.as_bytes();
    (1..=64).contains(&bytes.len())
        && bytes[0] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["demo-origin"];
        argv.extend_from_slice(extra);
        Args::try_parse_from(argv).expect("flags parse")
    }

    #[test]
    fn defaults_and_key() {
        let config = from_args(args(&[]), Some("k".repeat(40))).expect("valid");
        assert_eq!(config.windows, 3);
        assert_eq!(config.capacity, 2);
        assert_eq!(config.pace, Duration::from_millis(2000));
        assert_eq!(config.listen.to_string(), "127.0.0.1:8788");
        assert_eq!(config.pass_issuer, "waitroom");
        assert!(!format!("{config:?}").contains(&"k".repeat(40)));
    }

    #[test]
    fn refuses_missing_key_and_bad_sale() {
        assert!(matches!(
            from_args(args(&[]), None),
            Err(ConfigError::MissingOriginKey)
        ));
        assert!(matches!(
            from_args(args(&[]), Some("  ".into())),
            Err(ConfigError::MissingOriginKey)
        ));
        assert!(matches!(
            from_args(args(&["--sale", "Bad_Sale"]), Some("key".into())),
            Err(ConfigError::BadSale(_))
        ));
        assert!(Args::try_parse_from(["demo-origin", "--capacity", "0"]).is_err());
        assert!(Args::try_parse_from(["demo-origin", "--capacity", "101"]).is_err());
    }

    #[test]
    fn sale_ids() {
        assert!(valid_sale_id("demo"));
        assert!(valid_sale_id("tour-2026"));
        assert!(!valid_sale_id("-x"));
        assert!(!valid_sale_id(""));
        assert!(!valid_sale_id(&"a".repeat(65)));
    }
}
