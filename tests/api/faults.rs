//! A slow and a failing coordinator (the test fault switch, docs/api.md "Testing"): polls stay
//! answered from the edge's snapshot at about the same coordinator load; joins, pulls and admin
//! calls get 503 `busy` with `Retry-After`; a fan's page is the busy page and keeps the cookie;
//! nothing answers 500.

use crate::support::http::send_busy_ok;
use crate::support::{Joined, TestWorker};
use reqwest::header::COOKIE;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SALE: &str = "faults";
const FANS: usize = 20;
const POLL_TASKS: usize = 10;

fn snapshot_requests(report: &Value) -> u64 {
    report["coordinator_requests_by_kind"]["snapshot"]
        .as_u64()
        .unwrap_or(0)
}

/// `POLL_TASKS` fans poll their status for `how_long`, one poll after another; every answer must
/// be 200 `waiting` (a stale snapshot is fine). Returns how many polls were answered.
async fn poll_for(w: &TestWorker, fans: &Arc<Vec<Joined>>, how_long: Duration) -> usize {
    let until = Instant::now() + how_long;
    let tasks: Vec<_> = (0..POLL_TASKS)
        .map(|t| {
            let (api, fans) = (w.handle(), Arc::clone(fans));
            tokio::spawn(async move {
                let mut polls = 0;
                while Instant::now() < until {
                    // Fans 2.. are still in line (fan 1 was pulled).
                    let fan = &fans[1 + (t + polls) % (FANS - 1)];
                    let s = api.fan().status(SALE, &fan.token).await;
                    assert_eq!(s["state"], "waiting", "{s}");
                    polls += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                polls
            })
        })
        .collect();
    let mut polls = 0;
    for task in tasks {
        polls += task.await.expect("poll task");
    }
    polls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_or_failing_coordinator_is_busy_not_broken() {
    let w = TestWorker::start_with_faults().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;
    let fans = Arc::new(w.fan().join_many(SALE, 4, FANS / 4).await);
    let mut by_seq: Vec<Joined> = fans.iter().cloned().collect();
    by_seq.sort_by_key(|f| f.seq);
    let fans = Arc::new(by_seq);
    // Fan 1 is called, but has not claimed yet: their page needs the coordinator.
    w.origin().pull(SALE, "w1", 1, Some("faults-1")).await;
    w.fan().status(SALE, &fans[1].token).await;
    let before = w.admin().report(SALE).await;

    // A slow coordinator: every command waits 2 s. Polls are answered meanwhile, and the
    // snapshot refreshes stay at about one per second (or fewer: each takes 2 s).
    w.set_fault(SALE, 2_000, false).await;
    let started = Instant::now();
    let slow_polls = poll_for(&w, &fans, Duration::from_secs(6)).await;
    let slow_time = started.elapsed();

    // A failing coordinator: every command answers 500 inside; the edge says busy.
    w.set_fault(SALE, 0, true).await;
    let started = Instant::now();
    let failing_polls = poll_for(&w, &fans, Duration::from_secs(4)).await;
    let api = w.handle();
    send_busy_ok(api.fan().post(&format!("/api/sales/{SALE}/join")))
        .await
        .expect_busy("a join while the coordinator fails");
    send_busy_ok(
        api.origin()
            .post(&format!("/api/origin/sales/{SALE}/pull"))
            .json(&json!({"window": "w1", "max": 1, "request_id": "faults-2"})),
    )
    .await
    .expect_busy("a pull while the coordinator fails");
    send_busy_ok(api.admin().get(&format!("/api/admin/sales/{SALE}")))
        .await
        .expect_busy("a report while the coordinator fails");
    send_busy_ok(api.admin().post(&format!("/api/admin/sales/{SALE}/pause")))
        .await
        .expect_busy("a pause while the coordinator fails");
    // The called fan's status needs the coordinator: busy, JSON.
    send_busy_ok(
        api.fan()
            .with_bearer(&fans[0].token)
            .get(&format!("/api/sales/{SALE}/status")),
    )
    .await
    .expect_busy("the called fan's status");
    // Their page is the busy page: 503, Retry-After, refreshing itself, the cookie untouched.
    let cookie = format!("__Host-wr_{SALE}={}", fans[0].token);
    let page = send_busy_ok(
        api.fan()
            .get(&format!("/s/{SALE}"))
            .header(COOKIE, &cookie)
            .header("Accept", "text/html"),
    )
    .await;
    assert_eq!(page.status, 503, "{}", page.describe());
    assert!(
        page.content_type().starts_with("text/html"),
        "{}",
        page.describe()
    );
    let retry: u64 = page.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=3).contains(&retry), "{retry}");
    assert!(
        page.text.contains(&format!(
            r#"<meta http-equiv="refresh" content="{retry}; url=/s/{SALE}?busy=1">"#
        )),
        "{}",
        page.text
    );
    assert!(page.text.contains("keeping your place"), "{}", page.text);
    assert!(
        page.set_cookies().is_empty(),
        "the busy page keeps the cookie"
    );
    // Its own refresh, busy again: it backs off (twice as long each try, up to a minute) and
    // says so.
    let again = send_busy_ok(
        api.fan()
            .get(&format!("/s/{SALE}?busy=3"))
            .header(COOKIE, &cookie)
            .header("Accept", "text/html"),
    )
    .await;
    let retry: u64 = again.header("Retry-After").unwrap().parse().unwrap();
    assert!((8..=24).contains(&retry), "{retry}");
    assert!(
        again.text.contains(&format!("url=/s/{SALE}?busy=4")),
        "{}",
        again.text
    );
    assert!(
        again
            .text
            .contains("(try 3; it waits a little longer each time)"),
        "{}",
        again.text
    );
    // A new fan's page: the join could not be recorded, so no cookie is handed out.
    let page = send_busy_ok(
        api.fan()
            .get(&format!("/s/{SALE}"))
            .header("Accept", "text/html"),
    )
    .await;
    assert_eq!(page.status, 503, "{}", page.describe());
    assert!(page.set_cookies().is_empty(), "no place, no cookie");
    let failing_time = started.elapsed();

    let switched = w.set_fault(SALE, 0, false).await;
    let failed_snapshots = switched["failed_by_kind"]["snapshot"].as_u64().unwrap_or(0);
    let after = w.admin().report(SALE).await;
    // Snapshot requests answered (counted by the sale) and failed by the fault (counted by it).
    let spent = snapshot_requests(&after) - snapshot_requests(&before) + failed_snapshots;
    let seconds = (slow_time + failing_time).as_secs_f64();
    println!(
        "faults: slow 2 s: {slow_polls} polls in {slow_time:.1?}; failing: {failing_polls} polls in \
         {failing_time:.1?}; snapshot requests {} -> {} + {failed_snapshots} failed ({spent} in \
         {seconds:.1} s); by kind {}, failed {}",
        snapshot_requests(&before),
        snapshot_requests(&after),
        after["coordinator_requests_by_kind"],
        switched["failed_by_kind"]
    );
    assert!(slow_polls >= 50 && failing_polls >= 50, "polls answered");
    // About one per second at most, whatever the coordinator does (a second of slack).
    assert!(
        (spent as f64) <= seconds + 2.0,
        "{spent} snapshot requests in {seconds:.1} s"
    );
    // Healthy again: the fan called before the faults still gets their turn.
    let turn = w
        .fan()
        .wait_for_state(SALE, &fans[0].token, "your_turn")
        .await;
    assert!(turn["pass"].is_string(), "{turn}");
    assert_eq!(after["stats"]["waiting"].as_u64(), Some(FANS as u64 - 1));
}
