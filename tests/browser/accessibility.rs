//! WCAG 2.2 AA in Chromium (issue 21): every fan page and the dashboard, checked with axe-core
//! (the pinned npm package, `node_modules/axe-core/axe.min.js`, injected by the test: nothing is
//! loaded from a CDN). One worker and one browser visit every page state in turn, reached with the
//! sale settings, the fault switch and the test clock, and each page's violations of the
//! `wcag2a`, `wcag2aa`, `wcag21a`, `wcag21aa` and `wcag22aa` rules are listed by page name; the
//! test fails if any page has one.

use crate::chrome::{Browser, Chromedriver, SessionOptions};
use crate::support::clock::rfc3339;
use crate::support::random::unique_sale;
use crate::support::siteverify::{Siteverify, FAILING_SITE_KEY, SECRET};
use crate::support::worker::WorkerOptions;
use crate::support::{TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// The WCAG levels axe checks: A and AA of 2.0, 2.1 and 2.2.
pub const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// axe-core as npm installed it (`npm ci`, package.json).
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `npm ci` (scripts/bootstrap.sh installs axe-core)",
            path.display()
        )
    })
}

/// One page's axe result: its violations (rule, impact, the elements) and how many rules passed.
pub struct AxeResult {
    pub page: String,
    pub violations: Vec<String>,
    pub passes: u64,
}

/// Injects axe-core into the page `browser` shows and runs the WCAG rules on the whole document.
pub async fn axe(browser: &Browser, source: &str, page: &str) -> AxeResult {
    browser
        .js(&format!("{source}\n;return true;"), vec![])
        .await;
    let script = r#"
        const [tags, done] = arguments;
        axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
          .then((r) => done({
            passes: r.passes.length,
            violations: r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at `
              + v.nodes.map((n) => n.target.join(" ")).join(", ")),
          }))
          .catch((e) => done({ error: String(e) }));"#;
    let answer: Value = browser
        .client
        .execute_async(script, vec![json!(WCAG_TAGS)])
        .await
        .unwrap_or_else(|e| panic!("axe on {page}: {e}"));
    assert!(answer["error"].is_null(), "axe on {page}: {answer}");
    let violations = answer["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    browser.shot(&format!("axe-{page}")).await;
    AxeResult {
        page: page.to_owned(),
        violations,
        passes: answer["passes"].as_u64().unwrap_or(0),
    }
}

/// Prints every page's result by name and fails if any page has a violation.
pub fn assert_no_violations(results: &[AxeResult]) {
    let mut failed = Vec::new();
    for r in results {
        println!(
            "axe {:<16} {} violations ({} rules passed; {})",
            r.page,
            r.violations.len(),
            r.passes,
            WCAG_TAGS.join(", ")
        );
        for v in &r.violations {
            println!("    {v}");
            failed.push(format!("{}: {v}", r.page));
        }
    }
    assert!(failed.is_empty(), "WCAG violations:\n{}", failed.join("\n"));
}

/// Waits until `browser` shows the page `name` (its `data-page`).
async fn on_page(browser: &Browser, name: &str) {
    let css = format!("body[data-page='{name}']");
    browser.wait_for(&css, Duration::from_secs(30)).await;
}

async fn sale_with(worker: &TestWorker, name: &str, settings: Value) -> String {
    let sale = unique_sale(name);
    let mut body = json!({ "name": format!("A11y {name}"), "purchase_url": PURCHASE_URL, "presence_ttl_s": 0 });
    for (k, v) in settings.as_object().expect("settings") {
        body[k] = v.clone();
    }
    worker.admin().create_sale_with(&sale, body).await;
    sale
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fan_page_and_the_dashboard_meet_wcag_22_aa() {
    let siteverify = Siteverify::start().await;
    let worker = TestWorker::start_with_options(
        WorkerOptions::default()
            .var("WAITROOM_TEST_FAULTS", 1)
            .var("TURNSTILE_SECRET", SECRET)
            .var("TURNSTILE_VERIFY_URL", &siteverify.url)
            .var("TURNSTILE_SCRIPT_URL", &siteverify.script_url),
    )
    .await;
    let base = worker.base.clone();
    let now_s = worker.now().as_secs();
    let source = axe_source();
    let driver = Chromedriver::start("accessibility").await;
    let fan = driver.session("fan", SessionOptions::default()).await;
    let mut results = Vec::new();

    // Before the sale: the countdown.
    let countdown = sale_with(
        &worker,
        "countdown",
        json!({ "opens_at": rfc3339(now_s + 3_600), "branding": { "message": "Two shows added." } }),
    )
    .await;
    fan.goto(&format!("{base}/s/{countdown}")).await;
    on_page(&fan, "not-on-sale").await;
    fan.wait_for("#countdown", Duration::from_secs(15)).await;
    results.push(axe(&fan, &source, "countdown").await);

    // The pre-queue.
    let prequeue = sale_with(
        &worker,
        "prequeue",
        json!({ "prequeue_opens_at": rfc3339(now_s - 1), "opens_at": rfc3339(now_s + 3_600) }),
    )
    .await;
    fan.join_line(&base, &prequeue, Duration::from_secs(30))
        .await;
    fan.wait_for("#draw", Duration::from_secs(15)).await;
    results.push(axe(&fan, &source, "pre-queue").await);

    // Waiting, second in line.
    // The turn's page posts the pass to a page of this origin (a page that is not there would
    // leave no entry in the history to come back from).
    let purchase_url = format!("{base}/s/purchased");
    let open = sale_with(
        &worker,
        "waiting",
        json!({ "pass_delivery": "form_post", "purchase_url": purchase_url,
                "assist": { "multiplier": 3 } }),
    )
    .await;
    worker.admin().open_sale(&open).await;
    worker.fan().join(&open).await;
    fan.join_line(&base, &open, Duration::from_secs(30)).await;
    fan.wait_for_text("#position", "2", Duration::from_secs(15))
        .await;
    // The waiting page offers the assisted lane (its form and button are on the page axe sees).
    fan.wait_for("#assist button", Duration::from_secs(15))
        .await;
    results.push(axe(&fan, &source, "waiting").await);
    // "Continue on another device": the link and its QR code, then the page that takes a place
    // (not taken: this fan goes back to its place, which the link did not move).
    fan.click("#move-link button").await;
    fan.wait_for(
        "body[data-page='move-link'] #qr svg",
        Duration::from_secs(30),
    )
    .await;
    results.push(axe(&fan, &source, "move-link").await);
    fan.goto(&format!("{base}/s/{open}/move")).await;
    on_page(&fan, "move").await;
    results.push(axe(&fan, &source, "move").await);
    fan.goto(&format!("{base}/s/{open}")).await;
    fan.wait_for_text("#position", "2", Duration::from_secs(15))
        .await;
    // Your turn (form_post): with JavaScript the turn's page posts the pass during its load
    // (the keyboard journey comes back to it by Back and takes it by keyboard). axe looks at the
    // page as the server answers it now, written into this tab without its posting script.
    let pulled = worker.origin().pull_eventually(&open, 2).await;
    assert_eq!(pulled.len(), 2);
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
    let html = fan
        .client
        .execute_async(
            "const [url, done] = arguments; fetch(url, { credentials: 'same-origin' }).then((r) => r.text()).then(done);",
            vec![json!(format!("/s/{open}"))],
        )
        .await
        .expect("the turn's page");
    let html = html
        .as_str()
        .expect("html")
        .replace(r#"<script src="/assets/pass-form.js" defer></script>"#, "");
    assert!(html.contains(r#"data-page="your-turn""#), "{html}");
    fan.js(
        "document.open(); document.write(arguments[0]); document.close(); return true;",
        vec![json!(html)],
    )
    .await;
    fan.wait_for("body[data-page='your-turn']", Duration::from_secs(30))
        .await;
    results.push(axe(&fan, &source, "your-turn").await);

    // Lapsed: the turn came while the page was closed and was not claimed in time.
    let lapse = sale_with(&worker, "lapsed", json!({ "claim_ttl_s": 10 })).await;
    worker.admin().open_sale(&lapse).await;
    fan.join_line(&base, &lapse, Duration::from_secs(30)).await;
    fan.goto("about:blank").await;
    assert_eq!(worker.origin().pull_eventually(&lapse, 1).await.len(), 1);
    worker.advance(Duration::from_secs(30)).await;
    fan.goto(&format!("{base}/s/{lapse}")).await;
    fan.wait("the lapsed page", Duration::from_secs(30), || async {
        match fan.js("return document.body.dataset.state;", vec![]).await {
            Value::String(s) if s == "lapsed" => Ok(()),
            other => Err(format!("{other}")),
        }
    })
    .await;
    fan.wait_for("#rejoin", Duration::from_secs(15)).await;
    results.push(axe(&fan, &source, "lapsed").await);

    // Invitation only, without an invitation.
    let invite = sale_with(&worker, "invite", json!({ "access": "invite" })).await;
    worker.admin().open_sale(&invite).await;
    fan.goto(&format!("{base}/s/{invite}")).await;
    on_page(&fan, "invitation").await;
    results.push(axe(&fan, &source, "invitation").await);

    // Proof of work, hard enough that it is still working while axe looks.
    let pow = sale_with(&worker, "pow", json!({ "pow_bits": 26 })).await;
    worker.admin().open_sale(&pow).await;
    fan.goto(&format!("{base}/s/{pow}")).await;
    on_page(&fan, "getting_place").await;
    results.push(axe(&fan, &source, "proof-of-work").await);
    fan.goto("about:blank").await;

    // Turnstile, with a widget whose token is refused: the page with its notice, waiting.
    let human = sale_with(
        &worker,
        "turnstile",
        json!({ "turnstile_site_key": FAILING_SITE_KEY }),
    )
    .await;
    worker.admin().open_sale(&human).await;
    fan.goto(&format!("{base}/s/{human}")).await;
    on_page(&fan, "turnstile").await;
    fan.wait_for("#notice", Duration::from_secs(30)).await;
    results.push(axe(&fan, &source, "turnstile").await);

    // Busy: the sale's coordinator fails; the page counts six tries (a long wait before its
    // own refresh, so axe sees it whole).
    let busy = sale_with(&worker, "busy", json!({})).await;
    worker.admin().open_sale(&busy).await;
    worker.set_fault(&busy, 0, true).await;
    fan.goto(&format!("{base}/s/{busy}?busy=6")).await;
    on_page(&fan, "busy").await;
    results.push(axe(&fan, &source, "busy").await);
    worker.set_fault(&busy, 0, false).await;

    // Rate limited: the address's one place a minute went to another fan.
    let limited = sale_with(
        &worker,
        "limited",
        json!({ "rate_limit_per_min": 1, "over_budget": "refuse" }),
    )
    .await;
    worker.admin().open_sale(&limited).await;
    worker.fan().join(&limited).await;
    fan.goto(&format!("{base}/s/{limited}")).await;
    on_page(&fan, "rate_limited").await;
    results.push(axe(&fan, &source, "rate-limited").await);

    // Closed, and no such sale.
    worker.admin().control(&countdown, "close").await;
    fan.goto(&format!("{base}/s/{countdown}")).await;
    on_page(&fan, "closed").await;
    results.push(axe(&fan, &source, "closed").await);
    // The closed sale's public report (shown after the close by default).
    fan.goto(&format!("{base}/s/{countdown}/report")).await;
    on_page(&fan, "report").await;
    results.push(axe(&fan, &source, "report").await);
    fan.goto(&format!("{base}/s/no-such-sale")).await;
    on_page(&fan, "not-found").await;
    results.push(axe(&fan, &source, "not-found").await);
    fan.close().await;

    // The dashboard: signing in, then a sale with its numbers and controls.
    let promoter = driver.session("promoter", SessionOptions::default()).await;
    promoter.goto(&format!("{base}/admin/")).await;
    promoter
        .wait_for("#admin-key", Duration::from_secs(30))
        .await;
    results.push(axe(&promoter, &source, "dashboard-key").await);
    promoter.type_into("#admin-key", &worker.admin_key).await;
    promoter.click("#key-submit").await;
    promoter.open_sale_row(&open).await;
    promoter
        .wait_for_text("#n-assigned", "2", Duration::from_secs(30))
        .await;
    results.push(axe(&promoter, &source, "dashboard").await);
    promoter.close().await;
    assert_no_violations(&results);

    // The line by keyboard alone, and what a screen reader is told (tests/browser/keyboard.rs).
    crate::keyboard::keyboard_journey(&worker, &driver).await;
}
