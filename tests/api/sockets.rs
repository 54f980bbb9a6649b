//! The turn, pushed (docs/api.md, "The turn, pushed"): a fan near the front holds a WebSocket to
//! the sale's coordinator and gets `your_turn` with the pass when a window pulls them; fans further
//! back are refused and poll; an open socket is presence and its close ends it; a refused socket
//! loses nothing, since polling reaches the same turn.

use crate::support::fan::Polling;
use crate::support::socket::{self, Event, Opened};
use crate::support::{send, verify_pass, Joined, TestWorker};
use serde_json::{json, Value};
use std::time::Duration;

async fn open_sale_with(w: &TestWorker, sale: &str, extra: Value) {
    w.admin().open_sale_with(sale, extra).await;
}

async fn join_n(w: &TestWorker, sale: &str, n: usize) -> Vec<Joined> {
    let mut fans = Vec::with_capacity(n);
    for _ in 0..n {
        fans.push(w.fan().join(sale).await);
    }
    fans
}

/// The socket's next event is `your_turn`, then its close (1000).
async fn expect_turn(stream: &mut socket::Stream) -> Value {
    let turn = match socket::next(stream).await {
        Event::Message(m) if m["type"] == "your_turn" => m,
        other => panic!("expected your_turn, got {other:?}"),
    };
    match socket::next(stream).await {
        Event::Closed { code, reason } => {
            assert_eq!((code, reason.as_str()), (1000, "your_turn"))
        }
        other => panic!("expected the close after your_turn, got {other:?}"),
    }
    turn
}

/// The socket is refused before the upgrade with `status` and the error `code` (a WebSocket
/// client sees the status; the JSON body is read with a plain request carrying the upgrade
/// header).
async fn refused(w: &TestWorker, sale: &str, token: &str, status: u16, code: &str) {
    match socket::open(&w.base, sale, token).await {
        Opened::Refused(got, _) => assert_eq!(got, status, "{code}"),
        Opened::Socket(_) => panic!("a socket where {code} was expected"),
    }
    send(
        w.fan()
            .with_bearer(token)
            .get(&format!("/api/sales/{sale}/socket"))
            .header("Upgrade", "websocket"),
    )
    .await
    .expect_error(status, code, "socket refusal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_near_front_socket_gets_its_turn_pushed_and_far_fans_are_refused() {
    let w = TestWorker::start().await;
    let sale = "pushed";
    open_sale_with(&w, sale, json!({})).await;
    let fans = join_n(&w, sale, 25).await;

    // The status says who may open a socket: the 20 nearest the front.
    let near = w.fan().status(sale, &fans[0].token).await;
    assert_eq!(
        near["socket_url"],
        format!("/api/sales/{sale}/socket"),
        "{near}"
    );
    let far = w.fan().status(sale, &fans[24].token).await;
    assert!(far.get("socket_url").is_none(), "{far}");

    // Refusals before the upgrade, each a JSON error: nothing reaches the object.
    refused(&w, sale, &fans[24].token, 409, "not_near_front").await;
    refused(&w, sale, "not-a-token", 401, "bad_token").await;
    let foreign = send(
        w.fan()
            .with_bearer(&fans[0].token)
            .get(&format!("/api/sales/{sale}/socket"))
            .header("Upgrade", "websocket")
            .header("Origin", "https://evil.example"),
    )
    .await;
    foreign.expect_error(403, "cross_site", "a socket opened by another site");
    send(w.fan().get(&format!("/api/sales/{sale}/socket")))
        .await
        .expect_error(426, "upgrade_required", "socket without upgrade");

    // Fan 1 watches; fan 2 only polls.
    let mut watching = socket::open_watching(&w.base, sale, &fans[0].token).await;
    let pulled = w.origin().pull(sale, "w1", 2, None).await;
    assert_eq!(pulled.assignments.len(), 2);
    let turn = expect_turn(&mut watching).await;
    assert_eq!(turn["window"], "w1", "{turn}");
    let pass = turn["pass"].as_str().expect("pass");
    let claims = verify_pass(pass, sale, &w.fan().jwks().await);
    assert_eq!(
        (claims.sub.as_str(), claims.seq),
        (fans[0].fan_id.as_str(), fans[0].seq)
    );
    let url = turn["purchase_url"].as_str().expect("purchase_url");
    assert!(
        url.starts_with(crate::support::PURCHASE_URL) && url.ends_with(&format!("pass={pass}")),
        "{url}"
    );
    // The status answers the same turn, with the same pass.
    let status = w
        .fan()
        .wait_for_state(sale, &fans[0].token, "your_turn")
        .await;
    assert_eq!(status["pass"], turn["pass"], "{status}");
    assert_eq!(
        status["pass_expires_at"], turn["pass_expires_at"],
        "{status}"
    );
    // The fan who only polls gets theirs by polling.
    let polled = w
        .fan()
        .wait_for_state(sale, &fans[1].token, "your_turn")
        .await;
    verify_pass(
        polled["pass"].as_str().unwrap(),
        sale,
        &w.fan().jwks().await,
    );

    // A fan whose number was reached is told to poll instead.
    refused(&w, sale, &fans[0].token, 409, "turn_reached").await;
    // The report counts socket requests.
    let report = w.admin().report(sale).await;
    assert_eq!(
        report["coordinator_requests_by_kind"]["socket"], 1,
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_socket_is_presence_and_closing_it_ends_presence() {
    let w = TestWorker::start_with_faults().await;
    let sale = "presence-sockets";
    open_sale_with(&w, sale, json!({"presence_ttl_s": 10})).await;
    let fans = join_n(&w, sale, 4).await;
    // Fan 1 holds a socket and never polls; fan 2 opens one and closes it; fan 3 polls (which
    // also keeps the coordinator awake: an object left alone with only hibernatable sockets
    // hibernates and, like any restart, gives everyone near the front a fresh grace period);
    // fan 4 does nothing.
    let _polling = Polling::start(w.fan(), sale, &[&fans[2].token]);
    let mut holding = socket::open_watching(&w.base, sale, &fans[0].token).await;
    let closing = socket::open_watching(&w.base, sale, &fans[1].token).await;
    socket::close(closing).await;
    // Longer than presence_ttl_s: the rule under test is a span of time. The worker's clock moves
    // through it a second at a time (docs/api.md, "Testing"), and fan 3 polls after each second
    // of it, as their page does.
    for _ in 0..12 {
        w.advance(Duration::from_secs(1)).await;
        w.fan().status(sale, &fans[2].token).await;
    }
    let pulled = w.origin().pull(sale, "w1", 4, None).await;
    let seqs: Vec<u64> = pulled.assignments.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs,
        [fans[0].seq, fans[2].seq],
        "the socket holder and the poller were there"
    );
    expect_turn(&mut holding).await;
    let gone = w.fan().wait_for_state(sale, &fans[1].token, "lapsed").await;
    assert_eq!(
        gone["reason"], "left",
        "a closed socket is presence no more: {gone}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sockets_outlive_a_quiet_spell_and_every_pulled_one_gets_its_turn() {
    let w = TestWorker::start().await;
    let sale = "quiet-sockets";
    open_sale_with(&w, sale, json!({})).await;
    let fans = join_n(&w, sale, 6).await;
    // Fans 2 to 6 hold sockets; fan 1 (at the front) has none and says nothing.
    let mut holding = Vec::new();
    for fan in &fans[1..] {
        holding.push(socket::open_watching(&w.base, sale, &fan.token).await);
    }
    // Nothing reaches the object for a while: locally it hibernates after about 10 s and leaves
    // memory (its sockets stay open). Real time: the runtime hibernates an idle object by its
    // own clock, which the test clock does not move.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let pulled = w.origin().pull(sale, "w1", 4, None).await;
    let seqs: Vec<u64> = pulled.assignments.iter().map(|a| a.seq).collect();
    // Fan 1 too (still within their presence grace, `presence_ttl_s` 30 s): then fans 2, 3 and 4, whose
    // turns come on their sockets, each with the pass of its own number.
    assert_eq!(seqs, [fans[0].seq, fans[1].seq, fans[2].seq, fans[3].seq]);
    let jwks = w.fan().jwks().await;
    for (stream, fan) in holding.iter_mut().zip(&fans[1..4]) {
        let turn = expect_turn(stream).await;
        let claims = verify_pass(turn["pass"].as_str().unwrap(), sale, &jwks);
        assert_eq!(claims.seq, fan.seq);
    }
    // The object did leave memory (it counted the open sockets again when the pull woke it),
    // and the socket of fan 5, not pulled, is still watched.
    let log = crate::support::assertions::debug_log_text(&w);
    assert!(
        log.contains("coordinator (re)started with 5 open sockets"),
        "the quiet spell did not make the coordinator hibernate: {}",
        log.lines()
            .filter(|l| l.contains("coordinator"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let waiting = &mut holding[3];
    socket::send_text(waiting, "are you there").await;
    match socket::next(waiting).await {
        Event::Message(m) => assert_eq!(m["type"], "watching", "{m}"),
        other => panic!("fan 5's socket after the quiet spell: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_socket_still_reaches_the_turn_by_polling() {
    let w = TestWorker::start_with_faults().await;
    let sale = "refused-sockets";
    open_sale_with(&w, sale, json!({})).await;
    let fans = join_n(&w, sale, 2).await;
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}/fault"))
            .json(&json!({"refuse_sockets": true})),
    )
    .await
    .expect(200, "refuse sockets");
    // The upgrade succeeds, and the object closes the socket at once with its code.
    let mut refused = match socket::open(&w.base, sale, &fans[0].token).await {
        Opened::Socket(stream) => *stream,
        Opened::Refused(status, body) => panic!("refused before the upgrade: {status} {body}"),
    };
    match socket::next(&mut refused).await {
        Event::Closed { code, reason } => assert_eq!((code, reason.as_str()), (4099, "test_fault")),
        other => panic!("expected the refusal, got {other:?}"),
    }
    w.origin().pull(sale, "w1", 1, None).await;
    let turn = w
        .fan()
        .wait_for_state(sale, &fans[0].token, "your_turn")
        .await;
    let claims = verify_pass(turn["pass"].as_str().unwrap(), sale, &w.fan().jwks().await);
    assert_eq!(claims.seq, fans[0].seq);
}
