//! The public report (docs/api.md, "The public report") attacked as a script would: it does not
//! exist before the close (every path, method and query a script may try is the same 404 as no
//! sale), only the promoter changes who sees it, and once public it names no fan: no fan id,
//! token, arrival number or address, and no wait while fewer than 10 fans were let in (one
//! fan's wait would be theirs).

use crate::support::{send, Reply, TestWorker};
use reqwest::Method;
use serde_json::json;

const SALE: &str = "report-attack";

async fn get(w: &TestWorker, path: &str) -> Reply {
    send(w.fan().get(path)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn the_report_is_hidden_until_the_close_and_names_no_fan() {
    let w = TestWorker::start().await;
    w.admin()
        .open_sale_with(SALE, json!({ "rate_limit_per_min": 0 }))
        .await;
    let addresses = ["198.51.100.21", "198.51.100.22", "2001:db8::77"];
    let mut fans = Vec::new();
    for address in addresses {
        let reply = send(
            w.fan()
                .post(&format!("/api/sales/{SALE}/join"))
                .header("CF-Connecting-IP", address),
        )
        .await;
        fans.push(reply.expect(201, "join"));
    }
    w.origin().pull(SALE, "w1", 3, Some("attack-1")).await;

    // Before the close: every way in is the 404 of a sale that does not exist.
    let unknown = get(&w, "/api/sales/never-created/report").await;
    unknown.expect_error(404, "not_found", "no sale");
    for path in [
        format!("/api/sales/{SALE}/report"),
        format!("/api/sales/{SALE}/report/"),
        format!("/api/sales/{SALE}/report?preview=1&visibility=published"),
    ] {
        let reply = get(&w, &path).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.describe());
        assert_eq!(reply.json, unknown.json, "{path}: told apart from no sale");
    }
    let page = send(w.fan().get(&format!("/s/{SALE}/report"))).await;
    assert_eq!(page.status, 404, "{}", page.describe());
    let posted = send(w.fan().post(&format!("/api/sales/{SALE}/report"))).await;
    assert_eq!(posted.status, 405, "{}", posted.describe());

    // Only the promoter publishes: no key, a fan's token, the origin's key.
    let publish = json!({ "visibility": "published" });
    let path = format!("/api/admin/sales/{SALE}/report");
    let token = fans[0]["token"].as_str().expect("token");
    for caller in [w.fan().0, w.bearer(token), w.bearer(&w.origin_key)] {
        for method in [Method::PUT, Method::GET] {
            let reply = send(caller.request(method.clone(), &path).json(&publish)).await;
            reply.expect_error(401, "unauthorized", &format!("{method} {path}"));
        }
    }
    assert_eq!(
        get(&w, &format!("/api/sales/{SALE}/report")).await.status,
        404
    );

    // After the close it is public, and names no fan.
    w.admin().control(SALE, "close").await;
    let json_report = get(&w, &format!("/api/sales/{SALE}/report")).await;
    let r = json_report.json.clone();
    assert_eq!(json_report.status, 200, "{}", json_report.describe());
    let page = send(w.fan().get(&format!("/s/{SALE}/report"))).await;
    assert_eq!(page.status, 200, "{}", page.describe());
    assert_eq!(
        (&r["fans_in_line"], &r["admitted"]),
        (&json!(3), &json!(3)),
        "{r}"
    );
    // Three waits: too few to show any.
    assert!(
        r["waits"]["median_s"].is_null() && r["waits"]["p90_s"].is_null(),
        "{r}"
    );
    assert_eq!(r["waits"]["counted"], 3, "{r}");
    for text in [&json_report.text, &page.text] {
        for fan in &fans {
            for field in ["fan_id", "token", "status_url"] {
                let value = fan[field].as_str().expect(field);
                assert!(
                    !text.contains(value),
                    "the report names a fan's {field}: {text}"
                );
            }
        }
        for address in addresses {
            assert!(
                !text.contains(address),
                "the report names an address: {text}"
            );
        }
        for key in [
            "\"seq\"",
            "\"fan_id\"",
            "\"token\"",
            "\"window\"",
            "\"jti\"",
        ] {
            assert!(!text.contains(key), "the report carries {key}: {text}");
        }
    }
}
