//! A Turnstile sale in Chromium (issue 9), offline: the worker loads the widget from the local
//! stand-in (`TURNSTILE_SCRIPT_URL`, tests/support/fake-turnstile-api.js) and verifies its token
//! with the stand-in's siteverify (`TURNSTILE_VERIFY_URL`). The page's CSP lets the stand-in's
//! script in (or nothing would happen), the widget "solves", the form joins, and the fan waits in
//! line. A token siteverify refuses: the page again with why, no place, and no second try by
//! itself.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::siteverify::{field, Siteverify, FAILING_SITE_KEY, SECRET, SITE_KEY};
use crate::support::worker::WorkerOptions;
use crate::support::{eventually, send, TestWorker, PURCHASE_URL};
use serde_json::json;
use std::time::Duration;

/// Places taken, once the arrival shard reported its block (about a second after a join).
async fn joined(worker: &TestWorker, sale: &str) -> u64 {
    eventually("blocks are reported", Duration::from_secs(10), || async {
        let stats = worker.admin().report(sale).await["stats"].clone();
        match stats["pending"].as_u64() {
            Some(0) => stats["joined"].as_u64().ok_or(format!("{stats}")),
            _ => Err(format!("pending: {stats}")),
        }
    })
    .await
}

/// The tokens siteverify was asked about that start with `kind` (`pass`, `fail`).
fn tokens(siteverify: &Siteverify, kind: &str) -> Vec<String> {
    siteverify
        .forms()
        .iter()
        .filter(|form| field(form, "secret") == Some(SECRET))
        .filter_map(|form| field(form, "response").map(str::to_owned))
        .filter(|token| token.starts_with(&format!("{kind}-")))
        .collect()
}

async fn open_turnstile_sale(worker: &TestWorker, sale: &str, site_key: &str) {
    worker
        .admin()
        .create_sale_with(
            sale,
            json!({"name": "Humans Only", "purchase_url": PURCHASE_URL, "turnstile_site_key": site_key}),
        )
        .await;
    worker.admin().open_sale(sale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turnstile_sale_lets_a_fan_in_after_the_widget_passes() {
    let siteverify = Siteverify::start().await;
    let worker = TestWorker::start_with_options(
        WorkerOptions::default()
            .var("TURNSTILE_SECRET", SECRET)
            .var("TURNSTILE_VERIFY_URL", &siteverify.url)
            .var("TURNSTILE_SCRIPT_URL", &siteverify.script_url),
    )
    .await;
    let sale = unique_sale("human");
    open_turnstile_sale(&worker, &sale, SITE_KEY).await;

    // The page loads the configured script, and its CSP allows that origin (not Cloudflare's).
    let page = send(worker.fan().get(&format!("/s/{sale}"))).await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(
        page.text
            .contains(&format!(r#"<script src="{}""#, siteverify.script_url)),
        "{}",
        page.describe()
    );
    let origin = siteverify
        .script_url
        .trim_end_matches("/turnstile/v0/api.js");
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains(&format!("script-src 'self' {origin};"))
            && csp.contains(&format!("frame-src {origin};"))
            && !csp.contains("challenges.cloudflare.com"),
        "{csp}"
    );
    assert_eq!(joined(&worker, &sale).await, 0, "a look takes no place");

    let driver =
        Chromedriver::start("a_turnstile_sale_lets_a_fan_in_after_the_widget_passes").await;
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    fan.wait_for_text("#position", "1", Duration::from_secs(15))
        .await;
    fan.shot("1-in-line").await;
    assert_eq!(joined(&worker, &sale).await, 1);
    let passed = tokens(&siteverify, "pass");
    assert_eq!(passed.len(), 1, "one token checked: {passed:?}");
    // A reload keeps the place: no second check, no second place.
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait_for_text("#position", "1", Duration::from_secs(15))
        .await;
    assert_eq!(joined(&worker, &sale).await, 1);
    assert_eq!(tokens(&siteverify, "pass").len(), 1);
    fan.close().await;

    // A widget whose tokens siteverify refuses: the page again, saying why; no place.
    let refused = unique_sale("bot");
    open_turnstile_sale(&worker, &refused, FAILING_SITE_KEY).await;
    let bot = driver.session("refused", SessionOptions::default()).await;
    bot.goto(&format!("{}/s/{refused}", worker.base)).await;
    bot.wait_for("#notice", Duration::from_secs(30)).await;
    let notice = bot.text("#notice").await;
    assert!(notice.contains("did not pass"), "{notice}");
    bot.wait_for("body[data-page='turnstile']", Duration::from_secs(5))
        .await;
    // The widget solved again on the refused page, and the page waits for the fan's click
    // instead of posting a new token by itself (a check that keeps failing never loops).
    let solved_not_sent = r#"
        const form = document.getElementById("turnstile-form");
        const token = form.querySelector("[name='cf-turnstile-response']");
        return token ? (form.dataset.sent ? "sent" : "waiting") : "unsolved";"#;
    bot.wait(
        "the widget solved the refused page",
        Duration::from_secs(15),
        || async {
            match bot.js(solved_not_sent, vec![]).await.as_str() {
                Some("waiting") => Ok(()),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    bot.shot("2-refused").await;
    assert_eq!(tokens(&siteverify, "fail").len(), 1, "one refused try");
    assert_eq!(
        joined(&worker, &refused).await,
        0,
        "no place for a refused token"
    );
    bot.close().await;
}
