//! Places bound to a device (issue 20, `device_binding`; docs/api.md, "Bound to this device"):
//! the turn of a bound place is handed only to a proof made with the key the place was taken
//! with. A copied cookie or token claims nothing (no proof, a proof with the copier's own key, a
//! forged signature), a proof claims nothing for another place or sale or past its window, the
//! pass never comes over a socket or from the edge's cache, and a fan without JavaScript gets no
//! place and a page that says why. What a copier tries costs the coordinator no request unless it
//! holds the device's public key (then one, refused).
//!
//! Moving a bound place (docs/api.md, "Move my place"): a copied token or cookie makes no move
//! link (no proof, the copier's key, a claim's proof; none of it reaches the coordinator), the
//! device's move proof does (one coordinator request, `move_link`), the new device takes the
//! place only with a key of its own, and then only the new device's proofs claim the turn: the
//! old device's proof and the copied cookie are refused.
//!
//! A bound sale that protects a path (docs/api.md, "Path protection"): at the turn the door
//! answers a page load (which carries no proof) with the "confirm this device" page, in the
//! fan's language, whose script comes back with the device's proof; only that proof starts a
//! session and reaches the origin. A copied cookie, with no proof, the copier's key or a forged
//! signature, gets no session and reaches the origin 0 times, before and after the fan's
//! session started.
//!
//! A bound place that comes as a party (docs/api.md, "Come as a party"): the leader's party link
//! needs the leader's device proof (a copied leader's cookie cannot invite its holder in), a
//! member joins only with a device key of their own and their token is bound to it, so a member's
//! turn is handed only to the member's own device's proof: a copied member's cookie, the
//! leader's proof or the copier's key claim nothing, and cost the coordinator nothing; and a
//! copy of a bound place's cookie cannot give that place up by joining a party with it.

use super::{coordinator_requests, join_path, open_sale_with, report};
use crate::protect::from_origin;
use crate::support::device::{token_claims, Device};
use crate::support::echo_origin::EchoOrigin;
use crate::support::socket::{self, Opened};
use crate::support::{send, verify_pass, TestWorker};
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, COOKIE};
use serde_json::json;
use std::time::Duration;

const SALE: &str = "bound";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bound_place_is_claimed_only_with_its_devices_proof() {
    let w = TestWorker::start_with_faults().await;
    open_sale_with(
        &w,
        SALE,
        json!({ "device_binding": true, "rate_limit_per_min": 1000 }),
    )
    .await;
    assert_eq!(report(&w, SALE).await["device_binding"], true);

    // No place without a device key (nothing recorded), nor with a key that is none.
    send(w.fan().post(&join_path(SALE))).await.expect_error(
        400,
        "device_key_required",
        "a join without a key",
    );
    let not_p256 = json!({ "device_key": { "kty": "EC", "crv": "P-384", "x": "AA", "y": "AA" } });
    send(w.fan().post(&join_path(SALE)).json(&not_p256))
        .await
        .expect_error(400, "bad_device_key", "a join with a P-384 key");
    // A browser without JavaScript: no place, and the page that says why (200, no cookie).
    let page = send(w.fan().get(&format!("/s/{SALE}"))).await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(page.set_cookies().is_empty(), "{}", page.describe());
    assert!(
        page.text.contains(r#"data-page="binding""#),
        "{}",
        page.text
    );
    assert!(page.text.contains("JavaScript is needed to join this sale"));
    assert_eq!(report(&w, SALE).await["stats"]["joined"], 0);

    // The fan's device joins; the token names its key.
    let device = Device::new();
    let body = json!({ "device_key": device.jwk() });
    let joined = send(w.fan().post(&join_path(SALE)).json(&body))
        .await
        .expect(201, "a bound join");
    let token = joined["token"].as_str().expect("token").to_owned();
    let seq = joined["seq"].as_u64().expect("seq");
    assert_eq!(token_claims(&token)["k"], device.thumbprint());
    let fan = w.fan().with_bearer(&token);
    let status_path = format!("/api/sales/{SALE}/status");

    // Waiting needs no proof; the turn never comes by a socket.
    let waiting = send(fan.get(&status_path)).await.expect(200, "a poll");
    assert_eq!(waiting["state"], "waiting", "{waiting}");
    assert!(waiting["socket_url"].is_null(), "{waiting}");
    match socket::open(&w.base, SALE, &token).await {
        Opened::Refused(status, body) => assert_eq!(status, 409, "{body}"),
        Opened::Socket(_) => panic!("a socket for a bound place"),
    }
    let upgrade = fan
        .get(&format!("/api/sales/{SALE}/socket"))
        .header("Upgrade", "websocket");
    send(upgrade)
        .await
        .expect_error(409, "device_bound", "a socket for a bound place");

    // The line reaches the fan.
    w.origin().pull_eventually(SALE, 1).await;
    w.advance(Duration::from_millis(1_500)).await;
    let now = || w.now().as_secs();
    let before = report(&w, SALE).await;

    // The copier holds the token (or the cookie) and nothing else.
    send(fan.get(&status_path)).await.expect_error(
        401,
        "device_proof_required",
        "the copied token",
    );
    let cookie = format!("__Host-wr_{SALE}={token}");
    send(w.fan().get(&status_path).header(COOKIE, &cookie))
        .await
        .expect_error(401, "device_proof_required", "the copied cookie");
    let copier = Device::new();
    let refused = [
        ("garbage".to_owned(), "garbage"),
        (copier.proof(SALE, seq, now()), "the copier's own key"),
        (device.proof(SALE, seq + 1, now()), "another place"),
        (device.proof("other", seq, now()), "another sale"),
        (device.proof(SALE, seq, now() - 61), "made 61 s ago"),
        // 62: the worker's clock may be a second past the test's reading (the exact window is
        // the core's unit test).
        (device.proof(SALE, seq, now() + 62), "made 62 s ahead"),
    ];
    for (proof, what) in &refused {
        send(fan.get(&status_path).header("Device-Proof", proof))
            .await
            .expect_error(401, "device_proof_invalid", what);
    }
    // The join API with the copied token (a reached place is claimed there too), and the page.
    send(
        fan.post(&join_path(SALE))
            .json(&json!({ "device_key": copier.jwk() })),
    )
    .await
    .expect_error(401, "device_proof_required", "a join with the copied token");
    let page = send(w.fan().get(&format!("/s/{SALE}")).header(COOKIE, &cookie)).await;
    assert_eq!(
        page.status,
        200,
        "no 303 to the purchase page: {}",
        page.describe()
    );
    assert!(
        page.text.contains("Confirming this device"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("pass="), "{}", page.text);
    let after_copier = report(&w, SALE).await;
    assert_eq!(
        coordinator_requests(&after_copier, "claim"),
        coordinator_requests(&before, "claim"),
        "a copier without the device's public key costs the coordinator nothing: {after_copier}"
    );

    // A copier who also learnt the device's public key forges the signature: it passes the
    // edge's check (the key is the bound one) and is refused by the coordinator.
    let forged = copier.proof_with_header_key(&device.jwk(), SALE, seq, now());
    send(fan.get(&status_path).header("Device-Proof", &forged))
        .await
        .expect_error(401, "device_proof_invalid", "a forged signature");
    let after_forgery = report(&w, SALE).await;
    assert_eq!(
        coordinator_requests(&after_forgery, "claim"),
        coordinator_requests(&before, "claim") + 1,
        "{after_forgery}"
    );

    // The device's own proof: the turn and its pass.
    let proof = device.proof(SALE, seq, now());
    let turn = send(fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect(200, "the device's claim");
    assert_eq!(turn["state"], "your_turn", "{turn}");
    let pass = turn["pass"].as_str().expect("a pass");
    let claims = verify_pass(pass, SALE, &w.fan().jwks().await);
    assert_eq!(claims.seq, seq);
    // Again within the window: the same turn (the edge caches no bound outcome, so the copier
    // still gets nothing without a proof).
    send(fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect(200, "the same proof, at once");
    send(fan.get(&status_path)).await.expect_error(
        401,
        "device_proof_required",
        "the copied token, after the claim",
    );
    // Replayed past its window: refused; a fresh one from the device still works.
    w.advance(Duration::from_secs(61)).await;
    send(fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect_error(401, "device_proof_invalid", "a proof replayed after 61 s");
    let fresh = device.proof(SALE, seq, now());
    let again = send(fan.get(&status_path).header("Device-Proof", &fresh))
        .await
        .expect(200, "a fresh proof");
    assert_eq!(again["state"], "your_turn", "{again}");
    a_bound_place_moves_only_with_its_devices_proof(&w).await;
    a_bound_turn_passes_the_door_only_with_its_devices_proof(&w).await;
    a_bound_party_members_turn_is_claimed_only_with_their_devices_proof(&w).await;
}

/// A second sale on the same worker: a bound place's move link, the move, and its turn.
async fn a_bound_place_moves_only_with_its_devices_proof(w: &TestWorker) {
    const MOVING: &str = "bound-moving";
    open_sale_with(
        w,
        MOVING,
        json!({ "device_binding": true, "rate_limit_per_min": 1000 }),
    )
    .await;
    let now = || w.now().as_secs();
    let phone = Device::new();
    let joined = send(
        w.fan()
            .post(&join_path(MOVING))
            .json(&json!({ "device_key": phone.jwk() })),
    )
    .await
    .expect(201, "a bound join");
    let token = joined["token"].as_str().expect("token").to_owned();
    let seq = joined["seq"].as_u64().expect("seq");
    let link_path = format!("/api/sales/{MOVING}/move-link");
    let fan = w.fan().with_bearer(&token);
    let cookie = format!("__Host-wr_{MOVING}={token}");
    let before = report(w, MOVING).await;

    // The copied token or cookie makes no link: no proof, the copier's key, a claim's proof,
    // another place's, a stale one; none reaches the coordinator.
    send(fan.post(&link_path)).await.expect_error(
        401,
        "device_proof_required",
        "a link from the copied token",
    );
    send(w.fan().post(&link_path).header(COOKIE, &cookie))
        .await
        .expect_error(
            401,
            "device_proof_required",
            "a link from the copied cookie",
        );
    let page = send(
        w.fan()
            .post(&format!("/s/{MOVING}/move-link"))
            .header(COOKIE, &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(""),
    )
    .await;
    assert_eq!(
        page.status,
        401,
        "the link page without a proof: {}",
        page.describe()
    );
    let copier = Device::new();
    for (proof, what) in [
        (
            copier.proof_for("move", MOVING, seq, now()),
            "the copier's key",
        ),
        (
            phone.proof_for("claim", MOVING, seq, now()),
            "a claim's proof",
        ),
        (
            phone.proof_for("move", MOVING, seq + 1, now()),
            "another place",
        ),
        (
            phone.proof_for("move", MOVING, seq, now() - 61),
            "a stale proof",
        ),
    ] {
        send(fan.post(&link_path).header("Device-Proof", &proof))
            .await
            .expect_error(401, "device_proof_invalid", what);
    }
    assert_eq!(
        coordinator_requests(&report(w, MOVING).await, "move_link"),
        coordinator_requests(&before, "move_link"),
        "a copier costs the coordinator nothing"
    );
    // A forged signature under the phone's public key: refused by the coordinator (one request).
    let forged = copier.proof_as(&phone.jwk(), "move", MOVING, seq, now());
    send(fan.post(&link_path).header("Device-Proof", &forged))
        .await
        .expect_error(401, "device_proof_invalid", "a forged move proof");

    // The phone's move proof: the link (by the form, as waiting.js sends it, and by the API).
    let page = send(
        w.fan()
            .post(&format!("/s/{MOVING}/move-link"))
            .header(COOKIE, &cookie)
            .form(&[("device_proof", phone.proof_for("move", MOVING, seq, now()))]),
    )
    .await;
    assert_eq!(
        page.status,
        200,
        "the link page with a proof: {}",
        page.describe()
    );
    let proof = phone.proof_for("move", MOVING, seq, now());
    let link = send(fan.post(&link_path).header("Device-Proof", &proof))
        .await
        .expect(201, "the phone's link");
    let code = link["code"].as_str().expect("code").to_owned();
    let take_path = format!("/api/sales/{MOVING}/move");
    // The taking device needs a key of its own (the form without JavaScript has none).
    send(w.fan().post(&take_path).json(&json!({ "code": code })))
        .await
        .expect_error(400, "device_key_required", "a move without a key");
    let no_script = send(
        w.fan()
            .post(&format!("/s/{MOVING}/move"))
            .form(&[("code", code.as_str())]),
    )
    .await;
    assert_eq!(no_script.status, 409, "{}", no_script.describe());
    assert!(
        no_script.text.contains("needs JavaScript"),
        "{}",
        no_script.text
    );
    assert!(
        no_script.set_cookies().is_empty(),
        "{}",
        no_script.describe()
    );
    let laptop = Device::new();
    let taken = send(
        w.fan()
            .post(&take_path)
            .json(&json!({ "code": code, "device_key": laptop.jwk() })),
    )
    .await
    .expect(200, "the laptop takes the place");
    let new_token = taken["token"].as_str().expect("token").to_owned();
    assert_eq!(token_claims(&new_token)["k"], laptop.thumbprint());
    assert_eq!(token_claims(&new_token)["h"], 1);
    let new_fan = w.fan().with_bearer(&new_token);

    // The old device can make no link any more, even with its own valid proof.
    let proof = phone.proof_for("move", MOVING, seq, now());
    send(fan.post(&link_path).header("Device-Proof", &proof))
        .await
        .expect_error(409, "place_moved", "the old device's link");

    // The line reaches the place: only the laptop's proof claims it.
    w.origin().pull_eventually(MOVING, 1).await;
    w.advance(Duration::from_millis(1_500)).await;
    let status_path = format!("/api/sales/{MOVING}/status");
    let old = phone.proof(MOVING, seq, now());
    let refused = send(fan.get(&status_path).header("Device-Proof", &old))
        .await
        .expect(200, "the old device with its own proof");
    assert_eq!(refused["state"], "moved", "{refused}");
    // The old cookie without a proof: refused at the edge (the line reached the place, so the
    // snapshot no longer names the move; the coordinator would answer "moved").
    send(w.fan().get(&status_path).header(COOKIE, &cookie))
        .await
        .expect_error(401, "device_proof_required", "the old cookie");
    send(new_fan.get(&status_path).header("Device-Proof", &old))
        .await
        .expect_error(
            401,
            "device_proof_invalid",
            "the new token with the old device's proof",
        );
    send(new_fan.get(&status_path)).await.expect_error(
        401,
        "device_proof_required",
        "the copied new token",
    );
    let proof = laptop.proof(MOVING, seq, now());
    let turn = send(new_fan.get(&status_path).header("Device-Proof", &proof))
        .await
        .expect(200, "the laptop's claim");
    assert_eq!(turn["state"], "your_turn", "{turn}");
    let pass = turn["pass"].as_str().expect("a pass");
    assert_eq!(verify_pass(pass, MOVING, &w.fan().jwks().await).seq, seq);
}

/// A third sale on the same worker guards `/door/*` of the worker's host in front of a stand-in
/// origin: the bound turn at the door.
async fn a_bound_turn_passes_the_door_only_with_its_devices_proof(w: &TestWorker) {
    const DOOR: &str = "bound-door";
    let origin = EchoOrigin::start().await;
    let host = w.base.trim_start_matches("http://");
    open_sale_with(
        w,
        DOOR,
        json!({
            "device_binding": true,
            "rate_limit_per_min": 1000,
            "purchase_url": format!("{}/door/in", w.base),
            "pass_delivery": "fragment",
            "protect": {"origin": origin.base, "hosts": [host], "paths": ["/door/*"], "session_s": 60},
        }),
    )
    .await;
    let now = || w.now().as_secs();
    let page = |cookie: &str| {
        w.fan()
            .get("/door/in")
            .header(ACCEPT, "text/html")
            .header(COOKIE, cookie.to_owned())
    };
    // Without a place: the binding page at the door (no place without a key).
    let first = send(w.fan().get("/door/in").header(ACCEPT, "text/html")).await;
    assert_eq!(first.status, 200, "{}", first.describe());
    assert!(
        first.text.contains(r#"data-page="binding""#),
        "{}",
        first.text
    );
    let device = Device::new();
    let joined = send(
        w.fan()
            .post(&join_path(DOOR))
            .json(&json!({ "device_key": device.jwk() })),
    )
    .await
    .expect(201, "a bound join");
    let token = joined["token"].as_str().expect("token").to_owned();
    let seq = joined["seq"].as_u64().expect("seq");
    let cookie = format!("__Host-wr_{DOOR}={token}");
    let waiting = send(page(&cookie)).await;
    assert!(
        waiting.text.contains(r#"data-page="waiting""#),
        "{}",
        waiting.describe()
    );
    w.origin().pull_eventually(DOOR, 1).await;
    w.advance(Duration::from_millis(1_500)).await;
    let before = report(w, DOOR).await;
    let no_session = |reply: &crate::support::Reply, what: &str| {
        assert!(
            !from_origin(reply),
            "{what} reached the origin: {}",
            reply.describe()
        );
        assert!(
            reply.cookie(&format!("__Host-wr_session_{DOOR}")).is_none(),
            "{what} got a session: {}",
            reply.describe()
        );
    };

    // The turn, by a page load (no proof): the page that confirms the device, in the fan's
    // language, with the place's number for its proof.
    let confirm = send(page(&cookie)).await;
    assert_eq!(confirm.status, 200, "{}", confirm.describe());
    no_session(&confirm, "a page load without a proof");
    assert!(
        confirm.text.contains(r#"data-page="door""#),
        "{}",
        confirm.text
    );
    assert!(confirm.text.contains(&format!(r#"data-seq="{seq}""#)));
    assert!(confirm.text.contains("/assets/door.js"));
    assert!(confirm.text.contains("only JavaScript can use this device"));
    assert!(!confirm.text.contains("pass="), "{}", confirm.text);
    assert_eq!(confirm.header("cache-control"), Some("no-store"));
    let german = send(page(&cookie).header(ACCEPT_LANGUAGE, "de")).await;
    assert!(
        german.text.contains(r#"lang="de""#)
            && german
                .text
                .contains("Nur mit JavaScript kann der Schlüssel"),
        "{}",
        german.text
    );
    // An app is told to send the proof.
    let app = w
        .fan()
        .get("/door/in")
        .header(ACCEPT, "application/json")
        .header(COOKIE, cookie.clone());
    send(app)
        .await
        .expect_error(401, "device_proof_required", "an app at the door");

    // The copier holds the cookie: a page load, its own key's proof, garbage; none reaches the
    // origin or the coordinator, and none gets a session.
    let copier = Device::new();
    for (proof, what) in [
        (None, "the copied cookie"),
        (Some(copier.proof(DOOR, seq, now())), "the copier's own key"),
        (Some("garbage".to_owned()), "garbage"),
        (
            Some(device.proof(DOOR, seq + 1, now())),
            "another place's proof",
        ),
    ] {
        let mut asked = page(&cookie);
        if let Some(proof) = &proof {
            asked = asked.header("Device-Proof", proof);
        }
        let reply = send(asked).await;
        no_session(&reply, what);
        match proof {
            None => assert!(reply.text.contains(r#"data-page="door""#), "{what}"),
            Some(_) => reply.expect_error(401, "device_proof_invalid", what),
        };
    }
    assert_eq!(origin.received(), 0, "nothing reached the origin");
    assert_eq!(
        coordinator_requests(&report(w, DOOR).await, "claim"),
        coordinator_requests(&before, "claim"),
        "a copier without the device's public key costs the coordinator nothing"
    );
    // With the device's public key, a forged signature: refused by the coordinator.
    let forged = copier.proof_with_header_key(&device.jwk(), DOOR, seq, now());
    let reply = send(page(&cookie).header("Device-Proof", &forged)).await;
    no_session(&reply, "a forged signature");
    reply.expect_error(
        401,
        "device_proof_invalid",
        "a forged signature at the door",
    );
    assert_eq!(origin.received(), 0);

    // The device's proof (what door.js sends): the turn is claimed, the session starts, and the
    // request passes through with the fan's pass (not the proof).
    let through = send(page(&cookie).header("Device-Proof", device.proof(DOOR, seq, now()))).await;
    assert!(from_origin(&through), "{}", through.describe());
    assert_eq!(origin.received(), 1);
    let seen = &through.json;
    assert!(seen["headers"].get("device-proof").is_none(), "{seen}");
    let pass = seen["headers"]["waitroom-pass"].as_str().expect("the pass");
    assert_eq!(verify_pass(pass, DOOR, &w.fan().jwks().await).seq, seq);
    let session = through
        .cookie(&format!("__Host-wr_session_{DOOR}"))
        .expect("a session")
        .value;
    let with_session = format!("{cookie}; __Host-wr_session_{DOOR}={session}");
    // The page it then loads passes with the session, no proof needed.
    assert!(from_origin(&send(page(&with_session)).await));
    assert_eq!(origin.received(), 2);
    // The copier, after the fan went through: still no session, nothing to the origin.
    let copied = send(page(&cookie)).await;
    no_session(&copied, "the copied cookie after the fan's session");
    let own = send(page(&cookie).header("Device-Proof", copier.proof(DOOR, seq, now()))).await;
    no_session(&own, "the copier's key after the fan's session");
    assert_eq!(origin.received(), 2, "only the fan's two requests");
}

/// A fourth sale: a bound leader and a bound member, admitted together.
async fn a_bound_party_members_turn_is_claimed_only_with_their_devices_proof(w: &TestWorker) {
    const PARTY: &str = "bound-party";
    open_sale_with(
        w,
        PARTY,
        json!({ "device_binding": true, "party_max": 3, "rate_limit_per_min": 1000 }),
    )
    .await;
    let now = || w.now().as_secs();
    let leader_device = Device::new();
    let joined = send(
        w.fan()
            .post(&join_path(PARTY))
            .json(&json!({ "device_key": leader_device.jwk() })),
    )
    .await
    .expect(201, "the leader's bound join");
    let leader_token = joined["token"].as_str().expect("token").to_owned();
    let seq = joined["seq"].as_u64().expect("seq");
    let leader = w.fan().with_bearer(&leader_token);
    let link_path = format!("/api/sales/{PARTY}/party-link");
    let before = report(w, PARTY).await;

    // A copy of the leader's token invites nobody: no proof, the copier's key, a claim's proof.
    let copier = Device::new();
    send(leader.post(&link_path)).await.expect_error(
        401,
        "device_proof_required",
        "a party link from a copied leader's token",
    );
    for (proof, what) in [
        (
            copier.proof_for("move", PARTY, seq, now()),
            "the copier's key",
        ),
        (
            leader_device.proof_for("claim", PARTY, seq, now()),
            "a claim's proof",
        ),
    ] {
        send(leader.post(&link_path).header("Device-Proof", &proof))
            .await
            .expect_error(401, "device_proof_invalid", what);
    }
    // The form (waiting.js adds the proof): without one, refused too.
    let form = send(
        w.fan()
            .post(&format!("/s/{PARTY}/party-link"))
            .header(COOKIE, format!("__Host-wr_{PARTY}={leader_token}"))
            .form(&[("x", "")]),
    )
    .await;
    assert_eq!(form.status, 401, "{}", form.describe());
    let proof = leader_device.proof_for("move", PARTY, seq, now());
    let link = send(leader.post(&link_path).header("Device-Proof", &proof))
        .await
        .expect(201, "the leader's device invites");
    let code = link["code"].as_str().expect("code").to_owned();

    // A member joins with a key of their own (without one: refused, nothing changed).
    let join_party = format!("/api/sales/{PARTY}/party/join");
    send(w.fan().post(&join_party).json(&json!({ "code": code })))
        .await
        .expect_error(400, "device_key_required", "a member without a key");
    let no_script = send(
        w.fan()
            .post(&format!("/s/{PARTY}/party"))
            .form(&[("code", code.as_str())]),
    )
    .await;
    assert_eq!(no_script.status, 409, "{}", no_script.describe());
    assert!(
        no_script.text.contains("joining a party needs JavaScript"),
        "{}",
        no_script.text
    );
    assert!(
        no_script.set_cookies().is_empty(),
        "{}",
        no_script.describe()
    );
    // A copy of a bound place's token cannot give that place up by joining with it.
    let victim_device = Device::new();
    let victim = send(
        w.fan()
            .post(&join_path(PARTY))
            .json(&json!({ "device_key": victim_device.jwk() })),
    )
    .await
    .expect(201, "another bound place");
    let victim_token = victim["token"].as_str().expect("token").to_owned();
    let victim_seq = victim["seq"].as_u64().expect("seq");
    let with_copier = json!({ "code": code, "device_key": copier.jwk() });
    send(
        w.fan()
            .with_bearer(&victim_token)
            .post(&join_party)
            .json(&with_copier),
    )
    .await
    .expect_error(401, "device_proof_required", "a copied place given up");
    let copier_move = copier.proof_for("move", PARTY, victim_seq, now());
    send(
        w.fan()
            .with_bearer(&victim_token)
            .post(&join_party)
            .header("Device-Proof", &copier_move)
            .json(&with_copier),
    )
    .await
    .expect_error(
        401,
        "device_proof_invalid",
        "a copied place given up, the copier's proof",
    );
    let kept = send(
        w.fan()
            .with_bearer(&victim_token)
            .get(&format!("/api/sales/{PARTY}/status")),
    )
    .await
    .expect(200, "the victim's place");
    assert_eq!(kept["state"], "waiting", "{kept}");
    let member_device = Device::new();
    let member = send(
        w.fan()
            .post(&join_party)
            .json(&json!({ "code": code, "device_key": member_device.jwk() })),
    )
    .await
    .expect(200, "a member's bound join");
    let member_token = member["token"].as_str().expect("token").to_owned();
    assert_eq!(member["seq"].as_u64(), Some(seq));
    assert_eq!(token_claims(&member_token)["k"], member_device.thumbprint());
    let member_fan = w.fan().with_bearer(&member_token);

    // The party's turn: a copy of the member's token claims nothing.
    // One assignment, the party of two (a pull of 2 takes it whole, and the fan behind waits).
    crate::support::eventually("the party pulled", Duration::from_secs(10), || async {
        let pulled = w.origin().pull(PARTY, "w1", 2, None).await;
        match pulled.assignments.len() {
            1 => Ok(()),
            _ => Err(format!("{:?}", pulled.assignments)),
        }
    })
    .await;
    w.advance(Duration::from_millis(1_500)).await;
    let status_path = format!("/api/sales/{PARTY}/status");
    let reached = report(w, PARTY).await;
    send(member_fan.get(&status_path)).await.expect_error(
        401,
        "device_proof_required",
        "a copied member's token",
    );
    send(
        w.fan()
            .get(&status_path)
            .header(COOKIE, format!("__Host-wr_{PARTY}={member_token}")),
    )
    .await
    .expect_error(401, "device_proof_required", "a copied member's cookie");
    for (proof, what) in [
        (copier.proof(PARTY, seq, now()), "the copier's key"),
        (
            leader_device.proof(PARTY, seq, now()),
            "the leader's proof for the member",
        ),
    ] {
        send(member_fan.get(&status_path).header("Device-Proof", &proof))
            .await
            .expect_error(401, "device_proof_invalid", what);
    }
    assert_eq!(
        coordinator_requests(&report(w, PARTY).await, "claim"),
        coordinator_requests(&reached, "claim"),
        "a copier of a member costs the coordinator nothing"
    );
    // Each device claims its own seat's pass, with the party's id on both.
    let jwks = w.fan().jwks().await;
    let mine = member_device.proof(PARTY, seq, now());
    let turn = send(member_fan.get(&status_path).header("Device-Proof", &mine))
        .await
        .expect(200, "the member's device claims");
    assert_eq!(turn["state"], "your_turn", "{turn}");
    let member_pass = verify_pass(turn["pass"].as_str().expect("pass"), PARTY, &jwks);
    let theirs = leader_device.proof(PARTY, seq, now());
    let turn = send(leader.get(&status_path).header("Device-Proof", &theirs))
        .await
        .expect(200, "the leader's device claims");
    let leader_pass = verify_pass(turn["pass"].as_str().expect("pass"), PARTY, &jwks);
    assert_ne!(member_pass.sub, leader_pass.sub);
    assert!(member_pass.party.is_some() && member_pass.party == leader_pass.party);
    // The leader's proof does not claim the member's seat, nor the member's the leader's.
    send(leader.get(&status_path).header("Device-Proof", &mine))
        .await
        .expect_error(
            401,
            "device_proof_invalid",
            "the member's proof for the leader",
        );
    println!(
        "bound party: the link cost {} coordinator request(s) (its proof); by kind {}",
        coordinator_requests(&report(w, PARTY).await, "move_link")
            - coordinator_requests(&before, "move_link"),
        report(w, PARTY).await["coordinator_requests_by_kind"]
    );
}
