//! The secrets the worker runs on, read from the environment and refused when missing or weak.

use crate::keys::pass::PassSigner;
use crate::keys::pow_key::PowKey;
use crate::keys::secret_strength::check_strength;
use crate::keys::token::TokenKeys;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// A bearer key (`ADMIN_KEY`, `ORIGIN_KEY`), compared in constant time.
#[derive(Clone)]
pub struct ApiKey([u8; 32]);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(..)")
    }
}

impl ApiKey {
    fn new(key: &str) -> Self {
        Self(Sha256::digest(key.as_bytes()).into())
    }

    /// Whether `presented` is this key. Both sides are hashed first so that neither the
    /// comparison nor its length leaks anything.
    pub fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.0.ct_eq(&presented).into()
    }
}

/// A missing or weak secret: a deployment mistake, never silently replaced by a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// A required secret, read through `lookup`: unset or blank is an error naming it.
fn required(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<String, ConfigError> {
    lookup(name)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ConfigError {
            name,
            problem: "is not set".into(),
        })
}

/// The secrets every worker runs on: the edge worker's (fans' tokens and challenges) and the full
/// worker's. Not the bearer keys ([`api_keys`]) nor the pass-signing keys ([`pass_signer`]):
/// only the full worker reads those.
#[derive(Clone, Debug)]
pub struct Secrets {
    pub token_keys: TokenKeys,
    /// Signs proof-of-work challenges: derived from the token-signing key, so nothing to set.
    pub pow_key: PowKey,
}

impl Secrets {
    /// Reads the secrets every worker runs on through `lookup` (the environment), checking each.
    /// Not the promoter's and origin's keys ([`api_keys`]) nor the pass-signing keys
    /// ([`pass_signer`]): the routes that use them and the coordinator that signs passes are the
    /// full worker's, so the edge worker never holds them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |name: &'static str| required(&lookup, name);
        let token_keys = TokenKeys::parse(&read("TOKEN_KEYS")?).map_err(|problem| ConfigError {
            name: "TOKEN_KEYS",
            problem,
        })?;
        let pow_key = PowKey::derived_from(&token_keys);
        Ok(Self {
            pow_key,
            token_keys,
        })
    }
}

/// The promoter's and the origin's bearer keys.
#[derive(Clone, Debug)]
pub struct ApiKeys {
    /// `ADMIN_KEY`: `/api/admin/...`.
    pub admin: ApiKey,
    /// `ORIGIN_KEY`: `/api/origin/...`.
    pub origin: ApiKey,
}

/// The bearer keys, read through `lookup`: `ADMIN_KEY` and `ORIGIN_KEY`, each strong, and not
/// the same (a leaked origin key must not open the promoter's routes). Read by the full worker
/// only (the promoter's and the origin's routes), never by the edge.
pub fn api_keys(lookup: impl Fn(&str) -> Option<String>) -> Result<ApiKeys, ConfigError> {
    let key = |name: &'static str| {
        let value = required(&lookup, name)?;
        check_strength(&value).map_err(|problem| ConfigError { name, problem })?;
        Ok::<_, ConfigError>(value)
    };
    let admin = key("ADMIN_KEY")?;
    let origin = key("ORIGIN_KEY")?;
    if admin == origin {
        return Err(ConfigError {
            name: "ORIGIN_KEY",
            problem: "must differ from ADMIN_KEY".into(),
        });
    }
    Ok(ApiKeys {
        admin: ApiKey::new(&admin),
        origin: ApiKey::new(&origin),
    })
}

/// The pass-signing keys, read through `lookup`: `PASS_SIGNING_KEYS` (several, the first signs)
/// or, as before it existed, `PASS_SIGNING_KEY` (one). Both set is a mistake: which one is meant?
/// Read by the full worker only (the coordinator signs passes; the JWKS), never by the edge.
pub fn pass_signer(lookup: impl Fn(&str) -> Option<String>) -> Result<PassSigner, ConfigError> {
    let set = |name| lookup(name).filter(|v| !v.trim().is_empty());
    match (set("PASS_SIGNING_KEYS"), set("PASS_SIGNING_KEY")) {
        (Some(_), Some(_)) => Err(ConfigError {
            name: "PASS_SIGNING_KEYS",
            problem: "and PASS_SIGNING_KEY are both set: keep only PASS_SIGNING_KEYS".into(),
        }),
        (Some(keys), None) => PassSigner::parse_many(&keys).map_err(|problem| ConfigError {
            name: "PASS_SIGNING_KEYS",
            problem,
        }),
        (None, Some(key)) => PassSigner::parse(&key).map_err(|problem| ConfigError {
            name: "PASS_SIGNING_KEY",
            problem,
        }),
        (None, None) => Err(ConfigError {
            name: "PASS_SIGNING_KEYS",
            problem: "is not set (nor PASS_SIGNING_KEY)".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<&'static str, String> {
        HashMap::from([
            (
                "ADMIN_KEY",
                "admin-0123456789abcdefghijklmnopqrstuv".to_owned(),
            ),
            (
                "ORIGIN_KEY",
                "origin-0123456789abcdefghijklmnopqrstu".to_owned(),
            ),
            (
                "TOKEN_KEYS",
                "k1:token-0123456789abcdefghijklmnopqrstu".to_owned(),
            ),
            (
                "PASS_SIGNING_KEY",
                "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA".to_owned(),
            ),
        ])
    }

    fn load(env: &HashMap<&'static str, String>) -> Result<Secrets, ConfigError> {
        Secrets::from_lookup(|n| env.get(n).cloned())
    }

    fn keys(env: &HashMap<&'static str, String>) -> Result<ApiKeys, ConfigError> {
        api_keys(|n| env.get(n).cloned())
    }

    fn signer(env: &HashMap<&'static str, String>) -> Result<PassSigner, ConfigError> {
        pass_signer(|n| env.get(n).cloned())
    }

    #[test]
    fn loads_and_matches_keys() {
        let k = keys(&env()).unwrap();
        assert!(k.admin.matches("admin-0123456789abcdefghijklmnopqrstuv"));
        assert!(!k.admin.matches("origin-0123456789abcdefghijklmnopqrstu"));
        assert!(k.origin.matches("origin-0123456789abcdefghijklmnopqrstu"));
        assert!(!k.origin.matches(""));
        let s = load(&env()).unwrap();
        assert_eq!(s.token_keys.signing_kid(), "k1");
    }

    #[test]
    fn names_the_missing_or_weak_secret() {
        for (name, value) in [
            ("ADMIN_KEY", None),
            ("ADMIN_KEY", Some("changeme".to_owned())),
            ("ORIGIN_KEY", None),
            ("ORIGIN_KEY", Some("x".repeat(64))),
        ] {
            let mut e = env();
            match value {
                Some(v) => e.insert(name, v),
                None => e.remove(name),
            };
            assert_eq!(keys(&e).unwrap_err().name, name);
        }
        for value in [None, Some("k1:short".to_owned())] {
            let mut e = env();
            match value {
                Some(v) => e.insert("TOKEN_KEYS", v),
                None => e.remove("TOKEN_KEYS"),
            };
            assert_eq!(load(&e).unwrap_err().name, "TOKEN_KEYS");
        }
        let mut same = env();
        same.insert("ORIGIN_KEY", same["ADMIN_KEY"].clone());
        let err = keys(&same).unwrap_err();
        assert_eq!(err.name, "ORIGIN_KEY");
        assert!(
            err.to_string().contains("must differ from ADMIN_KEY"),
            "{err}"
        );
        let mut bad_pass_key = env();
        bad_pass_key.insert("PASS_SIGNING_KEY", "not-a-key".to_owned());
        assert_eq!(signer(&bad_pass_key).unwrap_err().name, "PASS_SIGNING_KEY");
    }

    /// What only the full worker reads: the bearer keys and the pass-signing key.
    const FULL_WORKER_ONLY: [&str; 4] = [
        "ADMIN_KEY",
        "ORIGIN_KEY",
        "PASS_SIGNING_KEY",
        "PASS_SIGNING_KEYS",
    ];

    #[test]
    fn the_secrets_every_worker_reads_leave_out_the_full_workers_keys() {
        // The edge worker runs without them (only the full worker serves the promoter's and the
        // origin's routes, and only its coordinator signs passes).
        let mut e = env();
        for name in FULL_WORKER_ONLY {
            e.remove(name);
        }
        assert_eq!(e.keys().collect::<Vec<_>>(), [&"TOKEN_KEYS"]);
        assert!(load(&e).is_ok());
    }

    proptest::proptest! {
        /// Whatever the full worker's keys are (unset, weak, the same, not keys at all), the
        /// secrets every worker reads load alike: no value of theirs stops the edge.
        #[test]
        fn the_full_workers_keys_never_stop_the_secrets_every_worker_reads(
            values in proptest::collection::vec(proptest::option::of(".{0,48}"), 4),
        ) {
            let mut e = env();
            for (name, value) in FULL_WORKER_ONLY.into_iter().zip(values) {
                match value {
                    Some(v) => e.insert(name, v),
                    None => e.remove(name),
                };
            }
            let loaded = load(&e).unwrap();
            let expected = load(&env()).unwrap();
            proptest::prop_assert_eq!(
                loaded.token_keys.derive_current("a purpose"),
                expected.token_keys.derive_current("a purpose")
            );
        }
    }

    #[test]
    fn pass_signing_keys_replace_the_single_key() {
        let one = env()["PASS_SIGNING_KEY"].clone();
        let two = "BwECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        let mut e = env();
        e.remove("PASS_SIGNING_KEY");
        e.insert("PASS_SIGNING_KEYS", format!("{two},{one}"));
        let ring = signer(&e).unwrap();
        let single = signer(&env()).unwrap();
        assert_eq!(ring.jwks().keys.len(), 2);
        assert_eq!(ring.jwks().keys[1], single.jwks().keys[0]);
        // Both set: refused, naming both.
        let mut both = env();
        both.insert("PASS_SIGNING_KEYS", two.to_owned());
        let err = signer(&both).unwrap_err();
        assert_eq!(err.name, "PASS_SIGNING_KEYS");
        assert!(
            err.to_string().contains("PASS_SIGNING_KEY are both set"),
            "{err}"
        );
        // Neither set.
        let mut none = env();
        none.remove("PASS_SIGNING_KEY");
        assert_eq!(signer(&none).unwrap_err().name, "PASS_SIGNING_KEYS");
        // A bad key in the list names the list.
        e.insert("PASS_SIGNING_KEYS", format!("{two},nope"));
        assert_eq!(signer(&e).unwrap_err().name, "PASS_SIGNING_KEYS");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let shown = format!("{:?}", load(&env()).unwrap());
        assert!(!shown.contains("0123456789"), "{shown}");
        let shown = format!("{:?}", keys(&env()).unwrap());
        assert!(!shown.contains("0123456789"), "{shown}");
        let shown = format!("{:?}", signer(&env()).unwrap());
        assert!(!shown.contains("AQIDBAUGBwgJ"), "{shown}");
    }
}
