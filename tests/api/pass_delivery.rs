//! `pass_delivery` per sale (docs/api.md, "Pass delivery"): what the fan's turn looks like in
//! the status JSON and on the sale page for `query`, `form_post` and `fragment`.

use crate::support::{eventually, send, TestWorker, PURCHASE_URL};
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{json, Value};
use std::time::Duration;

/// A sale with `delivery`, one fan whose turn it is: their status and their page's answer.
async fn turn(w: &TestWorker, sale: &str, delivery: &str) -> (Value, crate::support::Reply) {
    let body = json!({"name": sale, "purchase_url": format!("{PURCHASE_URL}?event=7"), "pass_delivery": delivery});
    let report = w.admin().create_sale_with(sale, body).await;
    assert_eq!(report["pass_delivery"], delivery, "{report}");
    w.admin().open_sale(sale).await;
    let fan = w.fan().join(sale).await;
    eventually("the fan is pulled", Duration::from_secs(10), || async {
        match w.origin().pull(sale, "w1", 1, None).await.assignments.len() {
            1 => Ok(()),
            n => Err(format!("{n} pulled")),
        }
    })
    .await;
    let status = w.fan().wait_for_state(sale, &fan.token, "your_turn").await;
    let page = send(
        w.fan()
            .get(&format!("/s/{sale}"))
            .header(COOKIE, format!("__Host-wr_{sale}={}", fan.token)),
    )
    .await;
    (status, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_pass_delivery_has_its_answer_shape() {
    let w = TestWorker::start().await;

    // query (the default): the pass in the purchase URL's query; the page redirects there.
    let (status, page) = turn(&w, "by-query", "query").await;
    let pass = status["pass"].as_str().expect("pass").to_owned();
    assert_eq!(status["pass_delivery"], "query");
    assert_eq!(
        status["purchase_url"],
        format!("{PURCHASE_URL}?event=7&pass={pass}")
    );
    assert_eq!(page.status, 303, "{}", page.describe());
    assert_eq!(
        page.header(LOCATION),
        Some(format!("{PURCHASE_URL}?event=7&pass={pass}").as_str())
    );

    // fragment: the pass after `#`, never in what is sent to the origin.
    let (status, page) = turn(&w, "by-fragment", "fragment").await;
    let pass = status["pass"].as_str().expect("pass").to_owned();
    assert_eq!(status["pass_delivery"], "fragment");
    let expected = format!("{PURCHASE_URL}?event=7#pass={pass}");
    assert_eq!(status["purchase_url"], expected.as_str());
    assert_eq!(page.status, 303, "{}", page.describe());
    assert_eq!(page.header(LOCATION), Some(expected.as_str()));

    // form_post: the purchase URL as it is; the page is a form that POSTs the pass there.
    let (status, page) = turn(&w, "by-form", "form_post").await;
    let pass = status["pass"].as_str().expect("pass").to_owned();
    assert_eq!(status["pass_delivery"], "form_post");
    assert_eq!(status["purchase_url"], format!("{PURCHASE_URL}?event=7"));
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(page.header(LOCATION).is_none());
    assert!(page.cache_control().contains("no-store"));
    for part in [
        format!(r#"<form id="pass-form" method="post" action="{PURCHASE_URL}?event=7">"#),
        format!(r#"<input type="hidden" name="pass" value="{pass}">"#),
        r#"<script src="/assets/pass-form.js" defer></script>"#.to_owned(),
    ] {
        assert!(page.text.contains(&part), "{part} in {}", page.text);
    }
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let script = send(w.fan().get("/assets/pass-form.js")).await;
    assert_eq!(script.status, 200);
    assert!(script.text.contains("form.submit()"));

    // A bad value is refused, naming the field.
    let bad = json!({"name": "x", "purchase_url": PURCHASE_URL, "pass_delivery": "email"});
    let reply = send(w.admin().put("/api/admin/sales/bad-delivery").json(&bad)).await;
    reply.expect_error(400, "invalid_field", "pass_delivery email");
    assert_eq!(reply.json["field"], "pass_delivery");
}
