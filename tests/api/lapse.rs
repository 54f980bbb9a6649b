//! A fan who does not claim their turn within `claim_ttl_s` lapses, and may join again. The test
//! moves the worker's clock past the deadline instead of waiting for it (docs/api.md, "Testing").

use crate::support::{send, Joined, TestWorker};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const SALE: &str = "lapse";

#[tokio::test]
async fn lapse() {
    let w = TestWorker::start_with_faults().await;
    let body = json!({ "name": "Lapse", "purchase_url": "https://tickets.example/buy", "claim_ttl_s": 10 });
    let created = w.admin().create_sale_with(SALE, body).await;
    assert_eq!(created["claim_ttl_s"], 10, "{created}");
    w.admin().open_sale(SALE).await;
    let mut fans: Vec<Joined> = Vec::new();
    for _ in 0..3 {
        fans.push(w.fan().join(SALE).await);
    }
    let pulled_at = w.now();
    let pulled = w.origin().pull(SALE, "w1", 3, Some("lapse-1")).await;
    assert_eq!(
        pulled.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );

    // Fan 2 claims in time; fans 1 and 3 never poll.
    let turn = w
        .fan()
        .wait_for_state(SALE, &fans[1].token, "your_turn")
        .await;
    assert!(turn["pass"].is_string(), "{turn}");

    w.advance_to(pulled_at + Duration::from_millis(11_500))
        .await;

    let status = w.fan().status(SALE, &fans[0].token).await;
    assert_eq!(status["state"], "lapsed", "{status}");
    assert!(
        status.get("pass").is_none_or(|p| p.is_null()),
        "no pass for a lapsed fan: {status}"
    );

    let lapsed = w.origin().assignments(SALE, "state=lapsed").await;
    let ids: Vec<&str> = lapsed.iter().map(|a| a.fan_id.as_str()).collect();
    assert_eq!(
        ids,
        vec![fans[2].fan_id.as_str(), fans[0].fan_id.as_str()],
        "fans 3 and 1, newest first"
    );
    assert!(
        lapsed
            .iter()
            .all(|a| a.state == "lapsed" && a.window == "w1"),
        "{lapsed:?}"
    );
    let windowed = w
        .origin()
        .assignments(SALE, "window=w1&state=lapsed&limit=1")
        .await;
    assert_eq!(windowed.len(), 1, "limit: {windowed:?}");
    assert_eq!(windowed[0].fan_id, fans[2].fan_id);
    let assigned = w.origin().assignments(SALE, "state=assigned").await;
    assert_eq!(
        assigned.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![2],
        "fan 2 still holds the turn"
    );

    w.origin()
        .finish(SALE, &fans[0].fan_id, "complete")
        .await
        .expect_error(409, "lapsed", "complete a lapsed fan");
    w.origin()
        .finish(SALE, &fans[2].fan_id, "release")
        .await
        .expect_error(409, "lapsed", "release a lapsed fan");

    // Fan 2 still has the turn.
    let turn = w.fan().status(SALE, &fans[1].token).await;
    assert_eq!(turn["state"], "your_turn", "{turn}");

    // Fan 1 comes back: a new place at the end.
    let reply = send(
        w.bearer(&fans[0].token)
            .request(Method::POST, &format!("/api/sales/{SALE}/join")),
    )
    .await;
    let again: Joined =
        serde_json::from_value(reply.expect(201, "rejoin after lapsing")).expect("join body");
    assert_eq!(again.seq, 4, "{again:?}");
    assert_ne!(again.fan_id, fans[0].fan_id, "a new fan id");
    assert_eq!(
        (again.position, again.ahead),
        (1, 0),
        "first of the waiting fans"
    );
    let status = w.fan().status(SALE, &again.token).await;
    assert_eq!(
        (status["state"].as_str(), status["seq"].as_u64()),
        (Some("waiting"), Some(4)),
        "{status}"
    );

    w.origin()
        .finish(SALE, &fans[1].fan_id, "complete")
        .await
        .expect(200, "complete fan 2");
    let report = w.admin().report(SALE).await;
    let stats = &report["stats"];
    assert_eq!(
        (
            stats["joined"].as_u64(),
            stats["waiting"].as_u64(),
            stats["lapsed"].as_u64(),
            stats["completed"].as_u64()
        ),
        (Some(4), Some(1), Some(2), Some(1)),
        "{report}"
    );
    assert_eq!(stats["assigned"], 0, "{report}");
}
