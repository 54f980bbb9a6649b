//! Everyone's routes: health, the JWKS, and the error shape of unknown paths.

use crate::support::{send, TestWorker};

#[tokio::test]
async fn health() {
    let w = TestWorker::start().await;

    let body = send(w.fan().get("/healthz")).await.expect(200, "healthz");
    assert_eq!(body["ok"], true, "healthz body: {body}");

    let jwks = send(w.fan().get("/.well-known/jwks.json"))
        .await
        .expect(200, "jwks");
    let keys = jwks["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("jwks has no keys array: {jwks}"));
    assert_eq!(keys.len(), 1, "one signing key: {jwks}");
    let key = &keys[0];
    assert_eq!(key["kty"], "OKP", "{key}");
    assert_eq!(key["crv"], "Ed25519", "{key}");
    assert_eq!(key["alg"], "EdDSA", "{key}");
    assert_eq!(key["use"], "sig", "{key}");
    assert!(
        !key["kid"].as_str().unwrap_or_default().is_empty(),
        "kid: {key}"
    );
    // An Ed25519 public key is 32 bytes: 43 base64url characters without padding.
    let x = key["x"].as_str().unwrap_or_default();
    assert_eq!(x.len(), 43, "x is a base64url 32-byte key: {key}");
    assert!(
        x.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "x is base64url: {key}"
    );
    // And it is a JWKS a standard library accepts.
    let set = w.fan().jwks().await;
    assert!(set.find(key["kid"].as_str().unwrap()).is_some());

    // The language tables' test switch does nothing without test faults (a deployed worker).
    let page = send(
        w.fan()
            .get("/s/no-such-sale?lang=de")
            .header("X-Waitroom-Test-Fault-Table", "1"),
    )
    .await;
    assert_eq!(page.header("Content-Language"), Some("de"), "{}", page.text);
    assert_ne!(page.cache_control(), "no-store");

    for path in ["/no/such/path", "/api/nope", "/api/sales"] {
        let reply = send(w.fan().get(path)).await;
        reply.expect_error(404, "not_found", &format!("GET {path}"));
    }
    // A known path with the wrong method.
    let reply = send(w.fan().post("/healthz")).await;
    reply.expect_error(405, "method_not_allowed", "POST /healthz");
    let reply = send(
        w.fan()
            .request(reqwest::Method::DELETE, "/.well-known/jwks.json"),
    )
    .await;
    reply.expect_error(405, "method_not_allowed", "DELETE /.well-known/jwks.json");
}
