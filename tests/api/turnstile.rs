//! Turnstile per sale (docs/api.md, "Turnstile"), against the local siteverify stand-in
//! (tests/support/siteverify.rs): a join without a token, with a refused one, a reused one, one
//! solved for another site or action, a good one, and siteverify down; the sale page's challenge
//! and its CSP; the page's form; a site key without the secret. No test reaches the internet.

use crate::support::http::send_busy_ok;
use crate::support::siteverify::{field, Siteverify, SECRET, SITE_KEY};
use crate::support::worker::WorkerOptions;
use crate::support::{send, TestWorker, PURCHASE_URL};
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE};
use serde_json::json;

const SALE: &str = "gated";
const OPEN: &str = "ungated";
const TURNSTILE: &str = "https://challenges.cloudflare.com";

async fn joined(w: &TestWorker, sale: &str) -> u64 {
    w.admin().report(sale).await["stats"]["joined"]
        .as_u64()
        .expect("stats.joined")
}

async fn worker_with(siteverify: &Siteverify) -> TestWorker {
    TestWorker::start_with_options(
        WorkerOptions::default()
            .var("TURNSTILE_SECRET", SECRET)
            .var("TURNSTILE_VERIFY_URL", &siteverify.url),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_turnstile_sale_takes_a_place_only_for_a_token_siteverify_accepts() {
    let siteverify = Siteverify::start().await;
    let w = worker_with(&siteverify).await;
    let body =
        json!({"name": "Gated", "purchase_url": PURCHASE_URL, "turnstile_site_key": SITE_KEY});
    let report = w.admin().create_sale_with(SALE, body).await;
    assert_eq!(report["turnstile_site_key"], SITE_KEY, "{report}");
    w.admin().open_sale(SALE).await;
    let join = format!("/api/sales/{SALE}/join");
    let join_with = |token: &str| {
        w.fan()
            .post(&join)
            .json(&json!({ "turnstile_token": token }))
    };

    // Without a token, with a refused one, or one solved elsewhere: 403, nothing changes.
    send(w.fan().post(&join))
        .await
        .expect_error(403, "turnstile_required", "join without a token");
    send(w.fan().post(&join).json(&json!({})))
        .await
        .expect_error(403, "turnstile_required", "join with an empty body");
    for token in ["fail-1", "host-1", "action-1"] {
        send(join_with(token))
            .await
            .expect_error(403, "turnstile_invalid", token);
    }
    assert_eq!(joined(&w, SALE).await, 0, "no place for a refused join");

    // A good token: a place, once. Siteverify got our secret, the token and an idempotency key.
    let first = send(join_with("pass-1"))
        .await
        .expect(201, "join with a good token");
    let forms = siteverify.forms();
    let form = forms.last().expect("siteverify was asked");
    assert_eq!(field(form, "secret"), Some(SECRET));
    assert_eq!(field(form, "response"), Some("pass-1"));
    let key = field(form, "idempotency_key").unwrap_or_default();
    assert!(
        key.len() == 36 && key.matches('-').count() == 4,
        "idempotency_key is a UUID: {key:?}"
    );
    let reused = send(join_with("pass-1")).await;
    reused.expect_error(403, "turnstile_invalid", "the same token again");
    assert!(
        reused.json["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already used"),
        "{}",
        reused.describe()
    );
    assert_eq!(joined(&w, SALE).await, 1);

    // A fan who holds a waiting place keeps it without a new check.
    let token = first["token"].as_str().expect("token");
    let asked = siteverify.forms().len();
    send(w.fan().with_bearer(token).post(&join))
        .await
        .expect(200, "a waiting fan joins again");
    assert_eq!(siteverify.forms().len(), asked, "no check for a kept place");

    // Siteverify down: 503 busy with Retry-After after one retry with the same key; no place.
    let before = siteverify.forms().len();
    send_busy_ok(join_with("down-1"))
        .await
        .expect_busy("siteverify down");
    let forms = siteverify.forms();
    let tries: Vec<_> = forms[before..]
        .iter()
        .map(|f| field(f, "idempotency_key").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(tries.len(), 2, "one retry: {tries:?}");
    assert_eq!(tries[0], tries[1], "a retry keeps its idempotency key");
    assert_eq!(
        joined(&w, SALE).await,
        1,
        "no place while siteverify is down"
    );

    // A sale without a site key is unchanged: no token, no check.
    w.admin().create_sale(OPEN, None).await;
    w.admin().open_sale(OPEN).await;
    let asked = siteverify.forms().len();
    send(
        w.fan()
            .post(&format!("/api/sales/{OPEN}/join"))
            .body("not json"),
    )
    .await
    .expect(201, "join of a sale without Turnstile");
    assert_eq!(siteverify.forms().len(), asked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_page_of_a_turnstile_sale_shows_the_widget_and_its_form_joins() {
    let siteverify = Siteverify::start().await;
    let w = worker_with(&siteverify).await;
    let body =
        json!({"name": "Gated", "purchase_url": PURCHASE_URL, "turnstile_site_key": SITE_KEY});
    w.admin().create_sale_with(SALE, body).await;
    w.admin().open_sale(SALE).await;
    w.admin().create_sale(OPEN, None).await;
    w.admin().open_sale(OPEN).await;
    let page = format!("/s/{SALE}");

    // A navigation without a place: the challenge, no place; Turnstile allowed on this page only.
    let challenge = send(w.fan().get(&page)).await;
    assert_eq!(challenge.status, 200, "{}", challenge.describe());
    for part in [
        r#"data-page="turnstile""#,
        &format!(r#"data-sitekey="{SITE_KEY}" data-action="join""#),
        &format!(r#"<form id="turnstile-form" method="post" action="/s/{SALE}">"#),
        r#"<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>"#,
    ] {
        assert!(
            challenge.text.contains(part),
            "{part} in {}",
            challenge.text
        );
    }
    assert!(challenge.cookie(&format!("__Host-wr_{SALE}")).is_none());
    let csp = challenge
        .header("content-security-policy")
        .unwrap_or_default();
    assert!(
        csp.contains(&format!("script-src 'self' {TURNSTILE};"))
            && csp.contains(&format!("frame-src {TURNSTILE};"))
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let other = send(w.fan().get(&format!("/s/{OPEN}"))).await;
    let csp = other.header("content-security-policy").unwrap_or_default();
    assert!(!csp.contains(TURNSTILE), "another sale's page: {csp}");
    assert_eq!(joined(&w, SALE).await, 0, "the challenge takes no place");
    send(w.fan().get(&page).header(ACCEPT, "application/json"))
        .await
        .expect_error(403, "turnstile_required", "the page as JSON");

    // The form: a refused token shows the challenge again (403), a good one takes a place.
    let post = |token: &str| {
        w.fan()
            .post(&page)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("cf-turnstile-response={token}"))
    };
    let refused = send(post("fail-2")).await;
    assert_eq!(refused.status, 403, "{}", refused.describe());
    assert!(
        refused.text.contains(r#"data-page="turnstile""#) && refused.text.contains("did not pass")
    );
    let none = send(w.fan().post(&page)).await;
    assert_eq!(none.status, 200, "no token: the challenge");
    assert!(none.text.contains(r#"data-page="turnstile""#));
    assert_eq!(joined(&w, SALE).await, 0);
    let ok = send(post("pass-2")).await;
    assert_eq!(ok.status, 303, "{}", ok.describe());
    let cookie = ok
        .cookie(&format!("__Host-wr_{SALE}"))
        .expect("a place's cookie");
    assert_eq!(joined(&w, SALE).await, 1);
    // With the place's cookie, the page is the waiting page, with the strict policy.
    let waiting = send(
        w.fan()
            .get(&page)
            .header(COOKIE, format!("__Host-wr_{SALE}={}", cookie.value)),
    )
    .await;
    assert!(
        waiting.text.contains(r#"data-page="waiting""#),
        "{}",
        waiting.describe()
    );
    let csp = waiting
        .header("content-security-policy")
        .unwrap_or_default();
    assert!(!csp.contains(TURNSTILE), "{csp}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_turnstile_site_key_needs_the_secret() {
    let w = TestWorker::start().await;
    let body =
        json!({"name": "Gated", "purchase_url": PURCHASE_URL, "turnstile_site_key": SITE_KEY});
    let reply = crate::support::http::Reply::read(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}"))
            .json(&body)
            .send()
            .await
            .expect("put"),
    )
    .await;
    reply.expect_error(
        500,
        "server_misconfigured",
        "a site key without TURNSTILE_SECRET",
    );
    assert!(reply.json["message"]
        .as_str()
        .unwrap_or_default()
        .contains("TURNSTILE_SECRET"));
    send(w.admin().get(&format!("/api/admin/sales/{SALE}")))
        .await
        .expect_error(404, "sale_not_found", "nothing was created");
    let bad = json!({"name": "Gated", "purchase_url": PURCHASE_URL, "turnstile_site_key": "<x>"});
    let reply = send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}"))
            .json(&bad),
    )
    .await;
    reply.expect_error(400, "invalid_field", "a malformed site key");
    assert_eq!(reply.json["field"], "turnstile_site_key");
}

/// A Turnstile sale's fan whose address is past its budget pays the price in proof of work too:
/// the form's check is carried, unspent, into the join that brings the solution (issue 17: a
/// loop between the check and the sale page).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_turnstile_fan_past_the_budget_pays_the_price_and_keeps_the_check() {
    let siteverify = Siteverify::start().await;
    let w = worker_with(&siteverify).await;
    let body = json!({"name": "Gated", "purchase_url": PURCHASE_URL, "turnstile_site_key": SITE_KEY, "rate_limit_per_min": 1});
    w.admin().create_sale_with(SALE, body).await;
    w.admin().open_sale(SALE).await;
    let page = format!("/s/{SALE}");
    let post = |token: &str| {
        w.fan()
            .post(&page)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("cf-turnstile-response={token}"))
    };
    // The address's one free place.
    let first = send(post("pass-a")).await;
    assert_eq!(first.status, 303, "{}", first.describe());
    // The next fan behind it: the page that solves the price, carrying the check.
    let priced = send(post("pass-b")).await;
    assert_eq!(priced.status, 200, "{}", priced.describe());
    assert!(
        priced.text.contains(r#"data-page="getting_place""#),
        "{}",
        priced.describe()
    );
    assert!(
        priced.text.contains(r#"data-turnstile-token="pass-b""#),
        "{}",
        priced.describe()
    );
    assert!(
        priced.text.contains(r#"data-bits="10""#),
        "{}",
        priced.describe()
    );
    assert_eq!(joined(&w, SALE).await, 1, "nothing taken yet");
    // What the page's script does: solve, and join with the solution and the check.
    let challenge = priced
        .text
        .split(r#"data-challenge=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the challenge")
        .to_owned();
    let nonce = waitroom_core::fairness::pow::solve(&challenge, 10, 0, 1 << 26).expect("a nonce");
    let join =
        json!({ "pow": { "challenge": challenge, "nonce": nonce }, "turnstile_token": "pass-b" });
    send(w.fan().post(&format!("/api/sales/{SALE}/join")).json(&join))
        .await
        .expect(201, "the second fan's place");
    assert_eq!(joined(&w, SALE).await, 2);
}
