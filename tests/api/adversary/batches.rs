//! Batched completions (issue 19, docs/api.md "Complete in batches"): an origin finishes up to
//! 100 assignments in one coordinator request. The promises attacked, in one worker start: each
//! item ends as the single route would end it (the same answer, the same webhook), one bad item
//! never fails the others, nothing is finished twice (duplicates in a batch, a whole batch
//! replayed: no second change, no second webhook), ids of another sale, forged numbers, unknown
//! fans, oversized or malformed batches and a wrong origin key change nothing, a batch of 50 is
//! one coordinator request, and in `capacity` mode each completion frees a place.

use super::coordinator_requests;
use crate::support::receiver::Receiver;
use crate::support::worker::WorkerOptions;
use crate::support::{eventually, send, Reply, TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const SALE: &str = "batches";
const OTHER: &str = "batches-other";
const CAPPED: &str = "batches-capped";

async fn finish_many(w: &TestWorker, sale: &str, action: &str, body: Value) -> Reply {
    send(
        w.origin()
            .post(&format!(
                "/api/origin/sales/{sale}/assignments/batch/{action}"
            ))
            .json(&body),
    )
    .await
}

/// The `assignment.completed` (or other) webhooks received so far, counted by fan id.
fn webhooks(receiver: &Receiver, kind: &str) -> BTreeMap<String, usize> {
    let mut by_fan = BTreeMap::new();
    for delivery in receiver.at("/ok") {
        let body = delivery.json();
        if body["type"] == kind {
            let fan = body["data"]["fan_id"].as_str().expect("fan_id").to_owned();
            *by_fan.entry(fan).or_default() += 1;
        }
    }
    by_fan
}

async fn stats(w: &TestWorker, sale: &str) -> Value {
    w.admin().report(sale).await["stats"].clone()
}

/// What finishing changes: the assignments by state.
fn ends(stats: &Value) -> [Value; 3] {
    ["assigned", "completed", "released"].map(|k| stats[k].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_finishes_each_item_once_as_the_single_route_would_in_one_request() {
    let receiver = Receiver::start().await;
    let w = TestWorker::start_with_options(
        WorkerOptions::default().var("WEBHOOK_SIGNING_KEY", "whsec-0123456789abcdefghijklmnop"),
    )
    .await;
    let settings = json!({
        "rate_limit_per_min": 1000,
        "presence_ttl_s": 0,
        "webhook_url": receiver.url("/ok"),
    });
    w.admin().open_sale_with(SALE, settings).await;
    w.admin()
        .open_sale_with(OTHER, json!({ "rate_limit_per_min": 1000 }))
        .await;
    let mut fans = w.fan().join_many(SALE, 4, 15).await;
    fans.sort_by_key(|f| f.seq);
    let stranger = w.fan().join(OTHER).await;
    let pulled = w.origin().pull(SALE, "w1", 60, None).await;
    assert_eq!(pulled.assignments.len(), 60);
    w.origin().pull(OTHER, "w1", 1, None).await;
    let jti = |i: usize| format!("{SALE}.{}", fans[i].seq);

    // The single route, for reference: fan 0 completed.
    let single = w
        .origin()
        .finish(SALE, &fans[0].fan_id, "complete")
        .await
        .expect(200, "single complete");

    // A batch of 50 (fans 2 to 51), by fan id and by jti in turn: one coordinator request.
    let before = w.admin().report(SALE).await;
    let ids: Vec<String> = (2..52)
        .map(|i| {
            if i % 2 == 0 {
                fans[i].fan_id.clone()
            } else {
                jti(i)
            }
        })
        .collect();
    let done = finish_many(&w, SALE, "complete", json!({ "assignments": ids }))
        .await
        .expect(200, "a batch of 50");
    let after = w.admin().report(SALE).await;
    assert_eq!(
        coordinator_requests(&after, "complete_many")
            - coordinator_requests(&before, "complete_many"),
        1,
        "{after}"
    );
    assert_eq!(
        coordinator_requests(&after, "complete"),
        coordinator_requests(&before, "complete"),
        "no single completion was spent"
    );
    assert_eq!(
        (done["finished"].as_u64(), done["refused"].as_u64()),
        (Some(50), Some(0))
    );
    let results = done["results"].as_array().expect("results");
    assert_eq!(results.len(), 50);
    for (i, item) in results.iter().enumerate() {
        let fan = &fans[i + 2];
        assert_eq!(item["id"], ids[i], "request order: {item}");
        assert_eq!(
            (
                &item["fan_id"],
                &item["seq"],
                &item["state"],
                &item["window"]
            ),
            (
                &json!(fan.fan_id),
                &json!(fan.seq),
                &json!("completed"),
                &json!("w1")
            ),
            "{item}"
        );
        // The single route's answer, field for field (plus the id as sent).
        let mut fields: Vec<&String> = item.as_object().unwrap().keys().collect();
        fields.retain(|k| *k != "id");
        let expected: Vec<&String> = single.as_object().unwrap().keys().collect();
        assert_eq!(fields, expected, "{item} against {single}");
    }
    assert_eq!(after["stats"]["completed"], 51, "{after}");

    // Mixed: two valid (52, 53), and every kind of bad item, each refused alone with the single
    // route's code: a finished one, a forged number, a fan of another sale, fan 53 again (by
    // its jti), fan 0 (completed by the single route).
    let forged = format!("{SALE}.999999");
    let mixed = [
        fans[52].fan_id.clone(),
        fans[2].fan_id.clone(),
        forged.clone(),
        stranger.fan_id.clone(),
        fans[53].fan_id.clone(),
        jti(53),
        jti(0),
    ];
    let done = finish_many(&w, SALE, "complete", json!({ "assignments": mixed }))
        .await
        .expect(200, "a mixed batch");
    let codes: Vec<&str> = done["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().or(r["state"].as_str()).unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "completed",
            "already_completed",
            "assignment_not_found",
            "assignment_not_found",
            "completed",
            "already_completed",
            "already_completed",
        ],
        "{done}"
    );
    assert_eq!(
        (done["finished"].as_u64(), done["refused"].as_u64()),
        (Some(2), Some(5))
    );
    for (item, id) in done["results"].as_array().unwrap().iter().zip(&mixed) {
        assert_eq!(&item["id"], id);
        if let Some(code) = item["error"].as_str() {
            assert!(item["message"].is_string(), "{item}");
            // The single route says the same of it.
            let status = if code == "assignment_not_found" {
                404
            } else {
                409
            };
            w.origin()
                .finish(SALE, id, "complete")
                .await
                .expect_error(status, code, id);
        }
    }
    // The other sale's fan was not touched.
    assert_eq!(stats(&w, OTHER).await["assigned"], 1);

    // Whole requests refused (4xx, a JSON error), nothing changed.
    let unchanged = stats(&w, SALE).await;
    let many: Vec<String> = (0..101).map(|_| fans[54].fan_id.clone()).collect();
    let bad: [(Value, &str, &str); 7] = [
        (
            json!({ "assignments": [] }),
            "invalid_field",
            "an empty batch",
        ),
        (json!({ "assignments": many }), "invalid_field", "101 items"),
        (
            json!({ "assignments": [fans[54].fan_id, format!("{OTHER}.1")] }),
            "invalid_field",
            "a jti of another sale",
        ),
        (
            json!({ "assignments": [fans[54].fan_id, "hello"] }),
            "invalid_field",
            "neither a fan id nor a jti",
        ),
        (
            json!({ "assignments": [fans[54].fan_id, 7] }),
            "bad_json",
            "a number",
        ),
        (
            json!({ "assignments": fans[54].fan_id }),
            "bad_json",
            "not a list",
        ),
        (
            json!({ "assignments": [fans[54].fan_id], "outcome": "release" }),
            "bad_json",
            "an unknown field",
        ),
    ];
    for (body, code, what) in bad {
        finish_many(&w, SALE, "complete", body)
            .await
            .expect_error(400, code, what);
    }
    send(
        w.origin()
            .post(&format!(
                "/api/origin/sales/{SALE}/assignments/batch/complete"
            ))
            .header("content-type", "application/json")
            .body("{\"assignments\": [\"fan_"),
    )
    .await
    .expect_error(400, "bad_json", "not JSON");
    let body = json!({ "assignments": [fans[54].fan_id] });
    for key in ["wrong-origin-key", "admin-key-is-not-origin-key"] {
        send(
            w.origin()
                .with_bearer(key)
                .post(&format!(
                    "/api/origin/sales/{SALE}/assignments/batch/complete"
                ))
                .json(&body),
        )
        .await
        .expect_error(401, "unauthorized", "a wrong origin key");
    }
    send(
        w.admin()
            .post(&format!(
                "/api/origin/sales/{SALE}/assignments/batch/complete"
            ))
            .json(&body),
    )
    .await
    .expect_error(401, "unauthorized", "the admin key");
    send(w.origin().get(&format!(
        "/api/origin/sales/{SALE}/assignments/batch/complete"
    )))
    .await
    .expect_error(405, "method_not_allowed", "GET");
    finish_many(&w, SALE, "cancel", body.clone())
        .await
        .expect_error(404, "not_found", "an unknown action");
    assert_eq!(
        ends(&stats(&w, SALE).await),
        ends(&unchanged),
        "nothing changed"
    );

    // The batch of 50 replayed (an origin retrying after a lost answer): nothing twice.
    let replay_before = w.admin().report(SALE).await;
    let replayed = finish_many(&w, SALE, "complete", json!({ "assignments": ids }))
        .await
        .expect(200, "the batch replayed");
    assert_eq!(
        (replayed["finished"].as_u64(), replayed["refused"].as_u64()),
        (Some(0), Some(50))
    );
    assert!(replayed["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["error"] == "already_completed"));
    let replay_after = w.admin().report(SALE).await;
    assert_eq!(ends(&replay_after["stats"]), ends(&replay_before["stats"]));

    // A batch of releases: the windows are free.
    let released = finish_many(
        &w,
        SALE,
        "release",
        json!({ "assignments": [jti(55), fans[56].fan_id, jti(52)] }),
    )
    .await
    .expect(200, "a batch of releases");
    let states: Vec<&str> = released["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().or(r["state"].as_str()).unwrap())
        .collect();
    assert_eq!(states, ["released", "released", "already_completed"]);

    // Webhooks: one `assignment.completed` per fan completed (the single one, the 50, the two
    // of the mixed batch), none for the replay. Fan 57's completion, sent last, marks the end.
    w.origin()
        .finish(SALE, &fans[57].fan_id, "complete")
        .await
        .expect(200, "the last completion");
    let mut completed: Vec<usize> = (0..1).chain(2..54).collect();
    completed.push(57);
    let sent = eventually(
        "a webhook per completion",
        Duration::from_secs(20),
        || async {
            let sent = webhooks(&receiver, "assignment.completed");
            if completed
                .iter()
                .all(|i| sent.contains_key(&fans[*i].fan_id))
            {
                Ok(sent)
            } else {
                Err(format!("{} of {}", sent.len(), completed.len()))
            }
        },
    )
    .await;
    assert_eq!(
        sent.len(),
        completed.len(),
        "no webhook for a fan not completed"
    );
    assert!(sent.values().all(|n| *n == 1), "one webhook each: {sent:?}");
    let releases = webhooks(&receiver, "assignment.released");
    assert!(
        releases.len() <= 2 && releases.values().all(|n| *n == 1),
        "{releases:?}"
    );

    // `capacity` mode: each completion of a batch admits the next fan, never past the cap.
    let capacity = json!({ "mode": "capacity", "active": 3, "session_s": 60 });
    let body = json!({ "name": "Capped", "purchase_url": PURCHASE_URL, "admission": capacity,
        "presence_ttl_s": 0, "rate_limit_per_min": 1000 });
    w.admin().create_sale_with(CAPPED, body).await;
    w.admin().open_sale(CAPPED).await;
    w.admin().control(CAPPED, "pause").await;
    let mut capped = w.fan().join_many(CAPPED, 2, 4).await;
    capped.sort_by_key(|f| f.seq);
    let report = w.admin().open_sale(CAPPED).await;
    assert_eq!(
        (&report["stats"]["assigned"], &report["stats"]["waiting"]),
        (&json!(3), &json!(5))
    );
    let ids: Vec<String> = capped[..3]
        .iter()
        .map(|f| format!("{CAPPED}.{}", f.seq))
        .collect();
    let done = finish_many(&w, CAPPED, "complete", json!({ "assignments": ids }))
        .await
        .expect(200, "a capacity batch");
    assert_eq!(done["finished"], 3, "{done}");
    let s = stats(&w, CAPPED).await;
    assert_eq!(
        (&s["assigned"], &s["waiting"], &s["completed"]),
        (&json!(3), &json!(2), &json!(3)),
        "{s}"
    );
}
