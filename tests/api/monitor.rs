//! The synthetic fan (issue 11): the Cron Trigger's run, through `wrangler dev --test-scheduled`'s
//! `/__scheduled`, with a local stand-in receiving the alerts. The cron is the full worker's
//! (wrangler.toml), and locally `/__scheduled` runs the cron of the worker on the port only, so
//! this test runs the full worker alone (it serves every route itself, as after a rollback to it).

use crate::support::receiver::Receiver;
use crate::support::worker::WorkerOptions;
use crate::support::{send, PURCHASE_URL};
use crate::support::{Api, TestWorker};
use serde_json::{json, Value};

/// One Cron Trigger run; answered once the run is recorded.
async fn run_cron(w: &Api) {
    let reply = w
        .client
        .get(format!("{}/__scheduled?cron=*+*+*+*+*", w.base))
        .send()
        .await
        .expect("GET /__scheduled");
    assert_eq!(reply.status(), 200, "/__scheduled");
}

async fn monitor(w: &Api) -> Value {
    send(w.admin().get("/api/admin/monitor"))
        .await
        .expect(200, "GET /api/admin/monitor")
}

fn texts(receiver: &Receiver) -> Vec<String> {
    receiver
        .at("/alerts")
        .iter()
        .map(|r| {
            let body = r.json();
            body["text"]
                .as_str()
                .unwrap_or_else(|| panic!("alert has a text: {body}"))
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_healthy_fan_stays_quiet_a_broken_funnel_alerts_once_and_recovery_is_told() {
    let receiver = Receiver::start().await;
    let w = TestWorker::start_with_options(
        WorkerOptions::default()
            .full_worker_only()
            .arg("--test-scheduled")
            .var("ALERT_WEBHOOK_URL", receiver.url("/alerts"))
            .var("MONITOR_SLOW_MS", 5000),
    )
    .await;

    // Healthy: the whole funnel, timed, and no alert.
    run_cron(&w).await;
    let report = monitor(&w).await;
    assert_eq!(report["threshold_ms"], 5000, "{report}");
    assert_eq!(report["canary_sale"], "canary", "{report}");
    let run = &report["runs"][0];
    assert_eq!(run["outcome"], "ok", "{report}");
    println!("healthy run: {run}");
    for step in ["join_ms", "pull_ms", "claim_ms", "complete_ms", "total_ms"] {
        assert!(run[step].is_u64(), "{step} timed: {run}");
    }
    assert!(report["incident"].is_null(), "{report}");
    assert!(texts(&receiver).is_empty(), "a healthy run alerts nobody");

    // The canary is kept out of the dashboard's sales list (and so its stats).
    let sales = send(w.admin().get("/api/admin/sales"))
        .await
        .expect(200, "list sales");
    assert_eq!(sales["sales"], json!([]), "canary not listed: {sales}");
    // Its id is reserved.
    let body = json!({ "name": "Mine", "purchase_url": PURCHASE_URL });
    let refused = send(w.admin().put("/api/admin/sales/canary").json(&body)).await;
    refused.expect_error(400, "invalid_field", "PUT the canary");
    assert_eq!(refused.json["field"], "id", "{}", refused.describe());
    // And the report needs the admin key.
    send(w.fan().get("/api/admin/monitor")).await.expect_error(
        401,
        "unauthorized",
        "monitor without a key",
    );

    // Broken funnel: a promoter pauses the canary, so its window pulls nobody.
    w.admin().control("canary", "pause").await;
    run_cron(&w).await;
    run_cron(&w).await;
    let alerts = texts(&receiver);
    assert_eq!(alerts.len(), 1, "one alert within two runs: {alerts:?}");
    assert!(
        alerts[0].contains("ALERT") && alerts[0].contains("pull"),
        "{alerts:?}"
    );
    let report = monitor(&w).await;
    assert_eq!(report["runs"][0]["outcome"], "failed", "{report}");
    assert!(report["runs"][0]["pull_ms"].is_null(), "{report}");
    assert_eq!(report["incident"]["alerted"], true, "{report}");
    assert!(report["incident"]["runs"].as_u64() >= Some(2), "{report}");
    // Still broken: still one alert for the incident.
    run_cron(&w).await;
    assert_eq!(texts(&receiver).len(), 1, "once per incident");

    // Fixed: the next run comes through and says so, once.
    w.admin().open_sale("canary").await;
    run_cron(&w).await;
    let alerts = texts(&receiver);
    assert_eq!(alerts.len(), 2, "a recovery message: {alerts:?}");
    assert!(alerts[1].contains("RECOVERED"), "{alerts:?}");
    for text in &alerts {
        println!("the stand-in received: {text}");
    }
    let report = monitor(&w).await;
    assert_eq!(report["runs"][0]["outcome"], "ok", "{report}");
    assert!(report["incident"].is_null(), "{report}");
    assert!(report["runs"].as_array().unwrap().len() >= 5, "{report}");
    run_cron(&w).await;
    assert_eq!(texts(&receiver).len(), 2, "healthy again: quiet");

    // A sale may have a webhook only where webhooks can be signed (no WEBHOOK_SIGNING_KEY here).
    let body = json!({ "name": "Hooked", "purchase_url": PURCHASE_URL, "webhook_url": receiver.url("/hooks") });
    let reply = w
        .admin()
        .put("/api/admin/sales/hooked")
        .json(&body)
        .send()
        .await
        .expect("PUT a sale with a webhook_url");
    assert_eq!(reply.status(), 500, "webhook_url without a signing key");
    let error: Value = reply.json().await.expect("error JSON");
    assert_eq!(error["error"], "server_misconfigured", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("WEBHOOK_SIGNING_KEY"),
        "{error}"
    );
}
