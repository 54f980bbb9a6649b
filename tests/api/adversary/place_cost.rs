//! What a new place costs (issue 9): proof of work per sale (`pow_bits`) and a rate limit per
//! client address (`rate_limit_per_min`), both settable live; refusals change nothing.

use crate::support::admin::PURCHASE_URL;
use crate::support::{eventually, send, Reply, TestWorker};
use reqwest::header::{ACCEPT, COOKIE};
use serde_json::{json, Value};
use std::time::Duration;
use waitroom_core::ids::SaleId;
use waitroom_core::keys::token::TokenKeys;
use waitroom_core::UnixMillis;
use waitroom_core::{
    fairness::pow::{self, hash, leading_zero_bits, solve, PowBits, WINDOW_MS},
    keys::pow_key::PowKey,
};

async fn joined_count(w: &TestWorker, sale: &str) -> u64 {
    w.admin().report(sale).await["stats"]["joined"]
        .as_u64()
        .expect("stats.joined")
}

async fn put_sale(w: &TestWorker, sale: &str, extra: Value) -> Reply {
    let mut body = json!({ "name": format!("Sale {sale}"), "purchase_url": PURCHASE_URL });
    for (k, v) in extra.as_object().expect("settings object") {
        body[k] = v.clone();
    }
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&body),
    )
    .await
}

async fn open_sale_with(w: &TestWorker, sale: &str, extra: Value) {
    let reply = put_sale(w, sale, extra).await;
    assert_eq!(reply.status, 201, "{}", reply.describe());
    w.admin().open_sale(sale).await;
}

async fn join_with(w: &TestWorker, sale: &str, body: Option<Value>) -> Reply {
    let request = w.fan().post(&format!("/api/sales/{sale}/join"));
    send(match body {
        Some(body) => request.json(&body),
        None => request,
    })
    .await
}

/// The challenge a refusal carries, checked for shape.
fn challenge_of(reply: &Reply, code: &str, bits: u64) -> (String, u8) {
    assert_eq!(reply.status, 403, "{}", reply.describe());
    assert_eq!(reply.json["error"], code, "{}", reply.describe());
    let pow = &reply.json["pow"];
    assert_eq!(pow["bits"], bits, "{}", reply.describe());
    assert!(pow["expires_at"].is_string(), "{}", reply.describe());
    let challenge = pow["challenge"].as_str().expect("challenge").to_owned();
    (challenge, bits as u8)
}

fn solution(challenge: &str, bits: u8) -> Value {
    let nonce = solve(challenge, bits, 0, 1 << 26).expect("a nonce");
    json!({ "pow": { "challenge": challenge, "nonce": nonce } })
}

/// A challenge for `sale` signed as the worker signs them (its key comes from its `TOKEN_KEYS`),
/// but issued at `at` instead of now: how a client holding one from minutes ago looks.
fn challenge_issued_at(w: &TestWorker, sale: &str, bits: u8, at: UnixMillis) -> String {
    let keys = TokenKeys::parse(&w.token_keys).expect("the worker's TOKEN_KEYS");
    let sale = SaleId::parse(sale).expect("sale id");
    let bits = PowBits::new(bits.into()).expect("bits");
    pow::issue(&PowKey::derived_from(&keys), &sale, bits, at, [5; 9]).challenge
}

fn now() -> UnixMillis {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970");
    UnixMillis(since.as_millis() as u64)
}

/// A nonce that does NOT have `bits` leading zero bits.
fn wrong_nonce(challenge: &str, bits: u8) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(&hash(challenge, n)) < u32::from(bits))
        .expect("a failing nonce")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn proof_of_work_pays_for_new_places_once() {
    let w = TestWorker::start().await;
    open_sale_with(&w, "pow", json!({ "pow_bits": 10 })).await;
    open_sale_with(&w, "other", json!({ "pow_bits": 10 })).await;
    assert_eq!(w.admin().report("pow").await["pow_bits"], 10);

    // No solution: refused with a challenge; nothing taken.
    let (challenge, bits) = challenge_of(&join_with(&w, "pow", None).await, "pow_required", 10);
    // The challenge endpoint hands out the same kind.
    let reply = send(w.fan().get("/api/sales/pow/challenge")).await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    assert_eq!(reply.json["bits"], 10);
    assert!(reply.json["challenge"]
        .as_str()
        .is_some_and(|c| c.starts_with("pow.")));

    // A wrong nonce, another sale's challenge, a forged one: pow_invalid with a fresh challenge.
    let wrong =
        json!({ "pow": { "challenge": challenge, "nonce": wrong_nonce(&challenge, bits) } });
    challenge_of(&join_with(&w, "pow", Some(wrong)).await, "pow_invalid", 10);
    let (foreign, _) = challenge_of(&join_with(&w, "other", None).await, "pow_required", 10);
    let reply = join_with(&w, "pow", Some(solution(&foreign, bits))).await;
    challenge_of(&reply, "pow_invalid", 10);
    assert!(reply.json["message"]
        .as_str()
        .is_some_and(|m| m.contains("another sale")));
    let forged = challenge.replace("pow.", "pow.1");
    challenge_of(
        &join_with(&w, "pow", Some(solution(&forged, bits))).await,
        "pow_invalid",
        10,
    );
    // Expired: a challenge of ours (signed with the worker's key) from three windows ago, solved
    // correctly; and one for a window not begun yet (a client clock far ahead cannot pre-solve).
    let minutes_ago = challenge_issued_at(&w, "pow", bits, UnixMillis(now().0 - 3 * WINDOW_MS));
    let ahead = challenge_issued_at(&w, "pow", bits, UnixMillis(now().0 + 3 * WINDOW_MS));
    for (old, what) in [(&minutes_ago, "old"), (&ahead, "future")] {
        let before = now().0 / WINDOW_MS;
        let reply = join_with(&w, "pow", Some(solution(old, bits))).await;
        let (fresh, _) = challenge_of(&reply, "pow_invalid", 10);
        assert!(
            reply.json["message"]
                .as_str()
                .is_some_and(|m| m.contains("expired")),
            "{what}: {}",
            reply.describe()
        );
        assert_ne!(&fresh, old, "{what}: a fresh challenge");
        // The fresh one is of the current window: what the old one was not.
        let window = |c: &str| c.split('.').nth(1).and_then(|w| w.parse::<u64>().ok());
        let current = before..=now().0 / WINDOW_MS;
        assert!(
            window(&fresh).is_some_and(|w| current.contains(&w)),
            "{what}: {fresh} is not of window {current:?}"
        );
    }
    // Not JSON of the right shape: 400.
    let reply = join_with(&w, "pow", Some(json!({ "pow": 5 }))).await;
    assert_eq!(
        (reply.status.as_u16(), reply.json["error"].as_str()),
        (400, Some("bad_json")),
        "{}",
        reply.describe()
    );
    assert_eq!(joined_count(&w, "pow").await, 0, "refusals take no place");

    // Solved: a place. The same solution again: refused, still one place.
    let paid = solution(&challenge, bits);
    let reply = join_with(&w, "pow", Some(paid.clone())).await;
    assert_eq!(reply.status, 201, "{}", reply.describe());
    let token = reply.json["token"].as_str().expect("token").to_owned();
    let replay = join_with(&w, "pow", Some(paid)).await;
    challenge_of(&replay, "pow_invalid", 10);
    assert!(replay.json["message"]
        .as_str()
        .is_some_and(|m| m.contains("used already")));
    assert_eq!(joined_count(&w, "pow").await, 1);

    // A fan holding a place keeps it without paying again.
    let again = send(w.fan().post("/api/sales/pow/join").bearer_auth(&token)).await;
    assert_eq!(again.status, 200, "{}", again.describe());
    assert_eq!(joined_count(&w, "pow").await, 1);

    // Pages: a browser gets the page that solves it (no place, no cookie); an app the refusal.
    let page = send(w.fan().get("/s/pow")).await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(
        page.text.contains(r#"data-page="getting_place""#),
        "{}",
        page.describe()
    );
    assert!(
        page.text.contains(r#"data-bits="10""#),
        "{}",
        page.describe()
    );
    assert!(
        page.text.contains("JavaScript is needed"),
        "{}",
        page.describe()
    );
    assert!(page.set_cookies().is_empty(), "{:?}", page.set_cookies());
    let app = send(w.fan().get("/s/pow").header(ACCEPT, "application/json")).await;
    challenge_of(&app, "pow_required", 10);
    let form = send(w.fan().post("/s/pow")).await;
    assert_eq!(form.status, 303, "{}", form.describe());
    assert_eq!(form.header("location"), Some("/s/pow"));
    assert!(form.set_cookies().is_empty(), "{:?}", form.set_cookies());
    // The page with a place is the waiting page, as before.
    let mine = send(
        w.fan()
            .get("/s/pow")
            .header(COOKIE, format!("__Host-wr_pow={token}")),
    )
    .await;
    assert!(
        mine.text.contains(r#"data-page="waiting""#),
        "{}",
        mine.describe()
    );
    assert_eq!(joined_count(&w, "pow").await, 1);

    // Live: off, then harder; each takes effect within the snapshot's second.
    assert_eq!(
        put_sale(&w, "pow", json!({ "pow_bits": 0 })).await.status,
        200
    );
    eventually("joins are free", Duration::from_secs(10), || async {
        let reply = join_with(&w, "pow", None).await;
        (reply.status == 201).then_some(()).ok_or(reply.describe())
    })
    .await;
    assert_eq!(
        put_sale(&w, "pow", json!({ "pow_bits": 12 })).await.status,
        200
    );
    let refusal = eventually("joins cost 12 bits", Duration::from_secs(10), || async {
        let reply = join_with(&w, "pow", None).await;
        match reply.status.as_u16() {
            403 => Ok(reply),
            _ => Err(reply.describe()),
        }
    })
    .await;
    let (hard, bits) = challenge_of(&refusal, "pow_required", 12);
    let reply = join_with(&w, "pow", Some(solution(&hard, bits))).await;
    assert_eq!(reply.status, 201, "{}", reply.describe());
    // Out of bounds: refused, nothing changed.
    let reply = put_sale(&w, "pow", json!({ "pow_bits": 27 })).await;
    assert_eq!(reply.json["field"], "pow_bits", "{}", reply.describe());
    assert_eq!(w.admin().report("pow").await["pow_bits"], 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replay_to_a_sharded_sale_is_caught_by_the_shard_it_lands_on() {
    let w = TestWorker::start().await;
    open_sale_with(&w, "sharded", json!({ "pow_bits": 6, "shards": 4 })).await;
    let mut tokens = Vec::new();
    for round in 0..4u64 {
        let (challenge, bits) =
            challenge_of(&join_with(&w, "sharded", None).await, "pow_required", 6);
        let nonce = solve(&challenge, bits, round * 1_000_000, 1 << 26).expect("nonce");
        let paid = json!({ "pow": { "challenge": challenge, "nonce": nonce } });
        let reply = join_with(&w, "sharded", Some(paid.clone())).await;
        assert_eq!(reply.status, 201, "{}", reply.describe());
        tokens.push(reply.json["seq"].clone());
        challenge_of(
            &join_with(&w, "sharded", Some(paid)).await,
            "pow_invalid",
            6,
        );
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 4, "four places: {tokens:?}");
}

/// The hard limit, where a sale keeps it (`over_budget: "refuse"`); the default, a price that
/// grows, is attacked in tests/api/adversary/mod.rs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_per_address_refuses_then_recovers() {
    let w = TestWorker::start().await;
    let hard = |per_min: u64| json!({ "rate_limit_per_min": per_min, "over_budget": "refuse" });
    open_sale_with(&w, "rl", hard(60)).await;
    assert_eq!(w.admin().report("rl").await["over_budget"], "refuse");
    // A burst of 60, then one a second: join until refused.
    let started = std::time::Instant::now();
    let mut held = None;
    let mut accepted = 0u64;
    let refused = loop {
        let reply = join_with(&w, "rl", None).await;
        if reply.status != 201 {
            break reply;
        }
        accepted += 1;
        held = reply.json["token"].as_str().map(str::to_owned);
        assert!(accepted <= 200, "never refused");
    };
    let refill = started.elapsed().as_secs() + 1;
    assert!(
        (60..=60 + refill).contains(&accepted),
        "{accepted} places in {refill} s"
    );
    // Refused: 429 with Retry-After, and no place.
    assert_eq!(refused.status, 429, "{}", refused.describe());
    assert_eq!(refused.json["error"], "rate_limited");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(refused.json["retry_after_ms"]
        .as_u64()
        .is_some_and(|ms| ms <= 1_000));
    assert_eq!(joined_count(&w, "rl").await, accepted);
    // Another address has its own budget (the platform sets CF-Connecting-IP; wrangler dev
    // passes the client's on).
    let elsewhere = send(
        w.fan()
            .post("/api/sales/rl/join")
            .header("CF-Connecting-IP", "203.0.113.9"),
    )
    .await;
    assert_eq!(elsewhere.status, 201, "{}", elsewhere.describe());
    assert_eq!(joined_count(&w, "rl").await, accepted + 1);
    // A browser gets a page that says so and tries again by itself (a sale allowing one place a
    // minute, so no refill comes between).
    open_sale_with(&w, "rl1", hard(1)).await;
    let first = send(w.fan().get("/s/rl1")).await;
    assert!(
        first.cookie("__Host-wr_rl1").is_some(),
        "{}",
        first.describe()
    );
    let page = send(w.fan().get("/s/rl1")).await;
    assert_eq!(page.status, 429, "{}", page.describe());
    let wait_s: u64 = page
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((55..=60).contains(&wait_s), "{wait_s}");
    assert!(
        page.text.contains(r#"data-page="rate_limited""#),
        "{}",
        page.describe()
    );
    assert!(page.set_cookies().is_empty());
    assert_eq!(joined_count(&w, "rl1").await, 1);
    // A fan who has a place keeps it: nothing to pay.
    let token = held.expect("a token");
    let kept = send(w.fan().post("/api/sales/rl/join").bearer_auth(&token)).await;
    assert_eq!(kept.status, 200, "{}", kept.describe());
    assert_eq!(joined_count(&w, "rl").await, accepted + 1);

    // After Retry-After, one more place.
    let recovered = eventually("the bucket refills", Duration::from_secs(10), || async {
        let reply = join_with(&w, "rl", None).await;
        match reply.status.as_u16() {
            201 => Ok(reply),
            _ => Err(reply.describe()),
        }
    })
    .await;
    assert_eq!(recovered.status, 201);

    // Live: raise it to "no limit" and the crowd goes through.
    assert_eq!(
        put_sale(&w, "rl", json!({ "rate_limit_per_min": 0 }))
            .await
            .status,
        200
    );
    eventually("no limit", Duration::from_secs(10), || async {
        let mut refused = 0;
        for _ in 0..70 {
            refused += u32::from(join_with(&w, "rl", None).await.status != 201);
        }
        (refused == 0)
            .then_some(())
            .ok_or(format!("{refused} refused"))
    })
    .await;
}
