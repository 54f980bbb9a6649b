//! An invitation link in Chromium (issue 9): the link takes the member's place, the page moves to
//! the clean URL (no invitation in the address bar), keeps the place across reloads, and another
//! browser of the same member finds the same place. Without an invitation the page says the sale
//! is by invitation only.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{eventually, send, TestWorker, PURCHASE_URL};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_link_takes_and_keeps_a_place() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("invite");
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({"name": "Fan Club Presale", "purchase_url": PURCHASE_URL, "access": "invite"}),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    // Someone else is in line first, so the member's place is 2.
    let path = format!("/api/admin/sales/{sale}/invitations");
    let generated = send(
        worker
            .admin()
            .post(&path)
            .json(&json!({"members": ["first", "alice"]})),
    )
    .await
    .expect(200, "invitations");
    let first = generated["invitations"][0]["invitation"].as_str().unwrap();
    send(
        worker
            .fan()
            .post(&format!("/api/sales/{sale}/join"))
            .json(&json!({ "invitation": first })),
    )
    .await
    .expect(201, "the first member joins by API");
    let link = generated["invitations"][1]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    // Places taken, once the arrival shard reported its block (about a second after a join).
    let joined = || async {
        eventually("blocks are reported", Duration::from_secs(10), || async {
            let stats = worker.admin().report(&sale).await["stats"].clone();
            match stats["pending"].as_u64() {
                Some(0) => stats["joined"].as_u64().ok_or(format!("{stats}")),
                _ => Err(format!("pending: {stats}")),
            }
        })
        .await
    };

    let driver = Chromedriver::start("an_invitation_link_takes_and_keeps_a_place").await;
    let fan = driver.session("alice", SessionOptions::default()).await;
    fan.goto(&link).await;
    fan.wait_for("body[data-page='waiting']", Duration::from_secs(30))
        .await;
    fan.wait_for_text("#position", "2", Duration::from_secs(15))
        .await;
    let url = fan.url().await;
    assert!(
        url.ends_with(&format!("/s/{sale}")) && !url.contains("invitation"),
        "the page moved to the clean URL: {url}"
    );
    fan.shot("1-in-line").await;
    assert_eq!(joined().await, 2);
    // A reload (and a new visit to the clean URL) keeps the place.
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait_for_text("#position", "2", Duration::from_secs(15))
        .await;
    assert_eq!(joined().await, 2, "no second place");

    // Alice on her phone: the same link, the same place.
    let phone = driver
        .session("alice-phone", SessionOptions::default())
        .await;
    phone.goto(&link).await;
    phone
        .wait_for_text("#position", "2", Duration::from_secs(30))
        .await;
    phone.shot("2-same-place").await;
    assert_eq!(joined().await, 2, "the same member, one place");

    // Without an invitation: a readable refusal.
    let stranger = driver.session("stranger", SessionOptions::default()).await;
    stranger.goto(&format!("{}/s/{sale}", worker.base)).await;
    stranger
        .wait_for("body[data-page='invitation']", Duration::from_secs(30))
        .await;
    let text = stranger.text("#title").await;
    assert!(text.contains("by invitation only"), "{text}");
    stranger.shot("3-refused").await;
    assert_eq!(joined().await, 2);
}
