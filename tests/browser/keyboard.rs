//! The line by keyboard alone, and what a screen reader is told (issue 21), run by
//! [`crate::accessibility`]'s test on its worker: a fan whose turn lapsed joins again, waits,
//! and takes the turn with Tab and Enter only, every stop showing its focus; meanwhile the page's
//! live regions are recorded at every change (kept in sessionStorage across the pages of the
//! turn): the place is said when it changes and never again unchanged at the next poll, and the
//! turn is said assertively.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::TestWorker;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::{json, Value};
use std::time::Duration;

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';

async fn press(browser: &Browser, key: char) {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser
        .client
        .perform_actions(actions)
        .await
        .unwrap_or_else(|e| panic!("press {key:?}: {e}"));
}

/// What has the focus, and whether it shows it (`:focus-visible` with an outline of 2px or more).
const FOCUSED: &str = r#"
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    return { tag: el.tagName, text: (el.textContent || "").trim().slice(0, 40),
             visible: el.matches(":focus-visible") && cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2 };"#;

/// Presses Tab until the focus is on an element matching `css` (at most 30 times), checking that
/// every stop on the way shows its focus; returns the stops.
async fn tab_to(browser: &Browser, css: &str) -> Vec<String> {
    let mut stops = Vec::new();
    for _ in 0..30 {
        press(browser, TAB).await;
        let focused = browser.js(FOCUSED, vec![]).await;
        let name = format!("{} {:?}", focused["tag"], focused["text"]);
        assert_eq!(
            focused["visible"],
            json!(true),
            "the focus shows on {name}: {focused}"
        );
        stops.push(name);
        let here = browser
            .js(
                "return document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await;
        if here == json!(true) {
            return stops;
        }
    }
    browser
        .fail(&format!("Tab never reached {css}: {stops:?}"))
        .await
}

/// Records every change of the page's live regions into sessionStorage (`waitroom:said`), as a
/// screen reader would be told: the region's politeness and its text.
const RECORD: &str = r#"
    const said = () => JSON.parse(sessionStorage.getItem("waitroom:said") || "[]");
    const keep = (list) => sessionStorage.setItem("waitroom:said", JSON.stringify(list));
    const regions = document.querySelectorAll("[aria-live], [role=status], [role=alert]");
    const politeness = (el) => el.getAttribute("role") === "alert" ? "assertive" : (el.getAttribute("aria-live") || "polite");
    regions.forEach((el) => {
      if (el.textContent.trim()) keep([...said(), [politeness(el), el.id, el.textContent.trim()]]);
      new MutationObserver(() => {
        if (el.textContent.trim()) keep([...said(), [politeness(el), el.id, el.textContent.trim()]]);
      }).observe(el, { childList: true, characterData: true, subtree: true });
    });
    return regions.length;"#;

pub async fn keyboard_journey(worker: &TestWorker, driver: &Chromedriver) {
    let base = &worker.base;
    let sale = crate::support::random::unique_sale("keys");
    // The turn's page posts the pass to a page of this origin, so sessionStorage follows.
    let purchase_url = format!("{base}/s/purchased");
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "Keyboard Live", "purchase_url": purchase_url, "presence_ttl_s": 0,
                    "claim_ttl_s": 10, "pass_delivery": "form_post" }),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    let fan = driver.session("keyboard", SessionOptions::default()).await;

    // A first place, whose turn came while the page was closed and lapsed.
    fan.join_line(base, &sale, Duration::from_secs(30)).await;
    fan.goto("about:blank").await;
    assert_eq!(worker.origin().pull_eventually(&sale, 1).await.len(), 1);
    worker.advance(Duration::from_secs(30)).await;
    let ahead = worker.fan().join(&sale).await;
    fan.goto(&format!("{base}/s/{sale}")).await;
    fan.wait_for("#rejoin button", Duration::from_secs(30))
        .await;

    // Join again: Tab to the button, Enter.
    let stops = tab_to(&fan, "#rejoin button").await;
    println!("keyboard: Tab stops to join again: {stops:?}");
    press(&fan, ENTER).await;
    fan.wait_for_text("#position", "2", Duration::from_secs(30))
        .await;
    fan.shot("1-joined-by-keyboard").await;
    // An entry of its own in the history for Back to come to: the turn's page posts during its
    // load and so replaces its own entry (and the one it replaced by script).
    fan.goto(&format!("{base}/s/{sale}?waiting")).await;
    fan.wait_for_text("#position", "2", Duration::from_secs(30))
        .await;

    // Wait: what a screen reader is told while the page polls and the line moves.
    fan.js(
        "sessionStorage.removeItem('waitroom:said'); return true;",
        vec![],
    )
    .await;
    let regions = fan.js(RECORD, vec![]).await;
    assert!(
        regions.as_u64().unwrap_or(0) >= 3,
        "live regions: {regions}"
    );
    // Several polls with nothing new: nothing is said again.
    let polls = || async {
        fan.js(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes('/status')).length;",
            vec![],
        )
        .await
        .as_u64()
        .unwrap_or(0)
    };
    let before = polls().await;
    fan.wait("three more polls", Duration::from_secs(30), || async {
        let now = polls().await;
        if now >= before + 3 {
            Ok(())
        } else {
            Err(format!("{now} polls"))
        }
    })
    .await;
    let quiet: Vec<Value> = serde_json::from_value(
        fan.js(
            "return JSON.parse(sessionStorage.getItem('waitroom:said') || '[]');",
            vec![],
        )
        .await,
    )
    .unwrap();
    let said_place: Vec<&Value> = quiet.iter().filter(|s| s[1] == "sr-place").collect();
    assert!(
        said_place.len() <= 1,
        "the unchanged place is not said again at each poll: {quiet:?}"
    );
    // The fan ahead is admitted: the new place is said, politely.
    worker.origin().pull(&sale, "w1", 1, None).await;
    let _ = ahead;
    fan.wait_for_text("#position", "1", Duration::from_secs(30))
        .await;
    fan.wait("the new place is said", Duration::from_secs(10), || async {
        let said = fan
            .js(
                "return JSON.parse(sessionStorage.getItem('waitroom:said') || '[]');",
                vec![],
            )
            .await;
        let places: Vec<String> = said
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s[1] == "sr-place" && s[0] == "polite")
            .filter_map(|s| s[2].as_str().map(str::to_owned))
            .collect();
        match places.last() {
            Some(last) if last.contains("Your place in line: 1.") => Ok(()),
            _ => Err(format!("{said}")),
        }
    })
    .await;

    // The turn: the page says it assertively and moves on to the turn's page, which posts the
    // pass. Back on the turn's page (it does not post twice), Tab to the button and Enter.
    worker.origin().pull(&sale, "w1", 1, None).await;
    fan.wait(
        "the turn's page posted",
        Duration::from_secs(30),
        || async {
            let url = fan.url().await;
            if url.starts_with(&purchase_url) {
                Ok(())
            } else {
                Err(url)
            }
        },
    )
    .await;
    let said: Vec<Value> = serde_json::from_value(
        fan.js(
            "return JSON.parse(sessionStorage.getItem('waitroom:said') || '[]');",
            vec![],
        )
        .await,
    )
    .unwrap();
    println!("screen reader: told {said:?}");
    assert!(
        said.iter().any(|s| s[0] == "assertive"
            && s[1] == "sr-turn"
            && s[2].as_str().is_some_and(|t| t.contains("your turn"))),
        "the turn is said assertively: {said:?}"
    );
    for pair in said.windows(2) {
        assert_ne!(pair[0], pair[1], "nothing is said twice in a row: {said:?}");
    }
    let _ = fan.client.back().await;
    fan.wait_for("body[data-page='your-turn']", Duration::from_secs(30))
        .await;
    assert!(
        fan.text("#deadline").await.contains("held for you until"),
        "the turn's page says when it ends"
    );
    let stops = tab_to(&fan, "#pass-form button").await;
    println!("keyboard: Tab stops to take the turn: {stops:?}");
    fan.shot("2-turn-by-keyboard").await;
    let was = fan.url().await;
    press(&fan, ENTER).await;
    fan.wait("Enter posts the pass", Duration::from_secs(30), || async {
        let url = fan.url().await;
        if url.starts_with(&purchase_url) && url != was {
            Ok(())
        } else {
            Err(url)
        }
    })
    .await;
    fan.close().await;
}
