//! Client mistakes: each gets the documented 4xx and changes nothing.

use crate::helpers::{send, Authed, TestWorker, PURCHASE_URL};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

const SALE: &str = "bad-input";
const OTHER: &str = "bad-input-other";
const SCHEDULED: &str = "bad-input-scheduled";

/// What a case must answer.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// This status and this `error` code (docs/api.md names both).
    Error(u16, &'static str),
    /// This status with an `{error, message}` body; docs/api.md names no code.
    Status(u16),
    /// This status, an error naming the field (`invalid_field`).
    InvalidField(&'static str),
    /// The HTML page route: 400 or 404.
    PageRefused,
    /// Some 4xx (docs/api.md leaves it open; a 5xx is never right).
    ClientError,
}

struct Case {
    what: String,
    request: RequestBuilder,
    expect: Expect,
}

/// The state a refused request must not touch: every sale's report (minus the request counters
/// and the time-dependent admission rate) and the list of sales.
async fn state(w: &TestWorker) -> Value {
    let mut out = json!({});
    for sale in [SALE, OTHER, SCHEDULED] {
        let mut report = w.report(sale).await;
        let obj = report.as_object_mut().expect("report is an object");
        obj.remove("coordinator_requests");
        obj.remove("coordinator_requests_by_kind");
        if let Some(stats) = obj.get_mut("stats").and_then(Value::as_object_mut) {
            stats.remove("admission_rate");
        }
        // Minutes with something in them (a report may list empty minutes up to now).
        if let Some(Value::Array(minutes)) = obj.get_mut("minutes") {
            minutes.retain(|m| {
                m["arrivals"].as_u64().unwrap_or(0) + m["admissions"].as_u64().unwrap_or(0) > 0
            });
        }
        out[sale] = report;
    }
    let list = send(w.admin().get("/api/admin/sales"))
        .await
        .expect(200, "list sales");
    let mut ids: Vec<String> = list["sales"]
        .as_array()
        .unwrap_or_else(|| panic!("no sales array: {list}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    out["sales"] = json!(ids);
    out
}

/// The same token with one character changed at `index` (keeping it base64url).
fn flip(token: &str, index: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ascii")
}

/// The index of the middle character of the `segment`-th dot-separated part of a token.
fn middle_of(token: &str, segment: usize) -> usize {
    let mut start = 0;
    for (i, part) in token.split('.').enumerate() {
        if i == segment {
            return start + part.len() / 2;
        }
        start += part.len() + 1;
    }
    panic!("token {token} has no segment {segment}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input() {
    let w = TestWorker::start().await;
    for sale in [SALE, OTHER, SCHEDULED] {
        w.create_sale(sale, None).await;
    }
    w.open_sale(SALE).await;
    w.open_sale(OTHER).await;
    let fans = [w.join(SALE).await, w.join(SALE).await, w.join(SALE).await];
    let other_fan = w.join(OTHER).await;
    let pulled = w.pull(SALE, "w1", 1, Some("r1")).await;
    assert_eq!(pulled.assignments.len(), 1);

    let (admin, origin, fan) = (w.admin(), w.origin(), w.fan());
    let wrong = w.bearer("not-the-key-0123456789abcdefghijklmnopqrstuvwxyz");
    let valid_sale = json!({ "name": "Renamed", "purchase_url": PURCHASE_URL });
    let valid_pull = json!({ "window": "w1", "max": 1 });
    let sale_path = format!("/api/admin/sales/{SALE}");
    let pull_path = format!("/api/origin/sales/{SALE}/pull");
    let status_path = format!("/api/sales/{SALE}/status");
    let join_path = format!("/api/sales/{SALE}/join");
    let complete_path =
        |fan_id: &str| format!("/api/origin/sales/{SALE}/assignments/{fan_id}/complete");
    let big = "x".repeat(70 * 1024);

    let mut cases: Vec<Case> = Vec::new();
    let mut case = |what: &str, request: RequestBuilder, expect: Expect| {
        cases.push(Case {
            what: what.to_owned(),
            request,
            expect,
        });
    };
    let raw = |a: &Authed, method: Method, path: &str, body: &str| {
        a.request(method, path)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_owned())
    };

    // Pull bodies.
    for (what, body) in [
        ("pull: not JSON", r#"{"window": "w1", "max":"#),
        ("pull: not an object", "[1, 2]"),
        ("pull: no window", r#"{"max": 1}"#),
        ("pull: max is a string", r#"{"window": "w1", "max": "5"}"#),
        ("pull: empty body", ""),
    ] {
        case(
            what,
            raw(&origin, Method::POST, &pull_path, body),
            Expect::Error(400, "bad_json"),
        );
    }
    for max in [0, 101, 1000] {
        case(
            &format!("pull: max {max}"),
            origin
                .post(&pull_path)
                .json(&json!({"window": "w1", "max": max})),
            Expect::Status(400),
        );
    }
    for window in ["w 1", "", &"w".repeat(65), "w/1"] {
        let body = json!({ "window": window, "max": 1 });
        case(
            &format!("pull: window {window:?}"),
            origin.post(&pull_path).json(&body),
            Expect::Status(400),
        );
    }
    for request_id in ["r 1", "", &"r".repeat(129)] {
        let body = json!({ "window": "w1", "max": 1, "request_id": request_id });
        case(
            &format!("pull: request_id {request_id:?}"),
            origin.post(&pull_path).json(&body),
            Expect::Status(400),
        );
    }
    case(
        "pull: request_id reused with another max",
        origin
            .post(&pull_path)
            .json(&json!({"window": "w1", "max": 2, "request_id": "r1"})),
        Expect::Error(409, "request_id_reused"),
    );
    case(
        "pull: request_id reused with another window",
        origin
            .post(&pull_path)
            .json(&json!({"window": "w2", "max": 1, "request_id": "r1"})),
        Expect::Error(409, "request_id_reused"),
    );
    case(
        "pull: body over 64 KiB",
        origin
            .post(&pull_path)
            .json(&json!({"window": "w1", "max": 1, "pad": big})),
        Expect::Error(413, "body_too_large"),
    );

    // Sale settings.
    for (what, body) in [
        ("put: not JSON", "{\"name\": \"x\""),
        ("put: not an object", "\"sale\""),
        (
            "put: no name",
            &format!(r#"{{"purchase_url": "{PURCHASE_URL}"}}"#),
        ),
        (
            "put: unknown field",
            &format!(r#"{{"name": "x", "purchase_url": "{PURCHASE_URL}", "colour": "red"}}"#),
        ),
        (
            "put: claim_ttl_s is a string",
            &format!(r#"{{"name": "x", "purchase_url": "{PURCHASE_URL}", "claim_ttl_s": "60"}}"#),
        ),
    ] {
        case(
            what,
            raw(&admin, Method::PUT, &sale_path, body),
            Expect::Error(400, "bad_json"),
        );
    }
    case(
        "put: body over 64 KiB",
        admin
            .put(&sale_path)
            .json(&json!({"name": big, "purchase_url": PURCHASE_URL})),
        Expect::Error(413, "body_too_large"),
    );
    let field_cases: Vec<(&str, Value)> = vec![
        ("name", json!({"name": "", "purchase_url": PURCHASE_URL})),
        (
            "purchase_url",
            json!({"name": "x", "purchase_url": "not a url"}),
        ),
        (
            "purchase_url",
            json!({"name": "x", "purchase_url": "ftp://example.com/buy"}),
        ),
        (
            "purchase_url",
            json!({"name": "x", "purchase_url": "/relative/buy"}),
        ),
        (
            "purchase_url",
            json!({"name": "x", "purchase_url": "https://example.com/buy#frag"}),
        ),
        (
            "opens_at",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "opens_at": "tomorrow"}),
        ),
        (
            "opens_at",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "opens_at": "2030-13-01T00:00:00Z"}),
        ),
        (
            "claim_ttl_s",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "claim_ttl_s": 9}),
        ),
        (
            "claim_ttl_s",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "claim_ttl_s": 3601}),
        ),
        (
            "pass_ttl_s",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "pass_ttl_s": 29}),
        ),
        (
            "pass_ttl_s",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "pass_ttl_s": 86401}),
        ),
        (
            "branding.color",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "branding": {"color": "red"}}),
        ),
        (
            "branding.logo_url",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "branding": {"logo_url": "javascript:alert(1)"}}),
        ),
        (
            "branding.message",
            json!({"name": "x", "purchase_url": PURCHASE_URL, "branding": {"message": "m".repeat(1001)}}),
        ),
    ];
    for (field, body) in &field_cases {
        case(
            &format!("put (update): bad {field}: {body}"),
            admin.put(&sale_path).json(body),
            Expect::InvalidField(field),
        );
    }
    for (field, body) in field_cases.iter().take(3) {
        let path = "/api/admin/sales/bad-input-new";
        case(
            &format!("put (create): bad {field}: {body}"),
            admin.put(path).json(body),
            Expect::InvalidField(field),
        );
    }

    // Sale ids.
    for id in ["UPPER", "-x", &"a".repeat(65), "a_b"] {
        let e = Expect::Error(400, "bad_sale_id");
        case(
            &format!("info: sale id {id:?}"),
            fan.get(&format!("/api/sales/{id}")),
            e,
        );
        case(
            &format!("join: sale id {id:?}"),
            fan.post(&format!("/api/sales/{id}/join")),
            e,
        );
        case(
            &format!("status: sale id {id:?}"),
            w.bearer(&fans[1].token)
                .get(&format!("/api/sales/{id}/status")),
            e,
        );
        case(
            &format!("put: sale id {id:?}"),
            admin
                .put(&format!("/api/admin/sales/{id}"))
                .json(&valid_sale),
            e,
        );
        case(
            &format!("open: sale id {id:?}"),
            admin.post(&format!("/api/admin/sales/{id}/open")),
            e,
        );
        case(
            &format!("pull: sale id {id:?}"),
            origin
                .post(&format!("/api/origin/sales/{id}/pull"))
                .json(&valid_pull),
            e,
        );
        case(
            &format!("page: sale id {id:?}"),
            fan.get(&format!("/s/{id}")),
            Expect::PageRefused,
        );
    }

    // Keys.
    let unauthorized = Expect::Error(401, "unauthorized");
    for (who, a) in [
        ("no key", &fan),
        ("a wrong key", &wrong),
        ("the origin key", &origin),
    ] {
        case(
            &format!("report with {who}"),
            a.get(&sale_path),
            unauthorized,
        );
        case(
            &format!("list with {who}"),
            a.get("/api/admin/sales"),
            unauthorized,
        );
        case(
            &format!("put with {who}"),
            a.put(&sale_path).json(&valid_sale),
            unauthorized,
        );
        case(
            &format!("create with {who}"),
            a.put("/api/admin/sales/bad-input-new").json(&valid_sale),
            unauthorized,
        );
        case(
            &format!("close with {who}"),
            a.post(&format!("{sale_path}/close")),
            unauthorized,
        );
        case(
            &format!("open scheduled with {who}"),
            a.post(&format!("/api/admin/sales/{SCHEDULED}/open")),
            unauthorized,
        );
    }
    for (who, a) in [
        ("no key", &fan),
        ("a wrong key", &wrong),
        ("the admin key", &admin),
    ] {
        case(
            &format!("pull with {who}"),
            a.post(&pull_path).json(&valid_pull),
            unauthorized,
        );
        case(
            &format!("complete with {who}"),
            a.post(&complete_path(&fans[0].fan_id)),
            unauthorized,
        );
        let release = format!(
            "/api/origin/sales/{SALE}/assignments/{}/release",
            fans[0].fan_id
        );
        case(
            &format!("release with {who}"),
            a.post(&release),
            unauthorized,
        );
        case(
            &format!("assignments with {who}"),
            a.get(&format!("/api/origin/sales/{SALE}/assignments")),
            unauthorized,
        );
    }
    case(
        "pull with Basic auth",
        fan.post(&pull_path)
            .header(AUTHORIZATION, format!("Basic {}", w.origin_key))
            .json(&valid_pull),
        unauthorized,
    );

    // Queue tokens.
    let token = &fans[1].token;
    let bad_token = Expect::Error(401, "bad_token");
    case("status: no token", fan.get(&status_path), bad_token);
    case(
        "status: garbage token",
        w.bearer("garbage").get(&status_path),
        bad_token,
    );
    case(
        "status: tampered signature",
        w.bearer(&flip(token, middle_of(token, 3)))
            .get(&status_path),
        bad_token,
    );
    case(
        "status: tampered payload",
        w.bearer(&flip(token, middle_of(token, 2)))
            .get(&status_path),
        bad_token,
    );
    case(
        "status: truncated token",
        w.bearer(&token[..token.len() - 4]).get(&status_path),
        bad_token,
    );
    case(
        "status: another sale's token",
        w.bearer(&other_fan.token).get(&status_path),
        bad_token,
    );
    case(
        "status: garbage cookie",
        fan.get(&status_path)
            .header(COOKIE, format!("wr_{SALE}=garbage")),
        bad_token,
    );
    case(
        "join: garbage Bearer",
        w.bearer("garbage").post(&join_path),
        Expect::Status(401),
    );
    case(
        "join: tampered Bearer",
        w.bearer(&flip(token, middle_of(token, 3))).post(&join_path),
        Expect::Status(401),
    );

    // Assignments.
    let not_found = Expect::Error(404, "assignment_not_found");
    case(
        "complete: unknown fan",
        origin.post(&complete_path("fan_00000000000000000000")),
        not_found,
    );
    case(
        "release: unknown fan",
        origin.post(&format!(
            "/api/origin/sales/{SALE}/assignments/fan_00000000000000000000/release"
        )),
        not_found,
    );
    case(
        "complete: a fan still waiting",
        origin.post(&complete_path(&fans[2].fan_id)),
        not_found,
    );
    case(
        "complete: another sale's fan",
        origin.post(&complete_path(&other_fan.fan_id)),
        not_found,
    );
    for query in [
        "state=bogus",
        "limit=0",
        "limit=5000",
        "limit=abc",
        "window=w%201",
    ] {
        let path = format!("/api/origin/sales/{SALE}/assignments?{query}");
        case(
            &format!("assignments?{query}"),
            origin.get(&path),
            Expect::ClientError,
        );
    }

    // Phases, methods, paths.
    case(
        "pause before opening",
        admin.post(&format!("/api/admin/sales/{SCHEDULED}/pause")),
        Expect::Error(409, "not_open"),
    );
    case(
        "join before opening",
        fan.post(&format!("/api/sales/{SCHEDULED}/join")),
        Expect::Error(409, "not_open"),
    );
    case(
        "info of an unknown sale",
        fan.get("/api/sales/no-such-sale"),
        Expect::Error(404, "sale_not_found"),
    );
    case(
        "join an unknown sale",
        fan.post("/api/sales/no-such-sale/join"),
        Expect::Status(404),
    );
    case(
        "report of an unknown sale",
        admin.get("/api/admin/sales/no-such-sale"),
        Expect::Status(404),
    );
    case(
        "open an unknown sale",
        admin.post("/api/admin/sales/no-such-sale/open"),
        Expect::Status(404),
    );
    case(
        "pull from an unknown sale",
        origin
            .post("/api/origin/sales/no-such-sale/pull")
            .json(&valid_pull),
        Expect::Status(404),
    );
    let not_allowed = Expect::Error(405, "method_not_allowed");
    case(
        "DELETE a sale",
        admin.request(Method::DELETE, &sale_path),
        not_allowed,
    );
    case("GET join", fan.get(&join_path), not_allowed);
    case(
        "POST status",
        w.bearer(token).post(&status_path),
        not_allowed,
    );
    case("GET pull", origin.get(&pull_path), not_allowed);
    case(
        "unknown admin path",
        admin.get(&format!("{sale_path}/explode")),
        Expect::Error(404, "not_found"),
    );

    let before = state(&w).await;
    let mut undocumented_codes = Vec::new();
    let count = cases.len();
    for Case {
        what,
        request,
        expect,
    } in cases
    {
        let reply = send(request).await;
        let got = format!(
            "{} {}",
            reply.status,
            reply.text.chars().take(300).collect::<String>()
        );
        match expect {
            Expect::Error(status, code) => reply.expect_error(status, code, &what),
            Expect::Status(status) => {
                assert_eq!(reply.status.as_u16(), status, "{what}: got {got}");
                reply.assert_error_shape(&what);
                undocumented_codes.push(format!("{what}: {status} {}", reply.json["error"]));
            }
            Expect::InvalidField(field) => {
                reply.expect_error(400, "invalid_field", &what);
                // docs/api.md: "400 `invalid_field` with `field`".
                assert_eq!(
                    reply.json["field"], field,
                    "{what}: the error names the field: {got}"
                );
            }
            Expect::PageRefused => {
                assert!(
                    matches!(reply.status.as_u16(), 400 | 404),
                    "{what}: got {got}"
                );
            }
            Expect::ClientError => {
                assert!(reply.status.is_client_error(), "{what}: got {got}");
                undocumented_codes.push(format!(
                    "{what}: {} {}",
                    reply.status.as_u16(),
                    reply.json["error"]
                ));
            }
        }
        let after = state(&w).await;
        assert_eq!(after, before, "{what} changed something");
    }

    // The comparison does see changes: a valid update shows up.
    send(admin.put(&sale_path).json(&valid_sale))
        .await
        .expect(200, "valid update");
    assert_ne!(state(&w).await, before, "a valid update changes the report");
    println!(
        "bad_input: {count} refused requests, none changed anything; codes the docs leave open:"
    );
    for line in undocumented_codes {
        println!("  {line}");
    }
}
