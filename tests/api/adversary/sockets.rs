//! Sockets a fan or an address may hold: one a token, and an address at most its share of a
//! sale's.

use super::open_sale_with;
use crate::support::socket::{self, Event};
use crate::support::TestWorker;
use serde_json::json;

/// One token holds one socket: each new one replaces the fan's previous one (4009 `replaced`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_token_holds_one_socket() {
    let w = TestWorker::start().await;
    let sale = "one-socket";
    open_sale_with(&w, sale, json!({ "rate_limit_per_min": 1000 })).await;
    let fan = w.fan().join(sale).await;
    let mut previous = socket::open_watching(&w.base, sale, &fan.token).await;
    for _ in 0..10 {
        let next = socket::open_watching(&w.base, sale, &fan.token).await;
        match socket::next(&mut previous).await {
            Event::Closed { code, reason } => {
                assert_eq!((code, reason.as_str()), (4009, "replaced"))
            }
            other => panic!("the older socket was not replaced: {other:?}"),
        }
        previous = next;
    }
    // The one left still gets the turn pushed.
    w.origin().pull_eventually(sale, 1).await;
    match socket::next(&mut previous).await {
        Event::Message(m) => assert_eq!(m["type"], "your_turn", "{m}"),
        other => panic!("expected the turn: {other:?}"),
    }
}

/// One address holds at most its share of a sale's sockets (100 of the object's 2,000), so no
/// one network can take every other fan's pushed turn; another address still gets its socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_address_holds_at_most_its_share_of_sockets() {
    let w = TestWorker::start().await;
    let sale = "address-sockets";
    // A sale admitting 6,000 a minute counts its first 6,000 fans as near the front; paused, it
    // admits none of them while the sockets open.
    let rate =
        json!({ "admission": { "mode": "rate", "per_minute": 6000 }, "rate_limit_per_min": 0 });
    open_sale_with(&w, sale, rate).await;
    w.admin().control(sale, "pause").await;
    let fans = w.fan().join_many(sale, 4, 26).await;
    let from = Some("203.0.113.50");
    let mut held = Vec::new();
    let mut refused = 0;
    for fan in &fans[..101] {
        match socket::open_from(&w.base, sale, &fan.token, from).await {
            socket::Opened::Socket(mut stream) => match socket::next(&mut stream).await {
                Event::Message(m) if m["type"] == "watching" => held.push(stream),
                Event::Closed { code, reason } => {
                    assert_eq!((code, reason.as_str()), (4030, "address_sockets_full"));
                    refused += 1;
                }
                other => panic!("{other:?}"),
            },
            socket::Opened::Refused(status, body) => panic!("{status} {body}"),
        }
    }
    assert_eq!(
        (held.len(), refused),
        (100, 1),
        "100 held, the 101st refused"
    );
    // Another address: its own share.
    match socket::open_from(&w.base, sale, &fans[101].token, Some("198.51.100.1")).await {
        socket::Opened::Socket(mut stream) => {
            assert!(
                matches!(socket::next(&mut stream).await, Event::Message(m) if m["type"] == "watching")
            );
        }
        socket::Opened::Refused(status, body) => panic!("{status} {body}"),
    }
}
