//! VAPID (RFC 8292): the deployment's P-256 key pair that identifies us to push services. The
//! page subscribes with its public key (`applicationServerKey`); each push carries a short ES256
//! JWT for the endpoint's origin, signed with the private key, and the public key:
//! `Authorization: vapid t=<jwt>, k=<public key>`.
//!
//! The keys are the secret `PUSH_VAPID_KEYS`: base64url P-256 private keys (32 bytes each),
//! comma-separated. The first is the one pages subscribe with; the others are kept for the
//! subscriptions made with them before a rotation (docs/operations.md, "Rotating a key").

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use waitroom_core::keys::secrets::ConfigError;
use waitroom_core::UnixMillis;

/// The secret's name.
pub const VAPID_KEYS: &str = "PUSH_VAPID_KEYS";
/// How long a push's JWT is valid (RFC 8292 allows at most 24 hours).
pub const JWT_TTL_S: u64 = 12 * 3_600;

/// One key pair.
pub struct VapidKey {
    signing: SigningKey,
    /// The public key, uncompressed (65 bytes), base64url: the page's `applicationServerKey`.
    pub public: String,
}

/// The deployment's keys: the first is current.
pub struct VapidKeys {
    keys: Vec<VapidKey>,
}

impl VapidKeys {
    /// Parses the secret's value.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let bad = |problem: &str| ConfigError {
            name: VAPID_KEYS,
            problem: problem.into(),
        };
        let keys = value
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|text| {
                let bytes = URL_SAFE_NO_PAD
                    .decode(text.trim_end_matches('='))
                    .map_err(|_| bad("is not base64url P-256 private keys, comma-separated"))?;
                let signing = SigningKey::from_slice(&bytes)
                    .map_err(|_| bad("holds a value that is not a P-256 private key (32 bytes)"))?;
                let point = signing.verifying_key().to_encoded_point(false);
                Ok(VapidKey {
                    public: URL_SAFE_NO_PAD.encode(point.as_bytes()),
                    signing,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if keys.is_empty() {
            return Err(bad("is not set"));
        }
        Ok(Self { keys })
    }

    /// The key pages subscribe with.
    pub fn current(&self) -> &VapidKey {
        &self.keys[0]
    }

    /// The key whose public half is `public` (a subscription's), if it is one of ours.
    pub fn by_public(&self, public: &str) -> Option<&VapidKey> {
        self.keys.iter().find(|k| k.public == public)
    }
}

impl VapidKey {
    /// The `Authorization` header of a push to `endpoint` at `now`: a JWT for the endpoint's
    /// origin, valid [`JWT_TTL_S`], naming `subject` (a `mailto:` or `https:` contact) if set.
    pub fn authorization(
        &self,
        endpoint: &str,
        subject: Option<&str>,
        now: UnixMillis,
    ) -> Option<String> {
        let audience = url::Url::parse(endpoint)
            .ok()?
            .origin()
            .ascii_serialization();
        let mut claims = serde_json::json!({
            "aud": audience,
            "exp": now.0 / 1_000 + JWT_TTL_S,
        });
        if let Some(subject) = subject {
            claims["sub"] = subject.into();
        }
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(signed.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(signature.to_bytes());
        Some(format!("vapid t={signed}.{signature}, k={}", self.public))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    const KEY: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const OLD: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";

    #[test]
    fn the_first_key_is_current_and_older_ones_are_kept() {
        let keys = VapidKeys::parse(&format!("{KEY}, {OLD}")).unwrap();
        assert_eq!(
            keys.current().public,
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        let old = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        assert!(keys.by_public(old).is_some());
        assert!(keys.by_public("nope").is_none());
        for bad in ["", " , ", "!!", "AAAA", &URL_SAFE_NO_PAD.encode([0u8; 32])] {
            let e = VapidKeys::parse(bad).err().expect(bad);
            assert_eq!(e.name, VAPID_KEYS);
            assert!(!e.problem.contains(KEY));
        }
    }

    #[test]
    fn a_push_carries_an_es256_jwt_for_the_endpoints_origin() {
        let keys = VapidKeys::parse(KEY).unwrap();
        let now = UnixMillis(1_800_000_000_000);
        let header = keys
            .current()
            .authorization(
                "https://fcm.googleapis.com/fcm/send/abc",
                Some("mailto:ops@example.com"),
                now,
            )
            .unwrap();
        let rest = header.strip_prefix("vapid t=").unwrap();
        let (jwt, k) = rest.split_once(", k=").unwrap();
        assert_eq!(k, keys.current().public);
        let (signed, signature) = jwt.rsplit_once('.').unwrap();
        let claims: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(signed.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["aud"], "https://fcm.googleapis.com");
        assert_eq!(claims["exp"], 1_800_000_000 + JWT_TTL_S);
        assert_eq!(claims["sub"], "mailto:ops@example.com");
        let public = VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
        assert!(public.verify(signed.as_bytes(), &signature).is_ok());
    }
}
