//! The test clock (docs/api.md, "Testing"): a test moves the worker's clock forward instead of
//! sleeping. A worker without the test switch has no such route; with it, every isolate reads the
//! moved clock (the edge's fetch, the full worker's fetch, the Durable Objects), alarms that are
//! due by it have run when the move answers, it never goes back, and a worker started again on the
//! same state is given the same offset.

use crate::support::clock::{rfc3339, unix_now};
use crate::support::{send, Api, TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const CLOCK: &str = "/api/admin/test/clock";
const HOUR: Duration = Duration::from_secs(3_600);

/// An RFC 3339 time of an answer, since the Unix epoch.
fn at(text: &Value) -> Duration {
    let text = text.as_str().unwrap_or_else(|| panic!("a time: {text}"));
    let nanos = OffsetDateTime::parse(text, &Rfc3339)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .unix_timestamp_nanos();
    Duration::from_nanos(u64::try_from(nanos).expect("after 1970"))
}

/// Asserts `time` (an answer's) is the test's notion of the worker's clock, give or take the
/// time requests take on a loaded machine (and the whole seconds of RFC 3339).
fn is_now(api: &Api, time: Duration, what: &str) {
    let now = api.now();
    let (early, late) = (now.saturating_sub(time), time.saturating_sub(now));
    assert!(
        early < Duration::from_secs(10) && late < Duration::from_secs(2),
        "{what}: {time:?}, the worker's clock is {now:?} ({:?} moved)",
        Duration::from_millis(api.clock_offset_ms())
    );
}

/// The edge's clock: `server_time` of the sale's info (answered at the edge, from its snapshot).
async fn edge_time(api: &Api, sale: &str) -> (Duration, Value) {
    let info = send(api.fan().get(&format!("/api/sales/{sale}")))
        .await
        .expect(200, "sale info");
    (at(&info["server_time"]), info)
}

#[tokio::test]
async fn a_worker_without_the_test_switch_has_no_clock_route() {
    let w = TestWorker::start().await;
    for body in [json!({ "advance_ms": 60_000 }), json!({})] {
        send(w.admin().post(CLOCK).json(&body)).await.expect_error(
            404,
            "not_found",
            "the clock of a worker without the switch",
        );
    }
    send(w.fan().post(CLOCK).json(&json!({ "advance_ms": 60_000 })))
        .await
        .expect_error(404, "not_found", "the clock, without a key");
    send(w.admin().get(CLOCK))
        .await
        .expect_error(404, "not_found", "GET the clock");
    // And its clock is the wall clock.
    w.admin().create_sale("no-clock", None).await;
    let (edge, _) = edge_time(&w, "no-clock").await;
    is_now(&w, edge, "the edge's clock");
    assert_eq!(w.clock_offset_ms(), 0);
    assert!(edge < unix_now() + Duration::from_secs(2), "{edge:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_test_clock_moves_every_isolate_and_runs_the_alarms_due() {
    const SALE: &str = "clock";
    let w = TestWorker::start_with_faults().await;
    send(w.fan().post(CLOCK).json(&json!({ "advance_ms": 1 })))
        .await
        .expect_error(401, "unauthorized", "the clock without the admin key");
    for bad in [
        json!({}),
        json!({ "advance_ms": 1, "offset_ms": 1 }),
        json!({ "advance_ms": 1_000_000_000_000_u64 }),
    ] {
        send(w.admin().post(CLOCK).json(&bad)).await.expect_error(
            400,
            "invalid_field",
            &format!("move the clock by {bad}"),
        );
    }
    send(w.admin().post(CLOCK).json(&json!({ "advance_ms": -5 })))
        .await
        .expect_error(400, "bad_json", "a negative move");

    // No sale yet, so no object is told of this move: the objects still read the moved clock, as
    // they run in the full worker's isolate (docs/api.md, "Testing").
    let moved = w.advance(HOUR).await;
    assert_eq!(
        (&moved["offset_ms"], &moved["alarms_run"]),
        (&json!(3_600_000), &json!(0)),
        "{moved}"
    );

    // A sale that opens in an hour, whose turns lapse 10 s after they are handed out.
    let opens_at_s = (w.now() + HOUR).as_secs();
    let body = json!({
        "name": "Clock", "purchase_url": PURCHASE_URL, "opens_at": rfc3339(opens_at_s),
        "claim_ttl_s": 10, "presence_ttl_s": 0,
    });
    let created = w.admin().create_sale_with(SALE, body).await;
    assert_eq!(created["phase"], "scheduled", "{created}");
    is_now(
        &w,
        at(&created["created_at"]),
        "the new coordinator's clock",
    );
    let (edge, info) = edge_time(&w, SALE).await;
    assert_eq!(info["phase"], "scheduled", "{info}");
    is_now(&w, edge, "the edge's clock before the move");
    send(w.fan().post(&format!("/api/sales/{SALE}/join")))
        .await
        .expect_error(409, "not_open", "join an hour early");

    // An hour later, at once.
    let moved = w.advance(HOUR).await;
    assert_eq!(moved["offset_ms"], 7_200_000, "{moved}");
    is_now(
        &w,
        Duration::from_millis(moved["now_ms"].as_u64().expect("now_ms")),
        "the full worker's clock, as it answers the move",
    );
    // The edge's isolate: its own clock, and what it makes of the (older) snapshot.
    let (edge, info) = edge_time(&w, SALE).await;
    is_now(&w, edge, "the edge's clock after the move");
    assert!(edge >= Duration::from_secs(opens_at_s), "{info}");
    assert_eq!(info["phase"], "open", "{info}");
    // The full worker's own fetch: an invitation signed now lasts ttl_s from its clock.
    let invited = send(
        w.admin()
            .post(&format!("/api/admin/sales/{SALE}/invitations"))
            .json(&json!({ "count": 1, "ttl_s": 600 })),
    )
    .await
    .expect(200, "invitations");
    is_now(
        &w,
        at(&invited["expires_at"]).saturating_sub(Duration::from_secs(600)),
        "the full worker's clock",
    );
    // The objects: a fan joins the sale that opened by itself, and is handed out a turn at the
    // coordinator's time.
    let fan = w.fan().join(SALE).await;
    let pulled = w.origin().pull(SALE, "w1", 1, None).await;
    assert_eq!(pulled.assignments.len(), 1, "{pulled:?}");
    let assigned = w.origin().assignments(SALE, "state=assigned").await;
    assert_eq!(assigned[0].fan_id, fan.fan_id, "{assigned:?}");
    is_now(
        &w,
        at(&json!(assigned[0].assigned_at)),
        "the coordinator's clock",
    );

    // Nobody looks: 11 s later by the moved clock, the coordinator's alarm has lapsed the turn.
    let moved = w.advance(Duration::from_secs(11)).await;
    assert_eq!(moved["offset_ms"], 7_211_000, "{moved}");
    assert!(moved["alarms_run"].as_u64() >= Some(1), "{moved}");
    let lapsed = w.origin().assignments(SALE, "state=lapsed").await;
    assert_eq!(
        lapsed.iter().map(|a| &a.fan_id).collect::<Vec<_>>(),
        [&fan.fan_id],
        "the alarm lapsed the turn"
    );

    // Never back: an offset behind the clock is refused; the same one changes nothing.
    send(
        w.admin()
            .post(CLOCK)
            .json(&json!({ "offset_ms": 7_200_000 })),
    )
    .await
    .expect_error(400, "invalid_field", "set the clock back");
    let same = send(
        w.admin()
            .post(CLOCK)
            .json(&json!({ "offset_ms": 7_211_000 })),
    )
    .await
    .expect(200, "the same offset");
    assert_eq!(same["offset_ms"], 7_211_000, "{same}");

    // A worker started again on the same state keeps the test's clock: it never goes back.
    let w = TestWorker::start_with(w.stop()).await;
    assert_eq!(w.clock_offset_ms(), 7_211_000);
    let (edge, info) = edge_time(&w, SALE).await;
    is_now(&w, edge, "the edge's clock after a restart");
    assert_eq!(info["phase"], "open", "{info}");
    let report = w.admin().report(SALE).await;
    assert_eq!(report["stats"]["lapsed"], 1, "{report}");
}
