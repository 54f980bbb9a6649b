//! What one address may take: made-up addresses and one IPv6 /64 share one budget, and past its
//! budget an address pays a growing price instead of a refusal.

use super::{challenge_in, challenge_of, join_path, joined, open_sale_with, report};
use crate::support::{send, TestWorker};
use serde_json::json;
use waitroom_core::fairness::pow::{hash, leading_zero_bits, solve};

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

/// A nonce whose hash has exactly `bits` leading zero bits: the cheapest solution of `challenge`
/// a client could bring at that price.
fn nonce_with_exactly(challenge: &str, bits: u8) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(&hash(challenge, n)) == u32::from(bits))
        .expect("a nonce")
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
            let answer = send(from(w.fan().get(&format!("/api/sales/{sale}/challenge"))))
                .await
                .expect(200, "a challenge at the address's price");
            stocked = Some(challenge_of(&answer));
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
