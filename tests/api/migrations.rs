//! Stored state survives an upgrade: tests/fixtures/state-v1 is the state directory that the
//! release before schema versioning wrote (a sale mid-way in every assignment state, pulls, a
//! sharded sale with its shards' blocks, the registry), with the keys it ran with and a manifest of
//! what it held. The new worker starts on a copy, migrates each object's storage on first use, and
//! must find every fan, assignment and pull where it was.
//!
//! `write_state_v1_fixture` (ignored) is how the fixture was made, kept for the record: run against
//! a worker built from the release it captures, it writes a new fixture directory. Never
//! regenerate `state-v1` with a newer release: add `state-v2` instead.

use crate::support::worker_files::{copy_tree, WorkerFiles};
use crate::support::{send, Joined, TestWorker};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PURCHASE_URL: &str = "https://tickets.example/buy";

/// Long-lived: assigned and claimed assignments keep their state for an hour / a day.
const LINE: &str = "fixture-line";
/// Short deadlines: lapsed and expired assignments.
const TIMEOUTS: &str = "fixture-timeouts";
/// Presence on: fans who stopped polling are `left` at their turn.
const LEFT: &str = "fixture-left";
/// Four arrival shards with their blocks.
const SHARDS: &str = "fixture-shards";

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Every assignment of a sale, through the origin's listing (all states, newest first).
async fn all_assignments(w: &TestWorker, sale: &str) -> Vec<Value> {
    let body = send(
        w.origin()
            .get(&format!("/api/origin/sales/{sale}/assignments?limit=1000")),
    )
    .await
    .expect(200, "assignments");
    body["assignments"].as_array().expect("assignments").clone()
}

fn waiting(fans: &[Joined], after_seq: u64) -> Value {
    let mut fans: Vec<&Joined> = fans.iter().filter(|f| f.seq > after_seq).collect();
    fans.sort_by_key(|f| f.seq);
    Value::Array(
        fans.iter()
            .map(|f| json!({ "fan_id": f.fan_id, "seq": f.seq }))
            .collect(),
    )
}

fn pull_record(request_id: &str, pulled: &crate::support::Pulled) -> Value {
    json!({
        "request_id": request_id,
        "window": pulled.assignments.first().map(|a| a.window.clone()),
        "fans": pulled.assignments.iter().map(|a| json!({ "fan_id": a.fan_id, "seq": a.seq })).collect::<Vec<_>>(),
    })
}

/// An RFC 3339 time from the API, as Unix milliseconds.
fn unix_ms(text: &Value) -> i128 {
    let text = text.as_str().unwrap_or_else(|| panic!("a time: {text}"));
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .unix_timestamp_nanos()
        / 1_000_000
}

/// The state an assignment of the fixture must be in now: as stored, unless its deadline has
/// passed since (as it would have without the upgrade): an unclaimed turn lapses at `expires_at`,
/// a claimed pass expires at `pass_expires_at`.
fn expected_state(assignment: &Value, claimed: &[Value], now_ms: i128) -> String {
    let state = assignment["state"].as_str().unwrap().to_owned();
    if state != "assigned" {
        return state;
    }
    match claimed.iter().find(|c| c["seq"] == assignment["seq"]) {
        Some(c) if unix_ms(&c["pass_expires_at"]) < now_ms => "expired".into(),
        None if unix_ms(&assignment["expires_at"]) < now_ms => "lapsed".into(),
        _ => state,
    }
}

/// The `schema_version` of an SQLite database, if it has one.
fn schema_version(db: &Path) -> Option<i64> {
    let db = rusqlite::Connection::open(db).expect("open sqlite");
    db.query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .ok()
}

/// The `.sqlite` files of one Durable Object class (the runtime's own `metadata.sqlite` aside).
fn object_databases(state_dir: &Path, class: &str) -> Vec<PathBuf> {
    let dir = state_dir.join("v3/do").join(format!("waitroom-{class}"));
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "sqlite")
                && p.file_name().is_some_and(|n| n != "metadata.sqlite")
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn state_of_the_release_before_versioning_survives_the_upgrade() {
    let fixture = fixture_dir("state-v1");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.join("manifest.json")).expect("read manifest"),
    )
    .expect("manifest");
    for db in object_databases(&fixture.join("state"), "SaleCoordinator") {
        assert_eq!(
            schema_version(&db),
            None,
            "the fixture is unversioned: {}",
            db.display()
        );
    }
    let w = TestWorker::start_with(WorkerFiles::copied_from(&fixture)).await;
    let now_ms = i128::from(w.now().as_millis() as u64);

    // The registry still lists every sale.
    let listed = send(w.admin().get("/api/admin/sales"))
        .await
        .expect(200, "list sales");
    let ids: Vec<&str> = listed["sales"]
        .as_array()
        .expect("sales")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for sale in [LINE, TIMEOUTS, LEFT, SHARDS] {
        assert!(ids.contains(&sale), "{sale} listed: {listed}");
    }

    for (sale, stored) in manifest["sales"].as_object().expect("sales") {
        let claimed = stored["claimed"].as_array().expect("claimed").clone();
        // Every assignment: same fan, place, window, times, and state (or where its deadline
        // took it since).
        let mut found = all_assignments(&w, sale).await;
        found.reverse();
        let stored_assignments = stored["assignments"].as_array().expect("assignments");
        assert_eq!(found.len(), stored_assignments.len(), "{sale}: {found:#?}");
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for (now, before) in found.iter().zip(stored_assignments) {
            let state = expected_state(before, &claimed, now_ms);
            *counts.entry(state.clone()).or_default() += 1;
            for field in ["fan_id", "seq", "window", "assigned_at", "claimed_at"] {
                assert_eq!(
                    now[field], before[field],
                    "{sale}: {field} of {before}: {now}"
                );
            }
            assert_eq!(now["state"], state.as_str(), "{sale}: {before}: {now}");
            if now["state"] == before["state"] {
                assert_eq!(now, before, "{sale}: unchanged");
            }
        }
        // Every pull's fans, in the pull's window at the same place.
        for pull in stored["pulls"].as_array().expect("pulls") {
            for fan in pull["fans"].as_array().expect("fans") {
                assert!(
                    found.iter().any(|a| a["fan_id"] == fan["fan_id"]
                        && a["seq"] == fan["seq"]
                        && a["window"] == pull["window"]),
                    "{sale}: pull {} handed out {fan}: {found:#?}",
                    pull["request_id"]
                );
            }
        }
        // The numbers.
        let report = w.admin().report(sale).await;
        assert_eq!(report["phase"], stored["phase"], "{sale}: {report}");
        let (stats, before) = (&report["stats"], &stored["stats"]);
        for field in ["joined", "waiting", "pending"] {
            assert_eq!(stats[field], before[field], "{sale}: {field}: {report}");
        }
        for state in ["completed", "released", "lapsed", "left", "expired"] {
            assert_eq!(
                stats[state].as_u64(),
                Some(counts.get(state).copied().unwrap_or(0)),
                "{sale}: {state}: {report}"
            );
        }
        let still_claimed = claimed
            .iter()
            .filter(|c| {
                found
                    .iter()
                    .any(|a| a["seq"] == c["seq"] && a["state"] == "assigned")
            })
            .count() as u64;
        assert_eq!(
            stats["claimed"].as_u64(),
            Some(still_claimed),
            "{sale}: {report}"
        );

        // The waiting fans, in the same order: a window gets them one after the other.
        let waiting = stored["waiting"].as_array().expect("waiting");
        if waiting.is_empty() {
            continue;
        }
        let pulled = w
            .origin()
            .pull(
                sale,
                "after-upgrade",
                waiting.len() as u32,
                Some("after-upgrade"),
            )
            .await;
        let got: Vec<Value> = pulled
            .assignments
            .iter()
            .map(|a| json!({ "fan_id": a.fan_id, "seq": a.seq }))
            .collect();
        assert_eq!(&got, waiting, "{sale}: the line's order survived");
        // The line goes on after the last number handed out.
        let last = waiting
            .iter()
            .filter_map(|f| f["seq"].as_u64())
            .max()
            .unwrap();
        let newcomer = w.fan().join(sale).await;
        assert!(newcomer.seq > last, "{sale}: a new number: {newcomer:?}");
        assert_eq!(newcomer.position, 1, "{sale}: {newcomer:?}");
    }
    // The line sale's numbers are dense: exactly the next one.
    let again = w.fan().join(LINE).await;
    assert_eq!(again.seq, 22, "{again:?}");

    // Every object that ran is at its latest schema version.
    let files = w.stop();
    for (class, version) in [("SaleCoordinator", 10), ("SaleRegistry", 2)] {
        for db in object_databases(&files.state_dir, class) {
            assert_eq!(schema_version(&db), Some(version), "{}", db.display());
        }
    }
    let shards = object_databases(&files.state_dir, "ArrivalShard");
    assert!(
        shards.iter().any(|db| schema_version(db) == Some(3)),
        "the shard that numbered the newcomer migrated (version 2: members' places; 3: lent sub-blocks, one row each)"
    );
    for db in shards.iter().filter(|db| schema_version(db) == Some(3)) {
        let db = rusqlite::Connection::open(db).expect("open");
        let columns: Vec<String> = db
            .prepare("SELECT name FROM pragma_table_info('lent')")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(columns, ["block", "start", "len", "until_ms", "reported"]);
        // The state row, read after the upgrade, is written back without sub-blocks in it.
        let body: String = db
            .query_row("SELECT body FROM shard", [], |row| row.get(0))
            .unwrap();
        let state: Value = serde_json::from_str(&body).unwrap();
        assert!(state["numbering"]["block"].get("lent").is_none(), "{body}");
    }
    let db = rusqlite::Connection::open(&object_databases(&files.state_dir, "SaleCoordinator")[0])
        .expect("open");
    let columns: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('assignments')")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        columns,
        ["seq", "body", "fan_id", "window", "state", "finished_at"],
        "assignments keep their columns"
    );
}

/// Writes `tests/fixtures/$FIXTURE_NAME` (default `state-new`) from the worker in build/.
#[tokio::test]
#[ignore = "writes a fixture; run by hand against the release to capture"]
async fn write_state_v1_fixture() {
    let name = std::env::var("FIXTURE_NAME").unwrap_or_else(|_| "state-new".to_owned());
    // With the test switch: the deadlines are run through on the worker's clock (docs/api.md,
    // "Testing"). The fixture's env file leaves it out.
    let w = TestWorker::start_with_faults().await;
    let mut manifest = json!({ "sales": {} });
    let mut pulls: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut claimed: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut waiting_fans: BTreeMap<&str, Value> = BTreeMap::new();

    // The timed sale first: its deadlines run while the others are made.
    let create = |sale: &str, extra: Value| {
        let mut body = json!({ "name": format!("Fixture {sale}"), "purchase_url": PURCHASE_URL });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        (sale.to_owned(), body)
    };
    for (sale, body) in [
        create(
            TIMEOUTS,
            json!({ "claim_ttl_s": 10, "pass_ttl_s": 30, "presence_ttl_s": 0 }),
        ),
        create(
            LINE,
            json!({ "claim_ttl_s": 3600, "pass_ttl_s": 86400, "presence_ttl_s": 0 }),
        ),
        create(
            LEFT,
            json!({ "claim_ttl_s": 3600, "pass_ttl_s": 86400, "presence_ttl_s": 10 }),
        ),
        create(
            SHARDS,
            json!({ "claim_ttl_s": 3600, "pass_ttl_s": 86400, "presence_ttl_s": 0, "shards": 4 }),
        ),
    ] {
        w.admin().create_sale_with(&sale, body).await;
        w.admin().open_sale(&sale).await;
    }

    // Timeouts: fan 1 lapses, fan 2 claims and its pass expires; fans 3 and 4 wait.
    let mut t_fans = Vec::new();
    for _ in 0..4 {
        t_fans.push(w.fan().join(TIMEOUTS).await);
    }
    let pulled = w.origin().pull(TIMEOUTS, "w1", 2, Some("v1-pull-c")).await;
    pulls
        .entry(TIMEOUTS)
        .or_default()
        .push(pull_record("v1-pull-c", &pulled));
    w.fan()
        .wait_for_state(TIMEOUTS, &t_fans[1].token, "your_turn")
        .await;
    let timeouts_claimed_at = w.now();
    waiting_fans.insert(TIMEOUTS, waiting(&t_fans, 2));

    // Left: three fans who never poll.
    let mut l_fans = Vec::new();
    for _ in 0..3 {
        l_fans.push(w.fan().join(LEFT).await);
    }
    // A join on a new block (a block serves one second) makes the coordinator note that these
    // three are near the front: their presence time starts.
    w.advance(Duration::from_millis(1500)).await;
    l_fans.push(w.fan().join(LEFT).await);
    let left_joined_at = w.now();

    // The line: 20 fans; w1 gets 1..=5 (1 completed, 2 released, 3 claimed, 4 and 5 assigned),
    // w2 gets 6..=8 (assigned); 9..=20 wait.
    let mut fans = Vec::new();
    for _ in 0..20 {
        fans.push(w.fan().join(LINE).await);
    }
    let a = w.origin().pull(LINE, "w1", 5, Some("v1-pull-a")).await;
    pulls
        .entry(LINE)
        .or_default()
        .push(pull_record("v1-pull-a", &a));
    for fan in &fans[0..3] {
        let turn = w.fan().wait_for_state(LINE, &fan.token, "your_turn").await;
        if fan.seq == 3 {
            claimed.entry(LINE).or_default().push(json!({
                "fan_id": fan.fan_id, "seq": fan.seq, "pass_expires_at": turn["pass_expires_at"],
            }));
        }
    }
    w.origin()
        .finish(LINE, &fans[0].fan_id, "complete")
        .await
        .expect(200, "complete");
    w.origin()
        .finish(LINE, &fans[1].fan_id, "release")
        .await
        .expect(200, "release");
    let b = w.origin().pull(LINE, "w2", 3, Some("v1-pull-b")).await;
    pulls
        .entry(LINE)
        .or_default()
        .push(pull_record("v1-pull-b", &b));
    waiting_fans.insert(LINE, waiting(&fans, 8));

    // Shards: 40 fans over 4 shards; w1 gets the first 10.
    let s_fans = w.fan().join_many(SHARDS, 4, 10).await;
    let e = w.origin().pull(SHARDS, "w1", 10, Some("v1-pull-e")).await;
    pulls
        .entry(SHARDS)
        .or_default()
        .push(pull_record("v1-pull-e", &e));
    let pulled_seqs: Vec<u64> = e.assignments.iter().map(|a| a.seq).collect();
    let mut s_waiting: Vec<&Joined> = s_fans
        .iter()
        .filter(|f| !pulled_seqs.contains(&f.seq))
        .collect();
    s_waiting.sort_by_key(|f| f.seq);
    waiting_fans.insert(
        SHARDS,
        Value::Array(
            s_waiting
                .iter()
                .map(|f| json!({ "fan_id": f.fan_id, "seq": f.seq }))
                .collect(),
        ),
    );

    // Left: once presence ran out, a pull skips fans who stopped polling.
    // (Asking for its report meanwhile keeps the coordinator in memory: presence is not stored,
    // and an idle object restarting would give everyone a fresh grace period.)
    while w.now() < left_joined_at + Duration::from_secs(12) {
        w.admin().report(LEFT).await;
        w.advance(Duration::from_secs(2)).await;
    }
    let d = w.origin().pull(LEFT, "w1", 1, Some("v1-pull-d")).await;
    pulls
        .entry(LEFT)
        .or_default()
        .push(pull_record("v1-pull-d", &d));
    let max_assigned = all_assignments(&w, LEFT)
        .await
        .iter()
        .filter_map(|a| a["seq"].as_u64())
        .max()
        .unwrap_or(0);
    waiting_fans.insert(LEFT, waiting(&l_fans, max_assigned));

    // Timeouts: the claimed pass runs out 30 s after the claim.
    w.advance_to(timeouts_claimed_at + Duration::from_secs(32))
        .await;
    w.admin().report(TIMEOUTS).await;

    for sale in [LINE, TIMEOUTS, LEFT, SHARDS] {
        let report = w.admin().report(sale).await;
        let mut assignments = all_assignments(&w, sale).await;
        assignments.reverse();
        manifest["sales"][sale] = json!({
            "stats": report["stats"],
            "phase": report["phase"],
            "assignments": assignments,
            "claimed": claimed.get(sale).cloned().unwrap_or_default(),
            "pulls": pulls.get(sale).cloned().unwrap_or_default(),
            "waiting": waiting_fans.get(sale).cloned().unwrap_or_default(),
        });
    }
    let states: Vec<String> = manifest["sales"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|s| s["assignments"].as_array().unwrap().clone())
        .map(|a| a["state"].as_str().unwrap().to_owned())
        .collect();
    for state in [
        "assigned",
        "completed",
        "released",
        "lapsed",
        "left",
        "expired",
    ] {
        assert!(
            states.iter().any(|s| s == state),
            "the fixture has a `{state}` assignment: {manifest:#}"
        );
    }

    let files = w.stop();
    let out = fixture_dir(&name);
    let _ = std::fs::remove_dir_all(&out);
    copy_tree(&files.state_dir, &out.join("state"));
    // The keys it ran with, without the test switch: the fixture's worker runs as deployed.
    let env: String = std::fs::read_to_string(&files.env_file)
        .expect("read env file")
        .lines()
        .filter(|line| !line.starts_with("WAITROOM_TEST_FAULTS="))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(out.join("worker.env"), env).expect("write env file");
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap() + "\n",
    )
    .expect("write manifest");
    println!("wrote {}", out.display());
}
