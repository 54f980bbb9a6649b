//! Come as a party, in three real browsers (three profiles): the leader in line presses "Invite
//! friends" and gets the party link with its QR code; a friend with no place opens it, is told
//! that a place of their own would be given up, joins, and waits at the leader's place; a second
//! friend who had a place of their own gives it up the same way, and sees their party; a window
//! of 3 admits the three together, each with their own pass carrying the same party id.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{send, TestWorker};
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// The claims of the pass in the purchase page's URL.
fn pass_claims(url: &str) -> Value {
    let pass = url
        .split("pass=")
        .nth(1)
        .expect("a pass")
        .split('&')
        .next()
        .unwrap();
    let payload = pass.split('.').nth(1).expect("a JWT");
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&json).expect("JSON claims")
}

async fn joins_with_the_link(friend: &Browser, link: &str) {
    friend.goto(link).await;
    friend
        .wait_for("body[data-page='party'] #party-join", WAIT)
        .await;
    // The page's script takes the code from the fragment into the form, and out of the address
    // bar, once it has run.
    friend
        .wait("the code taken from the fragment", WAIT, || async {
            let url = friend.url().await;
            if url.contains('#') {
                Err(format!("at {url}"))
            } else {
                Ok(())
            }
        })
        .await;
    friend.click("#party-join button").await;
    friend.wait_for("body[data-page='waiting']", WAIT).await;
    friend.wait_for_text("#position", "2", WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_of_three_is_admitted_together() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("party");
    let purchase_url = format!("{}/bought", worker.base);
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "Party", "purchase_url": purchase_url, "party_max": 3 }),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    // Someone ahead, so the party's place has a number to keep.
    worker.fan().join(&sale).await;
    let driver = Chromedriver::start("party").await;
    let leader = driver.session("leader", SessionOptions::default()).await;
    leader.join_line(&worker.base, &sale, WAIT).await;
    leader.wait_for_text("#position", "2", WAIT).await;
    leader.click("#party-link button").await;
    leader
        .wait_for("body[data-page='party-link'] #qr svg", WAIT)
        .await;
    let link = leader
        .js("return document.getElementById('party-url').href;", vec![])
        .await;
    let link = link.as_str().expect("the link").to_owned();
    assert!(link.contains(&format!("/s/{sale}/party#p1.")), "{link}");
    leader.shot("1-link-and-qr").await;

    let phone = SessionOptions {
        width: 412,
        height: 915,
        ..SessionOptions::default()
    };
    let a = driver.session("friend-a", phone).await;
    a.goto(&link).await;
    a.wait_for("body[data-page='party'] #party-join", WAIT)
        .await;
    let said = a.text("main").await;
    assert!(said.contains("gives that place up"), "{said}");
    a.shot("2-join-page").await;
    // Opened again on the same page (a fragment change, no new load): the page takes it too.
    joins_with_the_link(&a, &link).await;

    // The second friend has a place of their own (third in line), and gives it up.
    let b = driver.session("friend-b", phone).await;
    b.join_line(&worker.base, &sale, WAIT).await;
    b.wait_for_text("#position", "3", WAIT).await;
    joins_with_the_link(&b, &link).await;
    b.wait_for("#party a", WAIT).await;
    b.shot("3-member-waiting").await;
    b.click("#party a").await;
    b.wait_for_text("#party-size", "Your party: 3 of at most 3.", WAIT)
        .await;
    b.shot("4-member-sees-the-party").await;

    // Windows of 3: the fan ahead (if still there) fills one, and the party of 3 does not fit
    // the rest; the next window takes the party whole, as one assignment counted as 3.
    let mut party = Value::Null;
    for _ in 0..3 {
        let pulled = send(
            worker
                .origin()
                .post(&format!("/api/origin/sales/{sale}/pull"))
                .json(&json!({ "window": "w1", "max": 3 })),
        )
        .await
        .expect(200, "pull");
        if let Some(a) = pulled["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["party"].is_object())
        {
            party = a["party"].clone();
            break;
        }
    }
    assert_eq!(party["size"], 3, "the party, admitted whole: {party}");
    let mut parties = Vec::new();
    let mut subs = Vec::new();
    for (who, browser) in [("leader", &leader), ("friend-a", &a), ("friend-b", &b)] {
        if who != "friend-a" {
            browser.goto(&format!("{}/s/{sale}", worker.base)).await;
        }
        let url = browser
            .wait(
                "the purchase page with the pass",
                Duration::from_secs(60),
                || async {
                    let url = browser.url().await;
                    if url.starts_with(&purchase_url) && url.contains("pass=") {
                        Ok(url)
                    } else {
                        Err(format!("at {url}"))
                    }
                },
            )
            .await;
        let claims = pass_claims(&url);
        parties.push(claims["party"].clone());
        subs.push(claims["sub"].clone());
    }
    assert_eq!(parties[0], party["id"], "{parties:?}");
    assert!(
        parties.iter().all(|p| *p == parties[0]),
        "one party id: {parties:?}"
    );
    subs.sort_by_key(|s| s.to_string());
    subs.dedup();
    assert_eq!(subs.len(), 3, "one pass per member");
    b.shot("5-purchase").await;
    for browser in [leader, a, b] {
        browser.close().await;
    }
}
