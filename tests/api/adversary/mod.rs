//! The adversary suite (issue 17, docs/fairness.md): each test attacks one promise the way a
//! script would, through the worker's HTTP contract only, and asserts the bound the promise sets
//! (places taken, coordinator requests spent, sockets held). Every request goes through
//! [`send`], which fails the test on any 5xx: no attack may make the worker fail.
//!
//! `make test-adversary` runs these alone; `make test-integration` runs them with the rest.
//! One file an attack family; this one holds only what they share (a sale opened, its report, a
//! paid join). The attacks issue 17 found: finished and waiting fans' tokens (`spent_tokens`),
//! solutions spent twice (`solutions`), the canary sale (`canary`), what one address may take
//! (`addresses`), sockets held (`sockets`) and input past its bounds (`input_bounds`). The earlier
//! ones the front door already resisted, each with its bounds: places by intent (cross-site and
//! embedded requests, `places_by_intent`), what a place costs (join spam, forged, expired,
//! other-sale and replayed solutions, `place_cost`), the public report before the close and what
//! it names (`report`), finished tokens and unknown sale ids at the edge (coordinator requests and
//! files created, `edge_cost`; random ids at scale and with the registry failing,
//! `unknown_sales`), malformed and oversized input (`bad_input`), and places bound to a device (a
//! copied token or cookie, replayed and forged proofs, a bound place's move, `device_binding`), and an
//! origin's batched completions (ids of another sale, forged numbers, duplicates, replays, oversized
//! batches, a wrong key; one coordinator request for 50, `batches`).

mod addresses;
mod assist;
mod bad_input;
mod batches;
mod canary;
mod device_binding;
mod edge_cost;
mod input_bounds;
mod moved_place;
mod party;
mod place_cost;
mod places_by_intent;
mod protected_paths;
mod push;
mod report;
mod safety_net;
mod sockets;
mod solutions;
mod spent_tokens;
mod unknown_sales;

use crate::support::fan::Joined;
use crate::support::{send, Reply, TestWorker};
use serde_json::{json, Value};
use waitroom_core::fairness::pow::solve;

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

/// The challenge endpoint's answer (200), as its challenge's text and price in bits.
fn challenge_of(answer: &Value) -> (String, u8) {
    let text = answer["challenge"].as_str().expect("challenge").to_owned();
    (text, answer["bits"].as_u64().expect("bits") as u8)
}

/// The challenge of `sale` at this address's price.
async fn challenge(w: &TestWorker, sale: &str) -> (String, u8) {
    let answer = send(w.fan().get(&format!("/api/sales/{sale}/challenge")))
        .await
        .expect(200, "challenge");
    challenge_of(&answer)
}

/// A proof of work for `sale`, solved: the challenge endpoint's, as a client does it.
async fn solved(w: &TestWorker, sale: &str) -> Value {
    let (text, bits) = challenge(w, sale).await;
    let nonce = solve(&text, bits, 0, 1 << 26).expect("a nonce");
    json!({ "challenge": text, "nonce": nonce })
}

/// Joins as a new fan with `pow` (201).
async fn join_paid(w: &TestWorker, sale: &str, pow: &Value) -> Joined {
    let reply = send(w.fan().post(&join_path(sale)).json(&json!({ "pow": pow }))).await;
    serde_json::from_value(reply.expect(201, "paid join")).expect("join body")
}

fn challenge_in(reply: &Reply) -> (String, u8) {
    assert_eq!(reply.status, 403, "{}", reply.describe());
    let pow = &reply.json["pow"];
    let text = pow["challenge"].as_str().expect("challenge").to_owned();
    (text, pow["bits"].as_u64().expect("bits") as u8)
}
