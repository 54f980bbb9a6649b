//! The scenarios: the four of the steady state here, the opening second and the slow coordinator
//! in [`overload`], lapsed tokens and unknown sale ids in [`edge_cost`]. Each runs on its own fresh sale; every loop stops at a count and at a
//! deadline, whichever comes first.

mod ceiling;
mod ceiling_report;
mod edge_cost;
mod overload;
mod pow_joins;
mod pushed;
mod shared_address;
pub use ceiling::CeilingSettings;
pub use overload::OpeningSettings;

use crate::client::{Api, Joined};
use crate::report::{coordinator_delta, CoordinatorDelta, Metric, ScenarioResult};
use crate::stats::{OpStats, Recorder};
use crate::util::Rng;
use anyhow::{bail, Context, Result};
use futures::future::join_all;
use serde_json::Value;
use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::time::sleep_until;

/// Upper bound on the iterations of any time-bounded hammer loop (a second, independent stop).
const MAX_HAMMER_REQUESTS: u64 = 20_000_000;
/// A fan whose request failed tries again after this long, as the waiting page does.
const RETRY_AFTER: Duration = Duration::from_millis(1_000);
/// A fan never polls more often than this, whatever `poll_after_ms` says (the worker's minimum
/// is 1 s): with the deadline, this bounds each fan's polls in count.
const MIN_POLL_GAP_MS: u64 = 100;
/// How often a window looks whether its pulled fans have claimed their turn.
const CLAIM_CHECK: Duration = Duration::from_millis(50);
/// A window with nobody to pull asks again after this long.
const EMPTY_PULL_PAUSE: Duration = Duration::from_millis(250);
/// A window looks for free places (and pulls) at most this often.
const PULL_PAUSE: Duration = Duration::from_millis(100);
/// Completions a window has in flight at once.
const WINDOW_PARALLEL: usize = 4;

/// Fans in line on one sale, with their tokens.
pub struct Crowd {
    pub sale: String,
    pub fans: Arc<Vec<Joined>>,
}

/// What the scenarios share.
#[derive(Clone)]
pub struct Bench {
    pub api: Arc<Api>,
    pub run_id: String,
    pub concurrency: usize,
    pub claim_ttl_s: u64,
    /// Arrival shards of every sale (1: joins go to the coordinator).
    pub shards: u32,
    /// The most a count-bounded phase (joining N fans) may take.
    pub phase_cap: Duration,
    pub seed: u64,
}

/// When a fan polls next, after an answer's `poll_after_ms` (absent: 1 s).
fn next_poll(poll_after_ms: Option<u64>) -> Instant {
    Instant::now() + Duration::from_millis(poll_after_ms.unwrap_or(1_000).max(MIN_POLL_GAP_MS))
}

/// The most polls a fan can make in `secs` at [`MIN_POLL_GAP_MS`].
fn max_polls(secs: u64) -> u64 {
    secs * 1000 / MIN_POLL_GAP_MS + 1
}

/// Runs `workers` copies of `work(i)` for i = 0, 1, 2, ... until `count` items were started or
/// `deadline` passed. Returns how many were started.
async fn drive<F, Fut>(workers: usize, count: u64, deadline: Instant, work: F) -> u64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let next = next.clone();
            let work = work.clone();
            tokio::spawn(async move {
                loop {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    work(i).await;
                }
            })
        })
        .collect();
    join_all(handles).await;
    next.load(Ordering::Relaxed).min(count)
}

fn ratio(n: u64, d: u64) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn stat(report: &Value, name: &str) -> u64 {
    report["stats"][name].as_u64().unwrap_or(0)
}

impl Bench {
    fn sale(&self, name: &str) -> String {
        format!("bench-{}-{name}", self.run_id)
    }

    async fn fresh_sale(&self, name: &str) -> Result<String> {
        let sale = self.sale(name);
        self.api
            .open_new_sale(&sale, self.claim_ttl_s, self.shards)
            .await
            .with_context(|| format!("setting up sale {sale}"))?;
        Ok(sale)
    }

    async fn delta(&self, sale: &str, before: &Value) -> Result<(CoordinatorDelta, Value)> {
        let after = self.api.report(sale).await?;
        let delta = coordinator_delta(before, &after)
            .map_err(|e| anyhow::anyhow!("coordinator counts of {sale}: {e}"))?;
        Ok((delta, after))
    }

    /// Unmeasured requests to `/healthz`, so connections and the isolate are warm.
    pub async fn warm_up(&self, secs: u64) {
        let rec = Arc::new(Recorder::new(Instant::now()));
        let deadline = Instant::now() + Duration::from_secs(secs);
        let api = self.api.clone();
        drive(self.concurrency, MAX_HAMMER_REQUESTS, deadline, move |_| {
            let (api, rec) = (api.clone(), rec.clone());
            async move {
                api.healthz(&rec).await;
            }
        })
        .await;
    }

    /// N new fans join one sale, `concurrency` at a time.
    async fn join_crowd(
        &self,
        rec: &Arc<Recorder>,
        op: &'static str,
        sale: &str,
        fans: u64,
    ) -> (Vec<Joined>, u64) {
        let joined = Arc::new(Mutex::new(Vec::with_capacity(fans as usize)));
        let deadline = Instant::now() + self.phase_cap;
        let (api, rec, sale2, out) = (
            self.api.clone(),
            rec.clone(),
            sale.to_owned(),
            joined.clone(),
        );
        let started = drive(self.concurrency, fans, deadline, move |_| {
            let (api, rec, sale, out) = (api.clone(), rec.clone(), sale2.clone(), out.clone());
            async move {
                if let Some(j) = api.join(&rec, op, &sale).await {
                    out.lock().unwrap_or_else(|p| p.into_inner()).push(j);
                }
            }
        })
        .await;
        let fans = std::mem::take(&mut *joined.lock().unwrap_or_else(|p| p.into_inner()));
        (fans, started)
    }

    /// 1. Burst join.
    pub async fn burst_join(&self, fans: u64) -> Result<ScenarioResult> {
        let sale = self
            .fresh_sale(if self.shards > 1 {
                "burst-edge"
            } else {
                "burst"
            })
            .await?;
        let before = self.api.report(&sale).await?;
        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start));
        let (_, started) = self.join_crowd(&rec, "join", &sale, fans).await;
        let elapsed = start.elapsed();
        let (delta, after) = self.delta(&sale, &before).await?;
        let joins = rec.get("join").ok;
        // Arrival shards tell the coordinator what they served with each block they close:
        // wait for the last blocks (a second, plus the edge's report bound) before counting.
        // Its fans in line are counted then too (an open block counts all its numbers).
        let (shard_requests, after) = if self.shards > 1 {
            tokio::time::sleep(Duration::from_millis(3_000)).await;
            let settled = self.api.report(&sale).await?;
            let served = shard_requests(&settled).saturating_sub(shard_requests(&before));
            (served, settled)
        } else {
            (0, after)
        };
        let per_join = |n: u64| {
            if joins == 0 {
                0.0
            } else {
                n as f64 / joins as f64
            }
        };
        let mut metrics = vec![
            Metric::new(
                "coordinator requests per join",
                delta.per(joins),
                "requests",
            ),
            Metric::new(
                "arrival shard requests per join (edge leases and reports, shard joins)",
                per_join(shard_requests),
                "requests",
            ),
            Metric::new(
                "object requests per join (coordinator and shards)",
                per_join(delta.total + shard_requests),
                "requests",
            ),
            Metric::new(
                "fans in line (admin report)",
                stat(&after, "joined") as f64,
                "fans",
            ),
        ];
        if started < fans {
            metrics.push(Metric::new(
                "stopped at the time cap after starting",
                started as f64,
                "joins",
            ));
        }
        Ok(ScenarioResult {
            // One shard: the coordinator numbers every join (1); more: the edge does (1b).
            key: if self.shards > 1 { "1b" } else { "1" }.into(),
            short: "burst".into(),
            title: if self.shards > 1 {
                format!(
                    "1b. Burst join, {} arrival shards (edge numbering)",
                    self.shards
                )
            } else {
                "1. Burst join".into()
            },
            description: format!(
                "{fans} new fans join one open sale (`POST /api/sales/{{id}}/join`), {} requests \
                 in flight at a time, as fast as the worker answers. {}",
                self.concurrency,
                if self.shards > 1 {
                    format!(
                        "The sale has {} arrival shards: each isolate numbers its joins from \
                         sub-blocks a shard lends it (about one lease a second), and the shard \
                         leases blocks of numbers from the coordinator.",
                        self.shards
                    )
                } else {
                    "Every join is a coordinator request (it assigns the arrival number).".into()
                }
            ),
            sale: Some(sale),
            duration_s: elapsed.as_secs_f64(),
            ops: rec.summaries(&["join"], elapsed),
            coordinator: Some(delta),
            metrics,
        })
    }

    /// 2a. Steady poll: a crowd of fans polling at `poll_after_ms`. Returns the crowd for 2b.
    pub async fn steady_poll(&self, fans: u64, paced_secs: u64) -> Result<(ScenarioResult, Crowd)> {
        let sale = self.fresh_sale("poll").await?;
        let setup = Arc::new(Recorder::new(Instant::now()));
        let (crowd, _) = self.join_crowd(&setup, "join", &sale, fans).await;
        if crowd.is_empty() {
            bail!("steady poll: no fan could join sale {sale}");
        }
        let crowd = Arc::new(crowd);

        // 2a: every fan polls when told to.
        let before = self.api.report(&sale).await?;
        let start = Instant::now();
        let deadline = start + Duration::from_secs(paced_secs);
        let rec = Arc::new(Recorder::new(start));
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut rng = Rng::new(self.seed);
        let mut tasks = Vec::with_capacity(crowd.len());
        for fan in crowd.iter() {
            // Fans joined at different moments: the first poll falls anywhere in the first wait.
            let first = start + Duration::from_millis(rng.below(fan.poll_after_ms.max(1)));
            let (api, rec, permits, sale, token) = (
                self.api.clone(),
                rec.clone(),
                permits.clone(),
                sale.clone(),
                fan.token.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut due = first;
                for _ in 0..max_polls(paced_secs) {
                    if due >= deadline {
                        break;
                    }
                    sleep_until(due.into()).await;
                    let Ok(_permit) = permits.acquire().await else {
                        break;
                    };
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    rec.ok("send lag", now - due);
                    due = match api.status(&rec, "poll", &sale, &token).await {
                        Some(s) if s.state == "waiting" => next_poll(s.poll_after_ms),
                        Some(_) => break,
                        None => Instant::now() + RETRY_AFTER,
                    };
                }
            }));
        }
        join_all(tasks).await;
        let paced_elapsed = start.elapsed();
        let (paced_delta, _) = self.delta(&sale, &before).await?;
        let polls = rec.get("poll");
        let lag = rec.get("send lag");
        let offered: f64 = crowd
            .iter()
            .map(|f| 1000.0 / f.poll_after_ms.max(1) as f64)
            .sum();
        let paced = ScenarioResult {
            key: "2a".into(),
            short: "paced".into(),
            title: "2a. Steady poll, honouring poll_after_ms".into(),
            description: format!(
                "{} fans in one open sale (nobody admitted, so the line does not move) each poll \
                 `GET /api/sales/{{id}}/status` with their Bearer token, waiting the \
                 `poll_after_ms` of each answer (first poll spread over the first wait), at most \
                 {} in flight.",
                crowd.len(),
                self.concurrency
            ),
            sale: Some(sale.clone()),
            duration_s: paced_elapsed.as_secs_f64(),
            ops: rec.summaries(&["poll"], paced_elapsed),
            metrics: vec![
                Metric::new(
                    "coordinator requests per poll",
                    paced_delta.per(polls.ok),
                    "requests",
                ),
                Metric::new(
                    &format!("fans in the crowd (joins asked: {fans}; failed joins are left out)"),
                    crowd.len() as f64,
                    "fans",
                ),
                Metric::new(
                    "polls/s the crowd asked for (from the join answers' poll_after_ms, before jitter)",
                    offered,
                    "polls/s",
                ),
                Metric::new(
                    "send lag p99 (poll sent after it was due: generator or concurrency limit)",
                    lag.quantile_ms(0.99),
                    "ms",
                ),
            ],
            coordinator: Some(paced_delta),
        };

        Ok((paced, Crowd { sale, fans: crowd }))
    }

    /// `secs` of back-to-back requests (a poll of the crowd's fans in turn, or /healthz), as
    /// fast as the concurrency allows. The stats' timeline continues from `offset`.
    async fn hammer_slice(
        &self,
        target: Option<&Crowd>,
        offset: Duration,
        secs: f64,
    ) -> (OpStats, Duration) {
        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start.checked_sub(offset).unwrap_or(start)));
        let deadline = start + Duration::from_secs_f64(secs);
        let (api, rec2) = (self.api.clone(), rec.clone());
        let op = if target.is_some() { "poll" } else { "healthz" };
        let target = target.map(|c| (c.sale.clone(), c.fans.clone()));
        drive(self.concurrency, MAX_HAMMER_REQUESTS, deadline, move |i| {
            let (api, rec, target) = (api.clone(), rec2.clone(), target.clone());
            async move {
                match target {
                    Some((sale, fans)) => {
                        let fan = &fans[(i % fans.len() as u64) as usize];
                        api.status(&rec, "poll", &sale, &fan.token).await;
                    }
                    None => {
                        api.healthz(&rec).await;
                    }
                }
            }
        })
        .await;
        let took = start.elapsed();
        (rec.get(op), took)
    }

    /// 2b and 4: the poll hammer and the /healthz ceiling, in alternating slices (`rounds` of
    /// each), so both see the same machine: other work on a shared machine drifts.
    pub async fn hammer_and_ceiling(
        &self,
        crowd: &Crowd,
        hammer_secs: u64,
        healthz_secs: u64,
        rounds: u32,
    ) -> Result<(ScenarioResult, ScenarioResult)> {
        let rounds = rounds.max(1);
        let before = self.api.report(&crowd.sale).await?;
        let (mut polls, mut health) = (OpStats::default(), OpStats::default());
        let (mut poll_time, mut health_time) = (Duration::ZERO, Duration::ZERO);
        let mut ratios = Vec::new();
        for _ in 0..rounds {
            let (p, pt) = self
                .hammer_slice(Some(crowd), poll_time, hammer_secs as f64 / rounds as f64)
                .await;
            let (h, ht) = self
                .hammer_slice(None, health_time, healthz_secs as f64 / rounds as f64)
                .await;
            let (p_rate, h_rate) = (
                p.ok as f64 / pt.as_secs_f64(),
                h.ok as f64 / ht.as_secs_f64(),
            );
            if h_rate > 0.0 {
                ratios.push(p_rate / h_rate);
            }
            polls.merge(&p);
            health.merge(&h);
            poll_time += pt;
            health_time += ht;
        }
        // /healthz touches no Durable Object: everything the coordinator saw came from polls.
        let (delta, _) = self.delta(&crowd.sale, &before).await?;
        ratios.sort_by(f64::total_cmp);
        let mut ceiling_metrics = Vec::new();
        if let (Some(lo), Some(hi)) = (ratios.first(), ratios.last()) {
            ceiling_metrics.push(Metric::new("poll hammer ÷ /healthz, lowest round", *lo, ""));
            ceiling_metrics.push(Metric::new(
                "poll hammer ÷ /healthz, median round",
                ratios[ratios.len() / 2],
                "",
            ));
            ceiling_metrics.push(Metric::new(
                "poll hammer ÷ /healthz, highest round",
                *hi,
                "",
            ));
        }
        let hammer = ScenarioResult {
            key: "2b".into(),
            short: "hammer".into(),
            title: "2b. Poll hammer".into(),
            description: format!(
                "The same fans' tokens in turn, polled back to back by {} concurrent requests \
                 (ignoring poll_after_ms): the poll path's throughput. Run in {rounds} slices \
                 alternating with the /healthz slices of scenario 4.",
                self.concurrency
            ),
            sale: Some(crowd.sale.clone()),
            duration_s: poll_time.as_secs_f64(),
            ops: vec![polls.summary("poll", poll_time)],
            metrics: vec![Metric::new(
                "coordinator requests per poll",
                delta.per(polls.ok),
                "requests",
            )],
            coordinator: Some(delta),
        };
        let ceiling = ScenarioResult {
            key: "4".into(),
            short: "ceiling".into(),
            title: "4. Ceiling: GET /healthz".into(),
            description: format!(
                "`GET /healthz` back to back by {} concurrent requests: the local runtime's \
                 throughput for a trivial response that touches no Durable Object. Run in \
                 {rounds} slices alternating with the poll hammer (2b).",
                self.concurrency
            ),
            sale: None,
            duration_s: health_time.as_secs_f64(),
            ops: vec![health.summary("healthz", health_time)],
            coordinator: None,
            metrics: ceiling_metrics,
        };
        Ok((hammer, ceiling))
    }

    /// 3. A whole sale: arrivals, polling fans, windows pulling and completing.
    pub async fn full_sale(
        &self,
        secs: u64,
        arrivals_per_s: f64,
        windows: u32,
        pull_max: u32,
    ) -> Result<ScenarioResult> {
        let sale = self.fresh_sale("full").await?;
        let before = self.api.report(&sale).await?;
        let start = Instant::now();
        let deadline = start + Duration::from_secs(secs);
        let rec = Arc::new(Recorder::new(start));
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let claimed: Arc<Mutex<HashSet<String>>> = Arc::default();
        let lapsed = Arc::new(AtomicU64::new(0));
        let max_fans = (arrivals_per_s * secs as f64).ceil() as u64;

        // Arrivals: one fan every 1/rate seconds, each living until its turn or the deadline.
        let arrivals = {
            let (api, rec, permits, claimed, lapsed, sale) = (
                self.api.clone(),
                rec.clone(),
                permits.clone(),
                claimed.clone(),
                lapsed.clone(),
                sale.clone(),
            );
            tokio::spawn(async move {
                let gap = Duration::from_secs_f64(1.0 / arrivals_per_s.max(0.001));
                let mut fans = Vec::new();
                for k in 0..max_fans {
                    let at = start + gap.mul_f64(k as f64);
                    if at >= deadline {
                        break;
                    }
                    sleep_until(at.into()).await;
                    let (api, rec, permits, claimed, lapsed, sale) = (
                        api.clone(),
                        rec.clone(),
                        permits.clone(),
                        claimed.clone(),
                        lapsed.clone(),
                        sale.clone(),
                    );
                    fans.push(tokio::spawn(async move {
                        let joined = {
                            let Ok(_permit) = permits.acquire().await else {
                                return;
                            };
                            api.join(&rec, "join", &sale).await
                        };
                        let Some(fan) = joined else { return };
                        let joined_at = Instant::now();
                        let mut due = joined_at
                            + Duration::from_millis(fan.poll_after_ms.max(MIN_POLL_GAP_MS));
                        for _ in 0..max_polls(secs) {
                            if due >= deadline {
                                break;
                            }
                            sleep_until(due.into()).await;
                            let status = {
                                let Ok(_permit) = permits.acquire().await else {
                                    return;
                                };
                                if Instant::now() >= deadline {
                                    return;
                                }
                                api.status(&rec, "poll", &sale, &fan.token).await
                            };
                            due = match status {
                                Some(s) if s.state == "waiting" => next_poll(s.poll_after_ms),
                                Some(s) if s.state == "your_turn" => {
                                    rec.ok("time in line (join to your_turn)", joined_at.elapsed());
                                    claimed
                                        .lock()
                                        .unwrap_or_else(|p| p.into_inner())
                                        .insert(fan.fan_id.clone());
                                    return;
                                }
                                Some(_) => {
                                    lapsed.fetch_add(1, Ordering::Relaxed);
                                    return;
                                }
                                None => Instant::now() + RETRY_AFTER,
                            };
                        }
                    }));
                }
                join_all(fans).await;
            })
        };

        // Windows: each serves up to `pull_max` fans at once. When enough places are free it pulls
        // that many (a request_id each), and completes each pulled fan once the fan has claimed its
        // turn by polling, freeing the place.
        let window_tasks: Vec<_> = (0..windows)
            .map(|w| {
                let (api, rec, claimed, sale) =
                    (self.api.clone(), rec.clone(), claimed.clone(), sale.clone());
                let claim_wait = Duration::from_secs(self.claim_ttl_s);
                tokio::spawn(async move {
                    let window = format!("w{w}");
                    let places = Arc::new(Semaphore::new(pull_max as usize));
                    let refill_at = (pull_max as usize / 4).max(1);
                    let parallel = Arc::new(Semaphore::new(WINDOW_PARALLEL));
                    let mut serving = Vec::new();
                    // Every turn of the loop sleeps at least PULL_PAUSE: bounded in count too.
                    let max_turns = secs * 1000 / PULL_PAUSE.as_millis() as u64 + 10;
                    for n in 0..max_turns {
                        if Instant::now() >= deadline {
                            break;
                        }
                        let free = places.available_permits();
                        if free < refill_at {
                            tokio::time::sleep(PULL_PAUSE).await;
                            continue;
                        }
                        let request_id = format!("{window}-{n}");
                        let pulled = api
                            .pull(&rec, &sale, &window, free as u32, &request_id)
                            .await;
                        let assignments = match pulled {
                            Some(a) if !a.is_empty() => a,
                            _ => {
                                tokio::time::sleep(EMPTY_PULL_PAUSE).await;
                                continue;
                            }
                        };
                        let give_up = deadline.min(Instant::now() + claim_wait);
                        for a in assignments {
                            // Only this loop takes places, so one is free for each pulled fan.
                            let Ok(place) = places.clone().acquire_owned().await else {
                                break;
                            };
                            let (api, rec, claimed, sale, parallel) = (
                                api.clone(),
                                rec.clone(),
                                claimed.clone(),
                                sale.clone(),
                                parallel.clone(),
                            );
                            serving.push(tokio::spawn(async move {
                                let _place = place;
                                // Bounded by give_up in time and by this count.
                                let checks = claim_wait.as_millis() / CLAIM_CHECK.as_millis() + 1;
                                let mut has = false;
                                for _ in 0..checks {
                                    has = claimed
                                        .lock()
                                        .unwrap_or_else(|p| p.into_inner())
                                        .contains(&a.fan_id);
                                    if has || Instant::now() >= give_up {
                                        break;
                                    }
                                    tokio::time::sleep(CLAIM_CHECK).await;
                                }
                                if !has {
                                    // Never claimed in time: the assignment lapses by itself.
                                    return;
                                }
                                let Ok(_permit) = parallel.acquire().await else {
                                    return;
                                };
                                api.complete(&rec, &sale, &a.fan_id).await;
                            }));
                        }
                        tokio::time::sleep(PULL_PAUSE).await;
                    }
                    join_all(serving).await;
                })
            })
            .collect();

        arrivals.await.context("arrival task")?;
        for t in window_tasks {
            t.await.context("window task")?;
        }
        let elapsed = start.elapsed();
        let (delta, after) = self.delta(&sale, &before).await?;
        let joins = rec.get("join").ok;
        let polls = rec.get("poll").ok;
        let completes = rec.get("complete").ok;
        let fan_ops = joins + polls;
        let fan_kinds = delta.kind("join") + delta.kind("claim") + delta.kind("snapshot");
        let turns = rec.get("time in line (join to your_turn)");
        let secs_f = elapsed.as_secs_f64();
        Ok(ScenarioResult {
            key: "3".into(),
            short: "full sale".into(),
            title: "3. Full sale".into(),
            description: format!(
                "For {secs} s: {arrivals_per_s} new fans a second join and poll at \
                 `poll_after_ms` (at most {} fan requests in flight). {windows} windows each \
                 serve up to {pull_max} fans at once: when at least {} places are free a window \
                 pulls that many (`request_id` each), waits for each pulled fan to claim its turn \
                 by polling (`your_turn`), then completes it ({WINDOW_PARALLEL} completions in \
                 flight per window), freeing the place. claim_ttl_s {}.",
                self.concurrency,
                (pull_max / 4).max(1),
                self.claim_ttl_s
            ),
            sale: Some(sale),
            duration_s: secs_f,
            ops: rec.summaries(&["join", "poll", "pull", "complete"], elapsed),
            metrics: vec![
                Metric::new(
                    "fan operations (join + poll) per second",
                    fan_ops as f64 / secs_f,
                    "req/s",
                ),
                Metric::new(
                    "fans admitted (completed) per second",
                    completes as f64 / secs_f,
                    "fans/s",
                ),
                Metric::new("fans who got their turn", turns.ok as f64, "fans"),
                Metric::new(
                    "time in line, join to your_turn, p50",
                    turns.quantile_ms(0.5) / 1000.0,
                    "s",
                ),
                Metric::new(
                    "time in line, join to your_turn, p99",
                    turns.quantile_ms(0.99) / 1000.0,
                    "s",
                ),
                Metric::new(
                    "fans told lapsed or closed",
                    lapsed.load(Ordering::Relaxed) as f64,
                    "fans",
                ),
                Metric::new(
                    "coordinator requests per fan operation",
                    delta.per(fan_ops),
                    "requests",
                ),
                Metric::new(
                    "fan-caused coordinator requests (join + claim + snapshot) per fan operation",
                    ratio(fan_kinds, fan_ops),
                    "requests",
                ),
                Metric::new(
                    "coordinator requests per joined fan",
                    delta.per(joins),
                    "requests",
                ),
                Metric::new(
                    "coordinator requests per admitted fan",
                    delta.per(completes),
                    "requests",
                ),
                Metric::new(
                    "still waiting at the end (admin report)",
                    stat(&after, "waiting") as f64,
                    "fans",
                ),
            ],
            coordinator: Some(delta),
        })
    }
}

/// Requests a sale's arrival shards served, as its report last heard (`shard_requests_by_kind`).
fn shard_requests(report: &Value) -> u64 {
    report["shard_requests_by_kind"]
        .as_object()
        .map_or(0, |kinds| kinds.values().filter_map(Value::as_u64).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_are_bounded() {
        assert_eq!(max_polls(20), 201);
        let soon = Instant::now() + Duration::from_millis(MIN_POLL_GAP_MS);
        assert!(next_poll(Some(0)) >= soon);
        assert!(next_poll(None) >= Instant::now() + Duration::from_millis(999));
    }

    #[tokio::test]
    async fn drive_stops_at_the_count() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let started = drive(4, 10, Instant::now() + Duration::from_secs(10), move |i| {
            let s = s.clone();
            async move { s.lock().unwrap().push(i) }
        })
        .await;
        assert_eq!(started, 10);
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn drive_stops_at_the_deadline() {
        let t0 = Instant::now();
        let started = drive(2, u64::MAX, t0 + Duration::from_millis(100), |_| async {
            tokio::time::sleep(Duration::from_millis(10)).await
        })
        .await;
        assert!(t0.elapsed() < Duration::from_secs(2));
        assert!((2..=40).contains(&started), "{started}");
    }
}
