//! Called back by Web Push (docs/api.md, "Called back"), attacked: a subscription is kept only
//! for the place of the token that sends it (no field names another place, a forged, altered,
//! other-sale or moved token keeps nothing), at most 3 per place, only for a push service's
//! https endpoint (never a URL a fan picks, so the worker cannot be made to post elsewhere), and
//! not once the turn came. Refused input costs no coordinator request.

use super::{coordinator_requests, open_sale_with};
use crate::support::push_service::PushService;
use crate::support::{send, Reply, TestWorker};
use serde_json::{json, Value};

const SALE: &str = "pushy";

fn path(sale: &str) -> String {
    format!("/api/sales/{sale}/push")
}

async fn subscribe(w: &TestWorker, sale: &str, token: &str, body: &Value) -> Reply {
    send(w.fan().with_bearer(token).post(&path(sale)).json(body)).await
}

async fn subscriptions(w: &TestWorker, token: &str) -> u64 {
    send(w.fan().with_bearer(token).get(&path(SALE)))
        .await
        .expect(200, "push info")["subscriptions"]
        .as_u64()
        .unwrap()
}

fn fcm(n: u32, of: &Value) -> Value {
    let mut sub = of.clone();
    sub["endpoint"] = json!(format!("https://fcm.googleapis.com/fcm/send/attack-{n}"));
    sub
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subscription_is_only_ever_the_senders_own_place_within_bounds() {
    let pushes = PushService::start().await;
    let w = TestWorker::start_with_faults().await;
    open_sale_with(&w, SALE, json!({ "push": {} })).await;
    open_sale_with(&w, "quiet", json!({})).await;
    let a = w.fan().join(SALE).await;
    let b = w.fan().join(SALE).await;
    let c = w.fan().join(SALE).await;
    let elsewhere = w.fan().join("quiet").await;
    let sub = pushes.subscribe("/push/a");

    // The token decides whose place it is: a body naming b's place changes nothing for b.
    let mut naming_b = sub.clone();
    naming_b["seq"] = json!(b.seq);
    naming_b["fan_id"] = json!(b.fan_id);
    let kept = subscribe(&w, SALE, &a.token, &naming_b)
        .await
        .expect(201, "subscribe");
    assert_eq!(kept["subscriptions"], 1, "{kept}");
    assert_eq!(subscriptions(&w, &a.token).await, 1);
    assert_eq!(
        subscriptions(&w, &b.token).await,
        0,
        "b's place keeps nothing"
    );

    let before = w.admin().report(SALE).await;
    // A forged or altered token, none, another sale's: refused, and no object request.
    let mut altered = a.token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    for (token, what) in [
        (altered.as_str(), "an altered token"),
        ("not.a.token", "a forged token"),
        (elsewhere.token.as_str(), "another sale's token"),
    ] {
        subscribe(&w, SALE, token, &fcm(9, &sub))
            .await
            .expect_error(401, "bad_token", what);
    }
    send(w.fan().post(&path(SALE)).json(&fcm(9, &sub)))
        .await
        .expect_error(401, "bad_token", "no token");
    // Cross-site: refused before anything.
    send(
        w.fan()
            .with_bearer(&b.token)
            .post(&path(SALE))
            .header("Sec-Fetch-Site", "cross-site")
            .json(&fcm(9, &sub)),
    )
    .await
    .expect_error(403, "cross_site", "a cross-site subscribe");
    // Endpoints that are not a push service's (or not https), and keys that are not keys.
    for (endpoint, what) in [
        ("https://evil.example/collect", "any https host"),
        (
            "https://fcm.googleapis.com.evil.example/x",
            "a look-alike host",
        ),
        ("http://fcm.googleapis.com/fcm/send/x", "plain http"),
        ("https://fcm.googleapis.com:8443/fcm/send/x", "another port"),
        ("http://10.0.0.1/push", "a private address"),
        ("http://127.0.0.2:9/push", "loopback but not 127.0.0.1"),
        ("javascript:alert(1)", "not a URL to fetch"),
    ] {
        let mut bad = sub.clone();
        bad["endpoint"] = json!(endpoint);
        subscribe(&w, SALE, &b.token, &bad)
            .await
            .expect_error(400, "invalid_field", what);
    }
    let mut bad_key = fcm(9, &sub);
    bad_key["keys"]["p256dh"] = json!(
        "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    subscribe(&w, SALE, &b.token, &bad_key).await.expect_error(
        400,
        "invalid_field",
        "a key off the curve",
    );
    let mut bad_auth = fcm(9, &sub);
    bad_auth["keys"]["auth"] = json!("c2hvcnQ");
    subscribe(&w, SALE, &b.token, &bad_auth).await.expect_error(
        400,
        "invalid_field",
        "a short auth",
    );
    let mut not_ours = fcm(9, &sub);
    not_ours["application_server_key"] = json!("BAAA");
    subscribe(&w, SALE, &b.token, &not_ours).await.expect_error(
        400,
        "invalid_field",
        "another application server key",
    );
    let after = w.admin().report(SALE).await;
    assert_eq!(
        coordinator_requests(&after, "push_subscribe"),
        coordinator_requests(&before, "push_subscribe"),
        "refused input reached the coordinator"
    );
    assert_eq!(subscriptions(&w, &b.token).await, 0);

    // Three a place: a fourth is refused; the same endpoint again is no new one.
    for n in 1..=2 {
        subscribe(&w, SALE, &a.token, &fcm(n, &sub))
            .await
            .expect(201, "subscribe");
    }
    subscribe(&w, SALE, &a.token, &fcm(3, &sub))
        .await
        .expect_error(409, "push_full", "a fourth");
    let again = subscribe(&w, SALE, &a.token, &fcm(2, &sub))
        .await
        .expect(201, "again");
    assert_eq!(again["subscriptions"], 3, "{again}");
    // Unsubscribing one makes room; a sale without push refuses.
    let left = send(
        w.fan()
            .with_bearer(&a.token)
            .request(reqwest::Method::DELETE, &path(SALE))
            .json(&json!({ "endpoint": fcm(2, &sub)["endpoint"] })),
    )
    .await
    .expect(200, "unsubscribe");
    assert_eq!(left["subscriptions"], 2, "{left}");
    subscribe(&w, "quiet", &elsewhere.token, &fcm(1, &sub))
        .await
        .expect_error(409, "push_off", "a sale that does not call back");

    // A moved place's old token keeps nothing, and the old device is no longer called.
    let code = send(
        w.fan()
            .with_bearer(&c.token)
            .post(&format!("/api/sales/{SALE}/move-link")),
    )
    .await
    .expect(201, "move link")["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let c_new = send(
        w.fan()
            .post(&format!("/api/sales/{SALE}/move"))
            .json(&json!({ "code": code })),
    )
    .await
    .expect(200, "move")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    subscribe(&w, SALE, &c.token, &fcm(7, &sub))
        .await
        .expect_error(409, "place_moved", "the old device's token");
    let c_sub = pushes.subscribe("/push/c");
    subscribe(&w, SALE, &c_new, &c_sub)
        .await
        .expect(201, "the new device's");

    // Once the turn came there is nothing to call for. (a forgets its made-up endpoints first:
    // nothing is ever sent off this machine.)
    let none = send(
        w.fan()
            .with_bearer(&a.token)
            .request(reqwest::Method::DELETE, &path(SALE)),
    )
    .await
    .expect(200, "unsubscribe all");
    assert_eq!(none["subscriptions"], 0, "{none}");
    w.origin().pull(SALE, "w1", 1, None).await;
    subscribe(&w, SALE, &a.token, &fcm(8, &sub))
        .await
        .expect_error(409, "push_too_late", "after the turn");
    let report = w.admin().report(SALE).await;
    println!("push adversary: pushes {}", report["pushes"]);
    assert_eq!(
        report["pushes"]["waiting"], 1,
        "c's new device only: {report}"
    );
}
