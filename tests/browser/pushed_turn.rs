//! The turn, pushed, in a real browser: a fan near the front holds a socket and lands on the
//! purchase page when a window pulls them, with the page's polling cut off (so only the socket can
//! have told it); a fan whose socket is refused gets there by polling.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{send, TestWorker};
use serde_json::json;
use std::time::Duration;

/// Opens `sale` with its purchase page on the worker itself (a 404 page, but the fan's browser
/// stays on the worker's origin, so the URL it lands on can be read).
async fn open_sale(worker: &TestWorker, sale: &str) -> String {
    let purchase_url = format!("{}/bought", worker.base);
    worker
        .admin()
        .create_sale_with(
            sale,
            json!({ "name": "Pushed", "purchase_url": purchase_url }),
        )
        .await;
    worker.admin().open_sale(sale).await;
    purchase_url
}

async fn wait_for_socket(fan: &Browser, state: &str) {
    fan.wait(
        &format!("the page's socket is {state}"),
        Duration::from_secs(30),
        || async {
            let now = fan
                .js("return document.body.dataset.socket || null;", vec![])
                .await;
            if now == json!(state) {
                Ok(())
            } else {
                Err(format!("data-socket {now}"))
            }
        },
    )
    .await;
}

async fn wait_for_purchase(fan: &Browser, purchase_url: &str) {
    fan.wait(
        "the purchase page with the pass",
        Duration::from_secs(60),
        || async {
            let url = fan.url().await;
            if url.starts_with(purchase_url) && url.contains("pass=") {
                Ok(())
            } else {
                Err(format!("at {url}"))
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_near_the_front_gets_the_purchase_page_pushed() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("pushed");
    let purchase_url = open_sale(&worker, &sale).await;
    let driver = Chromedriver::start("pushed_turn").await;
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    wait_for_socket(&fan, "open").await;
    fan.shot("1-watching").await;
    // From now on the page's status polls never answer: only the socket can bring the turn.
    fan.js(
        "window.fetch = () => new Promise(() => {}); return true;",
        vec![],
    )
    .await;
    let pulled = worker.origin().pull(&sale, "w1", 1, None).await;
    assert_eq!(pulled.assignments.len(), 1);
    wait_for_purchase(&fan, &purchase_url).await;
    fan.shot("2-purchase").await;
    fan.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_whose_socket_is_refused_gets_there_by_polling() {
    let worker = TestWorker::start_with_faults().await;
    let sale = unique_sale("refused");
    let purchase_url = open_sale(&worker, &sale).await;
    send(
        worker
            .admin()
            .put(&format!("/api/admin/sales/{sale}/fault"))
            .json(&json!({"refuse_sockets": true})),
    )
    .await
    .expect(200, "refuse sockets");
    let driver = Chromedriver::start("refused_socket").await;
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    wait_for_socket(&fan, "closed").await;
    fan.shot("1-polling").await;
    worker.origin().pull(&sale, "w1", 1, None).await;
    wait_for_purchase(&fan, &purchase_url).await;
    fan.close().await;
}
