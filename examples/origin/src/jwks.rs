//! The edge's pass-signing keys: a [`KeySet`] parsed from a JWKS document (pure), and a
//! [`JwksCache`] that fetches it from the edge, refetching when a pass names an unknown key.

use crate::edge::{EdgeClient, EdgeError};
use crate::log;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use jsonwebtoken::DecodingKey;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The Ed25519 verification keys of a JWKS document, by `kid`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, DecodingKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kids: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        f.debug_struct("KeySet").field("kids", &kids).finish()
    }
}

#[derive(Debug)]
pub enum JwksError {
    /// The document is not a JWKS (`{"keys": [...]}`).
    NotJwks,
    /// The edge could not be asked, and the key the pass names is not known yet.
    Unavailable(String),
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJwks => f.write_str("the document is not a JWKS ({\"keys\": [...]})"),
            Self::Unavailable(e) => write!(f, "the edge's signing keys are unavailable: {e}"),
        }
    }
}

impl std::error::Error for JwksError {}

impl KeySet {
    /// The usable keys of a JWKS document: `kty` OKP, `crv` Ed25519, a `kid`, a 32-byte `x`, and
    /// `alg`/`use` (when present) EdDSA/sig. Other keys are skipped, so a set may hold key types
    /// this program does not know.
    pub fn from_jwks(document: &Value) -> Result<Self, JwksError> {
        let entries = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(JwksError::NotJwks)?;
        let keys = entries.iter().filter_map(ed25519_key).collect();
        Ok(Self { keys })
    }

    pub fn get(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.get(kid)
    }

    pub fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

fn ed25519_key(jwk: &Value) -> Option<(String, DecodingKey)> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    if member("kty") != Some("OKP") || member("crv") != Some("Ed25519") {
        return None;
    }
    if !matches!(member("alg"), None | Some("EdDSA"))
        || !matches!(member("use"), None | Some("sig"))
    {
        return None;
    }
    let kid = member("kid").filter(|k| !k.is_empty())?;
    let x = member("x")?;
    if B64.decode(x).ok()?.len() != 32 {
        return None;
    }
    let key = DecodingKey::from_ed_components(x).ok()?;
    Some((kid.to_owned(), key))
}

/// The edge's keys, fetched on start and again (at most once per `min_refetch`) whenever a pass
/// names a key the cache does not hold, which is how a key rotation reaches us.
pub struct JwksCache {
    edge: EdgeClient,
    min_refetch: Duration,
    keys: RwLock<Arc<KeySet>>,
    fetch: tokio::sync::Mutex<FetchState>,
}

#[derive(Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

impl JwksCache {
    pub fn new(edge: EdgeClient, min_refetch: Duration) -> Self {
        Self {
            edge,
            min_refetch,
            keys: RwLock::new(Arc::default()),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        }
    }

    fn current(&self) -> Arc<KeySet> {
        match self.keys.read() {
            Ok(keys) => Arc::clone(&keys),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn store(&self, set: KeySet) {
        let set = Arc::new(set);
        match self.keys.write() {
            Ok(mut keys) => *keys = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
    }

    async fn download(&self) -> Result<KeySet, String> {
        let document = self
            .edge
            .jwks()
            .await
            .map_err(|e: EdgeError| e.to_string())?;
        KeySet::from_jwks(&document).map_err(|e| e.to_string())
    }

    /// Fetches the keys now (at start-up). Failure is logged, not fatal: the edge may come later.
    pub async fn prefetch(&self) {
        let mut state = self.fetch.lock().await;
        self.refresh(&mut state).await;
    }

    async fn refresh(&self, state: &mut FetchState) {
        state.last_attempt = Some(Instant::now());
        match self.download().await {
            Ok(set) if set.is_empty() => {
                let e = "the edge's JWKS holds no Ed25519 signing key".to_owned();
                log::warning!("jwks: {e}");
                state.last_error = Some(e);
            }
            Ok(set) => {
                let mut kids: Vec<&str> = set.keys.keys().map(String::as_str).collect();
                kids.sort_unstable();
                log::info!(
                    "jwks: {} signing key(s) from the edge: {}",
                    set.len(),
                    kids.join(", ")
                );
                state.last_error = None;
                self.store(set);
            }
            Err(e) => {
                log::warning!("jwks: cannot fetch the edge's signing keys: {e}");
                state.last_error = Some(e);
            }
        }
    }

    /// The keys, making sure `kid` is among them if the edge has it. An `Ok` set that lacks `kid`
    /// means the edge does not know the key either (so the pass is not the edge's).
    pub async fn keys_for(&self, kid: &str) -> Result<Arc<KeySet>, JwksError> {
        let keys = self.current();
        if keys.contains(kid) {
            return Ok(keys);
        }
        let mut state = self.fetch.lock().await;
        // Another request may have fetched while we waited for the lock.
        let keys = self.current();
        if keys.contains(kid) {
            return Ok(keys);
        }
        let due = state
            .last_attempt
            .is_none_or(|at| at.elapsed() >= self.min_refetch);
        if due {
            self.refresh(&mut state).await;
        }
        match &state.last_error {
            Some(e) => Err(JwksError::Unavailable(e.clone())),
            None => Ok(self.current()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_ed25519_signing_keys() {
        let x = B64.encode([7u8; 32]);
        let jwks = json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "a", "x": x},
            {"kty": "OKP", "crv": "Ed25519", "kid": "b", "x": x},
            {"kty": "OKP", "crv": "X25519", "kid": "c", "x": x},
            {"kty": "RSA", "kid": "d", "n": "AQAB", "e": "AQAB"},
            {"kty": "OKP", "crv": "Ed25519", "use": "enc", "kid": "e", "x": x},
            {"kty": "OKP", "crv": "Ed25519", "kid": "f", "x": B64.encode([7u8; 31])},
            {"kty": "OKP", "crv": "Ed25519", "x": x},
        ]});
        let set = KeySet::from_jwks(&jwks).expect("a JWKS");
        assert!(set.contains("a") && set.contains("b"));
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn refuses_non_jwks() {
        assert!(matches!(
            KeySet::from_jwks(&json!({"key": []})),
            Err(JwksError::NotJwks)
        ));
    }
}
