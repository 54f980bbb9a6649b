//! Move my place (docs/api.md, "Move my place"), attacked: a moved place is never live in two
//! hands. The old device cannot poll, claim, join, hold a socket or make a link with its token;
//! a link is used once, within its 5 minutes, for its own sale, unaltered; a place moves at most 3
//! times and not after its turn's pass is out. And the cost: making a link costs no coordinator
//! request, a move costs one.

use super::open_sale_with;
use crate::support::socket::{self, Event, Opened};
use crate::support::{eventually, send, Reply, TestWorker};
use reqwest::header::COOKIE;
use serde_json::{json, Value};
use std::time::Duration;

const SALE: &str = "moving";

fn requests(report: &Value, kind: &str) -> u64 {
    report["coordinator_requests_by_kind"][kind]
        .as_u64()
        .unwrap_or(0)
}

async fn link(w: &TestWorker, sale: &str, token: &str) -> Reply {
    send(
        w.fan()
            .with_bearer(token)
            .post(&format!("/api/sales/{sale}/move-link")),
    )
    .await
}

async fn take(w: &TestWorker, sale: &str, code: &str) -> Reply {
    send(
        w.fan()
            .post(&format!("/api/sales/{sale}/move"))
            .json(&json!({ "code": code })),
    )
    .await
}

/// Moves `token`'s place to a new device: the new token.
async fn moved(w: &TestWorker, sale: &str, token: &str) -> String {
    let code = link(w, sale, token).await.expect(201, "move link")["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = take(w, sale, &code).await.expect(200, "move");
    answer["token"].as_str().unwrap().to_owned()
}

async fn state_of(w: &TestWorker, token: &str) -> Value {
    w.fan().status(SALE, token).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_moved_place_is_never_live_in_two_hands() {
    let w = TestWorker::start_with_faults().await;
    open_sale_with(&w, SALE, json!({})).await;
    open_sale_with(&w, "other", json!({})).await;
    let a = w.fan().join(SALE).await;
    let b = w.fan().join(SALE).await;
    let mut a_socket = socket::open_watching(&w.base, SALE, &a.token).await;

    // A link costs the coordinator nothing; taking the place over costs one `move`.
    let before = w.admin().report(SALE).await;
    let made = link(&w, SALE, &a.token).await.expect(201, "move link");
    let code = made["code"].as_str().unwrap().to_owned();
    assert_eq!(made["moves_left"], 2, "{made}");
    let url = made["url"].as_str().unwrap();
    assert!(url.ends_with(&format!("/s/{SALE}/move#{code}")), "{url}");
    let taken = take(&w, SALE, &code).await;
    let cookie = taken.cookie(&format!("__Host-wr_{SALE}"));
    let answer = taken.expect(200, "move");
    assert!(cookie.is_some(), "the new device gets the place's cookie");
    assert_eq!(
        (answer["seq"].as_u64(), answer["hand"].as_u64()),
        (Some(a.seq), Some(1))
    );
    assert_eq!(answer["fan_id"], a.fan_id.as_str());
    let a_new = answer["token"].as_str().unwrap().to_owned();
    let after = w.admin().report(SALE).await;
    let moves = requests(&after, "move") - requests(&before, "move");
    let claims = requests(&after, "claim") - requests(&before, "claim");
    println!(
        "moved_place: a move cost {moves} move request(s), {claims} claims; by kind {}",
        after["coordinator_requests_by_kind"]
    );
    assert_eq!((moves, claims), (1, 0));

    // The old device's socket is closed at once, and a new one is refused.
    match socket::next(&mut a_socket).await {
        Event::Closed { code, reason } => {
            assert_eq!((code, reason.as_str()), (4010, "place_moved"))
        }
        other => panic!("expected the old hand's socket closed, got {other:?}"),
    }
    match socket::open(&w.base, SALE, &a.token).await {
        Opened::Refused(status, body) => {
            assert_eq!((status, &body["error"]), (409, &json!("place_moved")))
        }
        Opened::Socket(mut s) => match socket::next(&mut s).await {
            Event::Closed { code, .. } => assert_eq!(code, 4010),
            other => panic!("the old hand holds a socket: {other:?}"),
        },
    }
    // The link works once.
    take(&w, SALE, &code)
        .await
        .expect_error(409, "place_moved", "the same link again");

    // The old device learns it from the snapshot (at most a second or so old), the new one has
    // the place where it stood.
    eventually(
        "the edge sees the move",
        Duration::from_secs(10),
        || async {
            let s = state_of(&w, &a.token).await;
            (s["state"] == "moved").then_some(()).ok_or(format!("{s}"))
        },
    )
    .await;
    let s = state_of(&w, &a_new).await;
    assert_eq!(
        (s["state"].as_str(), s["position"].as_u64()),
        (Some("waiting"), Some(1)),
        "{s}"
    );
    send(
        w.fan()
            .with_bearer(&a.token)
            .post(&format!("/api/sales/{SALE}/join")),
    )
    .await
    .expect_error(409, "place_moved", "the old token joins");
    link(&w, SALE, &a.token)
        .await
        .expect_error(409, "place_moved", "the old token makes a link");

    // The turn: the old hand's claim is refused by the coordinator, the new hand gets the pass.
    w.origin().pull(SALE, "w1", 1, None).await;
    let s = state_of(&w, &a.token).await;
    assert_eq!(s["state"], "moved", "the old hand claims the turn: {s}");
    assert!(s.get("pass").is_none(), "{s}");
    let turn = w.fan().wait_for_state(SALE, &a_new, "your_turn").await;
    assert!(turn["pass"].is_string(), "{turn}");
    // Its pass is out: the place moves no more.
    let late = link(&w, SALE, &a_new)
        .await
        .expect(201, "a link after the claim");
    take(&w, SALE, late["code"].as_str().unwrap())
        .await
        .expect_error(409, "turn_taken", "a move after the claim");
    let s = state_of(&w, &a.token).await;
    assert_eq!(
        s["state"], "moved",
        "the old hand, after the new one claimed: {s}"
    );

    // At most 3 moves; an older hand's link dies when the place moves on.
    let b1 = moved(&w, SALE, &b.token).await;
    let stale = link(&w, SALE, &b1).await.expect(201, "a link of hand 1")["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let b2 = moved(&w, SALE, &b1).await;
    take(&w, SALE, &stale).await.expect_error(
        409,
        "place_moved",
        "hand 1's link after hand 1 moved on",
    );
    let b3 = moved(&w, SALE, &b2).await;
    link(&w, SALE, &b3)
        .await
        .expect_error(409, "moves_used_up", "a fourth move");

    // Forged, foreign and expired links.
    let c = w.fan().join(SALE).await;
    let code = link(&w, SALE, &c.token).await.expect(201, "c's link")["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut altered = code.clone().into_bytes();
    let i = 5;
    altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
    take(&w, SALE, std::str::from_utf8(&altered).unwrap())
        .await
        .expect_error(400, "move_link_invalid", "an altered code");
    take(&w, "other", &code)
        .await
        .expect_error(400, "move_link_invalid", "another sale's code");
    take(&w, SALE, "m1.x.y")
        .await
        .expect_error(400, "move_link_invalid", "junk");
    // The pages, without JavaScript: the waiting page's form gives the link and the code as
    // text; the other device types the code into its form and gets the place's cookie.
    let d = w.fan().join(SALE).await;
    let page = send(
        w.fan()
            .post(&format!("/s/{SALE}/move-link"))
            .header(COOKIE, format!("__Host-wr_{SALE}={}", d.token)),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.describe());
    let html = page.text.clone();
    let typed = html
        .split("id=\"move-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("the code as text: {html}"))
        .to_owned();
    assert_eq!(
        send(w.fan().get(&format!("/s/{SALE}/move"))).await.status,
        200
    );
    let taken = send(
        w.fan()
            .post(&format!("/s/{SALE}/move"))
            .form(&[("code", typed.as_str())]),
    )
    .await;
    assert_eq!(taken.status, 303, "{}", taken.describe());
    let cookie = taken
        .cookie(&format!("__Host-wr_{SALE}"))
        .expect("the place's cookie");
    let s = state_of(&w, &cookie.value).await;
    assert_eq!(
        (s["state"].as_str(), s["seq"].as_u64()),
        (Some("waiting"), Some(d.seq)),
        "{s}"
    );
    // The same code again: the page says why, in the fan's language, and nothing changes.
    let again = send(
        w.fan()
            .post(&format!("/s/{SALE}/move"))
            .header("Accept-Language", "de")
            .form(&[("code", typed.as_str())]),
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.describe());
    assert!(
        again.text.contains("Dieser Link wurde schon benutzt"),
        "{}",
        again.text
    );
    assert!(again.cookie(&format!("__Host-wr_{SALE}")).is_none());

    w.advance(Duration::from_secs(301)).await;
    take(&w, SALE, &code)
        .await
        .expect_error(410, "move_link_expired", "a code past its 5 minutes");
    let s = state_of(&w, &c.token).await;
    assert_eq!(s["state"], "waiting", "nothing moved c's place: {s}");
}
