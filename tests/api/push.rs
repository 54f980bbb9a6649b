//! "Close the tab, be called back" (docs/api.md, "Called back"), end to end against a local
//! stand-in push service that checks each push's VAPID signature and decrypts it as a browser
//! would: two fans ask to be called and then never poll. The first is pushed "near the front"
//! and "your turn"; the second only "your turn". Presence skips the silent fans around them but
//! not them; the first comes back within the return window and gets their pass, the second's
//! held turn lapses after it. A subscription the push service says is gone is forgotten after
//! one push; one whose push service never answers is dropped after the timeout without holding
//! the others up. The push's delay from the pull is printed (no timed assertion).

use crate::support::push_service::PushService;
use crate::support::{eventually, send, TestWorker};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SALE: &str = "called";

async fn subscribe(w: &TestWorker, token: &str, sub: &Value) -> Value {
    send(
        w.fan()
            .with_bearer(token)
            .post(&format!("/api/sales/{SALE}/push"))
            .json(sub),
    )
    .await
    .expect(201, "subscribe")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_called_fan_is_pushed_near_the_front_and_at_their_turn_and_their_turn_is_held() {
    let pushes = PushService::start().await;
    let w = TestWorker::start_with_faults().await;
    let settings = json!({
        "claim_ttl_s": 20,
        "presence_ttl_s": 10,
        "push": { "near_front": 2, "return_window_s": 120 },
    });
    w.admin().open_sale_with(SALE, settings).await;
    let report = w.admin().report(SALE).await;
    assert_eq!(
        report["push"],
        json!({ "near_front": 2, "return_window_s": 120 }),
        "{report}"
    );
    // Six fans: the 5th and 6th ask to be called.
    let mut fans = Vec::new();
    for _ in 0..6 {
        fans.push(w.fan().join(SALE).await);
    }
    let (called, later) = (&fans[4], &fans[5]);

    let info = send(
        w.fan()
            .with_bearer(&called.token)
            .get(&format!("/api/sales/{SALE}/push")),
    )
    .await
    .expect(200, "push info");
    assert_eq!(
        (info["near_front"].as_u64(), info["subscriptions"].as_u64()),
        (Some(2), Some(0))
    );
    let public_key = info["public_key"].as_str().expect("public_key").to_owned();
    assert_eq!(
        public_key.len(),
        87,
        "an uncompressed P-256 key, base64url: {public_key}"
    );
    pushes.expect_vapid(&public_key);

    let phone = pushes.subscribe("/push/called-phone");
    let gone = pushes.subscribe("/gone/called-laptop");
    assert_eq!(
        subscribe(&w, &called.token, &phone).await["subscriptions"],
        1
    );
    let answer = subscribe(&w, &called.token, &gone).await;
    assert_eq!(
        (
            answer["subscriptions"].as_u64(),
            answer["return_window_s"].as_u64()
        ),
        (Some(2), Some(120))
    );
    let tablet = pushes.subscribe("/push/later-tablet");
    let stuck = pushes.subscribe("/hang/later-watch");
    subscribe(&w, &later.token, &tablet).await;
    subscribe(&w, &later.token, &stuck).await;

    // Two are pulled: two fans are ahead of the called one, the sale's distance.
    let pulled_at = Instant::now();
    let pulled = w.origin().pull(SALE, "w1", 2, Some("p1")).await;
    let pull_answered = pulled_at.elapsed();
    assert_eq!(
        pulled.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let near = pushes
        .wait_for("/push/called-phone", 1, Duration::from_secs(20))
        .await;
    let near_delay = near[0].at - pulled_at;
    assert!(near[0].problems.is_empty(), "{:?}", near[0]);
    let message = &near[0].message;
    assert_eq!(
        (
            &message["kind"],
            &message["ahead"],
            &message["sale"],
            &message["url"]
        ),
        (
            &json!("near_front"),
            &json!(2),
            &json!(SALE),
            &json!(format!("/s/{SALE}"))
        ),
        "{message}"
    );
    assert_eq!(near[0].urgency.as_deref(), Some("normal"));
    pushes
        .wait_for("/gone/called-laptop", 1, Duration::from_secs(20))
        .await;
    assert!(
        pushes.at("/push/later-tablet").is_empty(),
        "three ahead of the later fan: not near yet"
    );

    // A minute of silence: presence skips the silent fans 3 and 4 (and would skip 5 and 6), but
    // the called fans asked not to keep the page open: they are admitted, their turns held 120 s.
    w.advance(Duration::from_secs(60)).await;
    let turn_pulled_at = Instant::now();
    let pulled = w.origin().pull(SALE, "w1", 2, Some("p2")).await;
    let turn_pull_answered = turn_pulled_at.elapsed();
    let seqs: Vec<_> = pulled.assignments.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs,
        vec![5, 6],
        "the silent 3 and 4 left; the called 5 and 6 did not"
    );
    let held = |a: &crate::support::origin::Assignment| {
        let at = time::OffsetDateTime::parse(
            &a.assigned_at,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let until = time::OffsetDateTime::parse(
            &a.expires_at,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        (until - at).whole_seconds()
    };
    assert_eq!(
        pulled.assignments.iter().map(held).collect::<Vec<_>>(),
        vec![120, 120],
        "held the return window, not claim_ttl_s"
    );

    let turn = pushes
        .wait_for("/push/called-phone", 2, Duration::from_secs(20))
        .await;
    let turn_delay = turn[1].at - turn_pulled_at;
    assert!(turn[1].problems.is_empty(), "{:?}", turn[1]);
    assert_eq!(turn[1].message["kind"], "turn", "{}", turn[1].message);
    assert!(
        turn[1].message["claim_by"].is_string(),
        "{}",
        turn[1].message
    );
    assert_eq!(turn[1].urgency.as_deref(), Some("high"));
    assert!(
        turn[1].ttl.is_some_and(|t| t > 0 && t <= 120),
        "{:?}",
        turn[1].ttl
    );
    // The other fan's push arrives though its watch's push service never answers.
    let other = pushes
        .wait_for("/push/later-tablet", 1, Duration::from_secs(20))
        .await;
    assert_eq!(other[0].message["kind"], "turn");
    assert!(other[0].problems.is_empty(), "{:?}", other[0]);
    assert_eq!(
        pushes.at("/gone/called-laptop").len(),
        1,
        "a gone subscription is not pushed again"
    );
    println!(
        "push: near-front push {:.1} ms after the pull was sent (pull answered in {:.1} ms); turn push {:.1} ms after (pull answered in {:.1} ms)",
        ms(near_delay), ms(pull_answered), ms(turn_delay), ms(turn_pull_answered)
    );

    // Within the return window (100 s after the turn) the called fan comes back: the turn is theirs.
    w.advance(Duration::from_secs(100)).await;
    let status = w.fan().status(SALE, &called.token).await;
    assert_eq!(status["state"], "your_turn", "{status}");
    assert!(status["pass"].is_string(), "{status}");
    let still = w.origin().assignments(SALE, "state=assigned").await;
    assert!(
        still.iter().any(|a| a.seq == 6),
        "the other held turn still stands: {still:?}"
    );
    // After it, the one who never came back has lapsed.
    w.advance(Duration::from_secs(25)).await;
    let status = w.fan().status(SALE, &later.token).await;
    assert_eq!(status["state"], "lapsed", "{status}");

    // What the pushes came to: 3 taken, 1 gone (forgotten), 1 dropped after the timeout.
    let report = eventually(
        "the stuck push is dropped",
        Duration::from_secs(30),
        || async {
            let r = w.admin().report(SALE).await;
            (r["pushes"]["failed"] == 1)
                .then_some(r.clone())
                .ok_or(format!("{}", r["pushes"]))
        },
    )
    .await;
    assert_eq!(
        report["pushes"],
        json!({ "waiting": 0, "sent": 3, "gone": 1, "failed": 1 }),
        "{report}"
    );
    assert!(
        !w.log_text().contains("/hang/later-watch"),
        "no endpoint path in the log"
    );
}
