//! Come as a party (docs/api.md, "Come as a party"), attacked, on one worker: a party of three
//! (a leader, a friend with no place, a friend who gives up their own place) is admitted
//! together, counted as 3 by the window that takes it and never split (a window of 2 is told
//! `party_waiting: 3`), with three passes carrying one party id; a party cannot grow beyond
//! `party_max`; a member cannot join a second party or be seated twice; a member's old place
//! cannot be claimed after joining; an altered, foreign or expired link is refused; a member who
//! left holds nothing. And the cost: a link costs the coordinator nothing, a join one request.

use super::open_sale_with;
use crate::support::origin::verify_pass;
use crate::support::{send, Reply, TestWorker};
use reqwest::header::COOKIE;
use serde_json::{json, Value};
use std::time::Duration;

const SALE: &str = "party";

fn requests(report: &Value, kind: &str) -> u64 {
    report["coordinator_requests_by_kind"][kind]
        .as_u64()
        .unwrap_or(0)
}

async fn link(w: &TestWorker, sale: &str, token: &str) -> Reply {
    let path = format!("/api/sales/{sale}/party-link");
    send(w.fan().with_bearer(token).post(&path)).await
}

async fn join(w: &TestWorker, sale: &str, code: &str, own: Option<&str>) -> Reply {
    let path = format!("/api/sales/{sale}/party/join");
    let body = json!({ "code": code });
    match own {
        Some(token) => send(w.fan().with_bearer(token).post(&path).json(&body)).await,
        None => send(w.fan().post(&path).json(&body)).await,
    }
}

async fn pull(w: &TestWorker, max: u32) -> Value {
    let body = json!({ "window": "w1", "max": max });
    let path = format!("/api/origin/sales/{SALE}/pull");
    send(w.origin().post(&path).json(&body))
        .await
        .expect(200, "pull")
}

fn code_of(answer: &Value) -> String {
    answer["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_party_is_admitted_together_and_never_beyond_party_max() {
    let w = TestWorker::start_with_faults().await;
    open_sale_with(&w, SALE, json!({ "party_max": 3 })).await;
    open_sale_with(&w, "other", json!({ "party_max": 3 })).await;
    let leader = w.fan().join(SALE).await;
    let alone = w.fan().join(SALE).await;
    let friend_b = w.fan().join(SALE).await;
    let other_leader = w.fan().join(SALE).await;

    // A link costs the coordinator nothing; each join costs one `join_party`.
    let before = w.admin().report(SALE).await;
    let made = link(&w, SALE, &leader.token)
        .await
        .expect(201, "party link");
    let code = code_of(&made);
    assert_eq!(made["party_max"], 3, "{made}");
    let url = made["url"].as_str().unwrap();
    assert!(url.ends_with(&format!("/s/{SALE}/party#{code}")), "{url}");
    let a = join(&w, SALE, &code, None).await;
    assert!(a.cookie(&format!("__Host-wr_{SALE}")).is_some());
    let a = a.expect(200, "a friend with no place joins");
    assert_eq!(
        (a["seq"].as_u64(), a["seat"].as_u64()),
        (Some(leader.seq), Some(1))
    );
    let b = join(&w, SALE, &code, Some(&friend_b.token))
        .await
        .expect(200, "a friend gives up their place to join");
    assert_eq!(b["gave_up"].as_u64(), Some(friend_b.seq), "{b}");
    let after = w.admin().report(SALE).await;
    let joins = requests(&after, "join_party") - requests(&before, "join_party");
    let claims = requests(&after, "claim") - requests(&before, "claim");
    println!(
        "party: a link cost 0, two joins cost {joins} join_party request(s), {claims} claims; by kind {}",
        after["coordinator_requests_by_kind"]
    );
    assert_eq!((joins, claims), (2, 0));
    let (a_token, b_token) = (
        a["token"].as_str().unwrap().to_owned(),
        b["token"].as_str().unwrap().to_owned(),
    );

    // Never beyond party_max: the same link (and any link) seats no fourth.
    join(&w, SALE, &code, None)
        .await
        .expect_error(409, "party_full", "a fourth fan");
    // A member is in one party at most, and cannot be seated twice.
    let other = code_of(
        &link(&w, SALE, &other_leader.token)
            .await
            .expect(201, "link"),
    );
    join(&w, SALE, &other, Some(&a_token)).await.expect_error(
        409,
        "in_a_party",
        "a member joins a second party",
    );
    join(&w, SALE, &code, Some(&a_token)).await.expect_error(
        409,
        "in_a_party",
        "a member joins again",
    );
    link(&w, SALE, &a_token)
        .await
        .expect_error(409, "in_a_party", "a member makes a link");
    join(&w, SALE, &other, Some(&leader.token))
        .await
        .expect_error(409, "in_a_party", "a leader joins another party");
    // The given-up place's old token holds nothing: it cannot join again, claim or rejoin.
    join(&w, SALE, &other, Some(&friend_b.token))
        .await
        .expect_error(409, "place_moved", "the given-up place joins another party");

    // Each member sees the party, and its place in line is the leader's.
    let view = send(
        w.fan()
            .with_bearer(&b_token)
            .get(&format!("/api/sales/{SALE}/party")),
    )
    .await
    .expect(200, "the party");
    assert_eq!(
        (view["size"].as_u64(), view["your_seat"].as_u64()),
        (Some(3), Some(2))
    );
    let s = w.fan().status(SALE, &a_token).await;
    assert_eq!(
        (s["state"].as_str(), s["position"].as_u64()),
        (Some("waiting"), Some(1)),
        "{s}"
    );

    // Forged, foreign and expired links.
    let mut altered = code.clone().into_bytes();
    altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
    join(&w, SALE, std::str::from_utf8(&altered).unwrap(), None)
        .await
        .expect_error(400, "party_link_invalid", "an altered code");
    join(&w, "other", &code, None).await.expect_error(
        400,
        "party_link_invalid",
        "another sale's code",
    );
    let move_code = send(
        w.fan()
            .with_bearer(&alone.token)
            .post(&format!("/api/sales/{SALE}/move-link")),
    )
    .await
    .expect(201, "a move link");
    join(&w, SALE, &code_of(&move_code), None)
        .await
        .expect_error(400, "party_link_invalid", "a move link as a party link");
    // A member who leaves frees room, and their token holds nothing.
    let c = join(&w, SALE, &other, None)
        .await
        .expect(200, "c joins the other party");
    let c_token = c["token"].as_str().unwrap().to_owned();
    send(
        w.fan()
            .with_bearer(&c_token)
            .post(&format!("/api/sales/{SALE}/party/leave")),
    )
    .await
    .expect(200, "c leaves");
    send(
        w.fan()
            .with_bearer(&c_token)
            .get(&format!("/api/sales/{SALE}/party")),
    )
    .await
    .expect_error(409, "place_moved", "a member who left");
    send(
        w.fan()
            .with_bearer(&leader.token)
            .post(&format!("/api/sales/{SALE}/party/leave")),
    )
    .await
    .expect_error(409, "not_a_member", "the leader leaves");

    // The pages, without JavaScript: the waiting page's form gives the link and the code as
    // text; a friend with a place of their own opens the join page, which says that place is
    // given up, types the code and joins; their page shows the party; leaving clears the cookie.
    let e = w.fan().join(SALE).await;
    let cookie_of = |token: &str| format!("__Host-wr_{SALE}={token}");
    let page = send(
        w.fan()
            .post(&format!("/s/{SALE}/party-link"))
            .header(COOKIE, cookie_of(&other_leader.token)),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.describe());
    let typed = page
        .text
        .split("id=\"party-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("the code as text: {}", page.text))
        .to_owned();
    let join_page = send(
        w.fan()
            .get(&format!("/s/{SALE}/party"))
            .header(COOKIE, cookie_of(&e.token)),
    )
    .await;
    assert_eq!(join_page.status, 200, "{}", join_page.describe());
    assert!(
        join_page.text.contains("gives that place up"),
        "{}",
        join_page.text
    );
    let joined = send(
        w.fan()
            .post(&format!("/s/{SALE}/party"))
            .header(COOKIE, cookie_of(&e.token))
            .form(&[("code", typed.as_str())]),
    )
    .await;
    assert_eq!(joined.status, 303, "{}", joined.describe());
    let member = joined
        .cookie(&format!("__Host-wr_{SALE}"))
        .expect("the member's cookie")
        .value;
    let s = w.fan().status(SALE, &member).await;
    assert_eq!(
        (s["state"].as_str(), s["seq"].as_u64()),
        (Some("waiting"), Some(other_leader.seq)),
        "{s}"
    );
    let mine = send(
        w.fan()
            .get(&format!("/s/{SALE}/party"))
            .header(COOKIE, cookie_of(&member)),
    )
    .await;
    assert!(
        mine.text.contains("Your party: 2 of at most 3."),
        "{}",
        mine.text
    );
    let left = send(
        w.fan()
            .post(&format!("/s/{SALE}/party/leave"))
            .header(COOKIE, cookie_of(&member)),
    )
    .await;
    assert_eq!(left.status, 200, "{}", left.describe());
    assert!(left.text.contains("You left the party"), "{}", left.text);
    let cleared = left
        .cookie(&format!("__Host-wr_{SALE}"))
        .expect("the cookie cleared");
    assert!(cleared.value.is_empty(), "{cleared:?}");

    // Admitted together: a window of 2 takes nobody (the party of 3 is never split) and says so;
    // a window of 4 takes the party (3) and the fan behind it (1). The given-up place is skipped.
    let small = pull(&w, 2).await;
    assert_eq!(small["assignments"], json!([]), "{small}");
    assert_eq!(small["party_waiting"], 3, "{small}");
    let big = pull(&w, 4).await;
    let seqs: Vec<u64> = big["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![leader.seq, alone.seq], "{big}");
    let party = &big["assignments"][0]["party"];
    assert_eq!(party["size"], 3, "{big}");
    let party_id = party["id"].as_str().unwrap().to_owned();
    assert_eq!(party_id, leader.fan_id);

    // Three passes, one party id, each its own subject.
    let jwks = w.fan().jwks().await;
    let mut subs = Vec::new();
    for token in [&leader.token, &a_token, &b_token] {
        let turn = w.fan().wait_for_state(SALE, token, "your_turn").await;
        let pass = verify_pass(turn["pass"].as_str().unwrap(), SALE, &jwks);
        assert_eq!(pass.party.as_deref(), Some(party_id.as_str()), "{pass:?}");
        subs.push(pass.sub);
    }
    subs.sort();
    subs.dedup();
    assert_eq!(subs.len(), 3, "one pass per member");
    // The member's old place cannot be claimed.
    let s = w.fan().status(SALE, &friend_b.token).await;
    assert_eq!(s["state"], "moved", "the given-up place: {s}");
    assert!(s.get("pass").is_none(), "{s}");
    // The assignments list shows the party.
    let list = send(
        w.origin()
            .get(&format!("/api/origin/sales/{SALE}/assignments")),
    )
    .await
    .expect(200, "assignments");
    assert!(
        list["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["party"]["size"] == 3),
        "{list}"
    );
    // Once admitted, nobody joins.
    join(&w, SALE, &code, None)
        .await
        .expect_error(409, "turn_taken", "a join after the admission");
    // A link past its 10 minutes.
    let late = code_of(
        &link(&w, SALE, &other_leader.token)
            .await
            .expect(201, "link"),
    );
    w.advance(Duration::from_secs(601)).await;
    join(&w, SALE, &late, None).await.expect_error(
        410,
        "party_link_expired",
        "a code past its 10 minutes",
    );
}
