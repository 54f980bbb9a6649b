//! The pre-queue and its draw: fans who arrive between `prequeue_opens_at` and `opens_at` are
//! put in a random order at `opens_at`, later fans follow them; the draw verifies with
//! `examples/verify-draw`, and its revealed key matches the commitment published before.

use crate::support::assertions::eventually;
use crate::support::clock::rfc3339;
use crate::support::fan::Joined;
use crate::support::{send, TestWorker};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use waitroom_core::queue::draw::{DrawKey, Permutation};

const SALE: &str = "prequeue-draw";

/// The verifier binary (`cargo build -p verify-draw`, which `make test-integration` runs).
fn verifier() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let bin = target.join("debug").join("verify-draw");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p verify-draw` (make test-integration does)",
        bin.display()
    );
    bin
}

#[tokio::test]
async fn a_prequeue_is_drawn_fairly_and_the_draw_verifies() {
    let w = TestWorker::start_with_faults().await;
    let now_s = w.now().as_secs();
    let opens_at_s = now_s + 8;
    let (prequeue_opens_at, opens_at) = (rfc3339(now_s - 1), rfc3339(opens_at_s));
    let body = json!({
        "name": "Pre-queue", "purchase_url": "https://tickets.example/buy",
        "prequeue_opens_at": prequeue_opens_at, "opens_at": opens_at, "shards": 3,
    });

    // The pre-queue must come before the opening.
    let mut bad = body.clone();
    bad["prequeue_opens_at"] = json!(rfc3339(opens_at_s + 1));
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}"))
            .json(&bad),
    )
    .await
    .expect_error(400, "invalid_field", "pre-queue after the opening");

    let created = w.admin().create_sale_with(SALE, body.clone()).await;
    assert_eq!(created["phase"], "prequeue", "{created}");
    let commitment = created["draw"]["commitment"].as_str().unwrap().to_owned();
    assert_eq!(created["draw"]["key"], Value::Null, "{created}");

    // The commitment is public from now on; the key is not, and the window is fixed.
    let info = send(w.fan().get(&format!("/api/sales/{SALE}")))
        .await
        .expect(200, "sale info");
    assert_eq!(
        (info["phase"].as_str(), info["draw_commitment"].as_str()),
        (Some("prequeue"), Some(commitment.as_str())),
        "{info}"
    );
    let draw = send(w.fan().get(&format!("/api/sales/{SALE}/draw")))
        .await
        .expect(200, "the draw before it happens");
    assert_eq!(
        (draw["drawn"].as_bool(), &draw["key"]),
        (Some(false), &Value::Null),
        "{draw}"
    );
    let mut later = body.clone();
    later["opens_at"] = json!(rfc3339(opens_at_s + 60));
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}"))
            .json(&later),
    )
    .await
    .expect_error(
        409,
        "prequeue_fixed",
        "moving the draw once the pre-queue opened",
    );
    send(w.admin().post(&format!("/api/admin/sales/{SALE}/open")))
        .await
        .expect_error(
            409,
            "prequeue_fixed",
            "opening by hand during the pre-queue",
        );
    send(w.fan().get("/api/sales/scheduled-nothing/draw"))
        .await
        .expect_error(404, "sale_not_found", "the draw of no sale");
    w.admin().create_sale(&format!("{SALE}-plain"), None).await;
    send(w.fan().get(&format!("/api/sales/{SALE}-plain/draw")))
        .await
        .expect_error(404, "no_draw", "the draw of a sale without a pre-queue");

    // Fans in the pre-queue: in, told when the order is drawn.
    let early: Vec<Joined> = w.fan().join_many(SALE, 4, 10).await;
    let status = w.fan().status(SALE, &early[0].token).await;
    assert_eq!(
        (
            status["state"].as_str(),
            status["phase"].as_str(),
            &status["position"]
        ),
        (Some("prequeue"), Some("prequeue"), &Value::Null),
        "{status}"
    );
    assert!(
        status["draw_at"]
            .as_str()
            .is_some_and(|at| at.starts_with(&opens_at[..19])),
        "{status}"
    );

    // After opens_at (the worker's clock is moved there: docs/api.md, "Testing"): later fans,
    // then the draw is published.
    w.advance_to(Duration::from_secs(opens_at_s) + Duration::from_millis(200))
        .await;
    let late: Vec<Joined> = w.fan().join_many(SALE, 2, 3).await;
    let draw = eventually("the draw is published", Duration::from_secs(10), || async {
        let d = send(w.fan().get(&format!("/api/sales/{SALE}/draw")))
            .await
            .expect(200, "the draw");
        if d["drawn"] == true {
            Ok(d)
        } else {
            Err(d.to_string())
        }
    })
    .await;
    let key_hex = draw["key"].as_str().unwrap();
    assert_eq!(draw["commitment"], commitment.as_str(), "{draw}");
    let key_bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&key_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let digest: String = Sha256::digest(&key_bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest, commitment,
        "the revealed key is the one committed to"
    );
    let end = draw["end"].as_u64().unwrap();
    assert!(
        early.iter().all(|f| f.seq <= end),
        "every pre-queue fan is in the range"
    );
    assert!(
        late.iter().all(|f| f.seq > end),
        "no later fan is in the range"
    );

    // The verifier agrees: the key matches, and it prints every drawn position.
    let file = std::env::temp_dir().join(format!("draw-{}.json", std::process::id()));
    std::fs::write(&file, draw.to_string()).unwrap();
    let out = Command::new(verifier())
        .args(["--file", file.to_str().unwrap(), "--print", "--seq"])
        .arg(early[0].seq.to_string())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "verify-draw: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(summary["verified"], true, "{stdout}");
    let key = DrawKey::parse_hex(key_hex).unwrap();
    let permutation = Permutation::new(&key, end);
    let printed: Vec<(u64, u64)> = stdout
        .lines()
        .skip(2)
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    assert_eq!(printed.len() as u64, end, "{stdout}");
    assert!(printed
        .iter()
        .all(|(s, p)| permutation.position_of(*s) == *p));

    // Each fan's place, at the edge, is their rank by drawn position (later fans after all):
    // exactly where the snapshot lists the gaps ahead (its first 256); further back, which a
    // pre-queue's unused numbers can reach even here (each a gap at its drawn position), never
    // further forward and at most one range of the snapshot's unused positions further back
    // (docs/capacity.md, "Snapshot size": the line's length / 512 rounded up to a power of two;
    // the line ends at most one block, 4,096 numbers, past the last number handed out). The
    // windows' order below is exact.
    let mut expected: Vec<&Joined> = early.iter().chain(late.iter()).collect();
    expected.sort_by_key(|f| permutation.position_of(f.seq));
    let line_at_most = expected.iter().map(|f| f.seq).max().unwrap() + 4096;
    let slack = line_at_most.div_ceil(512).next_power_of_two();
    // (Until a shard reports its block closed, about a second after its lease, `ahead` may count
    // the block's unused numbers: poll until the place settles.)
    let mut last_place = 0;
    for (rank, fan) in expected.iter().enumerate() {
        let want = rank as u64 + 1;
        let drawn = permutation.position_of(fan.seq);
        let place = eventually(
            &format!(
                "fan {} (drawn to {drawn}) is at place {want} (at most {slack} further back)",
                fan.seq
            ),
            Duration::from_secs(10),
            || async {
                let status = w.fan().status(SALE, &fan.token).await;
                match (status["state"].as_str(), status["position"].as_u64()) {
                    (Some("waiting"), Some(p)) if p >= want && p <= want + slack => Ok(p),
                    _ => Err(status.to_string()),
                }
            },
        )
        .await;
        assert!(
            place >= last_place,
            "places follow the draw: {place} after {last_place}"
        );
        last_place = place;
    }
    // And windows get them in that order.
    let order: Vec<u64> = expected.iter().map(|f| f.seq).collect();
    let mut pulled: Vec<u64> = Vec::new();
    for _ in 0..50 {
        let p = w.origin().pull(SALE, "w1", 100, None).await;
        pulled.extend(p.assignments.iter().map(|a| a.seq));
        if pulled.len() >= order.len() {
            break;
        }
        // A shard's block is reported closed within about a second of its lease.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(pulled, order);
}
