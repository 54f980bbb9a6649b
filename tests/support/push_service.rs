//! A local stand-in for a Web Push service (RFC 8030), for the tests of "Called back"
//! (docs/api.md): an HTTP/1.1 server on 127.0.0.1 that hands out subscriptions (a fresh P-256
//! key pair and auth secret each, endpoint `/push/<n>`), and for every push it receives checks
//! the VAPID header (RFC 8292: an ES256 JWT for its own origin, signed by the deployment's public
//! key it was told, not expired) and decrypts the RFC 8291 `aes128gcm` body with the
//! subscription's private key and auth secret, as a browser would. It answers 201, or 410 for an
//! endpoint under `/gone/`, and never for one under `/hang/`; it records what it received.

use crate::support::test_server::{read_request, respond, TestServer};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpStream;

/// One push as received, checked and decrypted.
#[derive(Clone, Debug)]
pub struct Push {
    pub path: String,
    pub at: Instant,
    /// The decrypted message, as JSON (`Null` if it did not decrypt: see `problems`).
    pub message: Value,
    pub ttl: Option<u64>,
    pub urgency: Option<String>,
    /// What was wrong with it (empty: a push a browser would show).
    pub problems: Vec<String>,
}

struct Keys {
    private: SecretKey,
    auth: [u8; 16],
}

#[derive(Default)]
struct Shared {
    keys: HashMap<String, Keys>,
    vapid_public: Option<String>,
    received: Vec<Push>,
}

/// The running stand-in; stops when dropped.
pub struct PushService {
    pub base: String,
    shared: Arc<Mutex<Shared>>,
    _server: TestServer,
}

impl PushService {
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let keep = shared.clone();
        // The origin its VAPID JWTs must name: its own (known once it is bound).
        let origin = Arc::new(Mutex::new(String::new()));
        let origin_of = origin.clone();
        let server = TestServer::start("push service", move |stream| {
            let origin = origin_of.lock().unwrap().clone();
            serve(stream, keep.clone(), origin)
        })
        .await;
        let base = server.base();
        *origin.lock().unwrap() = base.clone();
        Self {
            base,
            shared,
            _server: server,
        }
    }

    /// The deployment's VAPID public key (the push route's `public_key`): pushes must be signed
    /// with it.
    pub fn expect_vapid(&self, public_key: &str) {
        self.shared.lock().unwrap().vapid_public = Some(public_key.to_owned());
    }

    /// A new subscription at `path` (`/push/...`, `/gone/...`, `/hang/...`), as the browser's
    /// `PushSubscription.toJSON()`.
    pub fn subscribe(&self, path: &str) -> Value {
        let private = SecretKey::from_slice(&super::random::random_bytes(32)).expect("a scalar");
        let public = private.public_key().to_encoded_point(false);
        let auth: [u8; 16] = super::random::random_bytes(16).try_into().unwrap();
        let sub = json!({
            "endpoint": format!("{}{path}", self.base),
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(auth),
            },
        });
        self.shared
            .lock()
            .unwrap()
            .keys
            .insert(path.to_owned(), Keys { private, auth });
        sub
    }

    /// Every push received at `path` so far.
    pub fn at(&self, path: &str) -> Vec<Push> {
        let shared = self.shared.lock().unwrap();
        shared
            .received
            .iter()
            .filter(|p| p.path == path)
            .cloned()
            .collect()
    }

    /// Every push received so far.
    pub fn all(&self) -> Vec<Push> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Waits (up to `within`) until `path` has received `n` pushes; them.
    pub async fn wait_for(&self, path: &str, n: usize, within: Duration) -> Vec<Push> {
        let until = Instant::now() + within;
        loop {
            let got = self.at(path);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < until,
                "{path} received {} pushes, not {n}, within {within:?}: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Mutex<Shared>>, origin: String) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let (path, headers, body) = (request.path, request.headers, request.body);
    let at = Instant::now();
    let (message, problems) = {
        let shared = shared.lock().unwrap();
        check(&shared, &origin, &path, &headers, &body)
    };
    let push = Push {
        path: path.clone(),
        at,
        message,
        ttl: headers.get("ttl").and_then(|v| v.parse().ok()),
        urgency: headers.get("urgency").cloned(),
        problems,
    };
    shared.lock().unwrap().received.push(push);
    let status = if path.starts_with("/hang/") {
        tokio::time::sleep(Duration::from_secs(120)).await;
        return;
    } else if path.starts_with("/gone/") {
        "410 Gone"
    } else {
        "201 Created"
    };
    respond(&mut stream, status, "", "").await;
}

/// What a push service and a browser check: the VAPID JWT, then the decryption.
fn check(
    shared: &Shared,
    origin: &str,
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> (Value, Vec<String>) {
    let mut problems = Vec::new();
    if headers.get("content-encoding").map(String::as_str) != Some("aes128gcm") {
        problems.push(format!(
            "Content-Encoding {:?}",
            headers.get("content-encoding")
        ));
    }
    if headers.get("ttl").is_none() {
        problems.push("no TTL".into());
    }
    match vapid(shared, origin, headers.get("authorization")) {
        Ok(()) => {}
        Err(e) => problems.push(format!("VAPID: {e}")),
    }
    let Some(keys) = shared.keys.get(path) else {
        problems.push(format!("no subscription at {path}"));
        return (Value::Null, problems);
    };
    match decrypt(keys, body) {
        Ok(text) => match serde_json::from_slice(&text) {
            Ok(v) => (v, problems),
            Err(e) => {
                problems.push(format!("not JSON: {e}"));
                (Value::Null, problems)
            }
        },
        Err(e) => {
            problems.push(format!("decrypt: {e}"));
            (Value::Null, problems)
        }
    }
}

/// `Authorization: vapid t=<jwt>, k=<key>`: `k` the deployment's key, the JWT signed by it for
/// this origin and not expired (at most 24 hours ahead, RFC 8292).
fn vapid(shared: &Shared, origin: &str, header: Option<&String>) -> Result<(), String> {
    let header = header.ok_or("no Authorization")?;
    let rest = header
        .strip_prefix("vapid t=")
        .ok_or("not a vapid scheme")?;
    let (jwt, k) = rest.split_once(", k=").ok_or("no k=")?;
    if Some(k) != shared.vapid_public.as_deref() {
        return Err(format!("k={k} is not the deployment's key"));
    }
    let (signed, signature) = jwt.rsplit_once('.').ok_or("not a JWT")?;
    let (head, claims) = signed.split_once('.').ok_or("not a JWT")?;
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string());
    let head: Value = serde_json::from_slice(&decode(head)?).map_err(|e| e.to_string())?;
    if head["alg"] != "ES256" {
        return Err(format!("alg {}", head["alg"]));
    }
    let key = VerifyingKey::from_sec1_bytes(&decode(k)?).map_err(|e| e.to_string())?;
    let signature = Signature::from_slice(&decode(signature)?).map_err(|e| e.to_string())?;
    key.verify(signed.as_bytes(), &signature)
        .map_err(|_| "the signature does not verify".to_owned())?;
    let claims: Value = serde_json::from_slice(&decode(claims)?).map_err(|e| e.to_string())?;
    if claims["aud"] != origin {
        return Err(format!("aud {} is not {origin}", claims["aud"]));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    // The worker's clock may run ahead of ours by a test's advances (an hour at most here).
    if exp <= now || exp > now + 25 * 3_600 {
        return Err(format!("exp {exp} is not within 24 hours of {now}"));
    }
    Ok(())
}

/// RFC 8291 as the browser does it: the header's salt and sender key, ECDH with the
/// subscription's private key, HKDF with its auth secret, AES-128-GCM, then the padding off.
fn decrypt(keys: &Keys, body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() < 86 + 17 {
        return Err(format!("{} bytes", body.len()));
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
    if body[20] != 65 {
        return Err(format!("key id of {} bytes", body[20]));
    }
    let as_public = &body[21..86];
    if body.len() - 86 > rs as usize {
        return Err("more than one record".into());
    }
    let sender = PublicKey::from_sec1_bytes(as_public).map_err(|e| e.to_string())?;
    let shared = p256::ecdh::diffie_hellman(keys.private.to_nonzero_scalar(), sender.as_affine());
    let ua_public = keys.private.public_key().to_encoded_point(false);
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(ua_public.as_bytes());
    info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&keys.auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .map_err(|e| e.to_string())?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|e| e.to_string())?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|e| e.to_string())?;
    let mut plain = Aes128Gcm::new(&cek.into())
        .decrypt(Nonce::from_slice(&nonce), &body[86..])
        .map_err(|_| "AES-GCM: the tag does not verify".to_owned())?;
    while plain.last() == Some(&0) {
        plain.pop();
    }
    match plain.pop() {
        Some(2) => Ok(plain),
        other => Err(format!("last record delimiter {other:?}")),
    }
}
