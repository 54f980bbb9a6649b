//! Pass delivery in Chromium (docs/api.md, "Pass delivery"): with `form_post` and with `fragment`
//! a fan in line lands on the demo origin's purchase page with the pass accepted and no pass left
//! in the URL (form_post also without JavaScript, by the button); the same pass sent again (the fan opens the sale page again: its turn's page
//! posts the pass once more) is refused there.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::demo_origin::DemoOrigin;
use crate::support::process::free_port;
use crate::support::random::unique_sale;
use crate::support::TestWorker;
use serde_json::json;
use std::time::Duration;

/// A fan of a sale with `delivery` waits in line, the demo origin pulls them, and they land on
/// the purchase page. Returns the fan's browser, the origin (keep it running) and the sale.
async fn land(
    worker: &TestWorker,
    driver: &Chromedriver,
    delivery: &str,
    options: SessionOptions,
) -> (Browser, DemoOrigin, String) {
    let role = if options.javascript {
        delivery.to_owned()
    } else {
        format!("{delivery}-no-js")
    };
    let sale = unique_sale(&role.replace('_', "-"));
    let origin_port = free_port();
    let purchase_url = format!("http://127.0.0.1:{origin_port}/purchase");
    let report = worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": format!("Delivery {delivery}"), "purchase_url": purchase_url, "pass_delivery": delivery }),
        )
        .await;
    assert_eq!(report["pass_delivery"], delivery, "{report}");
    worker.admin().open_sale(&sale).await;
    let fan = driver.session(&role, options).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    let origin = DemoOrigin::pulling(worker, &sale, origin_port, 1, 300).await;
    if !options.javascript {
        // Without JavaScript the page's own refresh brings the turn's page; the fan presses its
        // button, which POSTs the pass.
        fan.wait_for("body[data-page='your-turn']", Duration::from_secs(60))
            .await;
        assert!(!fan.url().await.contains("pass="));
        fan.shot("your-turn").await;
        fan.click("#pass-form button").await;
    }
    fan.wait_for_purchase_page(
        &format!("{delivery}: the fan lands on the purchase page"),
        &purchase_url,
        &origin,
    )
    .await;
    fan.find("#purchase").await;
    let url = fan.url().await;
    assert!(
        !url.contains("pass") && url.ends_with("/purchase/checkout"),
        "{delivery}: the pass is not left in the URL: {url}"
    );
    let hash = fan.js("return location.hash;", vec![]).await;
    assert_eq!(hash, json!(""), "{delivery}: no fragment left");
    fan.shot("purchase").await;
    (fan, origin, sale)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_post_and_fragment_land_on_the_purchase_page_with_no_pass_in_the_url() {
    let worker = TestWorker::start().await;
    let driver = Chromedriver::start("pass_delivery").await;

    let with_js = SessionOptions::default();
    let (fan, _origin, sale) = land(&worker, &driver, "form_post", with_js).await;
    // The page of the turn posted during its load, so it replaced itself: Back does not lead to
    // it. Opening the sale page again posts the same pass (same jti) once more: refused.
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait(
        "the reused pass is refused",
        Duration::from_secs(15),
        || async {
            let body = fan.text_of("body").await?;
            if body.contains("Pass already used") {
                Ok(())
            } else {
                Err(format!("the page says: {body}"))
            }
        },
    )
    .await;
    assert!(!fan.url().await.contains("pass="));
    fan.shot("reused").await;
    fan.close().await;

    let (fan, _origin, _) = land(&worker, &driver, "fragment", with_js).await;
    fan.close().await;

    let no_js = SessionOptions {
        javascript: false,
        ..SessionOptions::default()
    };
    let (fan, _origin, _) = land(&worker, &driver, "form_post", no_js).await;
    fan.close().await;
}
