//! The fan's own language in Chromium (issue 21), one worker and one browser for every language:
//! for each catalogue in `locales/`, `?lang=` shows the waiting page in that language (`lang` and
//! `dir` on <html>, its heading and status words from the catalogue, the promoter's message in
//! that language where there is one) and the same place, written the way the browser's `Intl`
//! writes that number in that language. The choice is kept in the cookie; `Accept-Language`
//! chooses without one; the page says which (`Content-Language`) and that it varies. The
//! right-to-left page is saved as `target/screenshots/languages-fan-ar.png`.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{send, TestWorker, PURCHASE_URL};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Each catalogue's messages that are plain text (`id = text` on one line).
fn catalogues() -> BTreeMap<String, BTreeMap<String, String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("locales/") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
            continue;
        }
        let code = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let messages = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
            .filter_map(|l| l.split_once(" = "))
            .map(|(id, value)| (id.trim().to_owned(), value.to_owned()))
            .collect();
        all.insert(code, messages);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_language_shows_the_same_place_in_its_own_words() {
    let catalogues = catalogues();
    assert!(catalogues.len() >= 10, "{:?}", catalogues.keys());
    let worker = TestWorker::start().await;
    let sale = unique_sale("lang");
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "World Tour", "purchase_url": PURCHASE_URL,
                    "branding": { "message": "Doors at 7.", "messages": { "de": "Einlass um 19 Uhr.", "ar": "تُفتح الأبواب في السابعة." } } }),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    // 1,233 fans ahead: the place is 1,234, a number each language writes its own way.
    assert_eq!(worker.fan().join_many(&sale, 9, 137).await.len(), 1_233);
    let driver = Chromedriver::start("languages").await;
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(30))
        .await;
    let place = 1_234;

    for (code, messages) in &catalogues {
        fan.goto(&format!("{}/s/{sale}?lang={code}", worker.base))
            .await;
        fan.wait_for("body[data-page='waiting']", Duration::from_secs(30))
            .await;
        let html = fan
            .js(
                "return [document.documentElement.lang, document.documentElement.dir];",
                vec![],
            )
            .await;
        let dir = if code == "ar" { "rtl" } else { "ltr" };
        assert_eq!(html, json!([code, dir]), "{code}: lang and dir");
        assert_eq!(
            fan.text("#title").await,
            messages["waiting-heading"],
            "{code}: the heading"
        );
        // The same place, as Intl writes it in this language (the script reformats the server's).
        let expected = fan
            .js(
                "return new Intl.NumberFormat(arguments[0]).format(arguments[1]);",
                vec![json!(code), json!(place)],
            )
            .await;
        let expected = expected.as_str().unwrap().to_owned();
        fan.wait_for_text("#position", &expected, Duration::from_secs(15))
            .await;
        // The script's words are this language's too.
        fan.wait_for_text("#phase", &messages["phase-open"], Duration::from_secs(15))
            .await;
        let message = fan.text(".promoter").await;
        let wanted = match code.as_str() {
            "de" => "Einlass um 19 Uhr.",
            "ar" => "تُفتح الأبواب في السابعة.",
            _ => "Doors at 7.",
        };
        assert_eq!(message, wanted, "{code}: the promoter's message");
        let current = fan.text("nav.languages [aria-current]").await;
        assert_eq!(current, messages["language-name"], "{code}: the switcher");
        println!(
            "language {code}: {dir}, place {expected:?}, heading {:?}",
            messages["waiting-heading"]
        );
        fan.shot(code).await;
    }

    // The choice is kept: without ?lang= the page stays in the last one chosen.
    let last = catalogues.keys().last().unwrap();
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait_for("body[data-page='waiting']", Duration::from_secs(30))
        .await;
    let lang = fan
        .js("return document.documentElement.lang;", vec![])
        .await;
    assert_eq!(lang, json!(last), "the cookie keeps the choice");
    // The switcher is a link per language: back to English.
    fan.click("nav.languages a[lang='en']").await;
    fan.wait_for_text(
        "#title",
        &catalogues["en"]["waiting-heading"],
        Duration::from_secs(30),
    )
    .await;
    // The move-link page (the waiting page's "continue on another device" form posts to it, in
    // the language the cookie keeps) and the page that takes a place, in German and in Arabic.
    for code in ["de", "ar"] {
        let messages = &catalogues[code];
        fan.goto(&format!("{}/s/{sale}?lang={code}", worker.base))
            .await;
        fan.wait_for("body[data-page='waiting']", Duration::from_secs(30))
            .await;
        fan.click("#move-link button").await;
        fan.wait_for("body[data-page='move-link']", Duration::from_secs(30))
            .await;
        let lang = fan
            .js("return document.documentElement.lang;", vec![])
            .await;
        assert_eq!(lang, json!(code), "{code}: the move-link page's lang");
        assert_eq!(
            fan.text("#title").await,
            messages["move-link-button"],
            "{code}: the move-link page's heading"
        );
        fan.goto(&format!("{}/s/{sale}/move", worker.base)).await;
        fan.wait_for("body[data-page='move']", Duration::from_secs(30))
            .await;
        assert_eq!(
            fan.text("#title").await,
            messages["move-heading"],
            "{code}: the move page's heading"
        );
        assert_eq!(
            fan.text("label[for='code']").await,
            messages["move-code-label"],
            "{code}: the move page's label"
        );
    }
    fan.shot("move-ar").await;
    fan.close().await;

    // Without a choice, Accept-Language decides; the page says its language and that it varies.
    let page = send(
        worker
            .fan()
            .get(&format!("/s/{sale}"))
            .header("Accept-Language", "fr-CA, ja;q=0.9, en;q=0.1"),
    )
    .await;
    assert!(
        page.text.contains(r#"<html lang="fr" dir="ltr">"#),
        "{}",
        page.describe()
    );
    assert_eq!(page.header("content-language"), Some("fr"));
    let vary = page.header("vary").unwrap_or_default();
    assert!(
        vary.contains("Accept-Language") && vary.contains("Cookie"),
        "{vary}"
    );
}
