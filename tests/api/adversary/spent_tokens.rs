//! A finished or waiting fan's token buys nothing of itself (issue 17): a finished place is
//! spent once, a rejoin pays the sale's gates like any new place, and a waiting fan's replayed
//! token costs the coordinator nothing.

use super::{
    challenge_in, coordinator_requests, join_paid, join_path, joined, open_sale_with, report,
    solved,
};
use crate::support::fan::Joined;
use crate::support::{eventually, send, TestWorker, PURCHASE_URL};
use reqwest::header::COOKIE;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// The fan's place ended: pulled, then released by the origin.
async fn end_place(w: &TestWorker, sale: &str, fan: &Joined) {
    let pulled = w.origin().pull_eventually(sale, 1).await;
    assert_eq!(pulled[0].fan_id, fan.fan_id);
    w.origin()
        .finish(sale, &fan.fan_id, "release")
        .await
        .expect(200, "release");
    // Once the edge's snapshot (up to a second old) has seen the line move.
    let status = w.fan().wait_for_state(sale, &fan.token, "lapsed").await;
    assert_eq!(status["reason"], "released", "{status}");
}

fn rejoin_with(
    w: &TestWorker,
    sale: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::RequestBuilder {
    let request = w
        .fan()
        .with_bearer(token)
        .request(Method::POST, &join_path(sale));
    match body {
        Some(body) => request.json(&body),
        None => request,
    }
}

/// A finished place is spent once: an old token turned into places (issue 17: 50 x 201 from one
/// lapsed token) now buys nothing without paying, and once paid, one place, however often.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_finished_token_is_never_more_than_one_new_place() {
    let w = TestWorker::start().await;
    let sale = "spent-once";
    open_sale_with(
        &w,
        sale,
        json!({ "pow_bits": 8, "rate_limit_per_min": 1000 }),
    )
    .await;
    let fan = join_paid(&w, sale, &solved(&w, sale).await).await;
    end_place(&w, sale, &fan).await;

    // The attack: the old token, replayed, without paying.
    for _ in 0..50 {
        send(rejoin_with(&w, sale, &fan.token, None))
            .await
            .expect_error(403, "pow_required", "an unpaid rejoin");
    }
    assert_eq!(
        joined(&report(&w, sale).await),
        1,
        "no place for unpaid rejoins"
    );

    // Paid once: one new place at the back.
    let pow = solved(&w, sale).await;
    let reply = send(rejoin_with(
        &w,
        sale,
        &fan.token,
        Some(json!({ "pow": pow })),
    ))
    .await;
    let again: Joined = serde_json::from_value(reply.expect(201, "paid rejoin")).expect("body");
    assert_eq!(again.seq, 2);
    assert_ne!(again.fan_id, fan.fan_id);

    // Replayed 50 times more, paid or not: that same place, never another.
    let before = report(&w, sale).await;
    for i in 0..50 {
        let body = (i % 2 == 0).then(|| json!({ "pow": pow }));
        let reply = send(rejoin_with(&w, sale, &fan.token, body)).await;
        let same: Joined = serde_json::from_value(reply.expect(200, "repeat")).expect("body");
        assert_eq!((same.seq, &same.fan_id), (2, &again.fan_id));
    }
    let after = report(&w, sale).await;
    assert_eq!(joined(&after), 2, "one token, one new place: {after}");
    // The repeats are answered at the edge from what it cached of the old place.
    assert_eq!(
        coordinator_requests(&after, "join"),
        coordinator_requests(&before, "join"),
        "repeats cost the coordinator nothing: {after}"
    );

    // The origin sees which place the old one became.
    let listed = send(w.origin().get(&format!(
        "/api/origin/sales/{sale}/assignments?state=released"
    )))
    .await
    .expect(200, "assignments");
    let old = &listed["assignments"][0];
    assert_eq!(old["seq"], 1, "{listed}");
    assert_eq!(
        old["rejoined_as"],
        json!({ "seq": 2, "fan_id": again.fan_id }),
        "{listed}"
    );
}

/// A rejoin pays the sale's gates like any new place: here the address's rate limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejoin_pays_the_rate_limit_like_a_new_place() {
    let w = TestWorker::start().await;
    let sale = "rejoin-limit";
    open_sale_with(&w, sale, json!({ "rate_limit_per_min": 1 })).await;
    let fan = w.fan().join(sale).await;
    end_place(&w, sale, &fan).await;
    // Past the address's budget a new place has a price (over_budget "price", the default)...
    let reply = send(rejoin_with(&w, sale, &fan.token, None)).await;
    let (_, bits) = challenge_in(&reply);
    assert_eq!(
        (reply.json["error"].as_str(), bits),
        (Some("pow_required"), 10)
    );
    // ... or is refused where the sale keeps the hard limit.
    let hard = json!({ "name": "Hard", "purchase_url": PURCHASE_URL, "rate_limit_per_min": 1, "over_budget": "refuse" });
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&hard),
    )
    .await
    .expect(200, "the hard limit");
    let refused = eventually("the hard limit", Duration::from_secs(10), || async {
        let reply = send(rejoin_with(&w, sale, &fan.token, None)).await;
        match reply.status.as_u16() {
            429 => Ok(reply),
            _ => Err(reply.describe()),
        }
    })
    .await;
    assert_eq!(refused.json["error"], "rate_limited");
    assert!(
        refused.header("retry-after").is_some(),
        "{}",
        refused.describe()
    );
    assert_eq!(joined(&report(&w, sale).await), 1);
    // From another address: the one new place.
    let other = rejoin_with(&w, sale, &fan.token, None).header("CF-Connecting-IP", "198.51.100.9");
    send(other).await.expect(201, "rejoin from another address");
    assert_eq!(joined(&report(&w, sale).await), 2);
}

/// A waiting fan's token costs the coordinator nothing on any route: the "join again" form and
/// the join API replayed 300 times each (issue 17: 1,000 coordinator joins for one cookie).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_waiting_fans_replayed_token_costs_the_coordinator_nothing() {
    let w = TestWorker::start().await;
    let sale = "replayed";
    open_sale_with(&w, sale, json!({ "shards": 4, "rate_limit_per_min": 1000 })).await;
    let page = send(w.fan().get(&format!("/s/{sale}"))).await;
    let cookie = page
        .cookie(&format!("__Host-wr_{sale}"))
        .unwrap_or_else(|| panic!("a place: {}", page.describe()));
    let token = cookie.value.clone();
    // The fan numbered at the edge reaches the coordinator when the shard's block closes.
    let before = eventually("the join is counted", Duration::from_secs(10), || async {
        let r = report(&w, sale).await;
        if joined(&r) == 1 {
            Ok(r)
        } else {
            Err(r.to_string())
        }
    })
    .await;
    for _ in 0..300 {
        let form = w
            .fan()
            .post(&format!("/s/{sale}"))
            .header(COOKIE, format!("__Host-wr_{sale}={token}"));
        let reply = send(form).await;
        assert_eq!(reply.status, 303, "{}", reply.describe());
        assert!(
            reply.set_cookies().is_empty(),
            "the place is kept: {}",
            reply.describe()
        );
    }
    for _ in 0..300 {
        let reply = send(rejoin_with(&w, sale, &token, None)).await;
        let kept: Joined = serde_json::from_value(reply.expect(200, "kept")).expect("body");
        assert_eq!(kept.token, token);
    }
    let after = report(&w, sale).await;
    assert_eq!(joined(&after), joined(&before), "{after}");
    for kind in ["join", "claim"] {
        assert_eq!(
            coordinator_requests(&after, kind),
            coordinator_requests(&before, kind),
            "{kind}: {after}"
        );
    }
}
