//! A fan's Web Push subscription (docs/api.md, "Called back"): what the browser's
//! `PushManager.subscribe` hands the page (the push service's endpoint, the subscription's P-256
//! public key `p256dh` and its 16-byte `auth` secret), checked before the coordinator keeps it.
//!
//! The endpoint must be `https` on a known push service's host ([`PUSH_SERVICE_HOSTS`]): the
//! worker sends requests to it, so it is never a URL a fan picks. Only the test-only setting
//! (`WAITROOM_TEST_FAULTS=1`, loopback) allows `http://127.0.0.1`, for the tests' stand-in push
//! service.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The push services a subscription may name, by host (exactly, or `.`-prefixed: any host under
/// that domain): Chrome's and other Chromium browsers' (FCM), Firefox's (Mozilla), Safari's
/// (Apple) and Edge's (WNS).
pub const PUSH_SERVICE_HOSTS: &[&str] = &[
    "fcm.googleapis.com",
    "android.googleapis.com",
    ".push.services.mozilla.com",
    ".push.apple.com",
    ".notify.windows.com",
];
/// The longest endpoint kept (real ones are 150 to 300 characters).
pub const MAX_ENDPOINT_CHARS: usize = 1_000;

/// A subscription as the page sends it (`PushSubscription.toJSON()`'s fields, flattened).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SubscriptionInput {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// A checked subscription: the endpoint, and the keys as base64url (no padding).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    /// The VAPID public key the browser subscribed with, when it is not the deployment's current
    /// one (a key kept after a rotation: its pushes are signed with it). `None`: the current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vapid: Option<String>,
}

/// Why a subscription was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionError {
    /// Not an `https` URL on a known push service (or too long).
    Endpoint,
    /// `p256dh` is not an uncompressed P-256 point in base64url.
    Key,
    /// `auth` is not 16 bytes in base64url.
    Auth,
}

impl fmt::Display for SubscriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubscriptionError::Endpoint => "endpoint must be an https URL of a known push service",
            SubscriptionError::Key => {
                "p256dh must be an uncompressed P-256 public key (65 bytes, base64url)"
            }
            SubscriptionError::Auth => "auth must be 16 bytes, base64url",
        })
    }
}

impl PushSubscription {
    /// Checks `input`; `loopback` (the test-only setting) also allows `http://127.0.0.1`.
    pub fn parse(input: SubscriptionInput, loopback: bool) -> Result<Self, SubscriptionError> {
        let endpoint = input.endpoint.trim().to_owned();
        if !endpoint_allowed(&endpoint, loopback) {
            return Err(SubscriptionError::Endpoint);
        }
        let key = URL_SAFE_NO_PAD
            .decode(input.p256dh.trim().trim_end_matches('='))
            .map_err(|_| SubscriptionError::Key)?;
        let point = key.len() == 65
            && key[0] == 4
            && crate::fairness::invitation::is_p256_point(&key[1..33], &key[33..]);
        if !point {
            return Err(SubscriptionError::Key);
        }
        let auth = URL_SAFE_NO_PAD
            .decode(input.auth.trim().trim_end_matches('='))
            .map_err(|_| SubscriptionError::Auth)?;
        if auth.len() != 16 {
            return Err(SubscriptionError::Auth);
        }
        Ok(Self {
            endpoint,
            p256dh: URL_SAFE_NO_PAD.encode(&key),
            auth: URL_SAFE_NO_PAD.encode(&auth),
            vapid: None,
        })
    }

    /// The subscription's public key (65 bytes) and auth secret (16 bytes), decoded.
    pub fn keys(&self) -> Option<([u8; 65], [u8; 16])> {
        let key = URL_SAFE_NO_PAD.decode(&self.p256dh).ok()?.try_into().ok()?;
        let auth = URL_SAFE_NO_PAD.decode(&self.auth).ok()?.try_into().ok()?;
        Some((key, auth))
    }
}

fn endpoint_allowed(endpoint: &str, loopback: bool) -> bool {
    if endpoint.chars().count() > MAX_ENDPOINT_CHARS {
        return false;
    }
    let Ok(url) = url::Url::parse(endpoint) else {
        return false;
    };
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return false;
    }
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => {
            url.port().is_none()
                && PUSH_SERVICE_HOSTS
                    .iter()
                    .any(|known| match known.strip_prefix('.') {
                        Some(domain) => host
                            .strip_suffix(domain)
                            .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
                        None => host == *known,
                    })
        }
        "http" => loopback && host == "127.0.0.1",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8291, Appendix A: the user agent's public key and auth secret.
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    fn input(endpoint: &str, p256dh: &str, auth: &str) -> SubscriptionInput {
        SubscriptionInput {
            endpoint: endpoint.into(),
            p256dh: p256dh.into(),
            auth: auth.into(),
        }
    }

    #[test]
    fn known_push_services_over_https_are_taken() {
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
            "https://web.push.apple.com/QGx",
            "https://wns2-par02p.notify.windows.com/w/?token=x",
        ] {
            let sub = PushSubscription::parse(input(endpoint, UA_PUBLIC, AUTH), false).unwrap();
            assert_eq!(sub.endpoint, endpoint);
            assert!(sub.keys().is_some());
        }
    }

    #[test]
    fn any_other_endpoint_is_refused() {
        for endpoint in [
            "http://fcm.googleapis.com/fcm/send/x",
            "https://fcm.googleapis.com:8443/fcm/send/x",
            "https://evil.example/fcm.googleapis.com",
            "https://fcm.googleapis.com.evil.example/x",
            "https://push.apple.com/x",
            "https://notpush.apple.com/x",
            "https://user:pw@fcm.googleapis.com/x",
            "http://127.0.0.1:9999/push",
            "https://127.0.0.1/push",
            "ftp://fcm.googleapis.com/x",
            "not a url",
            "",
        ] {
            assert_eq!(
                PushSubscription::parse(input(endpoint, UA_PUBLIC, AUTH), false),
                Err(SubscriptionError::Endpoint),
                "{endpoint}"
            );
        }
        let long = format!("https://fcm.googleapis.com/{}", "a".repeat(1_000));
        assert!(PushSubscription::parse(input(&long, UA_PUBLIC, AUTH), false).is_err());
    }

    #[test]
    fn loopback_http_only_with_the_test_setting() {
        let stand_in = "http://127.0.0.1:41234/push/1";
        assert!(PushSubscription::parse(input(stand_in, UA_PUBLIC, AUTH), true).is_ok());
        assert!(PushSubscription::parse(input(stand_in, UA_PUBLIC, AUTH), false).is_err());
        assert!(
            PushSubscription::parse(input("http://10.0.0.1/push", UA_PUBLIC, AUTH), true).is_err()
        );
    }

    #[test]
    fn keys_must_be_a_curve_point_and_a_16_byte_secret() {
        let ok = "https://fcm.googleapis.com/fcm/send/x";
        let mut off_curve = URL_SAFE_NO_PAD.decode(UA_PUBLIC).unwrap();
        off_curve[64] ^= 1;
        for key in [
            URL_SAFE_NO_PAD.encode(&off_curve),
            URL_SAFE_NO_PAD.encode([4u8; 33]),
            "!!".into(),
        ] {
            assert_eq!(
                PushSubscription::parse(input(ok, &key, AUTH), false),
                Err(SubscriptionError::Key)
            );
        }
        for auth in [URL_SAFE_NO_PAD.encode([1u8; 15]), "*".into()] {
            assert_eq!(
                PushSubscription::parse(input(ok, UA_PUBLIC, &auth), false),
                Err(SubscriptionError::Auth)
            );
        }
    }
}
