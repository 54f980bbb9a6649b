//! The public report after a sale (issue 21, docs/api.md "The public report"): a finished sale's
//! report says how many joined and were let in, how long they waited and how many places each
//! defence refused; it is public after the close unless hidden, or before when published, and a
//! hidden one is a 404 like no sale. One worker, the test clock moving the waits.

use crate::support::{send, Reply, TestWorker};
use serde_json::{json, Value};
use std::time::Duration;

const SALE: &str = "report";

async fn join_from(w: &TestWorker, address: &str) -> Reply {
    send(
        w.fan()
            .post(&format!("/api/sales/{SALE}/join"))
            .header("CF-Connecting-IP", address),
    )
    .await
}

async fn public_json(w: &TestWorker) -> Reply {
    send(w.fan().get(&format!("/api/sales/{SALE}/report"))).await
}

async fn public_page(w: &TestWorker) -> Reply {
    send(
        w.fan()
            .get(&format!("/s/{SALE}/report"))
            .header("Accept", "text/html"),
    )
    .await
}

async fn show(w: &TestWorker, visibility: &str) -> Value {
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}/report"))
            .json(&json!({ "visibility": visibility })),
    )
    .await
    .expect(200, visibility)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn report_of_a_finished_sale() {
    let w = TestWorker::start_with_faults().await;
    // A burst of 15 places an address, then refused (not priced up).
    // No presence checks: nobody polls while the clock moves two minutes.
    let settings =
        json!({ "rate_limit_per_min": 15, "over_budget": "refuse", "presence_ttl_s": 0 });
    w.admin().open_sale_with(SALE, settings).await;
    let address = "203.0.113.7";
    let mut fans = Vec::new();
    for _ in 0..15 {
        fans.push(
            join_from(&w, address)
                .await
                .expect(201, "join within the burst"),
        );
    }
    for _ in 0..2 {
        join_from(&w, address)
            .await
            .expect_error(429, "rate_limited", "past the burst");
    }
    // The isolate told the coordinator of the first refusal at once; the second waits for the
    // next refusal 5 s on.
    w.advance(Duration::from_secs(6)).await;
    let mut refused = 2;
    loop {
        let reply = join_from(&w, address).await;
        if reply.status == 429 {
            refused += 1;
            break;
        }
        fans.push(reply.expect(201, "a refilled place"));
        assert!(fans.len() < 20, "the rate limit let {} through", fans.len());
    }
    let joined = fans.len() as u64;

    // Not public while the sale runs: a 404 like no sale, JSON and page.
    let unknown = send(w.fan().get("/api/sales/no-such-sale/report")).await;
    unknown.expect_error(404, "not_found", "no such sale");
    let before = public_json(&w).await;
    before.expect_error(404, "not_found", "before the close");
    assert_eq!(before.json, unknown.json, "told apart from no sale");
    assert_eq!(public_page(&w).await.status, 404);
    let preview = send(w.admin().get(&format!("/api/admin/sales/{SALE}/report")))
        .await
        .expect(200, "the promoter's preview");
    assert_eq!(
        (&preview["visibility"], &preview["public"]),
        (&json!("after_close"), &json!(false)),
        "{preview}"
    );

    // Two minutes on, every fan is let in: each waited about 2 minutes.
    w.advance(Duration::from_secs(120)).await;
    let pulled = w.origin().pull(SALE, "w1", 50, Some("report-1")).await;
    assert_eq!(pulled.assignments.len() as u64, joined);

    // Published early: public, not final, kept briefly.
    let published = show(&w, "published").await;
    assert_eq!(published["public"], true, "{published}");
    let live = public_json(&w).await;
    assert_eq!(live.max_age(), Some(10), "{}", live.cache_control());
    assert!(
        live.cache_control().starts_with("public"),
        "{}",
        live.cache_control()
    );
    let body = live.expect(200, "published");
    assert_eq!(body["final"], false, "{body}");
    assert!(body["ended_at"].is_null(), "{body}");

    // Hidden, then closed: still a 404.
    show(&w, "hidden").await;
    public_json(&w)
        .await
        .expect_error(404, "not_found", "hidden");
    w.admin().control(SALE, "close").await;
    public_json(&w)
        .await
        .expect_error(404, "not_found", "hidden after the close");
    assert_eq!(public_page(&w).await.status, 404);

    // Back to the default: public once closed, final, kept a minute.
    let reset = show(&w, "after_close").await;
    assert_eq!(reset["public"], true, "{reset}");
    let finished = public_json(&w).await;
    assert_eq!(finished.max_age(), Some(60), "{}", finished.cache_control());
    let r = finished.expect(200, "the finished sale's report");
    assert_eq!(r["final"], true, "{r}");
    assert!(r["ended_at"].is_string(), "{r}");
    assert_eq!(r["fans_in_line"], joined, "{r}");
    assert_eq!(r["admitted"], joined, "{r}");
    assert_eq!(r["waits"]["counted"], joined, "{r}");
    for quantile in ["median_s", "p90_s"] {
        let secs = r["waits"][quantile].as_u64().expect(quantile);
        assert!((110..=140).contains(&secs), "{quantile} {secs}: {r}");
    }
    assert_eq!(r["refused"]["rate"], refused, "{r}");
    assert_eq!(r["refused"]["proof_of_work"], 0, "{r}");

    // The page says the same numbers.
    let page = public_page(&w).await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert!(
        page.content_type().starts_with("text/html"),
        "{}",
        page.content_type()
    );
    for (id, n) in [
        ("fans-in-line", joined),
        ("admitted", joined),
        ("refused-rate", refused),
    ] {
        assert!(
            page.text.contains(&format!(r#"id="{id}">{n}<"#)),
            "{id} {n}: {}",
            page.text
        );
    }
    // In the fan's language: the same numbers, the words and the waits in Japanese.
    let ja = send(
        w.fan()
            .get(&format!("/s/{SALE}/report?lang=ja"))
            .header("Accept", "text/html"),
    )
    .await;
    assert_eq!(ja.status, 200, "{}", ja.describe());
    assert_eq!(ja.header("content-language"), Some("ja"));
    for words in [
        "<h2 id=\"title\">この販売で起きたこと</h2>",
        "これらの数値は確定です。",
        &format!(r#"id="fans-in-line">{joined}<"#),
        " 分 ",
    ] {
        assert!(ja.text.contains(words), "{words}: {}", ja.text);
    }

    // A bad word changes nothing; only the promoter may say it.
    send(
        w.admin()
            .put(&format!("/api/admin/sales/{SALE}/report"))
            .json(&json!({ "visibility": "everyone" })),
    )
    .await
    .expect_error(400, "invalid_field", "an unknown visibility");
    send(
        w.fan()
            .put(&format!("/api/admin/sales/{SALE}/report"))
            .json(&json!({ "visibility": "hidden" })),
    )
    .await
    .expect_error(401, "unauthorized", "a fan hiding it");
    public_json(&w).await.expect(200, "still public");
}
