//! The request log, read as an operator reads it: the Workers' own lines, from `wrangler dev`
//! at `--log-level log` (docs/operations.md, "Logs you can search"). Attacks: a crowd of polls
//! that would flood the log at `LOG_SAMPLE_PERCENT=0` (bound: not one line for a plain poll, while
//! every refusal, error and state change is still written), the same crowd at 100 (bound: exactly
//! one line per poll), and a log that leaks what it must never hold (bound: no token, pass,
//! key or secret of the worker in any line, its own or wrangler's).

use crate::support::http::send_busy_ok;
use crate::support::worker::WorkerOptions;
use crate::support::{eventually, send, TestWorker};
use serde_json::{json, Value};
use std::time::Duration;

/// Polls of one fan in each run.
const POLLS: usize = 200;

/// The request lines the Workers wrote so far (JSON objects with a `request_id`).
fn request_lines(w: &TestWorker) -> Vec<Value> {
    w.log_text()
        .lines()
        .filter_map(|line| line.find('{').map(|at| &line[at..]))
        .filter_map(|json| serde_json::from_str::<Value>(json).ok())
        .filter(|line| line.get("request_id").is_some())
        .collect()
}

fn count(lines: &[Value], route: &str, status: u64) -> usize {
    lines
        .iter()
        .filter(|l| l["route"] == route && l["status"] == status)
        .count()
}

/// Every secret value of the worker's env file (keys, signing seeds): none may be logged.
fn secrets(w: &TestWorker) -> Vec<String> {
    let env = std::fs::read_to_string(w.files_dir().join("worker.env")).expect("read worker.env");
    env.lines()
        .filter_map(|l| l.split_once('='))
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|v| v.trim().to_owned())
                .collect::<Vec<_>>()
        })
        // The key part of `TOKEN_KEYS`' `kid:secret`, and every other long value.
        .map(|v| v.rsplit(':').next().unwrap_or_default().to_owned())
        .filter(|v| v.len() >= 16)
        .collect()
}

/// One run: a sale, a fan, `POLLS` polls, a refusal, an error; and at 100 % the fan admitted
/// (its pass must not be logged either). Returns the worker, the lines and what must not leak.
async fn run(percent: u8) -> (TestWorker, Vec<Value>, Vec<String>) {
    let w = TestWorker::start_with_options(
        WorkerOptions::default()
            .var("WAITROOM_TEST_FAULTS", 1)
            .var("LOG_SAMPLE_PERCENT", percent)
            .log_level("log"),
    )
    .await;
    let sale = "logged";
    // Every request of this test comes from 127.0.0.1: no per-address limit on this sale.
    w.admin()
        .open_sale_with(sale, json!({ "rate_limit_per_min": 0 }))
        .await;
    let fan = w.fan().join(sale).await;
    let mut leaks = vec![fan.token.clone()];
    let mut polls = 0;
    for _ in 0..POLLS {
        let state = w.fan().status(sale, &fan.token).await;
        assert_eq!(state["state"], "waiting", "{state}");
        polls += 1;
    }
    if percent == 100 {
        // Admitted: the claim's answer carries the pass.
        let pulled = w.origin().pull(sale, "w1", 1, None).await;
        assert_eq!(pulled.assignments.len(), 1, "{:?}", pulled.assignments);
        let pass = eventually("the fan's turn", Duration::from_secs(10), || {
            polls += 1;
            let (w, token) = (&w, fan.token.clone());
            async move {
                let state = w.fan().status(sale, &token).await;
                state["pass"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| state.to_string())
            }
        })
        .await;
        leaks.push(pass);
    }
    // An error: the coordinator fails (the test switch), so a join is answered 503 busy.
    w.set_fault(sale, 0, true).await;
    let busy = send_busy_ok(w.fan().post(&format!("/api/sales/{sale}/join"))).await;
    busy.expect_error(503, "busy", "join while the coordinator fails");
    w.set_fault(sale, 0, false).await;
    // A refusal, last: a tampered token (the fan's with its last character changed).
    let mut tampered = fan.token.clone();
    let last = tampered.pop().expect("a token");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let refused = send(
        w.fan()
            .with_bearer(&tampered)
            .get(&format!("/api/sales/{sale}/status")),
    )
    .await;
    refused.expect_error(401, "bad_token", "a tampered token");
    leaks.push(tampered);
    leaks.extend(secrets(&w));
    leaks.extend([
        w.admin_key.clone(),
        w.origin_key.clone(),
        w.token_keys.clone(),
    ]);
    // The refusal is the edge's last line: once it is there, every line before it is too.
    let lines = eventually("the refusal's line", Duration::from_secs(10), || {
        let lines = request_lines(&w);
        async move {
            if count(&lines, "status", 401) >= 1 {
                Ok(lines)
            } else {
                Err(format!("{} request lines", lines.len()))
            }
        }
    })
    .await;
    let plain_polls = count(&lines, "status", 200);
    if percent == 0 {
        assert_eq!(plain_polls, 0, "no line for a plain poll at 0 %");
    } else {
        assert_eq!(plain_polls, polls, "one line per poll at 100 %");
    }
    (w, lines, leaks)
}

#[tokio::test]
async fn the_crowd_is_sampled_and_errors_refusals_and_changes_never_are() {
    for percent in [0, 100] {
        let (w, lines, leaks) = run(percent).await;
        let has = |route: &str, status: u64, outcome: &str| {
            lines
                .iter()
                .any(|l| l["route"] == route && l["status"] == status && l["outcome"] == outcome)
        };
        // Always written, whatever the percentage: the refusal, the error, the state changes.
        assert!(
            has("status", 401, "bad_token"),
            "{percent} %: the refusal: {lines:?}"
        );
        assert!(
            has("join", 503, "busy"),
            "{percent} %: the error: {lines:?}"
        );
        assert!(has("join", 201, "ok"), "{percent} %: the join: {lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l["method"] == "PUT" && l["route"] != "status"),
            "{percent} %: the promoter's PUT: {lines:?}"
        );
        // Nothing secret, in the Workers' lines or wrangler's own.
        let text = w.log_text();
        for leak in &leaks {
            assert!(
                !text.contains(leak.as_str()),
                "{percent} %: a token, pass or secret is in the log ({} characters)",
                leak.len()
            );
        }
    }
}
