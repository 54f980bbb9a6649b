//! The secrets the worker runs on, read from the environment and refused when missing or weak.

use crate::pass::PassSigner;
use crate::pow::PowKey;
use crate::secret_strength::check_strength;
use crate::token::TokenKeys;
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

#[derive(Clone, Debug)]
pub struct Secrets {
    pub admin_key: ApiKey,
    pub origin_key: ApiKey,
    pub token_keys: TokenKeys,
    /// Signs proof-of-work challenges: derived from the token-signing key, so nothing to set.
    pub pow_key: PowKey,
}

impl Secrets {
    /// Reads the secrets every worker runs on through `lookup` (the environment), checking each.
    /// Not the pass-signing keys: only the coordinator signs passes ([`pass_signer`]), so the
    /// edge worker never holds them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| ConfigError {
                    name,
                    problem: "is not set".into(),
                })
        };
        let key = |name: &'static str| {
            let value = read(name)?;
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
        let token_keys = TokenKeys::parse(&read("TOKEN_KEYS")?).map_err(|problem| ConfigError {
            name: "TOKEN_KEYS",
            problem,
        })?;
        let pow_key = PowKey::derived_from(&token_keys);
        Ok(Self {
            pow_key,
            admin_key: ApiKey::new(&admin),
            origin_key: ApiKey::new(&origin),
            token_keys,
        })
    }
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

    fn signer(env: &HashMap<&'static str, String>) -> Result<PassSigner, ConfigError> {
        pass_signer(|n| env.get(n).cloned())
    }

    #[test]
    fn loads_and_matches_keys() {
        let s = load(&env()).unwrap();
        assert!(s
            .admin_key
            .matches("admin-0123456789abcdefghijklmnopqrstuv"));
        assert!(!s
            .admin_key
            .matches("origin-0123456789abcdefghijklmnopqrstu"));
        assert!(!s.origin_key.matches(""));
    }

    #[test]
    fn names_the_missing_or_weak_secret() {
        for (name, value) in [
            ("ADMIN_KEY", None),
            ("ADMIN_KEY", Some("changeme".to_owned())),
            ("ORIGIN_KEY", Some("x".repeat(64))),
            ("TOKEN_KEYS", Some("k1:short".to_owned())),
        ] {
            let mut e = env();
            match value {
                Some(v) => e.insert(name, v),
                None => e.remove(name),
            };
            assert_eq!(load(&e).unwrap_err().name, name);
        }
        let mut same = env();
        same.insert("ORIGIN_KEY", same["ADMIN_KEY"].clone());
        assert_eq!(load(&same).unwrap_err().name, "ORIGIN_KEY");
        let mut bad_pass_key = env();
        bad_pass_key.insert("PASS_SIGNING_KEY", "not-a-key".to_owned());
        assert_eq!(signer(&bad_pass_key).unwrap_err().name, "PASS_SIGNING_KEY");
    }

    #[test]
    fn the_secrets_every_worker_reads_leave_out_the_pass_signing_keys() {
        // The edge worker runs without them (only the coordinator signs passes); a bad one does
        // not stop it either.
        for value in [None, Some("not-a-key")] {
            let mut e = env();
            match value {
                Some(v) => e.insert("PASS_SIGNING_KEY", v.to_owned()),
                None => e.remove("PASS_SIGNING_KEY"),
            };
            assert!(load(&e).is_ok(), "{value:?}");
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
        let shown = format!("{:?}", signer(&env()).unwrap());
        assert!(!shown.contains("AQIDBAUGBwgJ"), "{shown}");
    }
}
