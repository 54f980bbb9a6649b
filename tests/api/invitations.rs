//! Invitation-only sales (issue 9): a fan joins by presenting an invitation (a JWT the
//! promoter's identity system signs, or one we generate), each member has one place from any
//! device, even when their joins race, and every refusal changes nothing. Open sales are as
//! before.

use crate::support::clock::unix_now;
use crate::support::{eventually, send, Reply, TestWorker};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::header::{ACCEPT, COOKIE};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

const SALE: &str = "presale";
const OTHER: &str = "other-presale";
const OPEN_SALE: &str = "open-sale";
/// Test-only keys of the promoter's identity system (tests/fixtures/invitation-keys).
const KEYS: &str = "tests/fixtures/invitation-keys";

#[derive(Clone, Copy, Debug)]
enum Key {
    Rsa,
    Ec,
    Ed,
    /// A key no sale trusts.
    Foreign,
}

fn pem(file: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// An invitation for `member` to `sale` signed by `key`, expiring `exp_in_s` from now.
fn invitation(key: Key, sale: &str, member: &str, exp_in_s: i64) -> String {
    let (alg, kid, encoding) = match key {
        Key::Rsa => (
            Algorithm::RS256,
            "rsa-1",
            EncodingKey::from_rsa_pem(&pem("rsa.pem")),
        ),
        Key::Ec => (
            Algorithm::ES256,
            "ec-1",
            EncodingKey::from_ec_pem(&pem("ec.pem")),
        ),
        Key::Ed => (
            Algorithm::EdDSA,
            "ed-1",
            EncodingKey::from_ed_pem(&pem("ed25519.pem")),
        ),
        Key::Foreign => (
            Algorithm::RS256,
            "rsa-1",
            EncodingKey::from_rsa_pem(&pem("rsa-other.pem")),
        ),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    let exp = unix_now().as_secs() as i64 + exp_in_s;
    let claims = json!({"aud": sale, "sub": member, "exp": exp, "iat": exp - 3600});
    encode(&header, &claims, &encoding.expect("test key")).expect("signs")
}

fn jwks() -> Value {
    serde_json::from_slice(&pem("public.jwks.json")).expect("JWKS")
}

/// Places taken, once every arrival shard reported its block (about a second after a join).
async fn joined_count(w: &TestWorker, sale: &str) -> u64 {
    eventually("blocks are reported", Duration::from_secs(10), || async {
        let stats = w.admin().report(sale).await["stats"].clone();
        match stats["pending"].as_u64() {
            Some(0) => stats["joined"]
                .as_u64()
                .ok_or(format!("no joined: {stats}")),
            _ => Err(format!("pending: {stats}")),
        }
    })
    .await
}

async fn join_with(w: &TestWorker, sale: &str, invitation: Option<&str>) -> Reply {
    let request = w.fan().post(&format!("/api/sales/{sale}/join"));
    send(match invitation {
        Some(text) => request.json(&json!({ "invitation": text })),
        None => request,
    })
    .await
}

async fn create_invite_sale(w: &TestWorker, sale: &str, shards: u32) {
    let body = json!({
        "name": format!("Presale {sale}"),
        "purchase_url": crate::support::PURCHASE_URL,
        "access": "invite",
        "invite_jwks": jwks(),
        "shards": shards,
    });
    let report = w.admin().create_sale_with(sale, body).await;
    assert_eq!(report["access"], "invite", "{report}");
    assert_eq!(
        report["invite_jwks"]["keys"].as_array().map(Vec::len),
        Some(3)
    );
    w.admin().open_sale(sale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invitation_only_sales() {
    let w = TestWorker::start().await;
    create_invite_sale(&w, SALE, 2).await;
    create_invite_sale(&w, OTHER, 1).await;

    // Refusals: none, forged, expired, other sale, `none` algorithm; nothing changes.
    join_with(&w, SALE, None)
        .await
        .expect_error(403, "invitation_required", "no invitation");
    let forged = invitation(Key::Foreign, SALE, "m1", 3600);
    let expired = invitation(Key::Ec, SALE, "m1", -600);
    let elsewhere = invitation(Key::Ec, OTHER, "m1", 3600);
    let unsigned = {
        let good = invitation(Key::Ed, SALE, "m1", 3600);
        let claims = good.split('.').nth(1).unwrap().to_owned();
        format!("eyJhbGciOiJub25lIn0.{claims}.")
    };
    for (text, what) in [
        (&forged, "forged"),
        (&expired, "expired"),
        (&elsewhere, "other sale"),
        (&unsigned, "alg none"),
        (&"garbage".to_owned(), "garbage"),
    ] {
        join_with(&w, SALE, Some(text))
            .await
            .expect_error(401, "bad_invitation", what);
    }
    assert_eq!(joined_count(&w, SALE).await, 0, "refusals took no place");

    // The right invitation: a place. The same member from another device (another key even):
    // the same place, with a token of its own.
    let first = join_with(&w, SALE, Some(&invitation(Key::Ec, SALE, "m1", 3600)))
        .await
        .expect(201, "member m1 joins");
    for key in [Key::Rsa, Key::Ed, Key::Ec] {
        let again = join_with(&w, SALE, Some(&invitation(key, SALE, "m1", 3600)))
            .await
            .expect(200, "member m1 again");
        assert_eq!(
            (&again["seq"], &again["fan_id"]),
            (&first["seq"], &first["fan_id"]),
            "{key:?}"
        );
        let status = w
            .fan()
            .status(SALE, again["token"].as_str().expect("token"))
            .await;
        assert_eq!(status["seq"], first["seq"], "the new token names the place");
    }
    let second = join_with(&w, SALE, Some(&invitation(Key::Rsa, SALE, "m2", 3600)))
        .await
        .expect(201, "member m2 joins");
    assert_ne!(second["seq"], first["seq"], "two members, two places");
    // An invitation for another sale is its own sale's place, not this one's.
    join_with(&w, OTHER, Some(&elsewhere))
        .await
        .expect(201, "m1 at the other sale");

    // Twenty devices of one member at once: one place.
    let racing = invitation(Key::Ed, SALE, "racer", 3600);
    let replies =
        futures::future::join_all((0..20).map(|_| join_with(&w, SALE, Some(&racing)))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "one join made the place: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 200),
        "{statuses:?}"
    );
    let seqs: BTreeSet<String> = replies.iter().map(|r| r.json["seq"].to_string()).collect();
    assert_eq!(seqs.len(), 1, "one place for the member: {seqs:?}");
    assert_eq!(joined_count(&w, SALE).await, 3, "m1, m2 and the racer");

    // Settings are checked on PUT.
    for (body, field) in [
        (json!({"access": "members"}), "access"),
        (
            json!({"invite_jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}),
            "invite_jwks",
        ),
        (
            json!({"invite_jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "AAAA"}]}}),
            "invite_jwks",
        ),
    ] {
        let mut sale = json!({"name": "x", "purchase_url": crate::support::PURCHASE_URL});
        sale.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        let reply = send(
            w.admin()
                .put(&format!("/api/admin/sales/{SALE}"))
                .json(&sale),
        )
        .await;
        reply.expect_error(400, "invalid_field", field);
        assert_eq!(reply.json["field"], field);
    }

    // Members' places are kept per shard: the count cannot change any more.
    let mut resharded = json!({
        "name": "x", "purchase_url": crate::support::PURCHASE_URL,
        "access": "invite", "invite_jwks": jwks(), "shards": 3,
    });
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}"))
            .json(&resharded),
    )
    .await
    .expect_error(409, "shards_fixed", "re-sharding an invitation-only sale");
    resharded["shards"] = json!(2);
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}"))
            .json(&resharded),
    )
    .await
    .expect(200, "the same shards");

    // Invitations we sign: for listed members, or a number of random ones.
    let path = format!("/api/admin/sales/{SALE}/invitations");
    send(w.fan().post(&path).json(&json!({"count": 1})))
        .await
        .expect_error(401, "unauthorized", "generating without the admin key");
    send(w.admin().post(&path).json(&json!({"count": 0})))
        .await
        .expect_error(400, "invalid_field", "count 0");
    let listed = send(
        w.admin()
            .post(&path)
            .json(&json!({"members": ["alice", "m2"]})),
    )
    .await
    .expect(200, "invitations for listed members");
    let listed = listed["invitations"]
        .as_array()
        .expect("invitations")
        .clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["member"], "alice");
    let url = listed[0]["url"].as_str().expect("url");
    assert!(
        url.ends_with(&format!(
            "/s/{SALE}?invitation={}",
            listed[0]["invitation"].as_str().unwrap()
        )),
        "{url}"
    );
    join_with(&w, SALE, listed[0]["invitation"].as_str())
        .await
        .expect(201, "alice by our invitation");
    let m2 = join_with(&w, SALE, listed[1]["invitation"].as_str())
        .await
        .expect(200, "m2 by our invitation: the place m2 has");
    assert_eq!(m2["seq"], second["seq"]);
    let random = send(w.admin().post(&path).json(&json!({"count": 3})))
        .await
        .expect(200, "random members");
    let random = random["invitations"]
        .as_array()
        .expect("invitations")
        .clone();
    let members: BTreeSet<&str> = random.iter().filter_map(|i| i["member"].as_str()).collect();
    assert_eq!(members.len(), 3, "three distinct members: {members:?}");
    join_with(&w, SALE, random[2]["invitation"].as_str())
        .await
        .expect(201, "a random member");
    // Ours are for the sale they name only.
    join_with(&w, OTHER, random[2]["invitation"].as_str())
        .await
        .expect_error(401, "bad_invitation", "ours, for another sale");

    // The invitation link: kept in a cookie, the place taken, and on to the clean URL.
    let link = listed[0]["url"].as_str().unwrap().replace(&w.base, "");
    let bob = send(w.admin().post(&path).json(&json!({"members": ["bob"]})))
        .await
        .expect(200, "bob's invitation")["invitations"][0]["url"]
        .as_str()
        .unwrap()
        .replace(&w.base, "");
    let landed = send(w.fan().get(&bob).header(ACCEPT, "text/html")).await;
    assert_eq!(landed.status, 303, "{}", landed.describe());
    assert_eq!(landed.header("location"), Some(&*format!("/s/{SALE}")));
    let token = landed
        .cookie(&format!("__Host-wr_{SALE}"))
        .expect("token cookie");
    let kept = landed
        .cookie(&format!("__Host-wi_{SALE}"))
        .expect("invitation cookie");
    assert!(kept.has("httponly") && kept.has("secure"), "{kept:?}");
    let page = send(
        w.fan()
            .get(&format!("/s/{SALE}"))
            .header(ACCEPT, "text/html")
            .header(COOKIE, format!("__Host-wr_{SALE}={}", token.value)),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(page.text.contains("data-page=\"waiting\""), "{}", page.text);
    // Bob's browser opening someone else's link (another site may send it): bob keeps his place
    // and his invitation.
    let foreign = send(
        w.fan()
            .get(&link)
            .header(ACCEPT, "text/html")
            .header(COOKIE, format!("__Host-wr_{SALE}={}", token.value)),
    )
    .await;
    assert_eq!(foreign.status, 303, "{}", foreign.describe());
    assert!(
        foreign.set_cookies().is_empty(),
        "{:?}",
        foreign.set_cookies()
    );
    // Another device opening alice's link: alice's place.
    let other_device = send(w.fan().get(&link).header(ACCEPT, "text/html")).await;
    assert_eq!(other_device.status, 303);
    let alice_token = other_device
        .cookie(&format!("__Host-wr_{SALE}"))
        .unwrap()
        .value;
    let alice = w.fan().status(SALE, &alice_token).await;
    let alice_first = join_with(&w, SALE, listed[0]["invitation"].as_str())
        .await
        .json;
    assert_eq!(alice["seq"], alice_first["seq"]);
    // With only the kept invitation cookie (the page after a restart of the browser): the place.
    let from_cookie = send(
        w.fan()
            .get(&format!("/s/{SALE}"))
            .header(ACCEPT, "application/json")
            .header(COOKIE, format!("__Host-wi_{SALE}={}", kept.value)),
    )
    .await
    .expect(200, "the page with the kept invitation");
    let bob_joined = joined_count(&w, SALE).await;
    assert!(from_cookie["seq"].is_u64(), "{from_cookie}");

    // The page's refusals are readable pages; nothing changes.
    let none = send(
        w.fan()
            .get(&format!("/s/{SALE}"))
            .header(ACCEPT, "text/html"),
    )
    .await;
    assert_eq!(none.status, 403, "{}", none.describe());
    assert!(none.text.contains("by invitation only"), "{}", none.text);
    let bad = send(
        w.fan()
            .get(&format!("/s/{SALE}?invitation={expired}"))
            .header(ACCEPT, "text/html"),
    )
    .await;
    assert_eq!(bad.status, 401, "{}", bad.describe());
    assert!(
        bad.text.contains("does not work") && bad.text.contains("expired"),
        "{}",
        bad.text
    );
    assert!(bad.cookie(&format!("__Host-wi_{SALE}")).is_none());
    assert_eq!(
        joined_count(&w, SALE).await,
        bob_joined,
        "refused pages took no place"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invitation_link_before_the_sale_opens_is_kept_for_the_opening() {
    let w = TestWorker::start().await;
    let sale = "later-presale";
    let body =
        json!({"name": "Later", "purchase_url": crate::support::PURCHASE_URL, "access": "invite"});
    w.admin().create_sale_with(sale, body).await;
    let path = format!("/api/admin/sales/{sale}/invitations");
    let generated = send(w.admin().post(&path).json(&json!({"members": ["early"]})))
        .await
        .expect(200, "an invitation");
    let link = generated["invitations"][0]["url"]
        .as_str()
        .unwrap()
        .replace(&w.base, "");
    let landed = send(w.fan().get(&link).header(ACCEPT, "text/html")).await;
    assert_eq!(landed.status, 303, "{}", landed.describe());
    assert_eq!(landed.header("location"), Some(&*format!("/s/{sale}")));
    assert!(
        landed.cookie(&format!("__Host-wr_{sale}")).is_none(),
        "no place before the sale"
    );
    let kept = landed
        .cookie(&format!("__Host-wi_{sale}"))
        .expect("the invitation is kept");
    assert_eq!(joined_count(&w, sale).await, 0);
    w.admin().open_sale(sale).await;
    // The countdown's navigation at the opening carries the kept invitation.
    let page = send(
        w.fan()
            .get(&format!("/s/{sale}"))
            .header(ACCEPT, "text/html")
            .header(COOKIE, format!("__Host-wi_{sale}={}", kept.value)),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(
        page.cookie(&format!("__Host-wr_{sale}")).is_some(),
        "a place"
    );
    assert_eq!(joined_count(&w, sale).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_sales_take_anyone_and_ignore_invitations() {
    let w = TestWorker::start().await;
    let report = w.admin().create_sale(OPEN_SALE, None).await;
    assert_eq!(report["access"], "open", "{report}");
    w.admin().open_sale(OPEN_SALE).await;
    join_with(&w, OPEN_SALE, None)
        .await
        .expect(201, "no invitation");
    join_with(&w, OPEN_SALE, Some("not-a-jwt"))
        .await
        .expect(201, "an invitation is ignored");
    let member = invitation(Key::Ed, OPEN_SALE, "m1", 3600);
    let a = join_with(&w, OPEN_SALE, Some(&member))
        .await
        .expect(201, "a");
    let b = join_with(&w, OPEN_SALE, Some(&member))
        .await
        .expect(201, "b");
    assert_ne!(a["seq"], b["seq"], "open sales have no members");
    let link = send(
        w.fan()
            .get(&format!("/s/{OPEN_SALE}?invitation={member}"))
            .header(ACCEPT, "text/html"),
    )
    .await;
    assert_eq!(link.status, 303, "{}", link.describe());
    assert_eq!(link.header("location"), Some(&*format!("/s/{OPEN_SALE}")));
    assert_eq!(joined_count(&w, OPEN_SALE).await, 4);
}

/// A member whose turn lapsed is not offered "join the line again": their invitation was for one
/// place, and they had it. A fan of an open sale whose turn lapsed is offered a place at the back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_whose_turn_lapsed_is_not_offered_to_join_again() {
    const INVITED: &str = "lapse-invite";
    const OPEN: &str = "lapse-open";
    let w = TestWorker::start_with_faults().await;
    for (sale, access) in [(INVITED, "invite"), (OPEN, "open")] {
        let mut body = json!({
            "name": "Lapse", "purchase_url": crate::support::PURCHASE_URL, "access": access,
            "claim_ttl_s": 10, "presence_ttl_s": 0,
        });
        if access == "invite" {
            body["invite_jwks"] = jwks();
        }
        w.admin().create_sale_with(sale, body).await;
        w.admin().open_sale(sale).await;
    }
    let member = join_with(
        &w,
        INVITED,
        Some(&invitation(Key::Ed, INVITED, "m-lapse", 3600)),
    )
    .await
    .expect(201, "the member's place");
    let member_token = member["token"].as_str().expect("token").to_owned();
    let fan_token = w.fan().join(OPEN).await.token;
    // The member joined through an arrival shard: the coordinator has them once its block closes.
    for sale in [INVITED, OPEN] {
        w.origin().pull_eventually(sale, 1).await;
    }
    // Nobody looks while the turn is held (a look would claim it): both lapse once claim_ttl_s
    // (10 s) is over; a look a moment after that finds them lapsed. (The worker's clock is moved
    // there: docs/api.md, "Testing".)
    w.advance(Duration::from_secs(11)).await;
    for (sale, token, offered) in [(INVITED, &member_token, false), (OPEN, &fan_token, true)] {
        w.fan().wait_for_state(sale, token, "lapsed").await;
        let page = send(
            w.fan()
                .get(&format!("/s/{sale}"))
                .header(ACCEPT, "text/html")
                .header(COOKIE, format!("__Host-wr_{sale}={token}")),
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.describe());
        assert!(page.text.contains("Turn missed"), "{sale}: {}", page.text);
        assert_eq!(
            page.text.contains("id=\"rejoin\""),
            offered,
            "{sale}: the join-again form is offered only in an open sale: {}",
            page.text
        );
        let says = if offered {
            "join the line again at the back"
        } else {
            "Your invitation was for one place"
        };
        assert!(page.text.contains(says), "{sale}: {}", page.text);
    }
}
