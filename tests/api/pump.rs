//! 500 fans, four windows pulling at once: everyone is handed out exactly once, in arrival order,
//! and every fan gets a pass that verifies.

use crate::support::{send, verify_pass, Api, Joined, Pulled, TestWorker, PURCHASE_URL};
use futures::stream::{self, StreamExt};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

const SALE: &str = "pump-500";
const FANS: u64 = 500;
const JOIN_TASKS: usize = 10;
const WINDOWS: usize = 4;

/// One window's pulls, in the order it made them.
struct WindowLog {
    window: String,
    pulls: Vec<Pulled>,
}

async fn run_window(api: Api, index: usize) -> WindowLog {
    let window = format!("window-{index}");
    let mut pulls = Vec::new();
    for n in 0u32.. {
        let max = 1 + (index as u32 * 7 + n * 13) % 20;
        let request_id = format!("{window}:pull-{n}");
        let pulled = api
            .origin()
            .pull(SALE, &window, max, Some(&request_id))
            .await;
        assert!(!pulled.replayed, "a fresh request_id is not a replay");
        assert!(pulled.assignments.len() <= max as usize, "at most max fans");
        if index == 0 && n % 5 == 0 {
            // A retry (the answer got lost): the same fans, marked replayed.
            let again = api
                .origin()
                .pull(SALE, &window, max, Some(&request_id))
                .await;
            assert!(
                again.replayed,
                "a retry with the same request_id is a replay"
            );
            assert_eq!(
                again.assignments, pulled.assignments,
                "a replay hands out the same fans"
            );
            // The same request_id for another pull is refused.
            let body = json!({ "window": window, "max": max % 20 + 1, "request_id": request_id });
            send(
                api.origin()
                    .post(&format!("/api/origin/sales/{SALE}/pull"))
                    .json(&body),
            )
            .await
            .expect_error(
                409,
                "request_id_reused",
                "request_id reused with another max",
            );
        }
        let empty = pulled.assignments.is_empty();
        pulls.push(pulled);
        if empty {
            let waiting = api.admin().report(SALE).await["stats"]["waiting"]
                .as_u64()
                .expect("stats.waiting");
            if waiting == 0 {
                break;
            }
        }
        assert!(
            n < 1_000,
            "{window} keeps pulling but the line does not drain"
        );
    }
    WindowLog { window, pulls }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pump_500() {
    let w = TestWorker::start().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;

    // Joins: 10 tasks, 50 each, sequential within a task.
    let started = Instant::now();
    let mut fans: Vec<Joined> = w
        .fan()
        .join_many(SALE, JOIN_TASKS, FANS as usize / JOIN_TASKS)
        .await;
    let join_time = started.elapsed();
    fans.sort_by_key(|f| f.seq);
    let seqs: Vec<u64> = fans.iter().map(|f| f.seq).collect();
    assert_eq!(
        seqs,
        (1..=FANS).collect::<Vec<_>>(),
        "every arrival number once"
    );
    let by_seq: BTreeMap<u64, &Joined> = fans.iter().map(|f| (f.seq, f)).collect();
    let fan_ids: BTreeSet<&str> = fans.iter().map(|f| f.fan_id.as_str()).collect();
    assert_eq!(fan_ids.len(), FANS as usize, "fan ids are unique");
    let report = w.admin().report(SALE).await;
    assert_eq!(report["stats"]["joined"], FANS, "{report}");
    assert_eq!(report["stats"]["waiting"], FANS, "{report}");

    // Pulls: four windows at once.
    let started = Instant::now();
    let windows: Vec<_> = (0..WINDOWS)
        .map(|i| tokio::spawn(run_window(w.handle(), i)))
        .collect();
    let mut logs = Vec::new();
    for window in windows {
        logs.push(window.await.expect("window task"));
    }
    let pull_time = started.elapsed();

    // Every fan handed out exactly once, each pull a contiguous run, each window moving forward.
    let mut handed: Vec<(u64, String, String)> = Vec::new(); // (seq, fan_id, window)
    let mut runs: Vec<(u64, u64)> = Vec::new();
    let mut pull_count = 0;
    for log in &logs {
        let mut last_seq = 0;
        for pulled in &log.pulls {
            pull_count += 1;
            assert_eq!(pulled.phase, "open");
            let Some(first) = pulled.assignments.first() else {
                continue;
            };
            for (i, a) in pulled.assignments.iter().enumerate() {
                assert_eq!(
                    a.seq,
                    first.seq + i as u64,
                    "{}: a pull is a contiguous run: {pulled:?}",
                    log.window
                );
                assert_eq!(a.window, log.window, "{a:?}");
                assert_eq!(a.state, "assigned", "{a:?}");
                assert_eq!(
                    a.assigned_at, first.assigned_at,
                    "one pull, one instant: {pulled:?}"
                );
                let fan = by_seq
                    .get(&a.seq)
                    .unwrap_or_else(|| panic!("pulled a fan nobody joined as: {a:?}"));
                assert_eq!(
                    a.fan_id, fan.fan_id,
                    "seq {} is the fan who joined as it",
                    a.seq
                );
                handed.push((a.seq, a.fan_id.clone(), a.window.clone()));
            }
            assert!(
                first.seq > last_seq,
                "{}: later pulls get later fans",
                log.window
            );
            last_seq = pulled.assignments.last().unwrap().seq;
            runs.push((first.seq, last_seq));
        }
    }
    assert_eq!(
        handed.len(),
        FANS as usize,
        "every fan handed out once (no duplicates)"
    );
    let handed_ids: BTreeSet<&str> = handed.iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(handed_ids, fan_ids, "the pulled fans are the joined fans");
    // Put in pull order (by where each run starts), the runs tile 1..=500: arrival order.
    runs.sort_unstable();
    let mut next = 1;
    for (from, to) in &runs {
        assert_eq!(
            *from, next,
            "runs tile the line without gaps or overlaps: {runs:?}"
        );
        next = to + 1;
    }
    assert_eq!(next, FANS + 1);
    let report = w.admin().report(SALE).await;
    assert_eq!(report["stats"]["waiting"], 0, "{report}");
    assert_eq!(report["stats"]["assigned"], FANS, "{report}");

    // Every fan polls, gets their turn and a pass that verifies.
    let jwks = w.fan().jwks().await;
    let window_of: HashMap<u64, String> = handed
        .iter()
        .map(|(seq, _, win)| (*seq, win.clone()))
        .collect();
    let started = Instant::now();
    let checked = stream::iter(fans.iter())
        .map(|fan| {
            let (w, jwks, window) = (&w, &jwks, &window_of[&fan.seq]);
            async move {
                let turn = w.fan().wait_for_state(SALE, &fan.token, "your_turn").await;
                assert_eq!(turn["fan_id"], fan.fan_id.as_str(), "{turn}");
                assert_eq!(turn["window"], window.as_str(), "{turn}");
                let pass = turn["pass"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no pass: {turn}"));
                assert!(turn["purchase_url"].as_str().is_some_and(
                    |u| u.starts_with(PURCHASE_URL) && u.contains(&format!("pass={pass}"))
                ));
                let claims = verify_pass(pass, SALE, jwks);
                assert_eq!(
                    (
                        claims.sub.as_str(),
                        claims.aud.as_str(),
                        claims.win.as_str(),
                        claims.seq
                    ),
                    (fan.fan_id.as_str(), SALE, window.as_str(), fan.seq)
                );
            }
        })
        .buffer_unordered(20)
        .count()
        .await;
    let claim_time = started.elapsed();
    assert_eq!(checked, FANS as usize);

    // The origin finishes some: 50 completed, 10 released.
    for fan in &fans[..50] {
        w.origin()
            .finish(SALE, &fan.fan_id, "complete")
            .await
            .expect(200, "complete");
    }
    for fan in &fans[50..60] {
        w.origin()
            .finish(SALE, &fan.fan_id, "release")
            .await
            .expect(200, "release");
    }
    let report = w.admin().report(SALE).await;
    let stats = &report["stats"];
    assert_eq!(stats["joined"], FANS, "{report}");
    assert_eq!(stats["waiting"], 0, "{report}");
    assert_eq!(stats["assigned"], FANS - 60, "{report}");
    assert_eq!(stats["claimed"], FANS - 60, "{report}");
    assert_eq!(stats["completed"], 50, "{report}");
    assert_eq!(stats["released"], 10, "{report}");
    assert_eq!(stats["lapsed"], 0, "{report}");
    let minutes = report["minutes"].as_array().expect("minutes");
    let sum = |k: &str| {
        minutes
            .iter()
            .map(|m| m[k].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    assert_eq!(
        (sum("arrivals"), sum("admissions")),
        (FANS, FANS),
        "{report}"
    );
    let by_kind = &report["coordinator_requests_by_kind"];
    assert!(by_kind["join"].as_u64().unwrap_or(0) >= FANS, "{by_kind}");
    assert!(
        by_kind["pull"].as_u64().unwrap_or(0) >= pull_count,
        "{by_kind}"
    );

    let rate = |n: u64, t: Duration| n as f64 / t.as_secs_f64();
    println!(
        "pump_500: {FANS} joins in {join_time:.2?} ({:.0}/s, {JOIN_TASKS} tasks); {pull_count} pulls by {WINDOWS} \
         windows in {pull_time:.2?}; {FANS} claims+pass checks in {claim_time:.2?} ({:.0}/s); stats {stats}; \
         coordinator_requests {} {by_kind}",
        rate(FANS, join_time),
        rate(FANS, claim_time),
        report["coordinator_requests"],
    );
}
