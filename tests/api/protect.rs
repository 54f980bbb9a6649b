//! Path protection (docs/api.md, "Path protection"): a sale guards `/store/*` of the worker's own
//! host in front of a stand-in origin ([`EchoOrigin`]). One worker start walks the whole story:
//! a fan without a session sees the waiting page and takes a place; at their turn they pass
//! through (method, body and headers reach the origin, the pass in `Waitroom-Pass`, our cookies
//! and forged `Waitroom-*` headers do not); a second fan waits while the first holds the one
//! admission; bypass rules pass without a session; the origin ends a session with a header and
//! the next fan comes in; the session is renewed while active and lapses when not; and with the
//! coordinator failing, a fan with a session still passes, one without gets the busy page (fail
//! closed) or the origin (fail open).
//!
//! The edge worker on the port hands the protected host's requests to the gate worker
//! (docs/operations.md, "The gate worker"), which guards them: so this also checks the hand-off,
//! and that the gate's clock moves with the test clock.

use crate::support::echo_origin::EchoOrigin;
use crate::support::http::{send_busy_ok, Reply};
use crate::support::{send, verify_pass, Api, TestWorker};
use reqwest::header::{ACCEPT, COOKIE};
use serde_json::{json, Value};
use std::time::Duration;

pub const STAFF_SECRET: &str = "staff-secret-for-the-protect-test-0001";

/// A protected sale's settings: `paths` of the worker's host guarded in front of `origin`.
pub fn protected_sale(api: &Api, origin: &EchoOrigin, paths: &[&str], fail_mode: &str) -> Value {
    let host = api.base.trim_start_matches("http://");
    json!({
        "name": "Protected store",
        "purchase_url": format!("{}{}", api.base, paths[0].trim_end_matches('*')),
        "pass_delivery": "fragment",
        "rate_limit_per_min": 10_000,
        "admission": {"mode": "capacity", "active": 1, "session_s": 300},
        "protect": {
            "origin": origin.base,
            "hosts": [host],
            "paths": paths,
            "session_s": 60,
            "fail_mode": fail_mode,
            "bypass": {
                "paths": ["/store/static/*"],
                "header": "X-Staff",
                "secret": STAFF_SECRET,
                "cidrs": ["203.0.113.0/24"]
            }
        }
    })
}

/// A browser's GET of `path` with `cookies` (`name=value; ...`), whatever the status.
pub async fn browse(api: &Api, path: &str, cookies: &str) -> Reply {
    let mut request = api.fan().get(path).header(ACCEPT, "text/html");
    if !cookies.is_empty() {
        request = request.header(COOKIE, cookies);
    }
    send_busy_ok(request).await
}

/// Whether the answer is the origin's (passed through).
pub fn from_origin(reply: &Reply) -> bool {
    reply.header("x-origin") == Some("echo")
}

/// The value a `Set-Cookie` of the answer gives `name`.
fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply.cookie(name).map(|c| c.value)
}

/// A fan who takes a place on the protected path and comes back until it is their turn: their
/// queue token cookie and, once through, their session cookie.
pub async fn admitted(api: &Api, path: &str) -> (String, String, Reply) {
    let first = browse(api, path, "").await;
    assert_eq!(first.status, 200, "{}", first.describe());
    assert!(
        !from_origin(&first),
        "a fan without a session must wait: {}",
        first.describe()
    );
    let token = set_cookie(&first, "__Host-wr_shop").expect("a place on the waiting page");
    let token_cookie = format!("__Host-wr_shop={token}");
    let through = api
        .advancing(
            "the fan's turn",
            Duration::from_secs(2),
            Duration::from_secs(60),
            || {
                let (api, cookie) = (api.clone(), token_cookie.clone());
                async move {
                    let reply = browse(&api, path, &cookie).await;
                    if from_origin(&reply) {
                        Ok(reply)
                    } else {
                        Err(reply.describe())
                    }
                }
            },
        )
        .await;
    let session = set_cookie(&through, "__Host-wr_session_shop").expect("a session cookie");
    (
        token_cookie,
        format!("__Host-wr_session_shop={session}"),
        through,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_protected_path_queues_admits_bypasses_and_ends_sessions() {
    let origin = EchoOrigin::start().await;
    let w = TestWorker::start_with_faults().await;
    let api = w.handle();
    let jwks = api.fan().jwks().await;
    api.admin()
        .create_sale_with(
            "shop",
            protected_sale(&api, &origin, &["/store/*"], "closed"),
        )
        .await;
    api.admin().open_sale("shop").await;

    // Fan A waits, then passes through with a session and their pass for the origin.
    let (a_token, a_session, through) = admitted(&api, "/store/item").await;
    let seen = &through.json;
    assert_eq!(seen["method"], "GET");
    assert_eq!(seen["path"], "/store/item");
    let pass = seen["headers"]["waitroom-pass"]
        .as_str()
        .expect("the pass reaches the origin");
    let claims = verify_pass(pass, "shop", &jwks);
    assert_eq!(seen["headers"]["waitroom-fan"], claims.sub.as_str());

    // Method, body and headers reach the origin as sent; ours do not, nor a forged pass.
    let before = origin.received();
    let posted = send(
        api.fan()
            .post("/store/checkout?step=2")
            .header(COOKIE, format!("{a_token}; {a_session}; theirs=1"))
            .header("X-Custom", "kept")
            .header("Waitroom-Pass", "forged")
            .header("Waitroom-Bypass", "staff")
            .body("qty=2&seat=A7"),
    )
    .await;
    assert!(from_origin(&posted), "{}", posted.describe());
    assert_eq!(origin.received(), before + 1);
    let seen = &posted.json;
    assert_eq!(seen["method"], "POST");
    assert_eq!(seen["path"], "/store/checkout?step=2");
    assert_eq!(seen["body"], "qty=2&seat=A7");
    assert_eq!(seen["headers"]["x-custom"], "kept");
    assert_eq!(
        seen["headers"]["waitroom-pass"], pass,
        "the pass is ours, not the fan's"
    );
    assert!(seen["headers"].get("waitroom-bypass").is_none());
    assert_eq!(
        seen["headers"]["cookie"], "theirs=1",
        "our cookies stay with us"
    );
    // The origin's answer is its own: its cookie, none of our page headers.
    assert_eq!(set_cookie(&posted, "origin").as_deref(), Some("1"));
    assert!(posted.header("content-security-policy").is_none());

    // Fan B waits while A holds the one admission.
    let b_first = browse(&api, "/store/item", "").await;
    assert!(
        !from_origin(&b_first) && b_first.status == 200,
        "{}",
        b_first.describe()
    );
    assert!(b_first.content_type().starts_with("text/html"));
    let b_token = format!(
        "__Host-wr_shop={}",
        set_cookie(&b_first, "__Host-wr_shop").expect("B's place")
    );
    assert!(!from_origin(&browse(&api, "/store/item", &b_token).await));

    // Bypass rules: static assets, staff with the secret, an address range; not a wrong secret.
    let statics = browse(&api, "/store/static/app.css", "").await;
    assert!(from_origin(&statics));
    assert_eq!(statics.json["headers"]["waitroom-bypass"], "path");
    assert!(statics.json["headers"].get("waitroom-pass").is_none());
    let staff = send(api.fan().get("/store/item").header("X-Staff", STAFF_SECRET)).await;
    assert_eq!(staff.json["headers"]["waitroom-bypass"], "staff");
    let office = send(
        api.fan()
            .get("/store/item")
            .header("CF-Connecting-IP", "203.0.113.77"),
    )
    .await;
    assert_eq!(office.json["headers"]["waitroom-bypass"], "address");
    let guess = send(
        api.fan()
            .get("/store/item")
            .header("X-Staff", "staff-secret-guess"),
    )
    .await;
    assert!(
        !from_origin(&guess),
        "a wrong staff secret waits: {}",
        guess.describe()
    );
    // Another path of the protected host is the origin's, without a session.
    let about = browse(&api, "/about", "").await;
    assert!(from_origin(&about));
    assert!(about.json["headers"].get("waitroom-pass").is_none());

    // The origin ends A's session: the header stays with us, the cookie is cleared, A's turn is
    // over (their page does not start a new session) and B comes in.
    let done = browse(&api, "/store/done", &format!("{a_token}; {a_session}")).await;
    assert!(from_origin(&done));
    assert!(
        done.header("waitroom-session").is_none(),
        "our instruction stays with us"
    );
    let cleared = done
        .cookie("__Host-wr_session_shop")
        .expect("the session cookie cleared");
    assert_eq!(cleared.attribute("max-age"), Some("0"));
    assert!(
        !from_origin(&browse(&api, "/store/item", &a_token).await),
        "A's turn is over"
    );
    let b = api
        .advancing(
            "B's turn after A's end",
            Duration::from_secs(2),
            Duration::from_secs(60),
            || {
                let (api, cookie) = (api.clone(), b_token.clone());
                async move {
                    let reply = browse(&api, "/store/item", &cookie).await;
                    if from_origin(&reply) {
                        Ok(reply)
                    } else {
                        Err(reply.describe())
                    }
                }
            },
        )
        .await;
    let b_session = format!(
        "__Host-wr_session_shop={}",
        set_cookie(&b, "__Host-wr_session_shop").expect("B's session")
    );

    // Active, B's session is renewed in the second half of its life (60 s); idle, it lapses.
    api.advance(Duration::from_secs(35)).await;
    let renewed = browse(&api, "/store/item", &b_session).await;
    assert!(from_origin(&renewed));
    let b_renewed = format!(
        "__Host-wr_session_shop={}",
        set_cookie(&renewed, "__Host-wr_session_shop").expect("renewed late in its life")
    );
    api.advance(Duration::from_secs(40)).await;
    assert!(
        !from_origin(&browse(&api, "/store/item", &b_session).await),
        "the old cookie lapsed"
    );
    assert!(
        from_origin(&browse(&api, "/store/item", &b_renewed).await),
        "the renewed one holds"
    );

    // The coordinator fails: a session still passes (it needs none), a new fan gets the busy
    // page of a fail-closed sale, the origin of a fail-open one.
    api.admin()
        .create_sale_with("shopopen", {
            let mut s = protected_sale(&api, &origin, &["/open/*"], "open");
            s["protect"]["bypass"] = json!({});
            s
        })
        .await;
    api.admin().open_sale("shopopen").await;
    // The gate worker (another isolate than the edge's, which the promoter's change went
    // through) learns a new protected sale within the lists' life, 5 s (docs/operations.md,
    // "The gate worker").
    api.advance(Duration::from_secs(6)).await;
    assert!(
        !from_origin(&browse(&api, "/open/item", "").await),
        "the open sale queues when well"
    );
    w.set_fault("shop", 0, true).await;
    w.set_fault("shopopen", 0, true).await;
    assert!(from_origin(&browse(&api, "/store/item", &b_renewed).await));
    let closed = browse(&api, "/store/item", "").await;
    assert_eq!(closed.status, 503, "{}", closed.describe());
    assert!(closed.header("retry-after").is_some());
    assert!(!from_origin(&closed));
    let open = browse(&api, "/open/item", "").await;
    assert!(from_origin(&open), "{}", open.describe());
    assert_eq!(open.json["headers"]["waitroom-bypass"], "fail_open");
}

/// The cost of a pass-through (docs/capacity.md, "Path protection"): medians of sequential GETs
/// straight to the origin and through the worker with a session, side by side, on this machine.
/// A measurement, not a test (it asserts only that every request passed): run it alone with
/// `cargo test --test api pass_through_cost -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn pass_through_cost() {
    const N: usize = 300;
    let origin = EchoOrigin::start().await;
    let w = TestWorker::start_with_faults().await;
    let api = w.handle();
    api.admin()
        .create_sale_with(
            "shop",
            protected_sale(&api, &origin, &["/store/*"], "closed"),
        )
        .await;
    api.admin().open_sale("shop").await;
    let (_, session, _) = admitted(&api, "/store/item").await;
    let direct = reqwest::Client::new();
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for i in 0..2 * N {
        let started = std::time::Instant::now();
        if i % 2 == 0 {
            let r = direct
                .get(format!("{}/store/item", origin.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["x-origin"], "echo");
            r.bytes().await.unwrap();
        } else {
            let r = browse(&api, "/store/item", &session).await;
            assert!(from_origin(&r));
        }
        times[i % 2].push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let stat = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[((v.len() as f64 - 1.0) * q).round() as usize]
    };
    let [mut d, mut p] = times;
    println!(
        "pass-through cost, {N} GETs each, interleaved: direct median {:.2} ms p90 {:.2} ms; through the worker median {:.2} ms p90 {:.2} ms",
        stat(&mut d, 0.5),
        stat(&mut d, 0.9),
        stat(&mut p, 0.5),
        stat(&mut p, 0.9)
    );
}
