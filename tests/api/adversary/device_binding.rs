//! Places bound to a device (issue 20, `device_binding`; docs/api.md, "Bound to this device"):
//! the turn of a bound place is handed only to a proof made with the key the place was taken
//! with. A copied cookie or token claims nothing (no proof, a proof with the copier's own key, a
//! forged signature), a proof claims nothing for another place or sale or past its window, the
//! pass never comes over a socket or from the edge's cache, and a fan without JavaScript gets no
//! place and a page that says why. What a copier tries costs the coordinator no request unless it
//! holds the device's public key (then one, refused).

use super::{coordinator_requests, join_path, open_sale_with, report};
use crate::support::device::{token_claims, Device};
use crate::support::socket::{self, Opened};
use crate::support::{send, verify_pass, TestWorker};
use reqwest::header::COOKIE;
use serde_json::json;
use std::time::Duration;

const SALE: &str = "bound";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bound_place_is_claimed_only_with_its_devices_proof() {
    let w = TestWorker::start_with_faults().await;
    open_sale_with(
        &w,
        SALE,
        json!({ "device_binding": true, "rate_limit_per_min": 1000 }),
    )
    .await;
    assert_eq!(report(&w, SALE).await["device_binding"], true);

    // No place without a device key (nothing recorded), nor with a key that is none.
    send(w.fan().post(&join_path(SALE))).await.expect_error(
        400,
        "device_key_required",
        "a join without a key",
    );
    let not_p256 = json!({ "device_key": { "kty": "EC", "crv": "P-384", "x": "AA", "y": "AA" } });
    send(w.fan().post(&join_path(SALE)).json(&not_p256))
        .await
        .expect_error(400, "bad_device_key", "a join with a P-384 key");
    // A browser without JavaScript: no place, and the page that says why (200, no cookie).
    let page = send(w.fan().get(&format!("/s/{SALE}"))).await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(page.set_cookies().is_empty(), "{}", page.describe());
    assert!(
        page.text.contains(r#"data-page="binding""#),
        "{}",
        page.text
    );
    assert!(page.text.contains("JavaScript is needed to join this sale"));
    assert_eq!(report(&w, SALE).await["stats"]["joined"], 0);

    // The fan's device joins; the token names its key.
    let device = Device::new();
    let body = json!({ "device_key": device.jwk() });
    let joined = send(w.fan().post(&join_path(SALE)).json(&body))
        .await
        .expect(201, "a bound join");
    let token = joined["token"].as_str().expect("token").to_owned();
    let seq = joined["seq"].as_u64().expect("seq");
    assert_eq!(token_claims(&token)["k"], device.thumbprint());
    let fan = w.fan().with_bearer(&token);
    let status_path = format!("/api/sales/{SALE}/status");

    // Waiting needs no proof; the turn never comes by a socket.
    let waiting = send(fan.get(&status_path)).await.expect(200, "a poll");
    assert_eq!(waiting["state"], "waiting", "{waiting}");
    assert!(waiting["socket_url"].is_null(), "{waiting}");
    match socket::open(&w.base, SALE, &token).await {
        Opened::Refused(status, body) => assert_eq!(status, 409, "{body}"),
        Opened::Socket(_) => panic!("a socket for a bound place"),
    }
    let upgrade = fan
        .get(&format!("/api/sales/{SALE}/socket"))
        .header("Upgrade", "websocket");
    send(upgrade)
        .await
        .expect_error(409, "device_bound", "a socket for a bound place");

    // The line reaches the fan.
    w.origin().pull_eventually(SALE, 1).await;
    w.advance(Duration::from_millis(1_500)).await;
    let now = || w.now().as_secs();
    let before = report(&w, SALE).await;

    // The copier holds the token (or the cookie) and nothing else.
    send(fan.get(&status_path)).await.expect_error(
        401,
        "device_proof_required",
        "the copied token",
    );
    let cookie = format!("__Host-wr_{SALE}={token}");
    send(w.fan().get(&status_path).header(COOKIE, &cookie))
        .await
        .expect_error(401, "device_proof_required", "the copied cookie");
    let copier = Device::new();
    let refused = [
        ("garbage".to_owned(), "garbage"),
        (copier.proof(SALE, seq, now()), "the copier's own key"),
        (device.proof(SALE, seq + 1, now()), "another place"),
        (device.proof("other", seq, now()), "another sale"),
        (device.proof(SALE, seq, now() - 61), "made 61 s ago"),
        (device.proof(SALE, seq, now() + 61), "made 61 s ahead"),
    ];
    for (proof, what) in &refused {
        send(fan.get(&status_path).header("Device-Proof", proof))
            .await
            .expect_error(401, "device_proof_invalid", what);
    }
    // The join API with the copied token (a reached place is claimed there too), and the page.
    send(
        fan.post(&join_path(SALE))
            .json(&json!({ "device_key": copier.jwk() })),
    )
    .await
    .expect_error(401, "device_proof_required", "a join with the copied token");
    let page = send(w.fan().get(&format!("/s/{SALE}")).header(COOKIE, &cookie)).await;
    assert_eq!(
        page.status,
        200,
        "no 303 to the purchase page: {}",
        page.describe()
    );
    assert!(
        page.text.contains("Confirming this device"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("pass="), "{}", page.text);
    let after_copier = report(&w, SALE).await;
    assert_eq!(
        coordinator_requests(&after_copier, "claim"),
        coordinator_requests(&before, "claim"),
        "a copier without the device's public key costs the coordinator nothing: {after_copier}"
    );

    // A copier who also learnt the device's public key forges the signature: it passes the
    // edge's check (the key is the bound one) and is refused by the coordinator.
    let forged = copier.proof_with_header_key(&device.jwk(), SALE, seq, now());
    send(fan.get(&status_path).header("Device-Proof", &forged))
        .await
        .expect_error(401, "device_proof_invalid", "a forged signature");
    let after_forgery = report(&w, SALE).await;
    assert_eq!(
        coordinator_requests(&after_forgery, "claim"),
        coordinator_requests(&before, "claim") + 1,
        "{after_forgery}"
    );

    // The device's own proof: the turn and its pass.
    let proof = device.proof(SALE, seq, now());
    let turn = send(fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect(200, "the device's claim");
    assert_eq!(turn["state"], "your_turn", "{turn}");
    let pass = turn["pass"].as_str().expect("a pass");
    let claims = verify_pass(pass, SALE, &w.fan().jwks().await);
    assert_eq!(claims.seq, seq);
    // Again within the window: the same turn (the edge caches no bound outcome, so the copier
    // still gets nothing without a proof).
    send(fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect(200, "the same proof, at once");
    send(fan.get(&status_path)).await.expect_error(
        401,
        "device_proof_required",
        "the copied token, after the claim",
    );
    // Replayed past its window: refused; a fresh one from the device still works.
    w.advance(Duration::from_secs(61)).await;
    send(fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect_error(401, "device_proof_invalid", "a proof replayed after 61 s");
    let fresh = device.proof(SALE, seq, now());
    let again = send(fan.get(&status_path).header("Device-Proof", &fresh))
        .await
        .expect(200, "a fresh proof");
    assert_eq!(again["state"], "your_turn", "{again}");
}
