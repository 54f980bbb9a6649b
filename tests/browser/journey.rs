//! A whole presale in two browsers: the fan waits on the not-on-sale page, the promoter opens the
//! sale from the dashboard, the fan's page moves into the line by itself, the demo origin pulls,
//! and the fan lands on the origin's purchase page with a pass it accepts.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::demo_origin::DemoOrigin;
use crate::support::fan::Polling;
use crate::support::process::free_port;
use crate::support::random::unique_sale;
use crate::support::TestWorker;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_journey() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("journey");
    let origin_port = free_port();
    let purchase_url = format!("http://127.0.0.1:{origin_port}/purchase");
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "Journey Live", "purchase_url": purchase_url }),
        )
        .await;
    let driver = Chromedriver::start("whole_journey").await;

    // The fan arrives before the sale opens.
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait_for("body[data-page='not-on-sale']", Duration::from_secs(30))
        .await;
    assert_eq!(fan.text("#title").await, "Not on sale yet");
    fan.shot("1-not-on-sale").await;

    // The promoter signs in to the dashboard and opens the sale with the real button.
    let promoter = driver.session("promoter", SessionOptions::default()).await;
    promoter.goto(&format!("{}/admin/", worker.base)).await;
    promoter
        .wait_for("#admin-key", Duration::from_secs(30))
        .await;
    promoter.shot("1-sign-in").await;
    promoter.type_into("#admin-key", &worker.admin_key).await;
    promoter.click("#key-submit").await;
    let row = format!("#sales [data-sale='{sale}']");
    promoter.wait_for(&row, Duration::from_secs(30)).await;
    assert!(
        !promoter.url().await.contains(&worker.admin_key),
        "the admin key must never be in a URL"
    );
    let kept = promoter
        .js(
            "return sessionStorage.getItem('waitroom.adminKey');",
            vec![],
        )
        .await;
    assert_eq!(
        kept,
        json!(worker.admin_key),
        "the key is kept in sessionStorage"
    );
    assert!(
        promoter
            .text(&format!("{row} .phase"))
            .await
            .contains("Not on sale yet"),
        "the row shows the phase"
    );
    promoter.shot("2-sales").await;

    promoter.click(&row).await;
    promoter
        .wait_for_text("#sale-title", "Journey Live", Duration::from_secs(30))
        .await;
    promoter
        .wait("#open is enabled", Duration::from_secs(30), || async {
            let enabled = promoter.find("#open").await.is_enabled().await;
            enabled
                .map_err(|e| e.to_string())?
                .then_some(())
                .ok_or("disabled".to_owned())
        })
        .await;
    assert!(
        promoter.text("#schedule").await.contains("No opening time"),
        "a sale without opens_at says it opens by hand"
    );
    promoter.shot("3-selected").await;

    promoter.click("#open").await;
    let modal = promoter
        .js(
            "return document.querySelector('dialog#confirm:modal') !== null;",
            vec![],
        )
        .await;
    assert_eq!(
        modal,
        json!(true),
        "open asks in a modal <dialog id=confirm>"
    );
    promoter
        .wait_for("#confirm-yes", Duration::from_secs(15))
        .await;
    promoter.shot("4-confirm").await;
    promoter.click("#confirm-yes").await;
    promoter
        .wait("#phase says open", Duration::from_secs(30), || async {
            let phase = promoter.find("#phase").await.attr("data-phase").await;
            match phase.map_err(|e| e.to_string())? {
                Some(p) if p == "open" => Ok(()),
                other => Err(format!("data-phase {other:?}")),
            }
        })
        .await;
    promoter.shot("5-opened").await;

    // Two fans join through the API while the fan's page has not noticed yet: the fan is third.
    let first = worker.fan().join(&sale).await;
    let second = worker.fan().join(&sale).await;
    assert_eq!((first.position, second.position), (1, 2));
    let _polling = Polling::start(worker.fan(), &sale, &[&first.token, &second.token]);

    // The fan's page re-checks the phase every 10–15 s and moves into the line by itself.
    fan.wait_for("body[data-page='waiting']", Duration::from_secs(60))
        .await;
    fan.wait_for_text("#position", "3", Duration::from_secs(15))
        .await;
    assert_eq!(fan.text("#ahead").await, "2");
    fan.shot("2-waiting").await;

    // The dashboard's live numbers follow within its 3 s refresh.
    promoter
        .wait_for_text("#n-joined", "3", Duration::from_secs(30))
        .await;
    promoter
        .wait_for_text("#n-waiting", "3", Duration::from_secs(30))
        .await;
    assert_eq!(promoter.text("#n-drain").await, "—", "no admissions yet");
    promoter.shot("6-live-numbers").await;

    // The demo origin starts pulling: the fan's page takes it to the purchase page with its pass.
    let origin = DemoOrigin::pulling(&worker, &sale, origin_port, 2, 500).await;
    fan.wait_for_purchase_page(
        "the fan lands on the origin's purchase page",
        &purchase_url,
        &origin,
    )
    .await;
    // The demo origin took the pass from the query and sent the fan on without it.
    assert!(
        !fan.url().await.contains("pass="),
        "the pass is not left in the purchase page's URL"
    );
    fan.find("#purchase").await;
    fan.shot("3-purchase").await;

    // The dashboard shows the admissions: nobody waits, three fans assigned, a rate and a chart.
    promoter
        .wait_for_text("#n-waiting", "0", Duration::from_secs(15))
        .await;
    promoter
        .wait_for_text("#n-assigned", "3", Duration::from_secs(30))
        .await;
    let rate = promoter.text("#n-rate").await;
    assert!(
        rate.parse::<f64>().is_ok_and(|r| r > 0.0),
        "admissions per minute after three admissions: {rate:?}"
    );
    assert!(
        !promoter.find_all("#chart canvas").await.is_empty(),
        "the chart is drawn"
    );
    promoter.shot("7-admitted").await;

    fan.close().await;
    promoter.close().await;
}
