//! Joins spread over arrival shards keep the line's promises: nobody lost or handed out twice,
//! hand-outs in number order, `ahead` counting fans (not unused numbers), idempotent pulls, and a
//! restart mid-sale that changes nothing.

use crate::support::{eventually, TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

const SALE: &str = "sharded-line";
const SHARDS: u64 = 4;

/// Waits until every shard has reported its block (at most a second after its lease) and the
/// report counts `joined` fans.
async fn settled(w: &TestWorker, joined: u64) -> Value {
    eventually("blocks are reported", Duration::from_secs(10), || async {
        let report = w.admin().report(SALE).await;
        let stats = &report["stats"];
        if stats["pending"] == 0 && stats["joined"] == joined {
            Ok(report)
        } else {
            Err(report.to_string())
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sharded_line_keeps_its_promises() {
    let w = TestWorker::start().await;
    let body = json!({ "name": "Sharded", "purchase_url": PURCHASE_URL, "shards": SHARDS, "presence_ttl_s": 0 });
    w.admin().create_sale_with(SALE, body).await;
    w.admin().open_sale(SALE).await;

    let mut fans = w.fan().join_many(SALE, 8, 25).await;
    let seqs: BTreeSet<u64> = fans.iter().map(|f| f.seq).collect();
    let ids: HashSet<&str> = fans.iter().map(|f| f.fan_id.as_str()).collect();
    assert_eq!(
        (seqs.len(), ids.len()),
        (200, 200),
        "every fan has a number and an id of their own"
    );
    let report = settled(&w, 200).await;
    assert_eq!(report["stats"]["waiting"], 200, "{report}");
    // Unused numbers of the blocks are gaps: `ahead` counts only the fans before.
    let sorted: Vec<u64> = seqs.iter().copied().collect();
    // Polls are answered from a snapshot that may predate the last block's report by up to its
    // lifetime (and a refresh): wait for one taken after it, then every fan checked must agree.
    eventually(
        "polls see every block reported",
        Duration::from_secs(10),
        || async {
            for (i, seq) in sorted.iter().enumerate().step_by(17) {
                let fan = fans.iter().find(|f| f.seq == *seq).expect("fan");
                let status = w.fan().status(SALE, &fan.token).await;
                if (&status["ahead"], &status["position"]) != (&json!(i), &json!(i + 1)) {
                    return Err(format!("fan {seq} (index {i}): {status}"));
                }
            }
            Ok(())
        },
    )
    .await;

    // A restart mid-sale loses nobody; joins continue on the same shards.
    let files = w.stop();
    let w = TestWorker::start_with(files).await;
    let report = w.admin().report(SALE).await;
    assert_eq!(
        (
            report["stats"]["joined"].as_u64(),
            report["stats"]["waiting"].as_u64()
        ),
        (Some(200), Some(200)),
        "{report}"
    );
    let later = w.fan().join_many(SALE, 4, 25).await;
    assert!(
        later.iter().all(|f| !seqs.contains(&f.seq)),
        "numbers are never handed out twice"
    );
    fans.extend(later);
    let report = settled(&w, 300).await;
    let by_kind = &report["coordinator_requests_by_kind"];
    println!(
        "sharded_line_keeps_its_promises: 300 joins over {SHARDS} shards cost the coordinator {} block leases and {} closes",
        by_kind["lease_block"], by_kind["close_block"]
    );
    assert_eq!(
        by_kind["join"],
        Value::Null,
        "joins went to the shards, not the coordinator: {by_kind}"
    );

    // Three windows pull everyone: each fan exactly once, in number order; a retry replays.
    let first = w.origin().pull(SALE, "w0", 7, Some("sharded-first")).await;
    let replay = w.origin().pull(SALE, "w0", 7, Some("sharded-first")).await;
    assert!(replay.replayed);
    assert_eq!(
        replay.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        first.assignments.iter().map(|a| a.seq).collect::<Vec<_>>()
    );
    let mut handed: Vec<u64> = first.assignments.iter().map(|a| a.seq).collect();
    let handles: Vec<_> = (1..=3)
        .map(|n| {
            let origin = w.origin();
            tokio::spawn(async move {
                let mut pulls = Vec::new();
                for round in 0.. {
                    let pulled = origin
                        .pull(SALE, &format!("w{n}"), 11, Some(&format!("w{n}-{round}")))
                        .await;
                    if pulled.assignments.is_empty() {
                        break;
                    }
                    pulls.push(pulled.assignments.iter().map(|a| a.seq).collect::<Vec<_>>());
                }
                pulls
            })
        })
        .collect();
    for handle in handles {
        for pull in handle.await.expect("window task") {
            assert!(
                pull.windows(2).all(|p| p[0] < p[1]),
                "one pull is in number order: {pull:?}"
            );
            handed.extend(pull);
        }
    }
    handed.sort_unstable();
    let mut expected: Vec<u64> = fans.iter().map(|f| f.seq).collect();
    expected.sort_unstable();
    assert_eq!(
        handed, expected,
        "every fan handed out exactly once, and no unused number"
    );
    let report = w.admin().report(SALE).await;
    assert_eq!(
        (
            report["stats"]["waiting"].as_u64(),
            report["stats"]["assigned"].as_u64()
        ),
        (Some(0), Some(300)),
        "{report}"
    );
}
