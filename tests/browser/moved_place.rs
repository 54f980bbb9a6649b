//! Move my place, in two real browsers (two profiles: a laptop and a phone): the laptop in line
//! presses "Continue on another device" and gets the link with its QR code; the phone opens the
//! link and holds the place where it stood; the laptop's page says the place moved; the phone
//! gets the turn.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::TestWorker;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_moves_to_a_second_device_with_its_link() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("moving");
    let purchase_url = format!("{}/bought", worker.base);
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "Moving", "purchase_url": purchase_url }),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    // Someone ahead, so the place has a number to keep.
    worker.fan().join(&sale).await;
    let driver = Chromedriver::start("moved_place").await;
    let laptop = driver.session("laptop", SessionOptions::default()).await;
    laptop
        .join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    laptop
        .wait_for_text("#position", "2", Duration::from_secs(30))
        .await;
    laptop.click("#move-link button").await;
    laptop
        .wait_for(
            "body[data-page='move-link'] #qr svg",
            Duration::from_secs(30),
        )
        .await;
    let link = laptop
        .js("return document.getElementById('move-url').href;", vec![])
        .await;
    let link = link.as_str().expect("the link").to_owned();
    assert!(link.contains(&format!("/s/{sale}/move#m1.")), "{link}");
    laptop.shot("1-link-and-qr").await;

    let phone = driver
        .session(
            "phone",
            SessionOptions {
                width: 412,
                height: 915,
                ..SessionOptions::default()
            },
        )
        .await;
    phone.goto(&link).await;
    phone
        .wait_for("body[data-page='waiting']", Duration::from_secs(30))
        .await;
    phone
        .wait_for_text("#position", "2", Duration::from_secs(30))
        .await;
    assert!(
        !phone.url().await.contains('#'),
        "the code left the address bar"
    );
    phone.shot("2-holds-the-place").await;

    // The laptop's link page notices the move and goes back to the sale page, which says so.
    laptop
        .wait_for_text("#position", "Place moved", Duration::from_secs(30))
        .await;
    laptop.shot("3-place-moved").await;

    worker.origin().pull(&sale, "w1", 2, None).await;
    phone
        .wait(
            "the purchase page with the pass",
            Duration::from_secs(60),
            || async {
                let url = phone.url().await;
                if url.starts_with(&purchase_url) && url.contains("pass=") {
                    Ok(())
                } else {
                    Err(format!("at {url}"))
                }
            },
        )
        .await;
    phone.shot("4-purchase").await;
    phone.close().await;
    laptop.close().await;
}
