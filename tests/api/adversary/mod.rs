//! The adversary suite (issue 17, docs/fairness.md): each test attacks one promise the way a
//! script would, through the worker's HTTP contract only, and asserts the bound the promise sets
//! (places taken, coordinator requests spent, sockets held). Every request goes through
//! [`send`], which fails the test on any 5xx: no attack may make the worker fail.
//!
//! `make test-adversary` runs these alone; `make test-integration` runs them with the rest.
//! Beside the attacks issue 17 found (this file), the suite holds the earlier ones the front door
//! already resisted, each with its bounds: places by intent (cross-site and embedded requests,
//! `places_by_intent`), what a place costs (join spam, forged, expired, other-sale and replayed
//! solutions, `place_cost`), the public report before the close and what it names (`report`),
//! finished tokens and unknown sale ids at the edge (coordinator
//! requests and files created, `edge_cost`; random ids at scale and with the registry failing,
//! `unknown_sales`), malformed and oversized input (`bad_input`), and places bound to a device
//! (a copied token or cookie, replayed and forged proofs, a bound place's move, `device_binding`),
//! and an origin's batched completions (ids of another sale, forged numbers, duplicates, replays,
//! oversized batches, a wrong key; one coordinator request for 50, `batches`).

mod assist;
mod bad_input;
mod batches;
mod device_binding;
mod edge_cost;
mod moved_place;
mod party;
mod place_cost;
mod places_by_intent;
mod protected_paths;
mod push;
mod report;
mod safety_net;
mod unknown_sales;

use crate::support::fan::Joined;
use crate::support::socket::{self, Event};
use crate::support::{eventually, send, Reply, TestWorker, PURCHASE_URL};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use waitroom_core::fairness::pow::{hash, leading_zero_bits, solve};

async fn open_sale_with(w: &TestWorker, sale: &str, extra: Value) {
    w.admin().open_sale_with(sale, extra).await;
}

async fn report(w: &TestWorker, sale: &str) -> Value {
    w.admin().report(sale).await
}

fn joined(report: &Value) -> u64 {
    report["stats"]["joined"].as_u64().expect("stats.joined")
}

/// Coordinator requests of `kind` so far (the report counts them by kind).
fn coordinator_requests(report: &Value, kind: &str) -> u64 {
    report["coordinator_requests_by_kind"][kind]
        .as_u64()
        .unwrap_or(0)
}

fn join_path(sale: &str) -> String {
    format!("/api/sales/{sale}/join")
}

/// A proof of work for `sale`, solved: the challenge endpoint's, as a client does it.
async fn solved(w: &TestWorker, sale: &str) -> Value {
    let challenge = send(w.fan().get(&format!("/api/sales/{sale}/challenge")))
        .await
        .expect(200, "challenge");
    let text = challenge["challenge"]
        .as_str()
        .expect("challenge")
        .to_owned();
    let bits = challenge["bits"].as_u64().expect("bits") as u8;
    let nonce = solve(&text, bits, 0, 1 << 26).expect("a nonce");
    json!({ "challenge": text, "nonce": nonce })
}

/// Joins as a new fan with `pow` (201).
async fn join_paid(w: &TestWorker, sale: &str, pow: &Value) -> Joined {
    let reply = send(w.fan().post(&join_path(sale)).json(&json!({ "pow": pow }))).await;
    serde_json::from_value(reply.expect(201, "paid join")).expect("join body")
}

/// The fan's place ended: pulled, then released by the origin.
async fn end_place(w: &TestWorker, sale: &str, fan: &Joined) {
    let pulled = w.origin().pull_eventually(sale, 1).await;
    assert_eq!(pulled[0].fan_id, fan.fan_id);
    w.origin()
        .finish(sale, &fan.fan_id, "release")
        .await
        .expect(200, "release");
    // Once the edge's snapshot (up to a second old) has seen the line move.
    let status = w.fan().wait_for_state(sale, &fan.token, "lapsed").await;
    assert_eq!(status["reason"], "released", "{status}");
}

fn rejoin_with(
    w: &TestWorker,
    sale: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::RequestBuilder {
    let request = w
        .fan()
        .with_bearer(token)
        .request(Method::POST, &join_path(sale));
    match body {
        Some(body) => request.json(&body),
        None => request,
    }
}

/// A finished place is spent once: an old token turned into places (issue 17: 50 x 201 from one
/// lapsed token) now buys nothing without paying, and once paid, one place, however often.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_finished_token_is_never_more_than_one_new_place() {
    let w = TestWorker::start().await;
    let sale = "spent-once";
    open_sale_with(
        &w,
        sale,
        json!({ "pow_bits": 8, "rate_limit_per_min": 1000 }),
    )
    .await;
    let fan = join_paid(&w, sale, &solved(&w, sale).await).await;
    end_place(&w, sale, &fan).await;

    // The attack: the old token, replayed, without paying.
    for _ in 0..50 {
        send(rejoin_with(&w, sale, &fan.token, None))
            .await
            .expect_error(403, "pow_required", "an unpaid rejoin");
    }
    assert_eq!(
        joined(&report(&w, sale).await),
        1,
        "no place for unpaid rejoins"
    );

    // Paid once: one new place at the back.
    let pow = solved(&w, sale).await;
    let reply = send(rejoin_with(
        &w,
        sale,
        &fan.token,
        Some(json!({ "pow": pow })),
    ))
    .await;
    let again: Joined = serde_json::from_value(reply.expect(201, "paid rejoin")).expect("body");
    assert_eq!(again.seq, 2);
    assert_ne!(again.fan_id, fan.fan_id);

    // Replayed 50 times more, paid or not: that same place, never another.
    let before = report(&w, sale).await;
    for i in 0..50 {
        let body = (i % 2 == 0).then(|| json!({ "pow": pow }));
        let reply = send(rejoin_with(&w, sale, &fan.token, body)).await;
        let same: Joined = serde_json::from_value(reply.expect(200, "repeat")).expect("body");
        assert_eq!((same.seq, &same.fan_id), (2, &again.fan_id));
    }
    let after = report(&w, sale).await;
    assert_eq!(joined(&after), 2, "one token, one new place: {after}");
    // The repeats are answered at the edge from what it cached of the old place.
    assert_eq!(
        coordinator_requests(&after, "join"),
        coordinator_requests(&before, "join"),
        "repeats cost the coordinator nothing: {after}"
    );

    // The origin sees which place the old one became.
    let listed = send(w.origin().get(&format!(
        "/api/origin/sales/{sale}/assignments?state=released"
    )))
    .await
    .expect(200, "assignments");
    let old = &listed["assignments"][0];
    assert_eq!(old["seq"], 1, "{listed}");
    assert_eq!(
        old["rejoined_as"],
        json!({ "seq": 2, "fan_id": again.fan_id }),
        "{listed}"
    );
}

/// A rejoin pays the sale's gates like any new place: here the address's rate limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejoin_pays_the_rate_limit_like_a_new_place() {
    let w = TestWorker::start().await;
    let sale = "rejoin-limit";
    open_sale_with(&w, sale, json!({ "rate_limit_per_min": 1 })).await;
    let fan = w.fan().join(sale).await;
    end_place(&w, sale, &fan).await;
    // Past the address's budget a new place has a price (over_budget "price", the default)...
    let reply = send(rejoin_with(&w, sale, &fan.token, None)).await;
    let (_, bits) = challenge_in(&reply);
    assert_eq!(
        (reply.json["error"].as_str(), bits),
        (Some("pow_required"), 10)
    );
    // ... or is refused where the sale keeps the hard limit.
    let hard = json!({ "name": "Hard", "purchase_url": PURCHASE_URL, "rate_limit_per_min": 1, "over_budget": "refuse" });
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&hard),
    )
    .await
    .expect(200, "the hard limit");
    let refused = eventually("the hard limit", Duration::from_secs(10), || async {
        let reply = send(rejoin_with(&w, sale, &fan.token, None)).await;
        match reply.status.as_u16() {
            429 => Ok(reply),
            _ => Err(reply.describe()),
        }
    })
    .await;
    assert_eq!(refused.json["error"], "rate_limited");
    assert!(
        refused.header("retry-after").is_some(),
        "{}",
        refused.describe()
    );
    assert_eq!(joined(&report(&w, sale).await), 1);
    // From another address: the one new place.
    let other = rejoin_with(&w, sale, &fan.token, None).header("CF-Connecting-IP", "198.51.100.9");
    send(other).await.expect(201, "rejoin from another address");
    assert_eq!(joined(&report(&w, sale).await), 2);
}

/// A waiting fan's token costs the coordinator nothing on any route: the "join again" form and
/// the join API replayed 300 times each (issue 17: 1,000 coordinator joins for one cookie).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_waiting_fans_replayed_token_costs_the_coordinator_nothing() {
    let w = TestWorker::start().await;
    let sale = "replayed";
    open_sale_with(&w, sale, json!({ "shards": 4, "rate_limit_per_min": 1000 })).await;
    let page = send(w.fan().get(&format!("/s/{sale}"))).await;
    let cookie = page
        .cookie(&format!("__Host-wr_{sale}"))
        .unwrap_or_else(|| panic!("a place: {}", page.describe()));
    let token = cookie.value.clone();
    // The fan numbered at the edge reaches the coordinator when the shard's block closes.
    let before = eventually("the join is counted", Duration::from_secs(10), || async {
        let r = report(&w, sale).await;
        if joined(&r) == 1 {
            Ok(r)
        } else {
            Err(r.to_string())
        }
    })
    .await;
    for _ in 0..300 {
        let form = w
            .fan()
            .post(&format!("/s/{sale}"))
            .header(COOKIE, format!("__Host-wr_{sale}={token}"));
        let reply = send(form).await;
        assert_eq!(reply.status, 303, "{}", reply.describe());
        assert!(
            reply.set_cookies().is_empty(),
            "the place is kept: {}",
            reply.describe()
        );
    }
    for _ in 0..300 {
        let reply = send(rejoin_with(&w, sale, &token, None)).await;
        let kept: Joined = serde_json::from_value(reply.expect(200, "kept")).expect("body");
        assert_eq!(kept.token, token);
    }
    let after = report(&w, sale).await;
    assert_eq!(joined(&after), joined(&before), "{after}");
    for kind in ["join", "claim"] {
        assert_eq!(
            coordinator_requests(&after, kind),
            coordinator_requests(&before, kind),
            "{kind}: {after}"
        );
    }
}

/// One proof-of-work solution buys one place, whichever connections carry its copies at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_solution_sent_at_once_from_many_connections_buys_one_place() {
    let w = TestWorker::start_with_faults().await;
    for (sale, shards) in [("copies", 1), ("copies-sharded", 4)] {
        open_sale_with(
            &w,
            sale,
            json!({ "pow_bits": 8, "shards": shards, "rate_limit_per_min": 1000 }),
        )
        .await;
        let pow = solved(&w, sale).await;
        let copies: Vec<_> = (0..20)
            .map(|_| {
                let request = w.fan().post(&join_path(sale)).json(&json!({ "pow": pow }));
                tokio::spawn(send(request))
            })
            .collect();
        let mut created = 0;
        for copy in copies {
            let reply: Reply = copy.await.expect("task");
            match reply.status.as_u16() {
                201 => created += 1,
                403 => assert_eq!(reply.json["error"], "pow_invalid", "{}", reply.describe()),
                _ => panic!("{sale}: {}", reply.describe()),
            }
        }
        assert_eq!(created, 1, "{sale}: one place for one solution");
        w.origin().pull_eventually(sale, 1).await;
        // Every shard's block has closed by then (a second each, by the worker's clock, moved
        // there: docs/api.md, "Testing"): nobody else is in line.
        w.advance(Duration::from_millis(2_500)).await;
        let rest = w.origin().pull(sale, "w1", 100, None).await;
        assert!(
            rest.assignments.is_empty(),
            "{sale}: {:?}",
            rest.assignments
        );
        assert_eq!(joined(&report(&w, sale).await), 1, "{sale}");
    }
}

/// The monitor's canary is no fan's sale: no page, no join, no challenge, no socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fans_cannot_reach_the_canary_sale() {
    let w = TestWorker::start().await;
    let page = send(w.fan().get("/s/canary")).await;
    assert_eq!(page.status, 404, "{}", page.describe());
    assert!(page.set_cookies().is_empty());
    for _ in 0..20 {
        send(w.fan().post(&join_path("canary"))).await.expect_error(
            404,
            "sale_not_found",
            "join the canary",
        );
    }
    send(w.fan().get("/api/sales/canary/challenge"))
        .await
        .expect_error(404, "sale_not_found", "a canary challenge");
    send(w.fan().get("/api/sales/canary")).await.expect_error(
        404,
        "sale_not_found",
        "the canary's info",
    );
    let body = json!({ "name": "mine", "purchase_url": PURCHASE_URL });
    send(w.admin().put("/api/admin/sales/canary").json(&body))
        .await
        .expect_error(400, "invalid_field", "create the canary");
}

/// The address a rate limit counts is an IP address from the platform's header: made-up values
/// share one budget, and every address of one IPv6 /64 is one address.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn made_up_addresses_and_one_ipv6_64_each_buy_one_budget() {
    let w = TestWorker::start().await;
    let budget = 3;
    // Each sale's requests, and the `CF-Connecting-IP` the i-th one says it comes from.
    fn made_up(i: usize) -> Option<String> {
        Some(format!("client-{i}"))
    }
    fn in_one_64(i: usize) -> Option<String> {
        Some(format!("2001:db8:7:7::{i:x}"))
    }
    fn no_header(_: usize) -> Option<String> {
        None
    }
    type Address = fn(usize) -> Option<String>;
    let cases: [(&str, Address); 3] = [
        ("made-up", made_up),
        ("ipv6-64", in_one_64),
        ("no-header", no_header),
    ];
    for (sale, address) in cases {
        let hard_limit = json!({ "rate_limit_per_min": budget, "over_budget": "refuse" });
        open_sale_with(&w, sale, hard_limit).await;
        let mut created = 0;
        for i in 0..20 {
            let mut request = w.fan().post(&join_path(sale));
            if let Some(header) = address(i) {
                request = request.header("CF-Connecting-IP", header);
            }
            let reply = send(request).await;
            match reply.status.as_u16() {
                201 => created += 1,
                429 => assert_eq!(reply.json["error"], "rate_limited"),
                _ => panic!("{sale}: {}", reply.describe()),
            }
        }
        assert_eq!(created, budget, "{sale}: one budget");
    }
    // Another /64 is another budget.
    let other = w
        .fan()
        .post(&join_path("ipv6-64"))
        .header("CF-Connecting-IP", "2001:db8:7:8::1");
    send(other).await.expect(201, "another /64");
}

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

/// A body declared larger than 64 KiB is refused unread on every route, and takes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversized_body_is_413_on_every_route() {
    let w = TestWorker::start().await;
    let sale = "big-body";
    open_sale_with(&w, sale, json!({ "rate_limit_per_min": 1000 })).await;
    let body = vec![b' '; 200 * 1024];
    for (method, path) in [
        (Method::POST, join_path(sale)),
        (Method::POST, format!("/s/{sale}")),
        (Method::GET, format!("/api/sales/{sale}")),
    ] {
        let request = w
            .fan()
            .request(method.clone(), &path)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_LENGTH, body.len())
            .body(body.clone());
        send(request)
            .await
            .expect_error(413, "body_too_large", &format!("{method} {path}"));
    }
    assert_eq!(joined(&report(&w, sale).await), 0);
}

/// A URL typed within the bound that grows past it when normalised (spaces become `%20`) is a
/// 400 naming the field, never a 500, and nothing is stored (issue 17: 1,529 typed bytes were a
/// 500 `internal`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_url_that_grows_when_normalised_is_a_400_naming_the_field() {
    let w = TestWorker::start().await;
    let long = format!("https://tickets.example/{}", "a b".repeat(502));
    assert_eq!(long.len(), 1_530);
    for field in ["purchase_url", "logo_url"] {
        let mut body = json!({ "name": "Long", "purchase_url": PURCHASE_URL });
        match field {
            "logo_url" => body["branding"] = json!({ "logo_url": long }),
            _ => body[field] = json!(long),
        }
        let reply = send(w.admin().put("/api/admin/sales/long-url").json(&body)).await;
        reply.expect_error(400, "invalid_field", field);
        assert!(
            reply.json["field"]
                .as_str()
                .is_some_and(|f| f.ends_with(field)),
            "{}",
            reply.describe()
        );
    }
    send(w.admin().get("/api/admin/sales/long-url"))
        .await
        .expect_error(404, "sale_not_found", "nothing stored");
}

/// A nonce whose hash has exactly `bits` leading zero bits: the cheapest solution of `challenge`
/// a client could bring at that price.
fn nonce_with_exactly(challenge: &str, bits: u8) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(&hash(challenge, n)) == u32::from(bits))
        .expect("a nonce")
}

fn challenge_in(reply: &Reply) -> (String, u8) {
    assert_eq!(reply.status, 403, "{}", reply.describe());
    let pow = &reply.json["pow"];
    let text = pow["challenge"].as_str().expect("challenge").to_owned();
    (text, pow["bits"].as_u64().expect("bits") as u8)
}

/// No honest fan is refused for sharing an address: past its budget an address pays more proof
/// of work for each new place (one bit more each time its excess doubles) instead of a 429, so a
/// crowd behind one carrier address all get places, while a script from it pays more and more.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_address_over_its_budget_pays_a_growing_price_and_is_never_refused() {
    let w = TestWorker::start().await;
    let sale = "shared-address";
    let budget = 5;
    open_sale_with(&w, sale, json!({ "rate_limit_per_min": budget })).await;
    assert_eq!(report(&w, sale).await["over_budget"], "price");
    let from = |r: reqwest::RequestBuilder| r.header("CF-Connecting-IP", "198.51.100.7");
    let crowd = 40;
    let mut asked: Vec<u8> = Vec::new();
    let mut hashes: u64 = 0;
    // A script stocks up a challenge at the first price over the budget (10 bits).
    let mut stocked = None;
    for _ in 0..crowd {
        let reply = send(from(w.fan().post(&join_path(sale)))).await;
        if reply.status == 201 {
            assert!(
                asked.is_empty(),
                "free places come first: {}",
                reply.describe()
            );
            continue;
        }
        if stocked.is_none() {
            let challenge = send(from(w.fan().get(&format!("/api/sales/{sale}/challenge"))))
                .await
                .expect(200, "a challenge at the address's price");
            let text = challenge["challenge"]
                .as_str()
                .expect("challenge")
                .to_owned();
            stocked = Some((text, challenge["bits"].as_u64().expect("bits") as u8));
        }
        assert_eq!(reply.json["error"], "pow_required", "{}", reply.describe());
        let (challenge, bits) = challenge_in(&reply);
        let nonce = solve(&challenge, bits, 0, 1 << 30).expect("a nonce");
        hashes += 1 << bits;
        let body = json!({ "pow": { "challenge": challenge, "nonce": nonce } });
        send(from(w.fan().post(&join_path(sale)).json(&body)))
            .await
            .expect(201, "a paid place over the budget");
        asked.push(bits);
    }
    println!("shared address: {crowd} places, asked bits {asked:?}, ~{hashes} hashes");
    assert_eq!(
        joined(&report(&w, sale).await),
        crowd as u64,
        "every fan placed"
    );
    assert_eq!(asked.len(), crowd - budget as usize);
    assert_eq!(asked[0], 10, "the first place over the budget");
    assert!(asked.windows(2).all(|p| p[0] <= p[1]), "{asked:?}");
    // The k-th place over the budget asks 10 + log2(k) bits: 35 over, 15 bits.
    assert!(asked.last().is_some_and(|b| *b >= 14), "{asked:?}");

    // The stocked challenge's cheapest solution is refused once the excess has doubled twice
    // more, with a challenge at the new price: stocking up buys one doubling at most.
    let (old, old_bits) = stocked.expect("a stocked challenge");
    assert_eq!(old_bits, 10);
    let cheap = json!({ "pow": { "challenge": old, "nonce": nonce_with_exactly(&old, old_bits) } });
    let refused = send(from(w.fan().post(&join_path(sale)).json(&cheap))).await;
    let (_, now_bits) = challenge_in(&refused);
    assert_eq!(
        refused.json["error"],
        "pow_invalid",
        "{}",
        refused.describe()
    );
    assert!(now_bits >= old_bits + 4, "{old_bits} -> {now_bits}");

    // A paid solution replayed (each copy passing the edge's check, refused as spent at the
    // object) adds nothing to its address's debt: what bought no place gives its budget back.
    let replayer = |r: reqwest::RequestBuilder| r.header("CF-Connecting-IP", "198.51.100.9");
    for _ in 0..budget {
        send(replayer(w.fan().post(&join_path(sale))))
            .await
            .expect(201, "the replayer's free places");
    }
    let (challenge, bits) = challenge_in(&send(replayer(w.fan().post(&join_path(sale)))).await);
    assert_eq!(bits, 10);
    // Solved with bits to spare, so every copy passes the edge's check whatever the price.
    let nonce = solve(&challenge, bits + 6, 0, 1 << 30).expect("a nonce");
    let body = json!({ "pow": { "challenge": challenge, "nonce": nonce } });
    send(replayer(w.fan().post(&join_path(sale)).json(&body)))
        .await
        .expect(201, "paid");
    for _ in 0..20 {
        send(replayer(w.fan().post(&join_path(sale)).json(&body)))
            .await
            .expect_error(403, "pow_invalid", "a replay");
    }
    let after = send(replayer(
        w.fan().get(&format!("/api/sales/{sale}/challenge")),
    ))
    .await
    .expect(200, "the price after the replays");
    // One place past the budget: the next asks 11 bits (21 would ask 14).
    assert_eq!(after["bits"], 11, "{after}");

    // Another address has its own budget: free again.
    let elsewhere = w
        .fan()
        .post(&join_path(sale))
        .header("CF-Connecting-IP", "198.51.100.8");
    send(elsewhere).await.expect(201, "another address");
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

/// The first 4 bytes of a solution's hash, as a number: which of `n` shards it lands on.
fn spread(challenge: &str, nonce: &str, n: u32) -> u32 {
    let h = hash(challenge, nonce);
    u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % n
}

/// A live change of `shards` cannot open a second spend of one proof of work: a copy of a solution
/// spent before the change goes to the same shard after it (not to the one its hash picks among
/// the new count), and is refused there; a second change waits until the first has settled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_change_of_shards_cannot_spend_a_solution_twice() {
    let w = TestWorker::start_with_faults().await;
    let sale = "reshard";
    let settings = |shards: u32| json!({ "name": "Reshard", "purchase_url": PURCHASE_URL, "pow_bits": 8, "shards": shards, "rate_limit_per_min": 0 });
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&settings(4)),
    )
    .await
    .expect(201, "create");
    w.admin().open_sale(sale).await;
    // A solution whose hash picks another shard among 8 than among 4.
    let challenge = send(w.fan().get(&format!("/api/sales/{sale}/challenge")))
        .await
        .expect(200, "challenge");
    let text = challenge["challenge"]
        .as_str()
        .expect("challenge")
        .to_owned();
    let nonce = (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            leading_zero_bits(&hash(&text, n)) >= 8 && spread(&text, n, 4) != spread(&text, n, 8)
        })
        .expect("a nonce");
    let paid = json!({ "pow": { "challenge": text, "nonce": nonce } });
    send(w.fan().post(&join_path(sale)).json(&paid))
        .await
        .expect(201, "the solution buys its place");

    // Eight shards, live; every edge then sees the change within the snapshot's second (of the
    // worker's clock, moved past it: docs/api.md, "Testing").
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&settings(8)),
    )
    .await
    .expect(200, "eight shards");
    w.advance(Duration::from_millis(1_500)).await;
    for _ in 0..5 {
        send(w.fan().post(&join_path(sale)).json(&paid))
            .await
            .expect_error(403, "pow_invalid", "the copy after the change");
    }
    // Another change must wait until this one settled (3 minutes).
    let again = send(
        w.admin()
            .put(&format!("/api/admin/sales/{sale}"))
            .json(&settings(2)),
    )
    .await;
    again.expect_error(409, "shards_changing", "a second change at once");
    assert_eq!(w.admin().report(sale).await["shards"], 8);
    // One fan in line: the solution bought one place (and every shard's block has closed since).
    w.origin().pull_eventually(sale, 1).await;
    w.advance(Duration::from_millis(2_500)).await;
    let rest = w.origin().pull(sale, "w1", 100, None).await;
    assert!(rest.assignments.is_empty(), "{:?}", rest.assignments);
}
