//! The assisted lane (docs/api.md, "The assisted lane") attacked as a script would: asking for it
//! on every place fills the cap and no more (the rest are refused with `assist_full`, by the API
//! and the page's form alike, and asking again changes nothing), another site cannot ask for a
//! fan, and an assisted fan's time is exactly the multiplier: the test clock moves to either side
//! of each deadline.

use crate::support::origin::verify_pass;
use crate::support::{eventually, send, Reply, TestWorker};
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{json, Value};
use std::time::Duration;

const SALE: &str = "assist";
const CLAIM_TTL_S: u64 = 30;
const PASS_TTL_S: u64 = 60;
const MULTIPLIER: u64 = 3;
const MAX_PLACES: u64 = 3;

async fn ask(w: &TestWorker, token: &str) -> Reply {
    send(w.bearer(token).post(&format!("/api/sales/{SALE}/assist"))).await
}

fn cookie(token: &str) -> String {
    format!("__Host-wr_{SALE}={token}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_script_asking_for_every_place_fills_the_cap_and_times_are_exact() {
    let w = TestWorker::start_with_faults().await;
    let settings = json!({
        "rate_limit_per_min": 0,
        "claim_ttl_s": CLAIM_TTL_S,
        "pass_ttl_s": PASS_TTL_S,
        "assist": { "multiplier": MULTIPLIER, "max_places": MAX_PLACES },
    });
    w.admin().open_sale_with(SALE, settings).await;
    let report = w.admin().report(SALE).await;
    assert_eq!(
        report["assist"],
        json!({"multiplier": 3, "max_places": 3}),
        "{report}"
    );
    let mut fans = Vec::new();
    for _ in 0..6 {
        fans.push(w.fan().join(SALE).await);
    }

    // Another site cannot ask for a fan.
    let forged = send(
        w.bearer(&fans[0].token)
            .post(&format!("/api/sales/{SALE}/assist"))
            .header("Origin", "https://evil.example"),
    )
    .await;
    forged.expect_error(403, "cross_site", "a cross-site ask");
    // Without a token, nothing.
    send(w.fan().post(&format!("/api/sales/{SALE}/assist")))
        .await
        .expect_error(401, "bad_token", "no token");

    // The script asks on every place: three granted, the rest refused, whatever it repeats.
    let mut tokens: Vec<String> = Vec::new();
    for (i, fan) in fans.iter().enumerate() {
        let reply = ask(&w, &fan.token).await;
        if (i as u64) < MAX_PLACES {
            let body = reply.expect(200, "granted");
            assert_eq!(body["multiplier"], MULTIPLIER, "{body}");
            assert_eq!(body["claim_ttl_s"], CLAIM_TTL_S * MULTIPLIER, "{body}");
            assert_eq!(body["pass_ttl_s"], PASS_TTL_S * MULTIPLIER, "{body}");
            assert_eq!(body["places_left"], MAX_PLACES - 1 - i as u64, "{body}");
            tokens.push(body["token"].as_str().expect("token").to_owned());
        } else {
            reply.expect_error(409, "assist_full", "past the cap");
            assert!(reply.json["message"]
                .as_str()
                .unwrap_or_default()
                .contains("taken"));
            tokens.push(fan.token.clone());
        }
    }
    for _ in 0..3 {
        ask(&w, &tokens[0])
            .await
            .expect(200, "asked again with the granted token");
        ask(&w, &fans[0].token)
            .await
            .expect(200, "asked again with the old token");
        ask(&w, &tokens[4])
            .await
            .expect_error(409, "assist_full", "again past the cap");
    }
    // The page's form, without JavaScript: refused past the cap, said on the page.
    let form = send(
        w.fan()
            .post(&format!("/s/{SALE}/assist"))
            .header(COOKIE, cookie(&fans[5].token)),
    )
    .await;
    assert_eq!(form.status, 303, "{}", form.describe());
    let location = form.header(LOCATION).unwrap_or_default().to_owned();
    assert_eq!(location, format!("/s/{SALE}?assist=full"));
    assert!(form.header("set-cookie").is_none(), "nothing changed");
    // (The page offers the lane from the snapshot, up to about a second old.)
    eventually(
        "the page says the lane is full",
        Duration::from_secs(5),
        || async {
            let page = send(
                w.fan()
                    .get(&location)
                    .header("Accept", "text/html")
                    .header(COOKIE, cookie(&fans[5].token)),
            )
            .await;
            let said = page
                .text
                .contains("All assisted places of this sale are taken");
            let offered = page.text.contains(r#"<form id="assist""#);
            (said && !offered).then_some(()).ok_or(page.text)
        },
    )
    .await;
    let assisted_page = send(
        w.fan()
            .get(&format!("/s/{SALE}"))
            .header("Accept", "text/html")
            .header(COOKIE, cookie(&tokens[1])),
    )
    .await;
    assert!(
        assisted_page.text.contains("You have the assisted lane"),
        "{}",
        assisted_page.text
    );
    // The same, in the fan's language (the multiplier a number in the sentence).
    let french = send(
        w.fan()
            .get(&format!("/s/{SALE}?lang=fr"))
            .header("Accept", "text/html")
            .header(COOKIE, cookie(&tokens[1])),
    )
    .await;
    assert!(
        french.text.contains(&format!(
            "Vous avez la file assistée : quand votre tour viendra, vous aurez {MULTIPLIER} fois plus de temps"
        )),
        "{}",
        french.text
    );
    let report = w.admin().report(SALE).await;
    assert_eq!(report["assisted"], MAX_PLACES, "{report}");

    // Everyone's turn at once: the assisted fans (1 to 3) have 90 s to claim, the others 30 s.
    let pulled_at = w.now();
    let pulled = w.origin().pull(SALE, "w1", 6, Some("assist-1")).await;
    assert_eq!(pulled.assignments.len(), 6);
    let status = |i: usize| {
        let (fan, token) = (w.fan(), tokens[i].clone());
        async move { fan.status(SALE, &token).await }
    };
    w.advance_to(pulled_at + Duration::from_secs(CLAIM_TTL_S + 1))
        .await;
    let plain: Value = status(3).await;
    assert_eq!(plain["state"], "lapsed", "a plain fan after 31 s: {plain}");
    let turn: Value = status(1).await;
    assert_eq!(
        turn["state"], "your_turn",
        "an assisted fan after 31 s: {turn}"
    );
    let pass = verify_pass(
        turn["pass"].as_str().expect("pass"),
        SALE,
        &w.fan().jwks().await,
    );
    assert!(pass.assist, "the pass says assist: {pass:?}");
    assert_eq!(pass.exp - pass.iat, PASS_TTL_S * MULTIPLIER, "{pass:?}");
    // Fan 3 (assisted) claims just before 90 s; fan 1 (assisted) never does and lapses at 90 s.
    w.advance_to(pulled_at + Duration::from_secs(CLAIM_TTL_S * MULTIPLIER - 2))
        .await;
    assert_eq!(status(2).await["state"], "your_turn");
    w.advance_to(pulled_at + Duration::from_secs(CLAIM_TTL_S * MULTIPLIER + 1))
        .await;
    let lapsed: Value = status(0).await;
    assert_eq!(
        lapsed["state"], "lapsed",
        "an assisted fan after 91 s: {lapsed}"
    );
    assert_eq!(lapsed["reason"], "lapsed", "{lapsed}");
    // Fan 2's pass (claimed at 31 s) runs 180 s: still held at 31 + 179, expired after.
    let claimed_at = pulled_at + Duration::from_secs(CLAIM_TTL_S + 1);
    w.advance_to(claimed_at + Duration::from_secs(PASS_TTL_S * MULTIPLIER - 2))
        .await;
    let held = w.origin().assignments(SALE, "state=assigned").await;
    assert!(
        held.iter().any(|a| a.seq == fans[1].seq),
        "fan 2's pass holds until 180 s after the claim: {held:?}"
    );
    w.advance_to(claimed_at + Duration::from_secs(PASS_TTL_S * MULTIPLIER + 2))
        .await;
    let expired = w.origin().assignments(SALE, "state=expired").await;
    assert!(
        expired.iter().any(|a| a.seq == fans[1].seq),
        "fan 2's pass ran out 180 s after the claim: {expired:?}"
    );
}
