//! Events out through the queue (issue 11): signed webhooks to a sale's `webhook_url`, retried
//! with backoff, dead-lettered after the last retry, a hanging receiver cut off by a timeout,
//! and a message no one can decode acknowledged and counted without blocking the others.

use crate::support::receiver::{Received, Receiver};
use crate::support::worker::WorkerOptions;
use crate::support::{eventually, send, Api, TestWorker, PURCHASE_URL};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::Duration;

const SIGNING_KEY: &str = "whsec-0123456789abcdefghijklmnopqrstuvwxyz";
/// 1 try + `max_retries` (3) in wrangler.toml.
const ATTEMPTS: usize = 4;

fn expected_signature(timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SIGNING_KEY.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let digest = mac.finalize().into_bytes();
    format!(
        "v1={}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// Checks the signature and headers of one delivery; its body.
fn verified(delivery: &Received) -> Value {
    let header = |name: &str| {
        delivery
            .headers
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing: {delivery:?}"))
            .clone()
    };
    let timestamp = header("x-waitroom-timestamp");
    assert_eq!(
        header("x-waitroom-signature"),
        expected_signature(&timestamp, &delivery.body),
        "signature over timestamp.body"
    );
    let body = delivery.json();
    assert_eq!(body["id"], header("x-waitroom-event-id"), "{body}");
    for field in ["id", "type", "sale", "at", "data"] {
        assert!(!body[field].is_null(), "{field} in {body}");
    }
    body
}

async fn deliveries(w: &Api) -> Value {
    let report = send(w.admin().get("/api/admin/monitor"))
        .await
        .expect(200, "monitor");
    report["deliveries"].clone()
}

async fn hooked_sale(w: &Api, sale: &str, url: String) {
    let body = json!({ "name": sale, "purchase_url": PURCHASE_URL, "webhook_url": url });
    let report = w.admin().create_sale_with(sale, body).await;
    assert_eq!(report["webhook_url"], url, "{report}");
}

/// A credential in the failing receiver's URL (its query), which no log may show.
const CREDENTIAL: &str = "hook-credential-7f3a";
const FAILING: &str = "/fail?key=hook-credential-7f3a";

#[tokio::test]
async fn events_are_delivered_signed_and_bad_messages_never_block_the_rest() {
    let receiver = Receiver::start().await;
    let w = TestWorker::start_with_options(
        WorkerOptions::default()
            .var("WEBHOOK_SIGNING_KEY", SIGNING_KEY)
            .var("WEBHOOK_TIMEOUT_MS", 1000)
            .var("WAITROOM_TEST_FAULTS", 1),
    )
    .await;

    // A webhook_url is validated like purchase_url.
    let bad =
        json!({ "name": "x", "purchase_url": PURCHASE_URL, "webhook_url": "ftp://x.example/" });
    send(w.admin().put("/api/admin/sales/bad").json(&bad))
        .await
        .expect_error(400, "invalid_field", "ftp webhook_url");

    // A poison message first: it must not hold up what follows.
    send(w.fan().post("/__test/events/poison"))
        .await
        .expect(202, "poison message queued");

    // A receiver that answers 500, one that never answers, and one that takes them.
    // The failing receiver's URL carries a credential, as real webhook URLs often do: it must
    // never reach a log.
    hooked_sale(&w, "fails", receiver.url(FAILING)).await;
    hooked_sale(&w, "hangs", receiver.url("/hang")).await;
    hooked_sale(&w, "works", receiver.url("/ok")).await;
    w.admin().open_sale("fails").await;
    w.admin().open_sale("hangs").await;
    w.admin().open_sale("works").await;
    let fan = w.fan().join("works").await;
    let pulled = w.origin().pull("works", "w1", 1, None).await;
    assert_eq!(pulled.assignments.len(), 1);
    w.origin()
        .finish("works", &fan.fan_id, "complete")
        .await
        .expect(200, "complete");

    // Delivered and signed, despite the poison and the bad receivers. Queues keep no order: a
    // receiver orders by `at`.
    let delivered = eventually("three events at /ok", Duration::from_secs(20), || async {
        let got = receiver.at("/ok");
        if got.len() >= 3 {
            Ok(got)
        } else {
            Err(format!("{} so far", got.len()))
        }
    })
    .await;
    let mut bodies: Vec<Value> = delivered.iter().map(verified).collect();
    // By the instant `at` names: RFC 3339 texts with and without a fraction of a second do not
    // sort as strings ("…48Z" is before "…48.148Z").
    bodies.sort_by_key(|b| {
        let at = b["at"].as_str().unwrap();
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("at {at}: {e}"))
    });
    let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["sale.phase_changed", "fan.admitted", "assignment.completed"],
        "{bodies:?}"
    );
    assert_eq!(
        bodies[0]["data"],
        json!({"from": "scheduled", "to": "open"})
    );
    assert_eq!(bodies[1]["data"]["fan_id"], fan.fan_id.as_str());
    assert_eq!(bodies[2]["data"]["state"], "completed");
    assert!(bodies.iter().all(|b| b["sale"] == "works"));

    // 500 and hang: retried with backoff until the last retry, then dead-lettered (one each).
    let counts = eventually("two dead letters", Duration::from_secs(60), || async {
        let counts = deliveries(&w).await;
        if counts["dead_lettered"] == 2 {
            Ok(counts)
        } else {
            Err(format!("{counts}"))
        }
    })
    .await;
    for path in [FAILING, "/hang"] {
        let attempts = receiver.at(path);
        assert_eq!(attempts.len(), ATTEMPTS, "{path}: every attempt, no more");
        let ids: Vec<&String> = attempts
            .iter()
            .map(|a| &a.headers["x-waitroom-event-id"])
            .collect();
        assert!(
            ids.iter().all(|id| *id == ids[0]),
            "{path}: one event: {ids:?}"
        );
        verified(&attempts[0]);
    }
    let log = w.log_text();
    assert!(log.contains("retried in"), "the failures were logged");
    assert!(
        !log.contains(CREDENTIAL),
        "a webhook URL's credential reached the log"
    );
    assert_eq!(counts["poison"], 1, "{counts}");
    assert_eq!(counts["delivered"], 3, "{counts}");
    assert_eq!(counts["retried"], 2 * ATTEMPTS as u64, "{counts}");
}

/// Events are written with the change that made them and sent from there: a queue that refuses
/// them loses none; they go out once it takes them again (issue 17: dropped on a failed
/// `sendBatch`).
#[tokio::test]
async fn events_a_refusing_queue_did_not_take_are_kept_and_sent_later() {
    let receiver = Receiver::start().await;
    let w = TestWorker::start_with_options(
        WorkerOptions::default()
            .var("WEBHOOK_SIGNING_KEY", SIGNING_KEY)
            .var("WAITROOM_TEST_FAULTS", 1),
    )
    .await;
    let sale = "kept";
    hooked_sale(&w, sale, receiver.url("/ok-kept")).await;
    let refuse = |on: bool| {
        send(
            w.admin()
                .put(&format!("/api/admin/sales/{sale}/fault"))
                .json(&json!({ "refuse_events": on })),
        )
    };
    refuse(true).await.expect(200, "the queue refuses");
    w.admin().open_sale(sale).await;
    let fan = w.fan().join(sale).await;
    w.origin().pull(sale, "w1", 1, None).await;
    w.origin()
        .finish(sale, &fan.fan_id, "complete")
        .await
        .expect(200, "complete");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(receiver.at("/ok-kept").is_empty(), "nothing went out");

    // The queue takes them again: every one goes out, once.
    refuse(false).await.expect(200, "the queue takes them");
    w.admin().report(sale).await;
    let delivered = eventually("three kept events", Duration::from_secs(30), || async {
        let got = receiver.at("/ok-kept");
        if got.len() >= 3 {
            Ok(got)
        } else {
            Err(format!("{} so far", got.len()))
        }
    })
    .await;
    let mut types: Vec<String> = delivered
        .iter()
        .map(|d| verified(d)["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["assignment.completed", "fan.admitted", "sale.phase_changed"],
        "{delivered:?}"
    );
}
