//! The line survives a restart of the runtime: places, assignments, passes and pull records.

use crate::support::{eventually, verify_pass, Joined, TestWorker};
use std::time::Duration;

const SALE: &str = "restart-keeps-the-line";

#[tokio::test]
async fn restart_keeps_the_line() {
    let w = TestWorker::start().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;
    let mut fans: Vec<Joined> = Vec::new();
    for _ in 0..50 {
        fans.push(w.fan().join(SALE).await);
    }
    assert_eq!(
        fans.iter().map(|f| f.seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<_>>()
    );
    let pulled = w
        .origin()
        .pull(SALE, "w1", 10, Some("before-restart"))
        .await;
    assert_eq!(
        pulled.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );

    // Fan 1 claims its turn before the restart.
    let turn = w
        .fan()
        .wait_for_state(SALE, &fans[0].token, "your_turn")
        .await;
    let claims_before = verify_pass(
        turn["pass"].as_str().expect("pass"),
        SALE,
        &w.fan().jwks().await,
    );

    // Where the waiting fans stand, once the edge has seen the pull.
    eventually("the edge sees the pull", Duration::from_secs(5), || async {
        let s = w.fan().status(SALE, &fans[49].token).await;
        if s["position"] == 40 {
            Ok(())
        } else {
            Err(s.to_string())
        }
    })
    .await;
    let mut before = Vec::new();
    for fan in &fans[10..] {
        let s = w.fan().status(SALE, &fan.token).await;
        assert_eq!(s["state"], "waiting", "{s}");
        assert_eq!(s["position"], fan.seq - 10, "{s}");
        assert_eq!(s["ahead"], fan.seq - 11, "{s}");
        before.push((fan.seq, s["position"].as_u64().unwrap()));
    }

    let files = w.stop();
    let w = TestWorker::start_with(files).await;

    let report = w.admin().report(SALE).await;
    let stats = &report["stats"];
    assert_eq!(report["phase"], "open", "{report}");
    assert_eq!(
        (
            stats["joined"].as_u64(),
            stats["waiting"].as_u64(),
            stats["assigned"].as_u64()
        ),
        (Some(50), Some(40), Some(10)),
        "{report}"
    );
    assert_eq!(stats["claimed"], 1, "{report}");

    // Every earlier token still works and names the same place.
    for (fan, (seq, position)) in fans[10..].iter().zip(&before) {
        let s = w.fan().status(SALE, &fan.token).await;
        assert_eq!(
            (s["state"].as_str(), s["seq"].as_u64()),
            (Some("waiting"), Some(*seq)),
            "{s}"
        );
        assert_eq!(
            s["position"].as_u64(),
            Some(*position),
            "same place after the restart: {s}"
        );
        assert_eq!(s["fan_id"], fan.fan_id.as_str(), "{s}");
    }
    // Fan 1's turn and pass are the same.
    let turn = w
        .fan()
        .wait_for_state(SALE, &fans[0].token, "your_turn")
        .await;
    let claims_after = verify_pass(
        turn["pass"].as_str().expect("pass"),
        SALE,
        &w.fan().jwks().await,
    );
    assert_eq!(
        claims_after, claims_before,
        "the same pass after the restart"
    );
    // A retried pull is still recognised.
    let replay = w
        .origin()
        .pull(SALE, "w1", 10, Some("before-restart"))
        .await;
    assert!(replay.replayed, "the pull record survived");
    assert_eq!(
        replay.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );

    // The line continues where it was.
    let newcomer = w.fan().join(SALE).await;
    assert_eq!((newcomer.seq, newcomer.position), (51, 41), "{newcomer:?}");
    assert!(
        fans.iter().all(|f| f.fan_id != newcomer.fan_id),
        "a new fan id"
    );
    let next = w.origin().pull(SALE, "w2", 5, Some("after-restart")).await;
    assert_eq!(
        next.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        (11..=15).collect::<Vec<_>>()
    );
    assert_eq!(next.assignments[0].fan_id, fans[10].fan_id);
    let report = w.admin().report(SALE).await;
    assert_eq!(
        (
            report["stats"]["joined"].as_u64(),
            report["stats"]["waiting"].as_u64()
        ),
        (Some(51), Some(36))
    );
}
