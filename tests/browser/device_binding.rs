//! A sale that binds places to devices, in real browsers: without JavaScript the page says it is
//! needed and takes no place; with it the page makes a key WebCrypto will not give out (kept in
//! IndexedDB) and joins with it; the place's cookie copied into a second browser profile shows
//! the same place while it waits, but when the line reaches it the copy is refused ("kept for
//! another device") and only the first browser reaches the purchase page. The bound pages are
//! in the fan's language (the no-JavaScript answer in German) and pass axe (WCAG 2.2 AA).
//!
//! The purchase page is a protected path (path protection, in front of a stand-in origin): at the
//! door the fan's browser gets the "confirm this device" page, whose script proves the device
//! and goes through to the origin with a session; the copy, sent to the same URL, is refused
//! there too and never reaches the origin.

use crate::accessibility::{assert_no_violations, axe, axe_source};
use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::echo_origin::EchoOrigin;
use crate::support::random::unique_sale;
use crate::support::TestWorker;
use serde_json::json;
use std::time::Duration;

async fn joined(worker: &TestWorker, sale: &str) -> u64 {
    worker.admin().report(sale).await["stats"]["joined"]
        .as_u64()
        .expect("stats.joined")
}

async fn wait_for_state(browser: &Browser, state: &str) {
    browser
        .wait_for(
            &format!("body[data-state='{state}']"),
            Duration::from_secs(60),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_cookie_cannot_claim_a_bound_turn() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("bound");
    // The purchase page on the worker's own host, a path the sale protects in front of a stand-in
    // origin (which answers with what it received, as JSON).
    let origin = EchoOrigin::start().await;
    let purchase_url = format!("{}/bought", worker.base);
    let host = worker.base.trim_start_matches("http://");
    // Every path of the host (`/*`; ours answer as ours): a browser's own requests, such as
    // `/favicon.ico`, would otherwise pass through unguarded and be counted.
    let protect =
        json!({ "origin": origin.base, "hosts": [host], "paths": ["/*"], "session_s": 300 });
    let settings = json!({ "name": "Bound Night", "purchase_url": purchase_url, "device_binding": true, "rate_limit_per_min": 1000, "protect": protect });
    worker.admin().create_sale_with(&sale, settings).await;
    worker.admin().open_sale(&sale).await;
    let page = format!("{}/s/{sale}", worker.base);
    let driver = Chromedriver::start("a_copied_cookie_cannot_claim_a_bound_turn").await;

    // Without JavaScript: told why, no place.
    let nojs = driver
        .session(
            "nojs",
            SessionOptions {
                javascript: false,
                ..SessionOptions::default()
            },
        )
        .await;
    nojs.goto(&page).await;
    nojs.wait_for("body[data-page='binding']", Duration::from_secs(30))
        .await;
    let text = nojs.text("body").await;
    assert!(
        text.contains("JavaScript is needed to join this sale"),
        "{text:?}"
    );
    nojs.shot("needs-js").await;
    // In the fan's language: the same answer in German.
    nojs.goto(&format!("{page}?lang=de")).await;
    nojs.wait_for(
        "html[lang='de'] body[data-page='binding']",
        Duration::from_secs(30),
    )
    .await;
    let text = nojs.text("body").await;
    assert!(
        text.contains("Für diesen Verkauf wird JavaScript benötigt"),
        "{text:?}"
    );
    nojs.close().await;
    assert_eq!(joined(&worker, &sale).await, 0);

    // The fan's device: the binding page joins with its key, then the waiting page.
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(60))
        .await;
    fan.wait_for_text("#position", "1", Duration::from_secs(30))
        .await;
    assert_eq!(joined(&worker, &sale).await, 1);
    // The private key is WebCrypto's, not extractable, in IndexedDB.
    let key = fan
        .js(
            "const sale = arguments[0]; return new Promise((done) => { const q = indexedDB.open('waitroom-device'); q.onsuccess = () => { const g = q.result.transaction('keys').objectStore('keys').get(sale); g.onsuccess = () => done([g.result.privateKey.type, g.result.privateKey.extractable, g.result.privateKey.algorithm.namedCurve]); }; });",
            vec![json!(sale)],
        )
        .await;
    assert_eq!(key, json!(["private", false, "P-256"]));
    fan.shot("waiting").await;
    let source = axe_source();
    let mut results = vec![axe(&fan, &source, "bound-waiting").await];

    // The cookie, copied into a second browser profile: the same place, while it waits.
    let name = format!("__Host-wr_{sale}");
    let cookies = fan.client.get_all_cookies().await.expect("cookies");
    let value = cookies
        .iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("{name} in {cookies:?}"))
        .value()
        .to_owned();
    let copy = driver.session("copy", SessionOptions::default()).await;
    copy.goto(&format!("{}/healthz", worker.base)).await;
    // (WebDriver's add-cookie refuses a `__Host-` cookie, which may have no domain; the page's
    // own script sets the same name and value, not HttpOnly, which the worker cannot tell.)
    let set = copy
        .js(
            "document.cookie = `${arguments[0]}=${arguments[1]}; Path=/; Secure; SameSite=Lax`; return document.cookie;",
            vec![json!(name), json!(value)],
        )
        .await;
    assert!(set.as_str().is_some_and(|c| c.contains(&name)), "{set}");
    copy.goto(&page).await;
    copy.wait_for("body[data-page='waiting']", Duration::from_secs(30))
        .await;
    copy.wait_for_text("#position", "1", Duration::from_secs(30))
        .await;
    assert_eq!(joined(&worker, &sale).await, 1, "the copy took no place");

    // The line reaches the place: the copy is refused, the fan's device goes to buy.
    worker.origin().pull_eventually(&sale, 1).await;
    wait_for_state(&copy, "bound_elsewhere").await;
    let said = copy.text("#notice").await;
    assert!(said.contains("taken on another device"), "{said:?}");
    // Nor does it offer to move the place on.
    let offered = copy
        .js(
            "return !document.getElementById('move-link').hidden;",
            vec![],
        )
        .await;
    assert_eq!(offered, json!(false), "the copy offers no move link");
    copy.shot("refused").await;
    results.push(axe(&copy, &source, "bound-refused").await);
    assert_no_violations(&results);
    // The fan's browser: the door confirms the device (door.js) and the purchase page is the
    // origin's, reached with a session and the pass.
    fan.wait(
        "the origin's purchase page with the pass",
        Duration::from_secs(60),
        || async {
            let url = fan.url().await;
            let text = fan.text("body").await;
            if url.starts_with(&purchase_url)
                && url.contains("pass=")
                && text.contains("waitroom-pass")
            {
                Ok(())
            } else {
                Err(format!("at {url}: {}", &text[..text.len().min(200)]))
            }
        },
    )
    .await;
    fan.shot("through-the-door").await;
    // The fan's browser is done: from here on the origin counts the copy's requests only.
    fan.close().await;
    let reached = origin.received();
    assert!(reached >= 2, "the proof's request and the page: {reached}");
    // The copy, reloaded: still no pass, never the purchase page.
    copy.goto(&page).await;
    wait_for_state(&copy, "bound_elsewhere").await;
    let url = copy.url().await;
    assert!(url.starts_with(&page) && !url.contains("pass="), "{url}");
    // The copy at the protected purchase URL: the door's page, refused there too, and nothing
    // reaches the origin.
    copy.goto(&purchase_url).await;
    copy.wait_for(
        "body[data-page='door'][data-state='bound_elsewhere']",
        Duration::from_secs(30),
    )
    .await;
    let said = copy.text("#notice").await;
    assert!(said.contains("taken on another device"), "{said:?}");
    copy.shot("door-refused").await;
    assert_no_violations(&[axe(&copy, &source, "bound-door-refused").await]);
    assert_eq!(origin.received(), reached, "the copy reached the origin");
    copy.close().await;
}
