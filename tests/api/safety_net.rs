//! The safety net of a protected path (docs/api.md, "The safety net"): a sale guards `/store/*`
//! in front of a stand-in origin with `queue_when: {new_sessions_per_min: 3}`. One worker start,
//! on the test clock, walks the whole story:
//! - dormant, fans without a session pass straight through with one (no place taken, no pass);
//! - the start that crosses the threshold raises the net at the coordinator; the edge lets fans
//!   through until its snapshot says so (the bound: the tally's second and the snapshot's age);
//! - up, new fans queue in arrival order (the sale's `capacity` of one lets them in one at a
//!   time), while fans with a session keep passing;
//! - once the minute's starts have aged out and nobody waits, after the quiet period, the net
//!   falls and new fans pass straight through again; the report keeps the period it was up.

use crate::protect::{browse, from_origin, protected_sale};
use crate::support::echo_origin::EchoOrigin;
use crate::support::http::Reply;
use crate::support::{Api, TestWorker};
use serde_json::{json, Value};
use std::time::Duration;

const SESSION: &str = "__Host-wr_session_shop";
const PLACE: &str = "__Host-wr_shop";

/// A protected sale with a safety net of `per_min` new sessions a minute (quiet 10 s).
pub fn net_sale(api: &Api, origin: &EchoOrigin, per_min: u64) -> Value {
    let mut sale = protected_sale(api, origin, &["/store/*"], "closed");
    sale["protect"]["queue_when"] = json!({"new_sessions_per_min": per_min, "quiet_s": 10});
    sale
}

/// A fan without cookies passed straight through by a down net: their session cookie.
pub fn straight_through(reply: &Reply) -> String {
    assert!(from_origin(reply), "{}", reply.describe());
    let headers = &reply.json["headers"];
    let session = headers["waitroom-session"].as_str().unwrap_or_default();
    assert!(session.ends_with("; net"), "a net session: {headers}");
    assert!(headers.get("waitroom-pass").is_none(), "no place, no pass");
    assert!(reply.cookie(PLACE).is_none(), "no place taken");
    let value = reply.cookie(SESSION).expect("a session cookie").value;
    format!("{SESSION}={value}")
}

fn place(reply: &Reply) -> String {
    assert!(
        !from_origin(reply) && reply.status == 200,
        "{}",
        reply.describe()
    );
    format!("{PLACE}={}", reply.cookie(PLACE).expect("a place").value)
}

async fn net(api: &Api) -> Value {
    api.admin().report("shop").await["net"].clone()
}

/// Polls with `cookie` (advancing the clock) until the fan passes through.
async fn through(api: &Api, what: &str, cookie: &str) -> Reply {
    api.advancing(
        what,
        Duration::from_secs(2),
        Duration::from_secs(60),
        || {
            let (api, cookie) = (api.clone(), cookie.to_owned());
            async move {
                let reply = browse(&api, "/store/item", &cookie).await;
                if from_origin(&reply) {
                    Ok(reply)
                } else {
                    Err(reply.describe())
                }
            }
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_safety_net_is_dormant_rises_queues_in_order_and_falls() {
    let origin = EchoOrigin::start().await;
    let w = TestWorker::start_with_faults().await;
    let api = w.handle();
    api.admin()
        .create_sale_with("shop", net_sale(&api, &origin, 3))
        .await;
    api.admin().open_sale("shop").await;

    // Dormant: three new fans a minute pass straight through.
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(straight_through(&browse(&api, "/store/item", "").await));
    }
    let report = net(&api).await;
    assert_eq!(report["up"], false, "{report}");
    assert_eq!(report["periods"], json!([]));
    assert_eq!(api.admin().report("shop").await["stats"]["joined"], 0);

    // A fourth, a second and a half later: its tally (with the two before it, gathered in the
    // isolate's second) crosses 3 a minute and the coordinator raises the net. The edge's
    // snapshot said down when it came: it passed (the bound: the tally's second and the
    // snapshot's age).
    api.advance(Duration::from_millis(1_500)).await;
    sessions.push(straight_through(&browse(&api, "/store/item", "").await));
    let report = net(&api).await;
    assert_eq!(report["up"], true, "{report}");
    let periods = report["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1, "{report}");
    assert!(periods[0]["until"].is_null());
    assert_eq!(periods[0]["peak_new_sessions_per_min"], 4);
    assert_eq!(report["new_sessions_per_min"], 4);

    // The bound (docs/api.md, "Its error, bounded"): sessions straight through beyond the
    // threshold are at most the arrivals within the tally's second and the snapshot's age (here
    // the one fan who came in that window).
    assert!(sessions.len() as u64 <= 3 + 1);

    // Within the snapshot's life the edge knows: new fans take places, in arrival order.
    api.advance(Duration::from_millis(1_500)).await;
    let first = place(&browse(&api, "/store/item", "").await);
    let second = place(&browse(&api, "/store/item", "").await);
    assert_eq!(api.admin().report("shop").await["stats"]["joined"], 2);
    // Fans with a session keep passing.
    for session in &sessions {
        assert!(from_origin(&browse(&api, "/store/item", session).await));
    }
    // The first comes in (the sale lets one in at a time), the second waits behind them.
    let in_first = through(&api, "the first queued fan's turn", &first).await;
    assert!(
        in_first.json["headers"]["waitroom-pass"].is_string(),
        "a queued fan's session carries their pass"
    );
    let first_session = format!("{SESSION}={}", in_first.cookie(SESSION).unwrap().value);
    assert!(!from_origin(&browse(&api, "/store/item", &second).await));
    // The origin ends the first one's session: the second comes in.
    let done = browse(&api, "/store/done", &format!("{first}; {first_session}")).await;
    assert!(from_origin(&done));
    through(&api, "the second queued fan's turn", &second).await;
    assert_eq!(net(&api).await["up"], true, "still within the minute");

    // A minute on, the starts have aged out and nobody waits: after the quiet period the net
    // falls, and a new fan passes straight through again.
    api.advance(Duration::from_secs(75)).await;
    let report = net(&api).await;
    assert_eq!(report["up"], false, "{report}");
    let period = &report["periods"][0];
    assert!(period["until"].is_string(), "{report}");
    assert_eq!(period["peak_new_sessions_per_min"], 6, "{report}");
    straight_through(&browse(&api, "/store/item", "").await);
    assert_eq!(api.admin().report("shop").await["stats"]["joined"], 2);
}
