//! One sale from creation to close, as fans, a window and the promoter see it.

use crate::support::{eventually, send, verify_pass, Joined, Reply, TestWorker, PURCHASE_URL};
use reqwest::header::{ACCEPT, COOKIE, LOCATION};
use std::time::Duration;

const SALE: &str = "fan-journey";
const COOKIE_NAME: &str = "__Host-wr_fan-journey";

async fn page(w: &TestWorker, cookie: Option<&str>) -> Reply {
    let mut request = w.fan().get(&format!("/s/{SALE}"));
    if let Some(token) = cookie {
        request = request.header(COOKIE, format!("{COOKIE_NAME}={token}"));
    }
    send(request).await
}

async fn joined_count(w: &TestWorker) -> u64 {
    w.admin().report(SALE).await["stats"]["joined"]
        .as_u64()
        .expect("stats.joined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fan_journey() {
    let w = TestWorker::start().await;
    let created = w.admin().create_sale(SALE, None).await;
    assert_eq!(created["phase"], "scheduled", "{created}");
    assert_eq!(created["purchase_url"], PURCHASE_URL, "{created}");
    assert_eq!(
        created["claim_ttl_s"], 120,
        "default claim_ttl_s: {created}"
    );
    assert_eq!(created["pass_ttl_s"], 600, "default pass_ttl_s: {created}");

    // Scheduled: public info, no joins, a cacheable page and no cookie.
    let info = send(w.fan().get(&format!("/api/sales/{SALE}")))
        .await
        .expect(200, "sale info");
    assert_eq!(info["id"], SALE, "{info}");
    assert_eq!(info["phase"], "scheduled", "{info}");
    assert!(
        info.get("opens_at").is_some() && info.get("name").is_some(),
        "{info}"
    );

    let refused = send(w.fan().post(&format!("/api/sales/{SALE}/join"))).await;
    refused.expect_error(409, "not_open", "join before opening");
    assert!(
        refused.json.get("opens_at").is_some(),
        "not_open names opens_at: {}",
        refused.text
    );
    assert!(
        refused.cookie(COOKIE_NAME).is_none(),
        "a refused join sets no cookie"
    );

    let scheduled = page(&w, None).await;
    assert_eq!(scheduled.status, 200, "scheduled page: {}", scheduled.text);
    assert!(
        scheduled.content_type().starts_with("text/html"),
        "{:?}",
        scheduled.headers
    );
    let cc = scheduled.cache_control();
    assert!(
        cc.contains("public") && cc.contains("max-age"),
        "scheduled Cache-Control: {cc}"
    );
    assert!(
        scheduled.max_age().is_some_and(|age| age <= 5),
        "max-age <= 5 s: {cc}"
    );
    assert!(
        scheduled.set_cookies().is_empty(),
        "no cookie before opening: {:?}",
        scheduled.set_cookies()
    );
    assert_eq!(joined_count(&w).await, 0);
    // The same page as JSON for apps: the sale info.
    let as_json = send(
        w.fan()
            .get(&format!("/s/{SALE}"))
            .header(ACCEPT, "application/json"),
    )
    .await
    .expect(200, "scheduled page as JSON");
    assert_eq!(as_json["phase"], "scheduled", "{as_json}");
    assert_eq!(joined_count(&w).await, 0, "no place before opening");

    w.admin().open_sale(SALE).await;

    // Open: the page gives the fan a place (cookie) and must not be cached.
    let opened = eventually(
        "the page sets the token cookie after opening",
        Duration::from_secs(5),
        || async {
            let reply = page(&w, None).await;
            match reply.cookie(COOKIE_NAME) {
                Some(_) => Ok(reply),
                None => Err(format!("{} {:?}", reply.status, reply.headers)),
            }
        },
    )
    .await;
    assert_eq!(opened.status, 200);
    assert!(
        opened.content_type().starts_with("text/html"),
        "{:?}",
        opened.headers
    );
    assert!(
        opened.cache_control().contains("no-store"),
        "open page Cache-Control: {}",
        opened.cache_control()
    );
    let cookie = opened.cookie(COOKIE_NAME).unwrap();
    assert!(cookie.has("httponly"), "HttpOnly: {}", cookie.raw);
    assert!(cookie.has("secure"), "Secure: {}", cookie.raw);
    assert_eq!(
        cookie
            .attribute("samesite")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("lax"),
        "{}",
        cookie.raw
    );
    assert_eq!(
        cookie.attribute("path"),
        Some("/"),
        "Path=/: {}",
        cookie.raw
    );
    let page_token = cookie.value.clone();
    assert!(!page_token.is_empty());
    let joined_after_page = joined_count(&w).await;
    assert_eq!(joined_after_page, 1, "the page gave one fan a place");

    // Coming back with the cookie keeps the place.
    let again = page(&w, Some(&page_token)).await;
    assert_eq!(again.status, 200);
    if let Some(c) = again.cookie(COOKIE_NAME) {
        assert_eq!(c.value, page_token, "a valid cookie is kept");
    }
    assert_eq!(
        joined_count(&w).await,
        joined_after_page,
        "a returning fan is not a new arrival"
    );

    // Joining through the API.
    let reply = send(w.fan().post(&format!("/api/sales/{SALE}/join"))).await;
    let set_cookie = reply.cookie(COOKIE_NAME).expect("join sets the cookie");
    let body = reply.expect(201, "join");
    let second: Joined =
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{body}: {e}"));
    assert_eq!(set_cookie.value, second.token, "the cookie holds the token");
    assert_eq!(
        (second.seq, second.position, second.ahead),
        (2, 2, 1),
        "{body}"
    );
    assert!(second.fan_id.starts_with("fan_"), "{body}");
    assert!(second.poll_after_ms > 0, "{body}");
    assert!(
        second
            .status_url
            .contains(&format!("/api/sales/{SALE}/status")),
        "{body}"
    );
    let third = w.fan().join(SALE).await;
    assert_eq!((third.seq, third.position, third.ahead), (3, 3, 2));
    assert_ne!(third.fan_id, second.fan_id);

    // The same fan again: 200, same place.
    let rejoin = send(
        w.bearer(&second.token)
            .post(&format!("/api/sales/{SALE}/join")),
    )
    .await
    .expect(200, "rejoin");
    assert_eq!(rejoin["fan_id"], second.fan_id.as_str(), "{rejoin}");
    assert_eq!(rejoin["seq"], second.seq, "{rejoin}");
    let rejoin = send(
        w.fan()
            .post(&format!("/api/sales/{SALE}/join"))
            .header(COOKIE, format!("{COOKIE_NAME}={page_token}")),
    )
    .await
    .expect(200, "rejoin with the cookie");
    assert_eq!(rejoin["seq"], 1, "the page's fan is first: {rejoin}");
    let page_fan_id = rejoin["fan_id"].as_str().expect("fan_id").to_owned();
    assert_eq!(joined_count(&w).await, 3);

    // Waiting.
    let status = eventually(
        "status reflects the open sale",
        Duration::from_secs(5),
        || async {
            let s = w.fan().status(SALE, &second.token).await;
            if s["phase"] == "open" {
                Ok(s)
            } else {
                Err(s.to_string())
            }
        },
    )
    .await;
    assert_eq!(status["state"], "waiting", "{status}");
    assert_eq!(
        (status["position"].as_u64(), status["ahead"].as_u64()),
        (Some(2), Some(1)),
        "{status}"
    );
    assert_eq!(status["fan_id"], second.fan_id.as_str(), "{status}");
    assert_eq!(status["seq"], 2, "{status}");
    assert!(
        status["poll_after_ms"].as_u64().is_some_and(|ms| ms > 0),
        "{status}"
    );
    assert!(
        status.get("pass").is_none_or(|p| p.is_null()),
        "no pass while waiting: {status}"
    );
    // The cookie works for status too.
    let by_cookie = send(
        w.fan()
            .get(&format!("/api/sales/{SALE}/status"))
            .header(COOKIE, format!("{COOKIE_NAME}={page_token}")),
    )
    .await
    .expect(200, "status by cookie");
    assert_eq!(by_cookie["state"], "waiting", "{by_cookie}");
    assert_eq!(by_cookie["position"], 1, "{by_cookie}");

    // The page as JSON for a waiting fan: their status.
    let as_json = send(
        w.fan()
            .get(&format!("/s/{SALE}"))
            .header(ACCEPT, "application/json")
            .header(COOKIE, format!("{COOKIE_NAME}={}", second.token)),
    )
    .await
    .expect(200, "waiting page as JSON");
    assert_eq!(
        (as_json["state"].as_str(), as_json["position"].as_u64()),
        (Some("waiting"), Some(2)),
        "{as_json}"
    );
    assert_eq!(as_json["fan_id"], second.fan_id.as_str(), "{as_json}");

    // A window takes the line, in order.
    let pulled = w
        .origin()
        .pull(SALE, "box-office-1", 10, Some("journey-1"))
        .await;
    assert!(!pulled.replayed);
    assert_eq!(pulled.phase, "open");
    let got: Vec<(u64, &str)> = pulled
        .assignments
        .iter()
        .map(|a| (a.seq, a.fan_id.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, page_fan_id.as_str()),
            (2, second.fan_id.as_str()),
            (3, third.fan_id.as_str())
        ],
        "fans in arrival order"
    );
    for a in &pulled.assignments {
        assert_eq!(
            (a.window.as_str(), a.state.as_str()),
            ("box-office-1", "assigned"),
            "{a:?}"
        );
    }

    // The first fan's turn, by cookie.
    let turn = eventually("the first fan's turn", Duration::from_secs(5), || async {
        let s = send(
            w.fan()
                .get(&format!("/api/sales/{SALE}/status"))
                .header(COOKIE, format!("{COOKIE_NAME}={page_token}")),
        )
        .await
        .expect(200, "status by cookie");
        if s["state"] == "your_turn" {
            Ok(s)
        } else {
            Err(s.to_string())
        }
    })
    .await;
    let pass = turn["pass"]
        .as_str()
        .unwrap_or_else(|| panic!("your_turn without a pass: {turn}"));
    let purchase_url = turn["purchase_url"].as_str().unwrap_or_default();
    assert!(purchase_url.starts_with(PURCHASE_URL), "{turn}");
    assert!(
        purchase_url.contains(&format!("pass={pass}")),
        "purchase_url carries the pass: {turn}"
    );
    assert_eq!(turn["window"], "box-office-1", "{turn}");
    assert!(turn["pass_expires_at"].is_string(), "{turn}");
    let claims = verify_pass(pass, SALE, &w.fan().jwks().await);
    assert_eq!(
        (claims.sub.as_str(), claims.win.as_str(), claims.seq),
        (page_fan_id.as_str(), "box-office-1", 1)
    );
    assert_eq!(claims.aud, SALE);
    assert!(
        claims.exp - claims.iat == 600,
        "pass_ttl_s after the claim: {claims:?}"
    );

    // The page sends a fan whose turn it is to the purchase URL with the pass.
    let redirect = page(&w, Some(&page_token)).await;
    assert_eq!(redirect.status, 303, "your turn: 303 to the purchase URL");
    let location = redirect.header(LOCATION).unwrap_or_default();
    assert!(
        location.starts_with(PURCHASE_URL) && location.contains("pass="),
        "Location: {location}"
    );

    // The origin reports outcomes.
    let done = w
        .origin()
        .finish(SALE, &page_fan_id, "complete")
        .await
        .expect(200, "complete");
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["fan_id"], page_fan_id.as_str(), "{done}");
    w.origin()
        .finish(SALE, &page_fan_id, "complete")
        .await
        .expect_error(409, "already_completed", "complete twice");
    w.origin()
        .finish(SALE, &page_fan_id, "release")
        .await
        .expect_error(409, "already_completed", "release a completed");
    let released = w
        .origin()
        .finish(SALE, &third.fan_id, "release")
        .await
        .expect(200, "release");
    assert_eq!(released["state"], "released", "{released}");
    w.origin()
        .finish(SALE, &third.fan_id, "complete")
        .await
        .expect_error(409, "already_released", "complete a released");
    let stats = w.admin().report(SALE).await["stats"].clone();
    assert_eq!(stats["completed"], 1, "{stats}");
    assert_eq!(stats["released"], 1, "{stats}");
    assert_eq!(stats["assigned"], 1, "{stats}");
    assert_eq!(stats["waiting"], 0, "{stats}");

    // Closed: final.
    let closed = w.admin().control(SALE, "close").await;
    assert_eq!(closed["phase"], "closed", "{closed}");
    send(w.fan().post(&format!("/api/sales/{SALE}/join")))
        .await
        .expect_error(410, "closed", "join after close");
    send(w.admin().post(&format!("/api/admin/sales/{SALE}/open")))
        .await
        .expect_error(409, "already_closed", "open after close");
    let status = w.fan().wait_for_state(SALE, &second.token, "closed").await;
    assert_eq!(status["phase"], "closed", "{status}");
    let info = send(w.fan().get(&format!("/api/sales/{SALE}")))
        .await
        .expect(200, "sale info");
    assert_eq!(info["phase"], "closed", "{info}");
    let closed_page = page(&w, Some(&page_token)).await;
    assert_eq!(closed_page.status, 200, "closed page: {}", closed_page.text);
    assert!(
        closed_page.content_type().starts_with("text/html"),
        "{:?}",
        closed_page.headers
    );

    // An unknown sale: the 404 page.
    let missing = send(w.fan().get("/s/nope")).await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    assert!(
        missing.content_type().starts_with("text/html"),
        "{:?}",
        missing.headers
    );
    assert!(
        missing.set_cookies().is_empty(),
        "no cookie for an unknown sale"
    );
    send(w.fan().get("/api/sales/nope")).await.expect_error(
        404,
        "sale_not_found",
        "info of an unknown sale",
    );
}
