//! Admission modes against the real worker: a `rate` sale admits at its rate with no window
//! running (the coordinator's alarm drives it, and fans learn their turn from the edge's
//! snapshot); a `capacity` sale never holds more than its cap while the test, as the origin,
//! completes and releases (by fan id and by the pass's `jti`), and a session never reported ends
//! at `session_s`; a mode changed live takes effect at once. The measured rates are printed
//! (`--nocapture`) for the closing note. Where the rule is a span of time, the worker's clock is
//! moved through it in short steps (docs/api.md, "Testing") instead of the test sleeping.

use crate::support::{eventually, send, verify_pass, Api, Joined, TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Creates `sale` with `admission`, opens it, pauses it, lets `fans` join, and returns them in
/// arrival order; the sale is left paused.
async fn paused_sale_with(api: &Api, sale: &str, extra: Value, fans: usize) -> Vec<Joined> {
    let mut body = json!({ "name": "Modes", "purchase_url": PURCHASE_URL, "presence_ttl_s": 0 });
    for (key, value) in extra.as_object().expect("an object") {
        body[key] = value.clone();
    }
    let created = api.admin().create_sale_with(sale, body).await;
    assert_eq!(created["admission"], extra["admission"], "{created}");
    api.admin().open_sale(sale).await;
    api.admin().control(sale, "pause").await;
    let mut joined = api.fan().join_many(sale, 4, fans / 4).await;
    joined.sort_by_key(|j| j.seq);
    joined
}

fn unix_ms(rfc3339: &str) -> i128 {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .unix_timestamp_nanos()
        / 1_000_000
}

/// Every assignment of `window`, with its admission time (ms), oldest first.
async fn admitted(api: &Api, sale: &str, window: &str) -> Vec<i128> {
    let mut at: Vec<i128> = api
        .origin()
        .assignments(sale, &format!("window={window}&limit=1000"))
        .await
        .iter()
        .map(|a| unix_ms(&a.assigned_at))
        .collect();
    at.sort();
    at
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_sale_admits_at_its_rate_with_no_window_and_a_live_change_takes_effect_at_once() {
    let w = TestWorker::start_with_faults().await;
    let sale = "rate-sale";
    let admission = json!({ "mode": "rate", "per_minute": 120 });
    let fans = paused_sale_with(
        &w,
        sale,
        json!({ "admission": admission, "claim_ttl_s": 3600 }),
        80,
    )
    .await;

    // Windows are refused, naming the mode.
    let refused = send(
        w.origin()
            .post(&format!("/api/origin/sales/{sale}/pull"))
            .json(&json!({ "window": "w1", "max": 5 })),
    )
    .await;
    refused.expect_error(409, "admission_mode", "pull in rate mode");
    assert_eq!(refused.json["admission"], admission, "{}", refused.json);
    let info = send(w.fan().get(&format!("/api/sales/{sale}")))
        .await
        .expect(200, "sale info");
    assert_eq!(info["admission"], admission, "{info}");

    // Open, then nothing but the clock for 20 s: no window, no fan's request. The clock moves a
    // quarter of a second at a time, and each move runs the coordinator's alarm if it is due by
    // then (as the runtime rings it when the clock gets there), never sooner.
    let opened = w.admin().open_sale(sale).await;
    let opened_ms = unix_ms(opened["updated_at"].as_str().expect("updated_at"));
    let opened_at = Duration::from_millis(u64::try_from(opened_ms).expect("after 1970"));
    while w.now() < opened_at + Duration::from_secs(20) {
        w.advance(Duration::from_millis(250)).await;
    }
    let times = admitted(&w, sale, "rate").await;
    let in_20_s = times.iter().filter(|t| **t <= opened_ms + 20_000).count();
    // Two at the opening (one second's burst), then one every 500 ms: at most 42 by the bound,
    // and no fewer than 90% of it.
    assert!(
        (38..=42).contains(&in_20_s),
        "{in_20_s} admitted in the first 20 s at 120 a minute"
    );
    let (first, last) = (times[0], times[times.len() - 1]);
    let measured = (times.len() - 1) as f64 * 60_000.0 / (last - first) as f64;
    println!(
        "[admission] rate 120/min: {} admitted in {:.1} s with no request: {measured:.1}/min measured ({in_20_s} in the first 20 s; bound 42)",
        times.len(),
        (last - first) as f64 / 1000.0
    );
    assert!(
        (100.0..=135.0).contains(&measured),
        "{measured:.1} a minute measured against 120"
    );
    let report = w.admin().report(sale).await;
    assert_eq!(report["stats"]["admission_target_rate"], 2.0, "{report}");

    // The edge tells a fan their turn from its snapshot, and the pass is the same JWT.
    let next = &fans[times.len() + 2];
    let status = w.fan().status(sale, &next.token).await;
    assert_eq!(status["state"], "waiting", "{status}");
    let eta = status["eta_s"]
        .as_u64()
        .expect("an estimate by the schedule");
    assert!(
        eta <= 3,
        "fan 3 places back waits about 1.5 s, not {eta}: {status}"
    );
    let turn = w.fan().wait_for_state(sale, &next.token, "your_turn").await;
    let claims = verify_pass(
        turn["pass"].as_str().expect("pass"),
        sale,
        &w.fan().jwks().await,
    );
    assert_eq!((claims.win.as_str(), claims.seq), ("rate", next.seq));

    // Live: 6000 a minute, from the PUT on; the fans see it from the next snapshot.
    let before = w.admin().report(sale).await["stats"]["assigned"]
        .as_u64()
        .expect("assigned");
    let changed_at = Instant::now();
    let body = json!({ "name": "Modes", "purchase_url": PURCHASE_URL, "presence_ttl_s": 0, "claim_ttl_s": 3600,
        "admission": { "mode": "rate", "per_minute": 6000 } });
    let changed = send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&body),
    )
    .await
    .expect(200, "change the rate");
    assert_eq!(
        changed["admission"],
        json!({"mode": "rate", "per_minute": 6000}),
        "{changed}"
    );
    // 20 more admissions take 0.2 s at the new rate and at least 9.5 s at the old one (one every
    // 0.5 s): seeing them within 5 s (each report also runs the schedule) shows the new rate at
    // work, however the alarm is delayed on a loaded machine.
    let timeout = Duration::from_secs(5).saturating_sub(changed_at.elapsed());
    eventually("20 more admissions at the new rate", timeout, || async {
        let report = w.admin().report(sale).await;
        let after = report["stats"]["assigned"].as_u64().expect("assigned");
        match after >= before + 20 {
            true => Ok(()),
            false => Err(format!("{before} then {after}")),
        }
    })
    .await;
    let last_fan = fans.last().expect("fans");
    w.fan()
        .wait_for_state(sale, &last_fan.token, "your_turn")
        .await;
    println!(
        "[admission] rate changed live to 6000/min: the last fan saw their turn {} ms after the PUT",
        changed_at.elapsed().as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_capacity_sale_never_exceeds_its_cap_and_sessions_end_by_report_jti_or_time() {
    let w = TestWorker::start_with_faults().await;
    let sale = "capacity-sale";
    let admission = json!({ "mode": "capacity", "active": 3, "session_s": 10 });
    let fans = paused_sale_with(
        &w,
        sale,
        json!({ "admission": admission, "claim_ttl_s": 10 }),
        12,
    )
    .await;

    // A watcher polls the report (and so drives nothing the alarm would not) and keeps the most
    // fans ever seen holding an admission.
    let most = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (api, most, stop) = ((*w).clone(), most.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let report = api.admin().report(sale).await;
                let held = report["stats"]["assigned"].as_u64().expect("assigned");
                most.fetch_max(held, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };

    let report = w.admin().open_sale(sale).await;
    assert_eq!(
        (&report["stats"]["assigned"], &report["stats"]["waiting"]),
        (&json!(3), &json!(9)),
        "{report}"
    );
    send(
        w.origin()
            .post(&format!("/api/origin/sales/{sale}/pull"))
            .json(&json!({ "window": "w1", "max": 5 })),
    )
    .await
    .expect_error(409, "admission_mode", "pull in capacity mode");

    // Fans 1 to 3 claim: their passes last the session (10 s), not pass_ttl_s.
    let jwks = w.fan().jwks().await;
    let mut passes = Vec::new();
    for fan in &fans[..3] {
        let turn = w.fan().wait_for_state(sale, &fan.token, "your_turn").await;
        let claims = verify_pass(turn["pass"].as_str().expect("pass"), sale, &jwks);
        assert_eq!(
            (claims.win.as_str(), claims.exp - claims.iat),
            ("capacity", 10)
        );
        passes.push(claims);
    }
    let claimed_at = w.now();

    // The origin completes fan 1 by fan id, and releases fan 2 knowing only its pass (the jti):
    // each end admits the next fan at once.
    let done = w.origin().finish(sale, &fans[0].fan_id, "complete").await;
    assert_eq!(done.expect(200, "complete")["state"], "completed");
    let jti = &passes[1].jti;
    assert_eq!(jti, &format!("{sale}.{}", fans[1].seq));
    let released = w.origin().finish(sale, jti, "release").await;
    let released = released.expect(200, "release by jti");
    assert_eq!(
        (&released["state"], &released["fan_id"]),
        (&json!("released"), &json!(fans[1].fan_id)),
        "{released}"
    );
    w.origin().finish(sale, jti, "complete").await.expect_error(
        409,
        "already_released",
        "the same jti again",
    );
    for unknown in [format!("{sale}.999"), "other-sale.1".to_owned()] {
        w.origin()
            .finish(sale, &unknown, "complete")
            .await
            .expect_error(404, "assignment_not_found", "a jti of no assignment");
    }
    let report = w.admin().report(sale).await;
    assert_eq!(
        (&report["stats"]["assigned"], &report["stats"]["waiting"]),
        (&json!(3), &json!(7)),
        "{report}"
    );

    // Fan 3's session is never reported: it ends 10 s after the claim, by the alarm, and fan 6
    // comes in. Fans 4 and 5 never claim: they lapse at claim_ttl (10 s). The worker's clock
    // moves half a second at a time, and each step is watched (the cap too).
    let step = Duration::from_millis(500);
    let watched = |report: &Value| {
        let held = report["stats"]["assigned"].as_u64().expect("assigned");
        most.fetch_max(held, Ordering::Relaxed);
    };
    let ended = w
        .advancing(
            "fan 3's session ends",
            step,
            Duration::from_secs(20),
            || async {
                watched(&w.admin().report(sale).await);
                let status = w.fan().status(sale, &fans[2].token).await;
                if status["state"] == "lapsed" {
                    Ok(status)
                } else {
                    Err(status.to_string())
                }
            },
        )
        .await;
    assert_eq!(ended["reason"], "expired", "{ended}");
    let session = w.now().saturating_sub(claimed_at);
    assert!(session >= Duration::from_secs(9), "ended after {session:?}");
    println!("[admission] capacity: an unreported session ended {session:?} after the claim (session_s 10, by the worker's clock)");
    let lapsed = w
        .advancing(
            "fans 4 and 5 lapse and three more are admitted",
            step,
            Duration::from_secs(20),
            || async {
                let report = w.admin().report(sale).await;
                watched(&report);
                let s = &report["stats"];
                if s["lapsed"] == 2 && s["expired"] == 1 {
                    Ok(report)
                } else {
                    Err(report.to_string())
                }
            },
        )
        .await;
    assert_eq!(lapsed["stats"]["assigned"], 3, "{lapsed}");
    stop.store(true, Ordering::Relaxed);
    watcher.await.expect("watcher");
    let most = most.load(Ordering::Relaxed);
    println!("[admission] capacity 3: at most {most} held at once over the run");
    assert_eq!(most, 3, "never more than the cap, and the cap was reached");
    let held = w.origin().assignments(sale, "state=assigned").await;
    assert!(held.iter().all(|a| a.window == "capacity"), "{held:?}");
}
