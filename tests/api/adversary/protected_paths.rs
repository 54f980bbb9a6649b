//! Attacks on path protection (docs/api.md, "Path protection"; docs/fairness.md, "No side
//! doors"), each bounded by what reached the origin (the stand-in counts every request):
//! - spelling tricks (`/Store`, dot segments, percent-encoding, doubled slashes, a bypass path
//!   climbed out of) reach the origin 0 times without a session;
//! - a forged, altered, other-sale or expired session cookie reaches it 0 times;
//! - a staff header passes only with the configured secret (not a guess, not its digest);
//! - the worker forwards to the configured origin only: another host named in `Host`, an
//!   absolute request target, `X-Forwarded-Host` or the path receives 0 requests;
//! - the list of protected sales is bounded (200, `MAX_PROTECTED`): a `PUT` that would protect a
//!   201st sale is 409 `too_many_protected` and changes nothing (the sale is not created, an
//!   existing sale keeps its settings); a protected sale may still change its protection, and
//!   once one gives it up another may take its place.

use crate::protect::{admitted, browse, from_origin, protected_sale, STAFF_SECRET};
use crate::support::echo_origin::EchoOrigin;
use crate::support::receiver::Receiver;
use crate::support::TestWorker;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `head` (a raw request head, path and headers as written) to the worker and returns the
/// answer's head and body as text: nothing normalises the path on our side.
async fn raw(base: &str, head: &str) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address)
        .await
        .expect("connect to the worker");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn passed(answer: &str) -> bool {
    answer.to_ascii_lowercase().contains("\r\nx-origin: echo")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_spelling_cookie_header_or_host_gets_past_the_protection() {
    let origin = EchoOrigin::start().await;
    let elsewhere = Receiver::start().await;
    let w = TestWorker::start_with_faults().await;
    let api = w.handle();
    let host = api.base.trim_start_matches("http://").to_owned();
    api.admin()
        .create_sale_with(
            "shop",
            protected_sale(&api, &origin, &["/store/*"], "closed"),
        )
        .await;
    api.admin().open_sale("shop").await;
    let mut other = protected_sale(&api, &origin, &["/other/*"], "closed");
    other["protect"]["bypass"] = serde_json::json!({});
    api.admin().create_sale_with("shop2", other).await;
    api.admin().open_sale("shop2").await;

    // Spelling tricks, sent raw.
    let before = origin.received();
    for path in [
        "/Store/item",
        "/STORE/item",
        "/x/../store/item",
        "/x/%2e%2e/store/item",
        "/x/%2E%2E/store/item",
        "/%73tore/item",
        "/%2573tore/item",
        "/store%2fitem",
        "//store/item",
        "/./store/item",
        "/store/static/../item",
        "/store/static/%2e%2e/item",
        "/store/static/..%2fitem",
        "/store/static%2f..%2fitem",
    ] {
        let answer = raw(
            &api.base,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert!(
            !passed(&answer),
            "{path} reached the origin: {}",
            &answer[..answer.len().min(300)]
        );
        assert!(
            !answer.starts_with("HTTP/1.1 5"),
            "{path}: {}",
            &answer[..answer.len().min(300)]
        );
    }
    assert_eq!(
        origin.received(),
        before,
        "spelling tricks reached the origin"
    );

    // A real session, then forgeries of it.
    let (_, session, _) = admitted(&api, "/store/item").await;
    let value = session.split_once('=').unwrap().1.to_owned();
    let (payload, mac) = value.split_once('.').unwrap();
    let mut flipped = mac.to_owned().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let before = origin.received();
    for forged in [
        format!("{payload}.{flipped}"),
        format!("{payload}x.{mac}"),
        payload.to_owned(),
        "e30.AAAA".to_owned(),
        String::new(),
        "x".repeat(4_000),
    ] {
        let reply = browse(
            &api,
            "/store/item",
            &format!("__Host-wr_session_shop={forged}"),
        )
        .await;
        assert!(!from_origin(&reply), "a forged session passed: {forged}");
    }
    // Another sale's session name carries the same value: refused for this sale.
    let reply = browse(
        &api,
        "/other/item",
        &format!("__Host-wr_session_shop2={value}"),
    )
    .await;
    assert!(!from_origin(&reply), "a session of one sale passed another");
    assert_eq!(
        origin.received(),
        before,
        "forged sessions reached the origin"
    );
    // The real one passes; idle past its 60 s it no longer does.
    assert!(from_origin(&browse(&api, "/store/item", &session).await));
    api.advance(Duration::from_secs(61)).await;
    assert!(
        !from_origin(&browse(&api, "/store/item", &session).await),
        "an expired session passed"
    );

    // The staff header: only the configured secret.
    let digest = {
        use sha2::{Digest, Sha256};
        Sha256::digest(STAFF_SECRET.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let before = origin.received();
    for guess in [
        "",
        "staff",
        &digest,
        &STAFF_SECRET.to_uppercase(),
        &format!("{STAFF_SECRET} "),
    ] {
        let reply = crate::support::http::send_busy_ok(
            api.fan()
                .get("/store/item")
                .header("X-Staff", guess.to_owned()),
        )
        .await;
        assert!(!from_origin(&reply), "staff guess {guess:?} passed");
    }
    assert_eq!(origin.received(), before);

    // No open proxy: whatever host the request names, only the configured origin is reached.
    let evil = elsewhere.base.trim_start_matches("http://").to_owned();
    let staff = format!("X-Staff: {STAFF_SECRET}\r\n");
    for head in [
        format!("GET /store/item HTTP/1.1\r\nHost: {evil}\r\n{staff}Connection: close\r\n\r\n"),
        format!("GET {}/store/item HTTP/1.1\r\nHost: {host}\r\n{staff}Connection: close\r\n\r\n", elsewhere.base),
        format!("GET /store/item HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Host: {evil}\r\n{staff}Connection: close\r\n\r\n"),
        format!("GET /store/static//{evil}/x HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        format!("GET //{evil}/store/item HTTP/1.1\r\nHost: {host}\r\n{staff}Connection: close\r\n\r\n"),
    ] {
        raw(&api.base, &head).await;
    }
    assert!(elsewhere.at("/store/item").is_empty() && elsewhere.at("/x").is_empty());
    assert_eq!(
        elsewhere.total(),
        0,
        "the worker forwarded to a host that is not the sale's origin"
    );
    the_list_of_protected_sales_is_bounded(&api, &origin).await;
}

/// The registry lists at most 200 protected sales (`shop` and `shop2` are two of them): the
/// 201st is refused whole, before anything changes.
async fn the_list_of_protected_sales_is_bounded(api: &crate::support::Api, origin: &EchoOrigin) {
    use crate::support::send;
    use futures::stream::{self, StreamExt};
    use serde_json::json;
    const MAX: usize = 200;
    let guarding = |n: usize| {
        json!({
            "name": format!("Protected {n}"),
            "purchase_url": "https://tickets.example/buy",
            "protect": {"origin": origin.base, "hosts": [format!("s{n}.example")], "paths": ["/x"]},
        })
    };
    // 198 more, eight at a time: 200 in all.
    let started = std::time::Instant::now();
    let created = stream::iter(0..MAX - 2)
        .map(|n| async move {
            send(
                api.admin()
                    .put(&format!("/api/admin/sales/bound-{n}"))
                    .json(&guarding(n)),
            )
            .await
            .status
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    assert!(created.iter().all(|s| s.as_u16() == 201), "{created:?}");
    println!("198 protected sales created in {:?}", started.elapsed());
    // A new sale protecting paths: refused, and not created.
    let refused = send(
        api.admin()
            .put("/api/admin/sales/one-too-many")
            .json(&guarding(MAX)),
    )
    .await;
    refused.expect_error(409, "too_many_protected", "a 201st protected sale");
    assert_eq!(refused.json["field"], "protect", "{}", refused.describe());
    send(api.admin().get("/api/admin/sales/one-too-many"))
        .await
        .expect_error(404, "sale_not_found", "the refused sale");
    // An existing sale that protects nothing, asking to: refused, its settings as they were.
    let plain = json!({"name": "Plain", "purchase_url": "https://tickets.example/buy"});
    send(api.admin().put("/api/admin/sales/plain").json(&plain))
        .await
        .expect(201, "a sale that protects nothing");
    let mut renamed = guarding(MAX);
    renamed["name"] = json!("Plain, renamed");
    send(api.admin().put("/api/admin/sales/plain").json(&renamed))
        .await
        .expect_error(
            409,
            "too_many_protected",
            "an existing sale's 201st protection",
        );
    let kept = send(api.admin().get("/api/admin/sales/plain"))
        .await
        .expect(200, "plain");
    assert_eq!(kept["name"], "Plain", "{kept}");
    assert!(kept.get("protect").is_none(), "{kept}");
    // A protected sale changes its protection: fine. One gives it up: then `plain` may protect.
    let mut changed = guarding(0);
    changed["protect"]["paths"] = json!(["/y"]);
    send(api.admin().put("/api/admin/sales/bound-0").json(&changed))
        .await
        .expect(200, "a protected sale's new protection");
    let given_up = json!({"name": "Protected 0", "purchase_url": "https://tickets.example/buy"});
    send(api.admin().put("/api/admin/sales/bound-0").json(&given_up))
        .await
        .expect(200, "a sale gives its protection up");
    let now_protected = send(api.admin().put("/api/admin/sales/plain").json(&renamed))
        .await
        .expect(200, "the freed place taken");
    assert_eq!(
        now_protected["protect"]["paths"],
        json!(["/x"]),
        "{now_protected}"
    );
}
