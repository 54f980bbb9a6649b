//! A proof-of-work solution is spent once: copies sent at once from many connections buy one
//! place, and a live change of the sale's shards opens no second spend.

use super::{challenge, join_path, joined, open_sale_with, report, solved};
use crate::support::{send, Reply, TestWorker, PURCHASE_URL};
use serde_json::json;
use std::time::Duration;
use waitroom_core::fairness::pow::{hash, leading_zero_bits};

/// One proof-of-work solution buys one place, whichever connections carry its copies at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_solution_sent_at_once_from_many_connections_buys_one_place() {
    let w = TestWorker::start_with_faults().await;
    for (sale, shards) in [("copies", 1), ("copies-sharded", 4)] {
        open_sale_with(
            &w,
            sale,
            json!({ "pow_bits": 8, "shards": shards, "rate_limit_per_min": 1000 }),
        )
        .await;
        let pow = solved(&w, sale).await;
        let copies: Vec<_> = (0..20)
            .map(|_| {
                let request = w.fan().post(&join_path(sale)).json(&json!({ "pow": pow }));
                tokio::spawn(send(request))
            })
            .collect();
        let mut created = 0;
        for copy in copies {
            let reply: Reply = copy.await.expect("task");
            match reply.status.as_u16() {
                201 => created += 1,
                403 => assert_eq!(reply.json["error"], "pow_invalid", "{}", reply.describe()),
                _ => panic!("{sale}: {}", reply.describe()),
            }
        }
        assert_eq!(created, 1, "{sale}: one place for one solution");
        w.origin().pull_eventually(sale, 1).await;
        // Every shard's block has closed by then (a second each, by the worker's clock, moved
        // there: docs/api.md, "Testing"): nobody else is in line.
        w.advance(Duration::from_millis(2_500)).await;
        let rest = w.origin().pull(sale, "w1", 100, None).await;
        assert!(
            rest.assignments.is_empty(),
            "{sale}: {:?}",
            rest.assignments
        );
        assert_eq!(joined(&report(&w, sale).await), 1, "{sale}");
    }
}

/// The first 4 bytes of a solution's hash, as a number: which of `n` shards it lands on.
fn spread(challenge: &str, nonce: &str, n: u32) -> u32 {
    let h = hash(challenge, nonce);
    u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % n
}

/// A live change of `shards` cannot open a second spend of one proof of work: a copy of a solution
/// spent before the change goes to the same shard after it (not to the one its hash picks among
/// the new count), and is refused there; a second change waits until the first has settled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_change_of_shards_cannot_spend_a_solution_twice() {
    let w = TestWorker::start_with_faults().await;
    let sale = "reshard";
    let settings = |shards: u32| json!({ "name": "Reshard", "purchase_url": PURCHASE_URL, "pow_bits": 8, "shards": shards, "rate_limit_per_min": 0 });
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&settings(4)),
    )
    .await
    .expect(201, "create");
    w.admin().open_sale(sale).await;
    // A solution whose hash picks another shard among 8 than among 4.
    let (text, _) = challenge(&w, sale).await;
    let nonce = (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            leading_zero_bits(&hash(&text, n)) >= 8 && spread(&text, n, 4) != spread(&text, n, 8)
        })
        .expect("a nonce");
    let paid = json!({ "pow": { "challenge": text, "nonce": nonce } });
    send(w.fan().post(&join_path(sale)).json(&paid))
        .await
        .expect(201, "the solution buys its place");

    // Eight shards, live; every edge then sees the change within the snapshot's second (of the
    // worker's clock, moved past it: docs/api.md, "Testing").
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&settings(8)),
    )
    .await
    .expect(200, "eight shards");
    w.advance(Duration::from_millis(1_500)).await;
    for _ in 0..5 {
        send(w.fan().post(&join_path(sale)).json(&paid))
            .await
            .expect_error(403, "pow_invalid", "the copy after the change");
    }
    // Another change must wait until this one settled (3 minutes).
    let again = send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&settings(2)),
    )
    .await;
    again.expect_error(409, "shards_changing", "a second change at once");
    assert_eq!(w.admin().report(sale).await["shards"], 8);
    // One fan in line: the solution bought one place (and every shard's block has closed since).
    w.origin().pull_eventually(sale, 1).await;
    w.advance(Duration::from_millis(2_500)).await;
    let rest = w.origin().pull(sale, "w1", 100, None).await;
    assert!(rest.assignments.is_empty(), "{:?}", rest.assignments);
}
