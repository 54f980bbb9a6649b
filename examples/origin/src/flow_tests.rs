//! End-to-end tests against a fake edge on a loopback port: the purchase flow through the real
//! router, and a window's pull retried with the same request id.

use crate::app::{now_secs, App};
use crate::config::{self, Args};
use crate::edge::EdgeClient;
use crate::pass::tests::{jwks, sign, signing_key, KID};
use crate::shutdown;
use crate::{puller, web};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

const KEY: &str = "test-origin-key-0123456789abcdef";

#[derive(Default)]
struct Fake {
    /// Pulls to answer with 503 before answering properly.
    failing_pulls: u32,
    pull_ids: Vec<String>,
    finished: Vec<(String, String)>,
    next_seq: u64,
}

type FakeState = Arc<Mutex<Fake>>;

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {KEY}"))
}

fn assignment(fan_id: &str, seq: u64, window: &str, state: &str) -> Value {
    json!({
        "fan_id": fan_id, "seq": seq, "window": window, "state": state,
        "assigned_at": "2026-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z",
    })
}

async fn fake_pull(
    State(fake): State<FakeState>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized", "message": "no"})),
        )
            .into_response();
    }
    let mut fake = fake.lock().expect("fake edge lock");
    fake.pull_ids
        .push(body["request_id"].as_str().unwrap_or_default().to_owned());
    if fake.failing_pulls > 0 {
        fake.failing_pulls -= 1;
        return (StatusCode::SERVICE_UNAVAILABLE, "overloaded").into_response();
    }
    let window = body["window"].as_str().unwrap_or_default().to_owned();
    let max = body["max"].as_u64().unwrap_or(0);
    let assignments: Vec<Value> = (0..max)
        .map(|_| {
            fake.next_seq += 1;
            assignment(
                &format!("fan_{}", fake.next_seq),
                fake.next_seq,
                &window,
                "assigned",
            )
        })
        .collect();
    Json(json!({"assignments": assignments, "phase": "open", "replayed": false})).into_response()
}

async fn fake_finish(
    State(fake): State<FakeState>,
    headers: HeaderMap,
    Path((_sale, fan_id, action)): Path<(String, String, String)>,
) -> Response {
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized", "message": "no"})),
        )
            .into_response();
    }
    let mut fake = fake.lock().expect("fake edge lock");
    if fake.finished.iter().any(|(fan, _)| *fan == fan_id) {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": "already_released", "message": "the fan gave up this turn"})),
        )
            .into_response();
    }
    fake.finished.push((fan_id.clone(), action.clone()));
    let state = if action == "complete" {
        "completed"
    } else {
        "released"
    };
    Json(assignment(&fan_id, 1, "window-1", state)).into_response()
}

async fn fake_lapsed() -> Json<Value> {
    Json(json!({"assignments": []}))
}

async fn start_fake_edge(fake: FakeState) -> SocketAddr {
    let jwks = jwks(&signing_key(1), KID);
    let router = Router::new()
        .route(
            "/.well-known/jwks.json",
            get(move || async move { Json(jwks) }),
        )
        .route("/api/origin/sales/demo/pull", post(fake_pull))
        .route(
            "/api/origin/sales/{sale}/assignments/{fan}/{action}",
            post(fake_finish),
        )
        .route("/api/origin/sales/demo/assignments", get(fake_lapsed))
        .with_state(fake);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind fake edge");
    let addr = listener.local_addr().expect("fake edge address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

fn app_for(edge: SocketAddr, extra: &[&str]) -> Arc<App> {
    let edge_url = format!("http://{edge}");
    let mut argv = vec![
        "demo-origin",
        "--edge-url",
        edge_url.as_str(),
        "--sale",
        "demo",
        "--windows",
        "1",
    ];
    argv.extend_from_slice(extra);
    let args = Args::try_parse_from(argv).expect("flags");
    let config = config::from_args(args, Some(KEY.into())).expect("config");
    let edge = EdgeClient::new(&config).expect("client");
    Arc::new(App::new(config, edge))
}

/// The origin's base URL, and the sender that keeps it running until dropped.
async fn start_origin(app: Arc<App>) -> (String, watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind origin");
    let addr = listener.local_addr().expect("origin address");
    let (stop, shutdown) = shutdown::channel();
    tokio::spawn(web::serve(listener, app, shutdown));
    (format!("http://{addr}"), stop)
}

fn pass_for(seq: u64, aud: &str) -> String {
    let now = now_secs();
    let claims = json!({
        "iss": "waitroom", "aud": aud, "sub": format!("fan_{seq}"), "win": "window-1",
        "seq": seq, "iat": now, "exp": now + 600, "jti": format!("demo.{seq}"),
    });
    sign(&signing_key(1), KID, &claims)
}

/// The value of `<input ... name="{name}" value="...">` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden field") + marker.len();
    let end = html[start..].find('"').expect("field end") + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn purchase_flow() {
    let fake: FakeState = Arc::default();
    let edge = start_fake_edge(Arc::clone(&fake)).await;
    let app = app_for(edge, &[]);
    let (origin, _running) = start_origin(Arc::clone(&app)).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // The pass is checked in, then the browser is sent on to the purchase page without it in
    // the URL, the check-in's session in a cookie.
    let follow = |r: reqwest::Response| {
        let (http, origin) = (http.clone(), origin.clone());
        async move {
            if r.status() != 303 {
                return (r.status(), r.text().await.expect("body"));
            }
            assert_eq!(r.headers()["location"], "/purchase/checkout");
            let cookie = r.headers()["set-cookie"]
                .to_str()
                .expect("cookie")
                .to_owned();
            assert!(cookie.contains("HttpOnly"), "{cookie}");
            let pair = cookie.split(';').next().expect("cookie pair").to_owned();
            let r = http
                .get(format!("{origin}/purchase/checkout"))
                .header("cookie", pair)
                .send()
                .await
                .expect("checkout");
            (r.status(), r.text().await.expect("body"))
        }
    };
    let purchase = |pass: String| {
        let http = http.clone();
        let url = format!("{origin}/purchase");
        async move {
            let r = http
                .get(url)
                .query(&[("pass", pass)])
                .send()
                .await
                .expect("purchase");
            follow(r).await
        }
    };
    let purchase_by_post = |pass: String| {
        let http = http.clone();
        let url = format!("{origin}/purchase");
        async move {
            let r = http
                .post(url)
                .form(&[("pass", pass)])
                .send()
                .await
                .expect("purchase by post");
            follow(r).await
        }
    };

    let (status, page) = purchase(pass_for(7, "demo")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Pass accepted") && page.contains("id=\"purchase\""));
    assert_eq!(hidden(&page, "jti"), "demo.7");
    let session = hidden(&page, "session");

    // The same pass again, a forged one, another sale's: refused.
    let (status, page) = purchase(pass_for(7, "demo")).await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("already used"));
    let forged = sign(
        &signing_key(2),
        KID,
        &json!({"iss": "waitroom", "aud": "demo", "sub": "fan_8",
        "win": "window-1", "seq": 8, "iat": now_secs(), "exp": now_secs() + 600, "jti": "demo.8"}),
    );
    assert_eq!(purchase(forged).await.0, 403);
    assert_eq!(purchase(pass_for(9, "other")).await.0, 403);
    assert_eq!(purchase(String::new()).await.0, 400);

    // form_post: the pass in a POST, once; a reused jti is refused whichever way it comes.
    let (status, page) = purchase_by_post(pass_for(12, "demo")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(hidden(&page, "jti"), "demo.12");
    let (status, page) = purchase_by_post(pass_for(12, "demo")).await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("already used"));
    assert_eq!(purchase(pass_for(12, "demo")).await.0, 409);
    assert_eq!(purchase_by_post(String::new()).await.0, 400);
    // fragment: no pass in the query is the page that moves the fragment into that POST.
    let r = http
        .get(format!("{origin}/purchase"))
        .send()
        .await
        .expect("fragment page");
    assert_eq!(r.status(), 200);
    let page = r.text().await.expect("body");
    assert!(page.contains("location.hash") && page.contains("history.replaceState"));
    assert!(page.contains(r#"<form id="fragment-form" method="post" action="/purchase">"#));
    // The purchase page needs the check-in's cookie.
    let r = http
        .get(format!("{origin}/purchase/checkout"))
        .send()
        .await
        .expect("checkout");
    assert_eq!(r.status(), 403);

    // Finishing needs the page's session; then completes once at the edge.
    let complete = |jti: &str, session: &str, action: &str| {
        let http = http.clone();
        let url = format!("{origin}/purchase/{action}");
        let form = [("jti", jti.to_owned()), ("session", session.to_owned())];
        async move {
            let r = http.post(url).form(&form).send().await.expect("finish");
            (r.status(), r.text().await.expect("body"))
        }
    };
    assert_eq!(complete("demo.7", "wrong", "complete").await.0, 403);
    let (status, page) = complete("demo.7", &session, "complete").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Order confirmed"));
    assert_eq!(complete("demo.7", &session, "release").await.0, 409);
    assert_eq!(
        fake.lock().expect("fake").finished,
        vec![("fan_7".to_owned(), "complete".to_owned())]
    );

    // A second fan gives up; the edge's 409 for a third is shown with its reason.
    let (_, page) = purchase(pass_for(10, "demo")).await;
    let (status, page) = complete("demo.10", &hidden(&page, "session"), "release").await;
    assert_eq!(status, 200);
    assert!(page.contains("Turn released"));
    fake.lock()
        .expect("fake")
        .finished
        .push(("fan_11".into(), "release".into()));
    let (_, page) = purchase(pass_for(11, "demo")).await;
    let (status, page) = complete("demo.11", &hidden(&page, "session"), "complete").await;
    assert_eq!(status, 409);
    assert!(page.contains("the fan gave up this turn"));

    let status: Value = http
        .get(format!("{origin}/status.json"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("json");
    assert_eq!(status["passes"]["checked_in"], 4);
    assert_eq!(status["passes"]["completed"], 1);
    assert_eq!(status["passes"]["released"], 1);
    // 4 before, the reused pass by POST and by GET, the empty POST.
    assert_eq!(status["passes"]["refused"], 7);
    assert_eq!(
        http.get(format!("{origin}/healthz"))
            .send()
            .await
            .expect("healthz")
            .status(),
        200
    );
}

#[tokio::test]
async fn a_failed_pull_is_retried_with_the_same_request_id() {
    let fake: FakeState = Arc::new(Mutex::new(Fake {
        failing_pulls: 2,
        ..Fake::default()
    }));
    let edge = start_fake_edge(Arc::clone(&fake)).await;
    let app = app_for(edge, &["--capacity", "2", "--pace-ms", "100"]);
    let (stop, shutdown) = shutdown::channel();
    let task = tokio::spawn(puller::run(Arc::clone(&app), "window-1".into(), shutdown));

    let mut filled = false;
    for _ in 0..100 {
        if app.windows(|ws| ws.get("window-1").map(|w| w.free())) == Some(0) {
            filled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    task.await.expect("window task");
    assert!(filled, "the window never filled");

    let ids = fake.lock().expect("fake").pull_ids.clone();
    assert!(ids.len() >= 3, "{ids:?}");
    assert!(
        ids[..3].iter().all(|id| *id == ids[0]),
        "retries reuse the id: {ids:?}"
    );
    let seqs: Vec<u64> = app.windows(|ws| {
        ws.get("window-1")
            .map(|w| w.slots().iter().map(|s| s.seq).collect())
            .unwrap_or_default()
    });
    assert_eq!(seqs, [1, 2]);
}
