//! New fans of an open sharded sale are numbered by the edge isolate, from sub-blocks its arrival
//! shard lends (docs/capacity.md, "Edge numbering"): many joins cost a few object requests;
//! every fan who got a 201 is handed out, in number order, and the unused numbers of the
//! sub-blocks are skipped; a re-join keeps the place; an isolate that dies mid-block loses
//! nobody and holds the line only until the report bound.

use crate::support::{eventually, send, TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Waits until no block is open and the report counts `joined` fans.
async fn settled(w: &TestWorker, sale: &str, joined: u64) -> Value {
    eventually("blocks are closed", Duration::from_secs(15), || async {
        let report = w.admin().report(sale).await;
        let stats = &report["stats"];
        if stats["pending"] == 0 && stats["joined"].as_u64() >= Some(joined) {
            Ok(report)
        } else {
            Err(report.to_string())
        }
    })
    .await
}

/// Pulls until nobody is left; the arrival numbers handed out, in order.
async fn pull_all(w: &TestWorker, sale: &str) -> Vec<u64> {
    let mut handed = Vec::new();
    for round in 0.. {
        let pulled = w
            .origin()
            .pull(sale, "w1", 100, Some(&format!("edge-{round}")))
            .await;
        if pulled.assignments.is_empty() {
            return handed;
        }
        assert!(pulled.assignments.iter().all(|a| a.state == "assigned"));
        handed.extend(pulled.assignments.iter().map(|a| a.seq));
    }
    unreachable!()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn joins_are_numbered_at_the_edge_for_a_few_object_requests() {
    const SALE: &str = "edge-numbered";
    let w = TestWorker::start().await;
    let body =
        json!({ "name": "Edge", "purchase_url": PURCHASE_URL, "shards": 4, "presence_ttl_s": 0 });
    w.admin().create_sale_with(SALE, body).await;
    w.admin().open_sale(SALE).await;

    let started = Instant::now();
    let fans = w.fan().join_many(SALE, 8, 50).await;
    let took = started.elapsed();
    let seqs: BTreeSet<u64> = fans.iter().map(|f| f.seq).collect();
    assert_eq!(seqs.len(), 400, "every fan has a number of their own");

    let report = settled(&w, SALE, 400).await;
    assert_eq!(report["stats"]["joined"], 400, "{report}");
    let shard_kinds = &report["shard_requests_by_kind"];
    let leases = shard_kinds["edge_lease"].as_u64().unwrap_or(0);
    let reports = shard_kinds["edge_report"].as_u64().unwrap_or(0);
    let coordinator = &report["coordinator_requests_by_kind"];
    println!(
        "edge numbering: 400 joins in {took:?} cost {leases} edge leases and {reports} reports at the shards, {} block leases and {} closes at the coordinator",
        coordinator["lease_block"], coordinator["close_block"]
    );
    assert_eq!(coordinator["join"], Value::Null, "{coordinator}");
    assert_eq!(
        shard_kinds["join"],
        Value::Null,
        "no join reached a shard: {shard_kinds}"
    );
    assert!(leases >= 1, "{shard_kinds}");
    // One isolate (local dev): about one lease a second, plus the first second's growth.
    let bound = 6 + 2 * took.as_secs();
    assert!(
        leases <= bound,
        "{leases} edge leases for 400 joins in {took:?} (bound {bound})"
    );

    // A re-join with the token keeps the place.
    let first = &fans[0];
    let rejoin = send(
        w.bearer(&first.token)
            .post(&format!("/api/sales/{SALE}/join")),
    )
    .await
    .expect(200, "rejoin");
    assert_eq!(rejoin["seq"], first.seq, "{rejoin}");
    assert_eq!(rejoin["fan_id"], first.fan_id.as_str(), "{rejoin}");

    // Everyone handed out, in number order; the sub-blocks' unused numbers are gaps (a number
    // no fan holds would be handed out too: presence is off).
    let handed = pull_all(&w, SALE).await;
    assert!(handed.windows(2).all(|p| p[0] < p[1]), "{handed:?}");
    assert_eq!(
        handed.iter().copied().collect::<BTreeSet<u64>>(),
        seqs,
        "exactly the fans who got a 201"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_isolate_that_dies_mid_block_loses_nobody() {
    const SALE: &str = "edge-dies";
    let w = TestWorker::start_with_faults().await;
    let body =
        json!({ "name": "Edge", "purchase_url": PURCHASE_URL, "shards": 2, "presence_ttl_s": 0 });
    w.admin().create_sale_with(SALE, body).await;
    w.admin().open_sale(SALE).await;

    let mut fans = w.fan().join_many(SALE, 2, 15).await;
    // The isolate forgets its sub-block without a word, as one that dies does.
    let died = Instant::now();
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}/fault"))
            .json(&json!({ "forget_edge_numbering": true })),
    )
    .await
    .expect(200, "forget the edge numbering");
    // Later fans are numbered from a new sub-block, after the lost one.
    let later = w.fan().join_many(SALE, 2, 5).await;
    assert!(later.iter().all(|l| fans.iter().all(|f| f.seq < l.seq)));
    fans.extend(later);

    settled(&w, SALE, fans.len() as u64).await;
    let stalled = died.elapsed();
    println!("edge numbering: a dead isolate's block held the line for {stalled:?}");
    // Its sub-block's bound (1.5 s) after its end (≤ 1 s), the shard's alarm, and the polls.
    assert!(stalled < Duration::from_secs(10), "{stalled:?}");
    let handed: BTreeSet<u64> = pull_all(&w, SALE).await.into_iter().collect();
    let seqs: BTreeSet<u64> = fans.iter().map(|f| f.seq).collect();
    assert!(
        seqs.is_subset(&handed),
        "lost: {:?}",
        seqs.difference(&handed).collect::<Vec<_>>()
    );
    // Unreported numbers read as fans (who then lapse): only those of the lost sub-block.
    let extra = handed.difference(&seqs).count();
    println!("edge numbering: {extra} unused numbers of the lost sub-block read as fans");
    assert!(extra <= 2048, "{extra}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_mid_block_loses_nobody() {
    const SALE: &str = "edge-killed";
    let w = TestWorker::start().await;
    let body =
        json!({ "name": "Edge", "purchase_url": PURCHASE_URL, "shards": 2, "presence_ttl_s": 0 });
    w.admin().create_sale_with(SALE, body).await;
    w.admin().open_sale(SALE).await;
    let mut fans = w.fan().join_many(SALE, 2, 10).await;
    // The whole runtime dies mid-block: the isolate's sub-block with it; the shard's record of
    // what it lent survives in its storage.
    let files = w.kill_hard();
    let w = TestWorker::start_with(files).await;
    fans.extend(w.fan().join_many(SALE, 2, 5).await);
    let seqs: BTreeSet<u64> = fans.iter().map(|f| f.seq).collect();
    assert_eq!(seqs.len(), fans.len(), "no number twice across the restart");
    settled(&w, SALE, fans.len() as u64).await;
    let handed: BTreeSet<u64> = pull_all(&w, SALE).await.into_iter().collect();
    assert!(
        seqs.is_subset(&handed),
        "lost: {:?}",
        seqs.difference(&handed).collect::<Vec<_>>()
    );
}
