//! Sale ids nobody created, at scale and with the registry failing (issue 19): the edge knows
//! the sales from the registry's whole list, cached and versioned (docs/operations.md, "Which
//! sales exist"), so a flood of random ids (joins, polls, pages, info, draws) is answered 404
//! without any object request per id, creates no object and no file, and calls the registry a
//! bounded number of times (about one list per isolate per 5 s, whatever the number of ids).
//! With the registry failing, a sale the edge listed still works, an unknown id is 503 `busy`
//! with `Retry-After` (never a coordinator), and nothing is created; a sale created meanwhile is
//! reachable at once through the isolate that created it.

use super::edge_cost::sqlite_files;
use crate::support::http::send_busy_ok;
use crate::support::random::random_bytes;
use crate::support::{send, TestWorker};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SALE: &str = "listed-sale";
const RANDOM_IDS: usize = 2_000;
const TASKS: usize = 20;

/// The registry's commands so far, by kind (its test switch answers them).
async fn registry_calls(w: &TestWorker, fail: bool) -> Value {
    send(
        w.admin()
            .put("/api/admin/test/registry")
            .json(&json!({ "fail": fail })),
    )
    .await
    .expect(200, "registry switch")["calls_by_kind"]
        .clone()
}

fn count(calls: &Value, kind: &str) -> u64 {
    calls[kind].as_u64().unwrap_or(0)
}

fn random_id() -> String {
    let hex: String = random_bytes(8).iter().map(|b| format!("{b:02x}")).collect();
    format!("rnd-{hex}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_sale_ids_cost_no_object_and_a_bounded_number_of_registry_calls() {
    let w = TestWorker::start_with_faults().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;
    let fan = w.fan().join(SALE).await;
    let token = Arc::new(fan.token.clone());

    // A flood of random ids: joins, polls (a real fan's token on another sale's path), pages,
    // info and draws. Every one 404 (the poll: refused for its token), none a 5xx.
    let before = registry_calls(&w, false).await;
    let files_before = sqlite_files(w.state_dir());
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (api, token) = (w.handle(), Arc::clone(&token));
            tokio::spawn(async move {
                for i in 0..RANDOM_IDS / TASKS {
                    let id = random_id();
                    let fan = api.fan();
                    let (what, reply) = match i % 5 {
                        0 => (
                            "join",
                            send(fan.post(&format!("/api/sales/{id}/join"))).await,
                        ),
                        1 => (
                            "poll",
                            send(
                                fan.get(&format!("/api/sales/{id}/status"))
                                    .bearer_auth(&*token),
                            )
                            .await,
                        ),
                        2 => ("page", send(fan.get(&format!("/s/{id}"))).await),
                        3 => ("info", send(fan.get(&format!("/api/sales/{id}"))).await),
                        _ => (
                            "draw",
                            send(fan.get(&format!("/api/sales/{id}/draw"))).await,
                        ),
                    };
                    let what = format!("{what} of unknown sale {id}");
                    match what.as_str() {
                        w if w.starts_with("poll") => assert!(
                            reply.status.is_client_error(),
                            "{what}: {}",
                            reply.describe()
                        ),
                        w if w.starts_with("page") => {
                            assert_eq!(reply.status, 404, "{what}: {}", reply.describe())
                        }
                        _ => reply.expect_error(404, "sale_not_found", &what),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("random id task");
    }
    let elapsed = started.elapsed();
    let after = registry_calls(&w, false).await;
    let files_after = sqlite_files(w.state_dir());
    let catalogs = count(&after, "catalog") - count(&before, "catalog");
    let exists = count(&after, "exists") - count(&before, "exists");
    println!(
        "unknown_sales: {RANDOM_IDS} random ids in {elapsed:.1?}: registry calls {before} -> \
         {after} ({catalogs} lists, {exists} single-id questions); SQLite files \
         {files_before} -> {files_after}"
    );
    assert_eq!(files_after, files_before, "random sale ids created files");
    assert_eq!(exists, 0, "the edge asked the registry about single ids");
    // About one list per isolate (the edge's and the full worker's) per 5 s, and one each at
    // the start: never one per id.
    let bound = 2 * (elapsed.as_secs() / 5 + 2);
    assert!(
        catalogs <= bound,
        "{catalogs} registry lists for {RANDOM_IDS} ids in {elapsed:.1?} (bound {bound})"
    );

    // The registry fails, and the list the edge holds is past its 5 s: the listed sale still
    // works, a random id is busy (never 404 from an old list, never a coordinator).
    w.advance(Duration::from_secs(6)).await;
    registry_calls(&w, true).await;
    let status = w.fan().status(SALE, &fan.token).await;
    assert!(status["state"].is_string(), "{status}");
    send(w.fan().get(&format!("/api/sales/{SALE}")))
        .await
        .expect(200, "a listed sale's info while the registry fails");
    // (Moving the clock may have made the listed sale's objects write: counted from here.)
    let files_failing = sqlite_files(w.state_dir());
    for path in ["/api/sales/{id}/join", "/api/sales/{id}"] {
        let id = random_id();
        let path = path.replace("{id}", &id);
        let request = if path.ends_with("/join") {
            w.fan().post(&path)
        } else {
            w.fan().get(&path)
        };
        let reply = send_busy_ok(request).await;
        reply.expect_error(503, "busy", &format!("{path} with the registry failing"));
        let retry: u64 = reply
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{path}: no Retry-After: {}", reply.describe()));
        assert!(retry >= 1, "{path}: Retry-After {retry}");
    }
    assert_eq!(
        sqlite_files(w.state_dir()),
        files_failing,
        "unknown ids created files while the registry failed"
    );

    // The registry answers again; a sale created now is reachable at once (the isolate that
    // took the promoter's change learned the new list).
    registry_calls(&w, false).await;
    w.admin().create_sale("created-now", None).await;
    w.admin().open_sale("created-now").await;
    w.fan().join("created-now").await;
}
