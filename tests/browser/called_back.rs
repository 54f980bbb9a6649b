//! "Close the tab, be called back" (docs/api.md, "Called back"), the fan's side in Chromium: the
//! waiting page of a sale without `push` has no offer (and no push script); the page of a sale
//! with `push` offers it once the place is in line, passes axe, and pressing the button (with
//! notifications allowed) registers the service worker, served as JavaScript from its own
//! scope, and asks the server for the VAPID key. Headless Chromium has no push service to
//! subscribe at, so the subscription itself, the notification a push shows and its click were
//! checked by hand (docs/api.md says what); the server's side of it is tests/api/push.rs.

use crate::accessibility::{assert_no_violations, axe, axe_source};
use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::TestWorker;
use serde_json::{json, Value};
use std::time::Duration;

async fn in_line(fan: &Browser, base: &str, sale: &str) {
    fan.join_line(base, sale, Duration::from_secs(60)).await;
    fan.wait_for("body[data-state='waiting']", Duration::from_secs(30))
        .await;
    fan.wait_for_text("#position", "1", Duration::from_secs(30))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_sale_offers_to_call_back_and_registers_its_service_worker() {
    let worker = TestWorker::start().await;
    let plain = unique_sale("plain");
    let called = unique_sale("called");
    for (sale, push) in [(&plain, Value::Null), (&called, json!({ "near_front": 5 }))] {
        let settings = json!({ "name": "Call Me Night", "purchase_url": format!("{}/bought", worker.base), "rate_limit_per_min": 1000, "push": push });
        worker.admin().create_sale_with(sale, settings).await;
        worker.admin().open_sale(sale).await;
    }
    let driver = Chromedriver::start("a_push_sale_offers_to_call_back").await;
    let fan = driver
        .session(
            "fan",
            SessionOptions {
                notifications: true,
                ..SessionOptions::default()
            },
        )
        .await;

    // Without `push`: no offer, no push script; the old in-tab notification button stays.
    in_line(&fan, &worker.base, &plain).await;
    assert!(fan.find_all("#push").await.is_empty(), "no offer");
    assert!(fan
        .find_all("script[src='/assets/push.js']")
        .await
        .is_empty());
    assert_eq!(fan.find_all("#notify").await.len(), 1);

    // With `push`: offered, in words a fan understands, and the page passes axe.
    in_line(&fan, &worker.base, &called).await;
    fan.wait_for("#push:not([hidden]) #push-on", Duration::from_secs(30))
        .await;
    assert!(fan.displayed("#push-on").await);
    assert!(!fan.displayed("#push-off").await);
    assert_eq!(fan.text("#push-on").await, "Notify me when it's my turn");
    let offer = fan.text("#push-state").await;
    assert!(offer.contains("You may close this page"), "{offer:?}");
    assert!(
        fan.find_all("#notify").await.is_empty(),
        "one offer, not two"
    );
    fan.shot("offer").await;
    let source = axe_source();
    assert_no_violations(&[axe(&fan, &source, "push-offer").await]);

    // The service worker script: JavaScript, from our own site, no cross-site rule in the way.
    let served = fan
        .js(
            r#"return fetch("/assets/push-sw.js?sale=x&lang=en").then((r) =>
                 ({ status: r.status, type: r.headers.get("content-type") }));"#,
            vec![],
        )
        .await;
    assert_eq!(served["status"], 200, "{served}");
    let kind = served["type"].as_str().unwrap_or_default();
    assert!(kind.contains("javascript"), "{served}");

    // Pressing the button: permission is granted (the profile allows it), the worker registers
    // at the sale's own scope and is active; the subscription needs a push service, which
    // headless Chromium cannot reach (below).
    assert_eq!(
        fan.js("return Notification.permission;", vec![]).await,
        json!("granted")
    );
    fan.click("#push-on").await;
    let scope = format!("{}/assets/push-sw/{called}/", worker.base);
    let registered = fan
        .wait("the service worker to be active", Duration::from_secs(30), || async {
            let reg = fan
                .js(
                    r#"return navigator.serviceWorker.getRegistration(arguments[0]).then((reg) =>
                       reg && reg.active ? { script: reg.active.scriptURL, scope: reg.scope } : null);"#,
                    vec![json!(scope)],
                )
                .await;
            if reg.is_null() {
                Err("not yet".to_owned())
            } else {
                Ok(reg)
            }
        })
        .await;
    assert_eq!(registered["scope"], json!(scope), "{registered}");
    let script = registered["script"].as_str().unwrap_or_default();
    assert!(
        script.starts_with(&format!("{}/assets/push-sw.js?", worker.base))
            && script.contains(&format!("sale={called}"))
            && script.contains("lang=en")
            && script.contains("near="),
        "{script}"
    );
    // The subscription itself: headless Chromium cannot reach a push service and its subscribe
    // does not answer: the button stays pressed until the page gives up after 20 s and says so.
    // A browser that can subscribe is on.
    fan.shot("pressed").await;
    let said = fan.text("#push-state").await;
    if said.starts_with("Notifications are on") {
        assert!(fan.displayed("#push-off").await);
    } else if said.starts_with("Notifications could not be turned on") {
        // A push service that refused at once: the fan may try again.
        assert!(fan.displayed("#push-on").await);
    } else {
        assert_eq!(
            fan.js(
                "return document.getElementById('push-on').disabled;",
                vec![]
            )
            .await,
            json!(true),
            "{said:?}"
        );
        // The page gives up after 20 s and says so; the fan may try again.
        fan.wait_for_text(
            "#push-state",
            "Notifications could not be turned on: keep this page open, or try again.",
            Duration::from_secs(40),
        )
        .await;
        assert!(fan.displayed("#push-on").await);
        fan.shot("gave-up").await;
    }
    fan.close().await;
}
