//! The pre-queue in Chromium: the fan's page says they are in the pre-queue and when the order is
//! drawn, the dashboard shows the window and the commitment, then the page shows the drawn place,
//! and the fan lands on the purchase page.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::demo_origin::DemoOrigin;
use crate::support::assertions::eventually;
use crate::support::clock::{rfc3339, unix_now};
use crate::support::process::free_port;
use crate::support::random::unique_sale;
use crate::support::{send, TestWorker};
use serde_json::json;
use std::time::Duration;
use waitroom_core::queue::draw::{DrawKey, Permutation};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prequeue_then_drawn_place_then_purchase() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("prequeue");
    let origin_port = free_port();
    let purchase_url = format!("http://127.0.0.1:{origin_port}/purchase");
    let now_s = unix_now().as_secs();
    let opens_at_s = now_s + 20;
    let created = worker
        .admin()
        .create_sale_with(
            &sale,
            json!({
                "name": "Pre-queue Live", "purchase_url": purchase_url, "presence_ttl_s": 0,
                "prequeue_opens_at": rfc3339(now_s - 1), "opens_at": rfc3339(opens_at_s),
            }),
        )
        .await;
    let commitment = created["draw"]["commitment"].as_str().unwrap().to_owned();
    // Two fans in the pre-queue before this one.
    let others = [
        worker.fan().join(&sale).await,
        worker.fan().join(&sale).await,
    ];
    let driver = Chromedriver::start("prequeue").await;

    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    fan.wait_for_text("#position", "In the pre-queue", Duration::from_secs(15))
        .await;
    assert!(fan.displayed("#draw").await, "the draw notice shows");
    let notice = fan.text("#draw").await;
    assert!(
        notice.contains("pre-queue") && notice.contains("random order"),
        "{notice}"
    );
    let shown_at = fan.text("#draw-at").await;
    assert!(!shown_at.is_empty(), "the draw time is shown: {notice}");
    fan.shot("1-prequeue").await;

    // The dashboard shows the pre-queue and the commitment.
    let promoter = driver.session("promoter", SessionOptions::default()).await;
    promoter.sign_in(&worker.base, &worker.admin_key).await;
    promoter.open_sale_row(&sale).await;
    promoter
        .wait_for_text("#draw-commitment", &commitment, Duration::from_secs(30))
        .await;
    assert!(
        promoter
            .text("#draw-status")
            .await
            .contains("not drawn yet"),
        "the draw is pending"
    );
    promoter.shot("1-prequeue").await;

    // After opens_at: the page shows the drawn place.
    let seq = fan
        .js(
            "return fetch(location.pathname.replace('/s/', '/api/sales/') + '/status', {credentials: 'same-origin'}).then(r => r.json()).then(s => s.seq);",
            vec![],
        )
        .await
        .as_u64()
        .expect("the fan's seq");
    let until_drawn = Duration::from_secs(opens_at_s).saturating_sub(unix_now());
    let draw = eventually(
        "the draw is published",
        until_drawn + Duration::from_secs(10),
        || async {
            let draw = send(worker.fan().get(&format!("/api/sales/{sale}/draw")))
                .await
                .expect(200, "the draw");
            if draw["drawn"] == true {
                Ok(draw)
            } else {
                Err(format!("not yet: {draw}"))
            }
        },
    )
    .await;
    let key = DrawKey::parse_hex(draw["key"].as_str().expect("the key is published")).unwrap();
    let permutation = Permutation::new(&key, draw["end"].as_u64().unwrap());
    let mine = permutation.position_of(seq);
    let place = 1 + others
        .iter()
        .filter(|o| permutation.position_of(o.seq) < mine)
        .count();
    fan.wait_for_text("#position", &place.to_string(), Duration::from_secs(30))
        .await;
    assert!(!fan.displayed("#draw").await, "the draw notice is gone");
    fan.shot("2-drawn-place").await;
    promoter
        .wait_for("#draw-key", Duration::from_secs(30))
        .await;
    assert_eq!(promoter.text("#draw-key").await, key.to_hex());
    promoter.shot("2-drawn").await;

    // The demo origin pulls everyone: the fan lands on the purchase page.
    let origin = DemoOrigin::pulling(&worker, &sale, origin_port, 3, 500).await;
    fan.wait_for_purchase_page(
        "the fan lands on the origin's purchase page",
        &purchase_url,
        &origin,
    )
    .await;
    fan.find("#purchase").await;
    fan.shot("3-purchase").await;
    fan.close().await;
    promoter.close().await;
}
