//! A fan whose browser runs no JavaScript still waits, moves up and gets in: the waiting page is
//! rendered on the server with the fan's place and refreshes itself with `<meta http-equiv=refresh>`,
//! and `/s/<sale>` sends the fan to the purchase page when it is their turn.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::demo_origin::DemoOrigin;
use crate::support::fan::Polling;
use crate::support::process::free_port;
use crate::support::random::unique_sale;
use crate::support::TestWorker;
use serde_json::json;
use std::time::Duration;

/// The page's `<meta http-equiv="refresh">` delay in seconds, if it has one.
async fn meta_refresh(fan: &Browser) -> Option<u64> {
    let metas = fan.find_all("meta").await;
    for meta in metas {
        let equiv = meta.attr("http-equiv").await.ok().flatten();
        if equiv.is_some_and(|e| e.eq_ignore_ascii_case("refresh")) {
            let content = meta
                .attr("content")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            return content
                .split(';')
                .next()
                .and_then(|s| s.trim().parse().ok());
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_page_without_javascript() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("nojs");
    let origin_port = free_port();
    let purchase_url = format!("http://127.0.0.1:{origin_port}/purchase");
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "No Script Night", "purchase_url": purchase_url }),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    let first = worker.fan().join(&sale).await;
    let second = worker.fan().join(&sale).await;
    let _polling = Polling::start(worker.fan(), &sale, &[&first.token, &second.token]);

    let driver = Chromedriver::start("waiting_page_without_javascript").await;
    let fan = driver
        .session(
            "fan",
            SessionOptions {
                javascript: false,
                ..SessionOptions::default()
            },
        )
        .await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    fan.shot("1-third").await;
    // JavaScript really is off: the <noscript> notice is rendered.
    let body = fan.text("body").await;
    assert!(
        body.contains("refreshes"),
        "the <noscript> notice about refreshing shows: {body:?}"
    );
    let position = fan.text("#position").await;
    assert_eq!(
        position, "3",
        "the server-rendered waiting page shows the fan's place behind two API fans"
    );
    let refresh = meta_refresh(&fan).await;
    assert!(
        refresh.is_some_and(|s| (1..=30).contains(&s)),
        "the waiting page refreshes itself with <meta http-equiv=refresh>: {refresh:?}"
    );

    // The two fans ahead are pulled (as a window would); the page's own refresh shows place 1.
    let pulled = worker.origin().pull(&sale, "window-1", 2, None).await;
    let seqs: Vec<u64> = pulled.assignments.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs,
        vec![first.seq, second.seq],
        "the two fans ahead are pulled"
    );
    fan.wait_for_text("#position", "1", Duration::from_secs(60))
        .await;
    fan.shot("2-first").await;

    // The demo origin starts and pulls the fan; the next refresh goes to the purchase page.
    let origin = DemoOrigin::pulling(&worker, &sale, origin_port, 2, 500).await;
    fan.wait_for_purchase_page(
        "the fan's page refreshes onto the purchase page",
        &purchase_url,
        &origin,
    )
    .await;
    fan.find("#purchase").await;
    fan.shot("3-purchase").await;
    fan.close().await;
}
