//! Attacks on the safety net (docs/api.md, "The safety net"; docs/fairness.md), bounded by what
//! reached the origin and by the coordinator's counts:
//! - a script that starts sessions in a burst (dropping its cookies each time) is counted whole:
//!   every session it started is in the coordinator's "new a minute" once the tallies are in, so
//!   it raises the net instead of slipping under it; what passed before the edge knew is within
//!   the bound (arrivals in the tally's second and the snapshot's age);
//! - once the edge's snapshot says the net is up, 0 requests without a valid session reach the
//!   origin: no cookie, a tampered net session, a forged `Waitroom-Session: ...; net` or
//!   `Waitroom-Bypass` header;
//! - a fan cannot send the coordinator forged counts: no route takes a tally (404), the
//!   coordinator's `sessions` requests do not move, and the net stays up.

use crate::protect::{browse, from_origin};
use crate::safety_net::{net_sale, straight_through};
use crate::support::echo_origin::EchoOrigin;
use crate::support::{send, TestWorker};
use reqwest::header::CONTENT_TYPE;
use serde_json::json;
use std::time::Duration;

const THRESHOLD: u64 = 3;
const BURST: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_sessions_raises_the_net_and_nothing_gets_past_it_once_up() {
    let origin = EchoOrigin::start().await;
    let w = TestWorker::start_with_faults().await;
    let api = w.handle();
    api.admin()
        .create_sale_with("shop", net_sale(&api, &origin, THRESHOLD))
        .await;
    api.admin().open_sale("shop").await;

    // The burst, at one instant: the edge's snapshot says down, so each starts a session.
    let burst =
        futures::future::join_all((0..BURST).map(|_| browse(&api, "/store/item", ""))).await;
    let sessions: Vec<String> = burst.iter().map(straight_through).collect();
    // A second and a half later the next start sends the isolate's tally: every session the
    // burst started is counted.
    api.advance(Duration::from_millis(1_500)).await;
    let last = straight_through(&browse(&api, "/store/item", "").await);
    let report = api.admin().report("shop").await;
    assert_eq!(report["net"]["up"], true, "{report}");
    assert_eq!(
        report["net"]["new_sessions_per_min"],
        BURST as u64 + 1,
        "every start counted: {report}"
    );
    let sessions_told = report["coordinator_requests_by_kind"]["sessions"].clone();

    // The edge knows within its snapshot's life; then nothing without a session gets past.
    api.advance(Duration::from_millis(1_500)).await;
    let before = origin.received();
    let tampered = {
        let mut s = last.clone().into_bytes();
        let at = s.len() - 3;
        s[at] = if s[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(s).unwrap()
    };
    for _ in 0..10 {
        assert!(!from_origin(&browse(&api, "/store/item", "").await));
    }
    assert!(!from_origin(&browse(&api, "/store/item", &tampered).await));
    for (name, value) in [
        ("Waitroom-Session", "exp=9999999999; net"),
        ("Waitroom-Bypass", "net"),
        ("Waitroom-Net", "down"),
    ] {
        let forged = send(api.fan().get("/store/item").header(name, value)).await;
        assert!(!from_origin(&forged), "{name}: {}", forged.describe());
    }
    assert_eq!(origin.received(), before, "nothing reached the origin");

    // No route takes a tally from outside: a fan cannot lower the counts.
    let forged_tally = json!({"op": "sessions", "tally": {"gone": {"9999999990": 1000}}});
    for path in [
        "/api/sales/shop/sessions",
        "/api/sales/shop/tally",
        "/api/sales/shop/net",
    ] {
        let reply = send(
            api.fan()
                .post(path)
                .header(CONTENT_TYPE, "application/json")
                .header("X-Waitroom-Protocol", "2")
                .body(forged_tally.to_string()),
        )
        .await;
        assert!(
            reply.status == 404 || reply.status == 405,
            "{path}: {}",
            reply.describe()
        );
    }
    let report = api.admin().report("shop").await;
    assert_eq!(
        report["coordinator_requests_by_kind"]["sessions"],
        sessions_told
    );
    assert_eq!(report["net"]["up"], true);
    assert_eq!(report["net"]["new_sessions_per_min"], BURST as u64 + 1);

    // A session the script already holds keeps passing (sessions are checked at the edge without
    // state: at most `session_s` without renewal, docs/api.md).
    assert!(from_origin(
        &browse(&api, "/store/item", &sessions[0]).await
    ));
}
