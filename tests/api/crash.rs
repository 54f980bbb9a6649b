//! A crash mid-sale loses nobody: the worker's whole process group is killed with SIGKILL while
//! 500 fans join, fans poll and 4 windows pull, then restarted on the same state. Every fan who
//! got a 201 is still in line or assigned, no arrival number is given twice, every fan is handed
//! out exactly once (in arrival order, within the shards' ordering bound), and pulls replayed by
//! `request_id` give the same fans as before the crash.
//!
//! Requests in flight at the kill may fail (the connection is cut): such a fan never got a 201
//! and is not counted, though the worker may have recorded the join (it is then handed out like
//! any fan; the test counts those as "recorded, answer lost", along with the numbers of a block a
//! shard lost at the kill, which are counted as used so that nobody is dropped).

use crate::support::origin::Assignment;
use crate::support::{eventually, send, Api, Joined, TestWorker, PURCHASE_URL};
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SHARDED: &str = "crash-sharded";
const SINGLE: &str = "crash-single";
const SALES: [&str; 2] = [SHARDED, SINGLE];
/// Join attempts in all, over both sales (some before the kill, the rest after the restart).
const FANS: usize = 500;
/// The kill comes once this many fans got their 201.
const KILL_AFTER: usize = 200;
const JOINERS: usize = 12;
const POLLERS: usize = 4;
const WINDOWS: usize = 4;
/// `max` of the windows' pulls while fans are joining.
const PULL_MAX: u32 = 4;
/// How often a fan joining after the restart asks (only a 503 `busy` makes it ask again).
const JOIN_TRIES_AFTER_RESTART: usize = 10;
/// A shard uses a block of numbers for one second after it arrived (docs/api.md, "Shards").
const BLOCK_LIFETIME: Duration = Duration::from_secs(1);

/// One fan's 201, with when it was asked and answered.
#[derive(Clone, Debug)]
struct Join {
    sale: &'static str,
    fan: Joined,
    sent: Instant,
    answered: Instant,
}

/// One pull: what was asked and, unless the connection was cut, what came back.
#[derive(Clone, Debug)]
struct Pull {
    sale: &'static str,
    window: String,
    max: u32,
    request_id: String,
    sent: Instant,
    answered: Option<(Instant, Vec<Assignment>)>,
}

/// What the load saw, before and after the kill.
#[derive(Default)]
struct Seen {
    joins: Vec<Join>,
    pulls: Vec<Pull>,
    /// Join attempts whose connection failed (no answer): in flight at the kill.
    joins_cut: BTreeMap<&'static str, u64>,
    /// 503 `busy` answers (allowed: nothing was recorded, the fan tries again).
    busy: u64,
    /// 5xx answers other than 503 `busy`, with when they came and what they said.
    server_errors: Vec<(Instant, String)>,
    polls: u64,
    polls_cut: u64,
    requests: u64,
}

type Shared = Arc<Mutex<Seen>>;

fn seen(shared: &Shared) -> std::sync::MutexGuard<'_, Seen> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// Files a 5xx answer: 503 `busy` is allowed (counted), anything else is kept for the verdict.
fn file_server_error(shared: &Shared, what: &str, status: u16, body: &str) {
    let mut s = seen(shared);
    if status == 503 && body.contains("\"busy\"") {
        s.busy += 1;
    } else {
        s.server_errors
            .push((Instant::now(), format!("{what}: {status} {body}")));
    }
}

/// One join as a new fan: `Some` with the 201, `None` when it failed (counted).
async fn join_once(api: &Api, shared: &Shared, sale: &'static str) -> Option<Join> {
    let sent = Instant::now();
    seen(shared).requests += 1;
    let response = match api
        .fan()
        .post(&format!("/api/sales/{sale}/join"))
        .send()
        .await
    {
        Ok(r) => r,
        Err(_) => {
            *seen(shared).joins_cut.entry(sale).or_default() += 1;
            return None;
        }
    };
    let status = response.status().as_u16();
    let Ok(text) = response.text().await else {
        *seen(shared).joins_cut.entry(sale).or_default() += 1;
        return None;
    };
    match status {
        201 => {
            let fan: Joined =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("join body {text}: {e}"));
            let join = Join {
                sale,
                fan,
                sent,
                answered: Instant::now(),
            };
            seen(shared).joins.push(join.clone());
            Some(join)
        }
        s if s >= 500 => {
            file_server_error(shared, "join", s, &text);
            None
        }
        s => panic!("join {sale}: {s} {text}"),
    }
}

/// One pull with a `request_id`; the record is kept whether or not an answer came.
async fn pull_once(api: &Api, shared: &Shared, mut pull: Pull) -> Pull {
    seen(shared).requests += 1;
    let body = json!({ "window": pull.window, "max": pull.max, "request_id": pull.request_id });
    let response = api
        .origin()
        .post(&format!("/api/origin/sales/{}/pull", pull.sale))
        .json(&body)
        .send()
        .await;
    let answered = match response {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.text().await {
                Ok(text) if status == 200 => {
                    let value: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("pull body {text}: {e}"));
                    let assignments: Vec<Assignment> =
                        serde_json::from_value(value["assignments"].clone())
                            .unwrap_or_else(|e| panic!("pull body {text}: {e}"));
                    Some((Instant::now(), assignments))
                }
                Ok(text) if status >= 500 => {
                    file_server_error(shared, "pull", status, &text);
                    None
                }
                Ok(text) => panic!("pull {}: {status} {text}", pull.request_id),
                Err(_) => None,
            }
        }
        Err(_) => None,
    };
    pull.answered = answered;
    seen(shared).pulls.push(pull.clone());
    pull
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crash_mid_sale_loses_nobody() {
    let test_started = Instant::now();
    let w = TestWorker::start().await;
    for (sale, shards) in [(SHARDED, 4), (SINGLE, 1)] {
        let body = json!({ "name": sale, "purchase_url": PURCHASE_URL, "shards": shards, "presence_ttl_s": 0 });
        w.admin().create_sale_with(sale, body).await;
        w.admin().open_sale(sale).await;
    }

    // The load: joiners, pollers and windows, until the kill cuts their connections.
    let shared: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let attempts = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..JOINERS {
        let (api, shared, stop, attempts) =
            (w.handle(), shared.clone(), stop.clone(), attempts.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let i = attempts.fetch_add(1, Ordering::SeqCst);
                if i >= FANS {
                    attempts.fetch_sub(1, Ordering::SeqCst);
                    break;
                }
                if join_once(&api, &shared, SALES[i % 2]).await.is_none()
                    && stop.load(Ordering::SeqCst)
                {
                    break;
                }
            }
        }));
    }
    let poll_turn = Arc::new(AtomicU64::new(0));
    for _ in 0..POLLERS {
        let (api, shared, stop, turn) =
            (w.handle(), shared.clone(), stop.clone(), poll_turn.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let pick = {
                    let s = seen(&shared);
                    let n = turn.fetch_add(7, Ordering::Relaxed) as usize;
                    (!s.joins.is_empty()).then(|| s.joins[n % s.joins.len()].clone())
                };
                let Some(join) = pick else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                seen(&shared).requests += 1;
                let reply = api
                    .bearer(&join.fan.token)
                    .get(&format!("/api/sales/{}/status", join.sale))
                    .send()
                    .await;
                let Ok(reply) = reply else {
                    seen(&shared).polls_cut += 1;
                    continue;
                };
                let status = reply.status().as_u16();
                let Ok(text) = reply.text().await else {
                    seen(&shared).polls_cut += 1;
                    continue;
                };
                if status >= 500 {
                    file_server_error(&shared, "poll", status, &text);
                    continue;
                }
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                assert!(
                    status == 200
                        && ["waiting", "your_turn"]
                            .contains(&body["state"].as_str().unwrap_or_default()),
                    "a fan polling before the crash is waiting or has their turn: {status} {text}"
                );
                seen(&shared).polls += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    for n in 0..WINDOWS {
        let (api, shared, stop) = (w.handle(), shared.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let window = format!("w{n}");
            for round in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let sale = SALES[(round + n) % 2];
                let pull = Pull {
                    sale,
                    window: window.clone(),
                    max: PULL_MAX,
                    request_id: format!("{window}-{round}"),
                    sent: Instant::now(),
                    answered: None,
                };
                if pull_once(&api, &shared, pull).await.answered.is_none()
                    && stop.load(Ordering::SeqCst)
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }

    // SIGKILL mid-way: once KILL_AFTER fans got their 201.
    eventually(
        &format!("{KILL_AFTER} fans got a 201"),
        Duration::from_secs(30),
        || async {
            let n = seen(&shared).joins.len();
            if n >= KILL_AFTER {
                Ok(())
            } else {
                Err(format!("{n} so far"))
            }
        },
    )
    .await;
    let killed_at = Instant::now();
    let files = w.kill_hard();
    stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.expect("a load task");
    }
    let (joined_before, attempts_before) =
        (seen(&shared).joins.len(), attempts.load(Ordering::SeqCst));
    {
        let s = seen(&shared);
        let before_kill: Vec<_> = s
            .server_errors
            .iter()
            .filter(|(at, _)| *at < killed_at)
            .collect();
        assert!(
            before_kill.is_empty(),
            "5xx before the kill: {before_kill:?}"
        );
    }
    println!(
        "killed with SIGKILL after {:.1?}: {joined_before} of {attempts_before} joins answered 201",
        killed_at - test_started
    );

    let w = TestWorker::start_with(files).await;
    let restarted_at = Instant::now();

    // Windows whose pull got no answer retry it with the same request_id, as the contract says.
    let cut: Vec<Pull> = seen(&shared)
        .pulls
        .iter()
        .filter(|p| p.answered.is_none())
        .cloned()
        .collect();
    for pull in &cut {
        // The retry is the same pull: it keeps the time the first try was sent, since the
        // coordinator may have answered that one before the kill (the retry then replays it).
        let retried = pull_once(
            &w.handle(),
            &shared,
            Pull {
                answered: None,
                ..pull.clone()
            },
        )
        .await;
        assert!(
            retried.answered.is_some(),
            "the retried pull {} is answered",
            pull.request_id
        );
    }

    // Pulls answered before the crash replay the same fans.
    let answered_before: Vec<Pull> = seen(&shared)
        .pulls
        .iter()
        .filter(|p| p.answered.as_ref().is_some_and(|(at, _)| *at < killed_at))
        .cloned()
        .collect();
    let replays = answered_before.len();
    seen(&shared).requests += replays as u64;
    stream::iter(answered_before)
        .for_each_concurrent(8, |pull| {
            let origin = w.origin();
            async move {
                let replay = origin
                    .pull(pull.sale, &pull.window, pull.max, Some(&pull.request_id))
                    .await;
                let before = &pull.answered.as_ref().expect("answered").1;
                assert!(
                    replay.replayed || before.is_empty() && replay.assignments.is_empty(),
                    "pull {} replays after the crash",
                    pull.request_id
                );
                let ids = |a: &[Assignment]| {
                    a.iter()
                        .map(|a| (a.seq, a.fan_id.clone(), a.window.clone()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    ids(&replay.assignments),
                    ids(before),
                    "pull {} gives the same fans after the crash",
                    pull.request_id
                );
            }
        })
        .await;

    // The rest of the fans join after the restart.
    let remaining = FANS - attempts_before;
    stream::iter(attempts_before..FANS)
        .for_each_concurrent(JOINERS, |i| {
            let (api, shared) = (w.handle(), shared.clone());
            async move {
                // A 503 `busy` records nothing: the fan tries again, a bounded number of times.
                for _ in 0..JOIN_TRIES_AFTER_RESTART {
                    if join_once(&api, &shared, SALES[i % 2]).await.is_some() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                panic!("join {i} after the restart: no 201 in {JOIN_TRIES_AFTER_RESTART} tries");
            }
        })
        .await;

    let joins = seen(&shared).joins.clone();
    // No arrival number twice, no fan id twice.
    for sale in SALES {
        let mut seqs = HashSet::new();
        for j in joins.iter().filter(|j| j.sale == sale) {
            assert!(
                seqs.insert(j.fan.seq),
                "{sale}: seq {} given twice",
                j.fan.seq
            );
        }
    }
    let ids: HashSet<&str> = joins.iter().map(|j| j.fan.fan_id.as_str()).collect();
    assert_eq!(ids.len(), joins.len(), "a fan id given twice");

    // Every fan who got a 201 is still in line or assigned: same number, same id.
    let status_checks = AtomicU64::new(0);
    stream::iter(&joins)
        .for_each_concurrent(16, |j| {
            let (fan, checked) = (w.fan(), &status_checks);
            async move {
                let status = fan.status(j.sale, &j.fan.token).await;
                assert!(
                    ["waiting", "your_turn"]
                        .contains(&status["state"].as_str().unwrap_or_default()),
                    "{}: fan {} after the crash: {status}",
                    j.sale,
                    j.fan.seq
                );
                assert_eq!(
                    (status["seq"].as_u64(), status["fan_id"].as_str()),
                    (Some(j.fan.seq), Some(j.fan.fan_id.as_str())),
                    "{status}"
                );
                checked.fetch_add(1, Ordering::Relaxed);
            }
        })
        .await;

    // Pull the rest to the end: until the line is empty and every block reported.
    for sale in SALES {
        let (api, shared, round) = (w.handle(), shared.clone(), AtomicU64::new(0));
        let (api, shared, round, w) = (&api, &shared, &round, &w);
        eventually(
            &format!("{sale}: everyone handed out"),
            Duration::from_secs(20),
            || async move {
                let n = round.fetch_add(1, Ordering::Relaxed);
                let pull = Pull {
                    sale,
                    window: "w-end".into(),
                    max: 100,
                    request_id: format!("w-end-{sale}-{n}"),
                    sent: Instant::now(),
                    answered: None,
                };
                let pulled = pull_once(api, shared, pull).await;
                let got = pulled.answered.map_or(0, |(_, a)| a.len());
                let report = w.admin().report(sale).await;
                let stats = &report["stats"];
                if got == 0 && stats["waiting"] == 0 && stats["pending"] == 0 {
                    Ok(())
                } else {
                    Err(format!("pulled {got}; {stats}"))
                }
            },
        )
        .await;
    }

    // The union of all pulls: every fan who got a 201 exactly once, under their own number, in
    // number order; anyone else handed out is a join recorded whose answer the kill cut off.
    let pulls = seen(&shared).pulls.clone();
    let mut handed: HashMap<(&str, String), (u64, String)> = HashMap::new();
    let mut handed_seqs: HashMap<&str, HashSet<u64>> = HashMap::new();
    for pull in &pulls {
        let Some((_, assignments)) = &pull.answered else {
            continue;
        };
        assert!(
            assignments.windows(2).all(|p| p[0].seq < p[1].seq),
            "pull {} is in number order",
            pull.request_id
        );
        for a in assignments {
            assert_eq!(a.window, pull.window, "{a:?}");
            let previous = handed.insert(
                (pull.sale, a.fan_id.clone()),
                (a.seq, pull.request_id.clone()),
            );
            // A retried pull repeats what its own first answer (if any) said: once per request_id.
            if let Some((seq, request_id)) = previous {
                assert!(
                    request_id == pull.request_id && seq == a.seq,
                    "{}: fan {} handed out twice ({request_id} and {})",
                    pull.sale,
                    a.fan_id,
                    pull.request_id
                );
            }
            handed_seqs.entry(pull.sale).or_default().insert(a.seq);
        }
    }
    for j in &joins {
        let (seq, _) = handed
            .get(&(j.sale, j.fan.fan_id.clone()))
            .unwrap_or_else(|| {
                panic!(
                    "{}: fan {} (seq {}) was never handed out",
                    j.sale, j.fan.fan_id, j.fan.seq
                )
            });
        assert_eq!(
            *seq, j.fan.seq,
            "{}: fan {} under its own number",
            j.sale, j.fan.fan_id
        );
    }
    let mut recorded_answer_lost = BTreeMap::new();
    for sale in SALES {
        let fans = joins.iter().filter(|j| j.sale == sale).count();
        let handed_here = handed_seqs.get(sale).map_or(0, HashSet::len);
        let extra = handed_here - fans;
        let cut = seen(&shared).joins_cut.get(sale).copied().unwrap_or(0);
        // Without shards, only a join the kill cut off can be recorded without its 201. With
        // shards, a block the coordinator leased but the shard had not stored yet when the kill
        // came is closed as fully used at the shard's next lease (so nobody who got a number from
        // it is dropped): its numbers are handed out too, with nobody behind them.
        if sale == SINGLE {
            assert!(
                extra as u64 <= cut,
                "{sale}: {extra} fans handed out without a 201, but only {cut} joins were cut off"
            );
        }
        recorded_answer_lost.insert(sale, extra);
    }

    // Hand-outs follow arrival: a pull answered before another was sent hands out earlier numbers.
    for sale in SALES {
        let answered: Vec<(Instant, Instant, u64, u64, &str)> = pulls
            .iter()
            .filter(|p| p.sale == sale)
            .filter_map(|p| {
                let (at, a) = p.answered.as_ref()?;
                Some((
                    p.sent,
                    *at,
                    a.first()?.seq,
                    a.last()?.seq,
                    p.request_id.as_str(),
                ))
            })
            .collect();
        for p in &answered {
            for q in &answered {
                if p.1 < q.0 {
                    assert!(
                        p.3 < q.2,
                        "{sale}: pull {} (sent at +{:?}) handed out {}..={} after pull {} \
                         (answered at +{:?}) handed out {}..={}",
                        q.4,
                        q.0 - test_started,
                        q.2,
                        q.3,
                        p.4,
                        p.1 - test_started,
                        p.2,
                        p.3
                    );
                }
            }
        }
    }
    // Numbers follow arrival: a fan answered before another asked has the smaller number; with
    // shards, unless the other came within a block's lifetime (plus the slowest join, which
    // bounds how long a lease took to arrive).
    for sale in SALES {
        let here: Vec<&Join> = joins.iter().filter(|j| j.sale == sale).collect();
        let slack = if sale == SHARDED {
            BLOCK_LIFETIME
                + here
                    .iter()
                    .map(|j| j.answered - j.sent)
                    .max()
                    .unwrap_or_default()
        } else {
            Duration::ZERO
        };
        for a in &here {
            for b in &here {
                if a.answered + slack < b.sent {
                    assert!(
                        a.fan.seq < b.fan.seq,
                        "{sale}: fan {} answered before fan {} asked",
                        a.fan.seq,
                        b.fan.seq
                    );
                }
            }
        }
    }

    // Every fan, asked now, has their turn at the window that pulled them.
    let window_of: HashMap<&str, &str> = pulls
        .iter()
        .filter_map(|p| Some((p, p.answered.as_ref()?)))
        .flat_map(|(p, (_, a))| {
            a.iter()
                .map(move |a| (a.fan_id.as_str(), p.window.as_str()))
        })
        .collect();
    let window_of = &window_of;
    stream::iter(&joins)
        .for_each_concurrent(16, |j| {
            let (fan, checks) = (w.fan(), &status_checks);
            async move {
                let status = eventually(
                    &format!("{}: fan {} has their turn", j.sale, j.fan.seq),
                    Duration::from_secs(10),
                    || async {
                        checks.fetch_add(1, Ordering::Relaxed);
                        let status = fan.status(j.sale, &j.fan.token).await;
                        if status["state"] == "your_turn" {
                            Ok(status)
                        } else {
                            Err(status.to_string())
                        }
                    },
                )
                .await;
                assert_eq!(
                    status["window"],
                    window_of[j.fan.fan_id.as_str()],
                    "{status}"
                );
            }
        })
        .await;

    let mut reports = Vec::new();
    for sale in SALES {
        reports.push(w.admin().report(sale).await);
    }
    let list = send(w.admin().get("/api/admin/sales")).await;
    assert_eq!(list.status.as_u16(), 200, "{}", list.describe());

    // The figures for docs/reliability.md.
    let s = seen(&shared);
    let status_checks = status_checks.load(Ordering::Relaxed);
    let cut_pulls = cut.len();
    println!(
        "crash figures: {} requests sent: {FANS} join attempts, {} polls under load ({} cut), \
         {} pulls ({cut_pulls} cut and retried), {replays} replays, {status_checks} status checks after the restart; \
         5xx: {} (other than 503 busy; all in flight at the kill), 503 busy: {}; \
         fans with a 201: {} ({joined_before} before the kill, the rest of {remaining} attempts after the restart); \
         joins cut off at the kill: {:?}, handed out without a 201 (joins recorded whose answer was cut off; with shards also the numbers of a block lost at the kill): {recorded_answer_lost:?}; \
         fans lost: 0; restart took {:.1?}; test took {:.1?}",
        s.requests + status_checks,
        s.polls + s.polls_cut,
        s.polls_cut,
        s.pulls.len(),
        s.server_errors.len(),
        s.busy,
        joins.len(),
        s.joins_cut,
        restarted_at - killed_at,
        test_started.elapsed()
    );
    for r in &reports {
        println!(
            "crash figures: {}: stats {} bad_records {} coordinator_requests {} by kind {}",
            r["id"],
            r["stats"],
            r["bad_records"],
            r["coordinator_requests"],
            r["coordinator_requests_by_kind"]
        );
    }
}
