//! The monitor's canary sale is no fan's sale.

use super::join_path;
use crate::support::{send, TestWorker, PURCHASE_URL};
use serde_json::json;

/// The monitor's canary is no fan's sale: no page, no join, no challenge, no socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fans_cannot_reach_the_canary_sale() {
    let w = TestWorker::start().await;
    let page = send(w.fan().get("/s/canary")).await;
    assert_eq!(page.status, 404, "{}", page.describe());
    assert!(page.set_cookies().is_empty());
    for _ in 0..20 {
        send(w.fan().post(&join_path("canary"))).await.expect_error(
            404,
            "sale_not_found",
            "join the canary",
        );
    }
    send(w.fan().get("/api/sales/canary/challenge"))
        .await
        .expect_error(404, "sale_not_found", "a canary challenge");
    send(w.fan().get("/api/sales/canary")).await.expect_error(
        404,
        "sale_not_found",
        "the canary's info",
    );
    let body = json!({ "name": "mine", "purchase_url": PURCHASE_URL });
    send(w.admin().put("/api/admin/sales/canary").json(&body))
        .await
        .expect_error(400, "invalid_field", "create the canary");
}
