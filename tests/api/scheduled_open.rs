//! A sale with `opens_at` opens by itself at that second.

use crate::support::clock::rfc3339;
use crate::support::{send, TestWorker};
use std::time::Duration;

const SALE: &str = "scheduled-open";

#[tokio::test]
async fn scheduled_open() {
    let w = TestWorker::start_with_faults().await;
    // At least 3 s ahead by the worker's clock, on a whole second.
    let opens_at_s = w.now().as_secs() + 4;
    let opens_at = rfc3339(opens_at_s);
    let created = w.admin().create_sale(SALE, Some(&opens_at)).await;
    assert_eq!(created["phase"], "scheduled", "{created}");
    assert!(
        created["opens_at"]
            .as_str()
            .is_some_and(|at| at.starts_with(&opens_at[..19])),
        "{created}"
    );

    let refused = send(w.fan().post(&format!("/api/sales/{SALE}/join"))).await;
    refused.expect_error(409, "not_open", "join before opens_at");
    assert!(
        refused.json["opens_at"]
            .as_str()
            .is_some_and(|at| at.starts_with(&opens_at[..19])),
        "not_open says when: {}",
        refused.text
    );

    // The not-on-sale page may be cached, but never past the opening.
    let sent_at = w.now();
    let page = send(w.fan().get(&format!("/s/{SALE}"))).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.set_cookies().is_empty(), "no cookie before opening");
    let cc = page.cache_control();
    assert!(cc.contains("public"), "Cache-Control: {cc}");
    let max_age = page
        .max_age()
        .unwrap_or_else(|| panic!("no max-age in {cc}"));
    // Measured from before the request was sent, so the worker had at most this long left.
    let until_open = opens_at_s as f64 - sent_at.as_secs_f64();
    assert!(max_age <= 5, "max-age {max_age} > 5 s");
    assert!(
        (max_age as f64) <= until_open,
        "max-age {max_age} s runs past opens_at ({until_open:.2} s away)"
    );

    // The same page in German, publicly cached under the German `Vary` key; and when the German
    // table cannot be loaded (the test switch), English in its place, which no shared cache may
    // keep: it would be served to the next German fans.
    let page_in = |header: bool| {
        let req = w.fan().get(&format!("/s/{SALE}?lang=de"));
        send(if header {
            req.header("X-Waitroom-Test-Fault-Table", "1")
        } else {
            req
        })
    };
    let german = page_in(false).await;
    assert_eq!(german.header("Content-Language"), Some("de"));
    assert!(
        german.cache_control().contains("public"),
        "{}",
        german.cache_control()
    );
    let degraded = page_in(true).await;
    assert_eq!(degraded.status, 200, "{}", degraded.text);
    assert_eq!(degraded.header("Content-Language"), Some("en"));
    assert_eq!(degraded.cache_control(), "no-store");
    assert!(
        degraded.cookie("waitroom_lang").is_none(),
        "the fan's language is kept"
    );
    // The table loaded before is untouched: German again.
    assert_eq!(page_in(false).await.header("Content-Language"), Some("de"));

    // Nobody calls open: the worker's clock is moved past opens_at (docs/api.md, "Testing").
    w.advance_to(Duration::from_secs(opens_at_s) + Duration::from_millis(300))
        .await;

    let joined = w.fan().join(SALE).await;
    assert_eq!((joined.seq, joined.position), (1, 1));
    let info = send(w.fan().get(&format!("/api/sales/{SALE}")))
        .await
        .expect(200, "sale info");
    assert_eq!(info["phase"], "open", "{info}");
    let status = w.fan().status(SALE, &joined.token).await;
    assert_eq!(
        (status["state"].as_str(), status["phase"].as_str()),
        (Some("waiting"), Some("open")),
        "{status}"
    );
    let report = w.admin().report(SALE).await;
    assert_eq!(report["phase"], "open", "{report}");
    assert_eq!(report["stats"]["joined"], 1, "{report}");
    // Windows get fans without anyone opening the sale either.
    let pulled = w.origin().pull(SALE, "w1", 5, None).await;
    assert_eq!(pulled.phase, "open");
    assert_eq!(pulled.assignments.len(), 1, "{pulled:?}");
}
