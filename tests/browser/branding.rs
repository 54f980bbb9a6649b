//! Whatever a promoter types into a sale's name and branding reaches fans as text, never as markup:
//! on the fan pages (rendered by the worker) and on the dashboard.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{TestWorker, PURCHASE_URL};
use serde_json::json;
use std::time::Duration;

const NAME: &str = r#"<b>Bold</b> & "quotes""#;
const MESSAGE: &str = r#"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"#;
const COLOR: &str = "#0f766e";
const COLOR_RGB: &str = "rgb(15, 118, 110)";

/// The checks every fan page of this sale must pass.
async fn assert_escaped(fan: &Browser, page: &str) {
    // Give an injected <img onerror> every chance to run.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let pwned = fan.js("return typeof window.__pwned;", vec![]).await;
    assert_eq!(pwned, json!("undefined"), "{page}: injected script ran");
    let header = fan.text("header").await;
    assert!(
        header.contains("<b>Bold</b>"),
        "{page}: the name shows literally in the header: {header:?}"
    );
    assert!(
        header.contains(r#"& "quotes""#),
        "{page}: ampersand and quotes show literally: {header:?}"
    );
    assert!(
        fan.find_all("header b").await.is_empty(),
        "{page}: a <b> element was made from the name"
    );
    let body = fan.text("body").await;
    assert!(
        body.contains("<script>window.__pwned=1</script>") && body.contains("onerror="),
        "{page}: the branding message shows literally: {body:?}"
    );
    assert!(
        fan.find_all("img[src='x'], img[onerror]").await.is_empty(),
        "{page}: an <img> was made from the message"
    );
    let injected = fan
        .js(
            "return [...document.scripts].some(s => s.textContent.includes('__pwned'));",
            vec![],
        )
        .await;
    assert_eq!(
        injected,
        json!(false),
        "{page}: a <script> was made from the message"
    );
    let background = fan
        .js(
            "return getComputedStyle(document.querySelector('header')).backgroundColor;",
            vec![],
        )
        .await;
    assert_eq!(
        background,
        json!(COLOR_RGB),
        "{page}: the header has the brand colour {COLOR}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branding_is_escaped() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("brand");
    let report = worker
        .admin()
        .create_sale_with(
            &sale,
            json!({
                "name": NAME,
                "purchase_url": PURCHASE_URL,
                "branding": { "color": COLOR, "message": MESSAGE },
            }),
        )
        .await;
    assert_eq!(report["name"], NAME, "the API keeps the name as typed");
    let driver = Chromedriver::start("branding_is_escaped").await;

    // Before the sale opens: the not-on-sale page.
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait_for("body[data-page='not-on-sale']", Duration::from_secs(30))
        .await;
    fan.shot("1-not-on-sale").await;
    assert_escaped(&fan, "not-on-sale page").await;

    // Open: the waiting page.
    worker.admin().open_sale(&sale).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(15))
        .await;
    fan.shot("2-waiting").await;
    assert_escaped(&fan, "waiting page").await;

    // The dashboard shows the same text as text.
    let promoter = driver.session("promoter", SessionOptions::default()).await;
    promoter.sign_in(&worker.base, &worker.admin_key).await;
    promoter.open_sale_row(&sale).await;
    let row = format!("#sales [data-sale='{sale}']");
    promoter
        .wait_for_text("#sale-title", NAME, Duration::from_secs(30))
        .await;
    assert_eq!(promoter.text(&format!("{row} .sale-name")).await, NAME);
    assert!(promoter.find_all("#sales b, #selected b").await.is_empty());
    let message = promoter
        .js("return document.getElementById('f-message').value;", vec![])
        .await;
    assert_eq!(
        message,
        json!(MESSAGE),
        "the form holds the message as text"
    );
    let pwned = promoter.js("return typeof window.__pwned;", vec![]).await;
    assert_eq!(pwned, json!("undefined"));
    promoter.shot("3-dashboard").await;

    fan.close().await;
    promoter.close().await;
}
