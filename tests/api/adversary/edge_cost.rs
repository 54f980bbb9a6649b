//! What the edge answers by itself: a fan whose turn has passed polling again and again, and
//! requests for sale ids nobody created, cost the coordinator at most a handful of requests, and
//! unknown ids create no object and no file. Also: a chunked body past the limit is refused
//! without being read whole, and the test fault switch does not exist without its setting.

use crate::support::{send, TestWorker};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SALE: &str = "edge-cost";
const POLLS: usize = 2_000;
const UNKNOWN: usize = 2_000;
const TASKS: usize = 20;
/// What 2,000 polls of a finished fan may cost the coordinator besides the snapshot refreshes
/// (about one a second, whoever polls), the report included.
const MAX_COORDINATOR_REQUESTS: u64 = 5;

/// The SQLite databases under `dir` (one per Durable Object that ever stored anything).
pub(super) fn sqlite_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                sqlite_files(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "sqlite"))
            }
        })
        .sum()
}

fn requests(report: &serde_json::Value) -> u64 {
    report["coordinator_requests"]
        .as_u64()
        .expect("coordinator_requests")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finished_fans_and_unknown_sales_cost_the_coordinator_nothing() {
    let w = TestWorker::start().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;
    let fan = w.fan().join(SALE).await;
    w.origin().pull(SALE, "w1", 1, Some("cost-1")).await;
    let released = w.origin().finish(SALE, &fan.fan_id, "release").await;
    released.expect(200, "release");
    let status = w.fan().wait_for_state(SALE, &fan.token, "lapsed").await;
    assert_eq!(status["reason"], "released", "{status}");

    // 2,000 polls (and a few joins) by the finished token.
    let before = w.admin().report(SALE).await;
    let token = Arc::new(fan.token.clone());
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (api, token) = (w.handle(), Arc::clone(&token));
            tokio::spawn(async move {
                for _ in 0..POLLS / TASKS {
                    let s = api.fan().status(SALE, &token).await;
                    assert_eq!(s["state"], "lapsed", "{s}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("poll task");
    }
    let poll_time = started.elapsed();
    let after = w.admin().report(SALE).await;
    let delta = requests(&after) - requests(&before);
    let kind = |report: &serde_json::Value, kind: &str| {
        report["coordinator_requests_by_kind"][kind]
            .as_u64()
            .unwrap_or(0)
    };
    let snapshots = kind(&after, "snapshot") - kind(&before, "snapshot");
    println!(
        "edge_cost: {POLLS} polls of a released fan in {poll_time:.1?}: coordinator requests \
         {} -> {} (delta {delta}: {snapshots} snapshot refreshes, the report included); by kind {}",
        requests(&before),
        requests(&after),
        after["coordinator_requests_by_kind"]
    );
    // The fan's outcome was asked for once (before), and never again.
    assert_eq!(kind(&after, "claim"), kind(&before, "claim"), "{after}");
    // Besides the snapshot refreshes every poller pays for (about one a second, whoever polls),
    // a handful at most: the report.
    assert!(
        delta - snapshots <= MAX_COORDINATOR_REQUESTS,
        "{POLLS} polls of a finished fan cost the coordinator {delta} requests"
    );
    assert!(
        snapshots as f64 <= poll_time.as_secs_f64() + 2.0,
        "{snapshots} snapshot refreshes in {poll_time:.1?}"
    );

    // 2,000 requests for sale ids nobody created: 404, no object, no file.
    let files_before = sqlite_files(w.state_dir());
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let api = w.handle();
            tokio::spawn(async move {
                for i in 0..UNKNOWN / TASKS {
                    let id = format!("nobody-{t}-{i}");
                    let fan = api.fan();
                    let reply = match i % 4 {
                        0 => send(fan.get(&format!("/api/sales/{id}"))).await,
                        1 => send(fan.post(&format!("/api/sales/{id}/join"))).await,
                        2 => {
                            send(fan.get(&format!("/api/sales/{id}/status")).bearer_auth("x")).await
                        }
                        _ => send(fan.get(&format!("/s/{id}"))).await,
                    };
                    let what = format!("unknown sale {id} ({})", i % 4);
                    match i % 4 {
                        // A status with a bad token is refused before the sale is looked up.
                        2 => reply.expect_error(401, "bad_token", &what),
                        3 => assert_eq!(reply.status, 404, "{what}: {}", reply.describe()),
                        _ => reply.expect_error(404, "sale_not_found", &what),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("unknown sale task");
    }
    let unknown_time = started.elapsed();
    let files_after = sqlite_files(w.state_dir());
    println!(
        "edge_cost: {UNKNOWN} requests for unknown sales in {unknown_time:.1?}: SQLite files \
         {files_before} -> {files_after}"
    );
    assert!(files_before >= 1, "the sale's own object has a file");
    assert_eq!(files_after, files_before, "unknown sale ids created files");

    // The admin's own routes for an unknown sale: 404 too, without an object.
    w.admin()
        .get("/api/admin/sales/nobody-admin")
        .send()
        .await
        .map(|r| assert_eq!(r.status(), 404))
        .expect("admin report");
    assert_eq!(sqlite_files(w.state_dir()), files_before);

    // Without WAITROOM_TEST_FAULTS the fault switch is no route.
    let reply = send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}/fault"))
            .json(&serde_json::json!({"delay_ms": 2000, "fail": true})),
    )
    .await;
    reply.expect_error(404, "not_found", "the fault switch of a deployed worker");

    // A chunked body (no Content-Length) past 64 KiB: 413, not read whole.
    let reply = chunked_put(
        &w.base,
        &w.admin_key,
        &format!("/api/admin/sales/{SALE}"),
        100 * 1024,
    )
    .await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("body_too_large"), "{reply}");
}

/// A `PUT` of `len` bytes in 8 KiB chunks with `Transfer-Encoding: chunked`, on a raw
/// connection; the start of the answer.
async fn chunked_put(base: &str, key: &str, path: &str, len: usize) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    let chunk = vec![b' '; 8 * 1024];
    let mut sent = 0;
    while sent < len {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        // The worker may answer (and close) before the body is all sent.
        if stream.write_all(&frame).await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}
