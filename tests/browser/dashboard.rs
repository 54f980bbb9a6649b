//! The promoter dashboard on its own: the admin key, the sale form, the confirmation dialog.

use crate::chrome::{Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{send, TestWorker};
use serde_json::{json, Value};
use std::time::Duration;

const KEY_STORAGE: &str = "waitroom.adminKey";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_refuses_a_wrong_key() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("keys");
    worker.admin().create_sale(&sale, None).await;
    let driver = Chromedriver::start("dashboard_refuses_a_wrong_key").await;
    let promoter = driver.session("promoter", SessionOptions::default()).await;
    promoter.goto(&format!("{}/admin/", worker.base)).await;
    promoter
        .wait_for("#admin-key", Duration::from_secs(30))
        .await;

    let wrong = format!("{}x", worker.admin_key);
    promoter.type_into("#admin-key", &wrong).await;
    promoter.click("#key-submit").await;
    promoter
        .wait_for("#key-error", Duration::from_secs(30))
        .await;
    let message = promoter.text("#key-error").await;
    assert!(
        message.contains("That admin key was refused"),
        "#key-error says the key was refused: {message:?}"
    );
    let stored = promoter
        .js(
            "return Object.keys(sessionStorage).map(k => [k, sessionStorage.getItem(k)]);",
            vec![],
        )
        .await;
    assert_eq!(stored, json!([]), "nothing is kept after a refused key");
    assert!(
        !promoter.displayed("#app").await,
        "the dashboard stays hidden"
    );
    assert!(!promoter.url().await.contains(&wrong), "no key in the URL");
    promoter.shot("1-refused").await;

    // The right key signs in; Sign out forgets it again.
    promoter.type_into("#admin-key", &worker.admin_key).await;
    promoter.click("#key-submit").await;
    promoter
        .wait_for(
            &format!("#sales [data-sale='{sale}']"),
            Duration::from_secs(30),
        )
        .await;
    assert!(!promoter.displayed("#key-error").await);
    let kept = promoter
        .js(
            &format!("return sessionStorage.getItem('{KEY_STORAGE}');"),
            vec![],
        )
        .await;
    assert_eq!(kept, json!(worker.admin_key));
    promoter.shot("2-signed-in").await;

    // A reload keeps the session (the key is re-checked, not asked again).
    promoter.client.refresh().await.expect("reload");
    promoter
        .wait_for(
            &format!("#sales [data-sale='{sale}']"),
            Duration::from_secs(30),
        )
        .await;

    promoter.click("#sign-out").await;
    promoter
        .wait_for("#admin-key", Duration::from_secs(15))
        .await;
    let stored = promoter.js("return sessionStorage.length;", vec![]).await;
    assert_eq!(stored, json!(0), "sign out clears the key");
    assert!(!promoter.displayed("#app").await);
    promoter.shot("3-signed-out").await;
    promoter.close().await;
}

/// Sets an input's value the way a person would leave it, and tells the page.
const SET_VALUE: &str =
    "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
     el.dispatchEvent(new Event('input', { bubbles: true })); \
     el.dispatchEvent(new Event('change', { bubbles: true }));";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_creates_and_edits_a_sale() {
    // The test clock (at the end: a day of statistics folded into hours).
    let worker = TestWorker::start_with_faults().await;
    let sale = unique_sale("form");
    let driver = Chromedriver::start("dashboard_creates_and_edits_a_sale").await;
    let promoter = driver.session("promoter", SessionOptions::default()).await;
    promoter.sign_in(&worker.base, &worker.admin_key).await;
    promoter
        .wait_for("#sale-form", Duration::from_secs(30))
        .await;
    promoter.shot("1-empty").await;

    // The browser runs in Pacific/Auckland (UTC+13 in January): 09:30 there is 20:30 UTC the day
    // before.
    promoter.type_into("#f-id", &sale).await;
    promoter.type_into("#f-name", "Gala Night").await;
    promoter
        .js(
            SET_VALUE,
            vec![json!("#f-opens-at"), json!("2030-01-15T09:30")],
        )
        .await;
    promoter
        .type_into("#f-purchase-url", "https://bücher.example/buy")
        .await;
    promoter.type_into("#f-claim-ttl", "5").await;
    promoter
        .js(SET_VALUE, vec![json!("#f-brand-color"), json!("#0f766e")])
        .await;
    promoter
        .type_into("#f-message", "Doors at 7.\nBring ID.")
        .await;
    promoter.click("#save").await;

    // The API refuses claim_ttl_s = 5; its message shows next to that field.
    promoter
        .wait_for("#e-claim-ttl", Duration::from_secs(30))
        .await;
    let error = promoter.text("#e-claim-ttl").await;
    assert!(
        error.contains("between 10 and 3600"),
        "the API's message is next to the field: {error:?}"
    );
    let invalid = promoter
        .find("#f-claim-ttl")
        .await
        .attr("aria-invalid")
        .await;
    assert_eq!(invalid.ok().flatten().as_deref(), Some("true"));
    let report = send(worker.admin().get(&format!("/api/admin/sales/{sale}"))).await;
    assert_eq!(report.status.as_u16(), 404, "nothing was created");
    promoter.shot("2-field-error").await;

    promoter.type_into("#f-claim-ttl", "30").await;
    promoter.click("#advanced summary").await;
    promoter.type_into("#f-shards", "2").await;
    promoter.type_into("#f-presence-ttl", "0").await;
    promoter
        .js(
            SET_VALUE,
            vec![json!("#f-pass-delivery"), json!("fragment")],
        )
        .await;
    promoter.click("#fairness summary").await;
    promoter.type_into("#f-pow-bits", "12").await;
    promoter.type_into("#f-rate-limit", "90").await;
    promoter.click("#save").await;
    let row = format!("#sales [data-sale='{sale}']");
    promoter.wait_for(&row, Duration::from_secs(30)).await;
    promoter
        .wait_for_text("#sale-title", "Gala Night", Duration::from_secs(30))
        .await;
    assert!(
        !promoter.displayed("#e-claim-ttl").await,
        "the error is gone"
    );
    let report: Value = worker.admin().report(&sale).await;
    assert_eq!(report["name"], "Gala Night");
    assert_eq!(
        report["opens_at"], "2030-01-14T20:30:00Z",
        "local time sent as UTC"
    );
    assert_eq!(
        report["purchase_url"], "https://xn--bcher-kva.example/buy",
        "the form sends an internationalised host in its ASCII form, as the API takes it"
    );
    assert_eq!(report["claim_ttl_s"], 30);
    assert_eq!(
        report["pass_ttl_s"], 600,
        "an empty field means the default"
    );
    assert_eq!(report["shards"], 2);
    assert_eq!(report["presence_ttl_s"], 0, "0 turns presence off");
    assert_eq!(report["pass_delivery"], "fragment");
    assert!(
        report["turnstile_site_key"].is_null(),
        "no Turnstile unless a key is given"
    );
    assert_eq!(
        report["pow_bits"], 12,
        "proof of work set from the dashboard"
    );
    assert_eq!(report["rate_limit_per_min"], 90);
    assert_eq!(report["branding"]["color"], "#0f766e");
    assert_eq!(report["branding"]["message"], "Doors at 7.\nBring ID.");
    assert!(
        report["branding"]["logo_url"].is_null(),
        "empty logo is omitted"
    );

    // The sale is listed and scheduled in local time, with how long until it opens.
    let schedule = promoter.text("#schedule").await;
    assert!(
        ["Jan", "15", "2030", "9:30", "opens in"]
            .iter()
            .all(|part| schedule.contains(part)),
        "schedule in local time, relative: {schedule:?}"
    );
    assert_eq!(
        promoter.find("#f-id").await.is_enabled().await.ok(),
        Some(false),
        "the id cannot change when editing"
    );
    promoter.shot("3-created").await;

    // A malformed Turnstile site key is refused next to its field; nothing changes.
    if !promoter.displayed("#f-turnstile-site-key").await {
        promoter.click("#advanced summary").await;
    }
    promoter
        .type_into("#f-turnstile-site-key", "not a key!")
        .await;
    promoter.click("#save").await;
    promoter
        .wait_for("#e-turnstile-site-key", Duration::from_secs(30))
        .await;
    let error = promoter.text("#e-turnstile-site-key").await;
    assert!(error.contains("letters, digits"), "{error:?}");
    assert!(worker.admin().report(&sale).await["turnstile_site_key"].is_null());
    promoter.type_into("#f-turnstile-site-key", "").await;

    // Editing: clear the schedule, rename; empty opens_at means no schedule.
    promoter
        .js(SET_VALUE, vec![json!("#f-opens-at"), json!("")])
        .await;
    promoter
        .type_into("#f-name", "Gala Night (late show)")
        .await;
    promoter.click("#save").await;
    promoter
        .wait_for_text(
            "#sale-title",
            "Gala Night (late show)",
            Duration::from_secs(30),
        )
        .await;
    let report = worker.admin().report(&sale).await;
    assert!(report["opens_at"].is_null(), "schedule cleared: {report}");
    assert_eq!(report["claim_ttl_s"], 30, "other settings kept");
    assert_eq!(report["shards"], 2, "advanced settings kept");
    assert_eq!(report["presence_ttl_s"], 0, "advanced settings kept");
    assert_eq!(
        report["pass_delivery"], "fragment",
        "advanced settings kept"
    );
    assert_eq!(report["pow_bits"], 12, "bot settings kept");
    assert_eq!(report["rate_limit_per_min"], 90, "bot settings kept");
    assert_eq!(report["branding"]["color"], "#0f766e");

    // Cancelling the dialog changes nothing; confirming pauses only what is open.
    promoter.click("#open").await;
    promoter
        .wait_for("#confirm-no", Duration::from_secs(15))
        .await;
    promoter.click("#confirm-no").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(worker.admin().report(&sale).await["phase"], "scheduled");
    promoter.click("#open").await;
    promoter
        .wait_for("#confirm-yes", Duration::from_secs(15))
        .await;
    promoter.click("#confirm-yes").await;
    promoter
        .wait_for_text("#phase", "Open", Duration::from_secs(30))
        .await;
    assert_eq!(worker.admin().report(&sale).await["phase"], "open");
    promoter.click("#pause").await;
    promoter
        .wait_for("#confirm-yes", Duration::from_secs(15))
        .await;
    promoter.click("#confirm-yes").await;
    promoter
        .wait_for_text("#phase", "Paused", Duration::from_secs(30))
        .await;
    assert_eq!(worker.admin().report(&sale).await["phase"], "paused");
    promoter.shot("4-paused").await;

    // The admission mode, changed while paused: only the chosen mode's numbers show, a missing
    // one is refused next to its field, and the numbers panel shows the mode.
    assert_eq!(promoter.text("#n-mode").await, "Pull: windows pull fans");
    assert!(
        !promoter.displayed("#f-per-minute").await,
        "pull has no numbers"
    );
    promoter
        .js(SET_VALUE, vec![json!("#f-admission-mode"), json!("rate")])
        .await;
    assert!(promoter.displayed("#f-per-minute").await);
    assert!(!promoter.displayed("#f-active").await);
    promoter.click("#save").await;
    promoter
        .wait_for("#e-per-minute", Duration::from_secs(15))
        .await;
    promoter.type_into("#f-per-minute", "90").await;
    promoter.click("#save").await;
    promoter
        .wait_for_text("#n-mode", "Rate: 90 a minute", Duration::from_secs(30))
        .await;
    let report = worker.admin().report(&sale).await;
    assert_eq!(
        report["admission"],
        json!({"mode": "rate", "per_minute": 90})
    );
    assert_eq!(report["stats"]["admission_target_rate"], 1.5);
    assert!(promoter.text("#n-rate").await.contains("target 90"));
    promoter
        .js(
            SET_VALUE,
            vec![json!("#f-admission-mode"), json!("capacity")],
        )
        .await;
    promoter.type_into("#f-active", "5").await;
    promoter.type_into("#f-session", "5").await;
    promoter.click("#save").await;
    // The API refuses a session under 10 s, naming admission.session_s.
    promoter
        .wait_for("#e-session", Duration::from_secs(30))
        .await;
    promoter.type_into("#f-session", "300").await;
    promoter.click("#save").await;
    promoter
        .wait_for_text(
            "#n-mode",
            "Capacity: 0 of 5 at once, sessions of 5 min",
            Duration::from_secs(30),
        )
        .await;
    assert_eq!(
        worker.admin().report(&sale).await["admission"],
        json!({"mode": "capacity", "active": 5, "session_s": 300})
    );
    promoter
        .js(
            "document.querySelector('#f-admission-mode').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await;
    promoter.shot("4b-capacity").await;

    // On a phone.
    promoter
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let overflow = promoter
        .js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await;
    assert!(
        overflow.as_i64().is_some_and(|px| px <= 0),
        "nothing wider than a phone screen: {overflow} px too wide"
    );
    promoter.shot("5-phone").await;

    promoter.click("#close").await;
    promoter
        .wait_for("#confirm-yes", Duration::from_secs(15))
        .await;
    promoter.shot("6-confirm-close-phone").await;
    promoter.click("#confirm-yes").await;
    promoter
        .wait_for_text("#phase", "Closed", Duration::from_secs(30))
        .await;
    assert_eq!(worker.admin().report(&sale).await["phase"], "closed");

    // A sale older than a day: its first arrivals are in the report's `hours`, and the chart
    // counts them with the minutes.
    let old_sale = unique_sale("hours");
    worker
        .admin()
        .open_sale_with(&old_sale, json!({ "rate_limit_per_min": 0 }))
        .await;
    worker.fan().join(&old_sale).await;
    worker.fan().join(&old_sale).await;
    worker.advance(Duration::from_secs(26 * 3600)).await;
    worker.fan().join(&old_sale).await;
    let report = worker.admin().report(&old_sale).await;
    assert_eq!(report["hours"][0]["arrivals"], 2, "{report}");
    let row = format!("#sales [data-sale='{old_sale}']");
    promoter.wait_for(&row, Duration::from_secs(30)).await;
    promoter.click(&row).await;
    let mut summary = String::new();
    for _ in 0..60 {
        summary = promoter.text("#chart-summary").await;
        if summary.starts_with("3 arrivals") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(summary.starts_with("3 arrivals"), "{summary:?}");
    assert!(
        summary.contains("hours") && summary.contains("each hour is drawn at its average"),
        "the chart has the hours: {summary:?}"
    );
    promoter.close().await;
}
