//! Input past its bounds is a 4xx that takes nothing, never a 500: an oversized body, and a URL
//! that grows past its bound when normalised.

use super::{join_path, joined, open_sale_with, report};
use crate::support::{send, TestWorker, PURCHASE_URL};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::Method;
use serde_json::json;

/// A body declared larger than 64 KiB is refused unread on every route, and takes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversized_body_is_413_on_every_route() {
    let w = TestWorker::start().await;
    let sale = "big-body";
    open_sale_with(&w, sale, json!({ "rate_limit_per_min": 1000 })).await;
    let body = vec![b' '; 200 * 1024];
    for (method, path) in [
        (Method::POST, join_path(sale)),
        (Method::POST, format!("/s/{sale}")),
        (Method::GET, format!("/api/sales/{sale}")),
    ] {
        let request = w
            .fan()
            .request(method.clone(), &path)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_LENGTH, body.len())
            .body(body.clone());
        send(request)
            .await
            .expect_error(413, "body_too_large", &format!("{method} {path}"));
    }
    assert_eq!(joined(&report(&w, sale).await), 0);
}

/// A URL typed within the bound that grows past it when normalised (spaces become `%20`) is a
/// 400 naming the field, never a 500, and nothing is stored (issue 17: 1,529 typed bytes were a
/// 500 `internal`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_url_that_grows_when_normalised_is_a_400_naming_the_field() {
    let w = TestWorker::start().await;
    let long = format!("https://tickets.example/{}", "a b".repeat(502));
    assert_eq!(long.len(), 1_530);
    for field in ["purchase_url", "logo_url"] {
        let mut body = json!({ "name": "Long", "purchase_url": PURCHASE_URL });
        match field {
            "logo_url" => body["branding"] = json!({ "logo_url": long }),
            _ => body[field] = json!(long),
        }
        let reply = send(w.admin().put("/api/admin/sales/long-url").json(&body)).await;
        reply.expect_error(400, "invalid_field", field);
        assert!(
            reply.json["field"]
                .as_str()
                .is_some_and(|f| f.ends_with(field)),
            "{}",
            reply.describe()
        );
    }
    send(w.admin().get("/api/admin/sales/long-url"))
        .await
        .expect_error(404, "sale_not_found", "nothing stored");
}
