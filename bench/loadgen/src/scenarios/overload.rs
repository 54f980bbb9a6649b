//! The bad second: 5. the opening second (N fans arrive within one second while the N before
//! them keep polling) and 6. a slow coordinator (polls with every request to the sale's
//! coordinator delayed through the worker's test-only fault switch).

use super::{max_polls, next_poll, ratio, Bench, Crowd, RETRY_AFTER};
use crate::client::{FaultSwitch, JoinOutcome, DEV_PROXY};
use crate::report::{Metric, ScenarioResult};
use crate::stats::{OpStats, Recorder};
use crate::util::Rng;
use anyhow::{bail, Result};
use futures::future::join_all;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::time::sleep_until;

/// The most times one arriving fan asks to join (it waits `Retry-After` between 503s).
const MAX_JOIN_ATTEMPTS: u32 = 30;
/// A fan told to wait longer than this waits only this long (the bench's time is bounded).
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

/// 5xx answers in these stats: the worker's other than 503 `busy` (must be 0), the worker's 503
/// `busy`, and those of wrangler dev's local proxy (not the worker's: it lost its connection to
/// workerd).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ServerErrors {
    worker_other: u64,
    busy: u64,
    dev_proxy: u64,
}

fn server_errors(stats: &[&OpStats]) -> ServerErrors {
    let mut e = ServerErrors::default();
    for s in stats {
        for (kind, n) in &s.errors {
            if kind.ends_with(DEV_PROXY) {
                e.dev_proxy += n;
            } else if kind == "503 busy" {
                e.busy += n;
            } else if kind.starts_with('5') {
                e.worker_other += n;
            }
        }
    }
    e
}

/// How an opening second went, for one scenario result.
pub struct OpeningSettings {
    pub fans: u64,
    pub shards: u32,
    /// Requests in flight at most (the arriving fans' joins and the crowd's polls).
    pub max_in_flight: usize,
}

/// How often, and how far apart, the report after an overload is asked for: a coordinator still
/// working through a backlog may not answer the first time.
const REPORT_ATTEMPTS: u32 = 10;
const REPORT_PAUSE: Duration = Duration::from_secs(3);

impl Bench {
    /// The coordinator requests since `before`, asking for the report up to [`REPORT_ATTEMPTS`]
    /// times: after an overload the coordinator may still be busy.
    async fn delta_after_overload(
        &self,
        sale: &str,
        before: &serde_json::Value,
    ) -> Result<crate::report::CoordinatorDelta> {
        let mut last = None;
        for _ in 0..REPORT_ATTEMPTS {
            match self.delta(sale, before).await {
                Ok((delta, _)) => return Ok(delta),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(REPORT_PAUSE).await;
        }
        Err(last
            .unwrap_or_else(|| anyhow::anyhow!("no report"))
            .context(format!(
                "the report of {sale} after {REPORT_ATTEMPTS} attempts"
            )))
    }

    async fn fresh_sale_with_shards(&self, name: &str, shards: u32) -> Result<String> {
        let sale = self.sale(name);
        self.api
            .open_new_sale(&sale, self.claim_ttl_s, shards)
            .await?;
        Ok(sale)
    }

    /// The crowd polls at `poll_after_ms` until `stop` is set or `cap` passes (first polls spread
    /// over the first wait). Each fan's polls are bounded in count by the cap.
    fn keep_polling(
        &self,
        crowd: &Crowd,
        rec: &Arc<Recorder>,
        op: &'static str,
        permits: &Arc<Semaphore>,
        stop: &Arc<AtomicBool>,
        cap: Duration,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let start = Instant::now();
        let deadline = start + cap;
        let mut rng = Rng::new(self.seed ^ 0x5eed);
        crowd
            .fans
            .iter()
            .map(|fan| {
                let first = start + Duration::from_millis(rng.below(fan.poll_after_ms.max(1)));
                let (api, rec, permits, stop, sale, token) = (
                    self.api.clone(),
                    rec.clone(),
                    permits.clone(),
                    stop.clone(),
                    crowd.sale.clone(),
                    fan.token.clone(),
                );
                tokio::spawn(async move {
                    let mut due = first;
                    for _ in 0..max_polls(cap.as_secs() + 1) {
                        if due >= deadline {
                            break;
                        }
                        sleep_until(due.into()).await;
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let Ok(_permit) = permits.acquire().await else {
                            break;
                        };
                        due = match api.status(&rec, op, &sale, &token).await {
                            Some(s) => next_poll(s.poll_after_ms),
                            None => Instant::now() + RETRY_AFTER,
                        };
                    }
                })
            })
            .collect()
    }

    /// Scenario 5, the opening second: `fans` fans already in line keep polling while `fans` new fans
    /// arrive within one second; each new fan asks again after a 503 (waiting `Retry-After`).
    pub async fn opening_second(&self, settings: &OpeningSettings) -> Result<ScenarioResult> {
        let OpeningSettings {
            fans,
            shards,
            max_in_flight,
        } = *settings;
        let sale = self.fresh_sale_with_shards("opening", shards).await?;
        let setup = Arc::new(Recorder::new(Instant::now()));
        let (before_crowd, _) = self.join_crowd(&setup, "join", &sale, fans).await;
        if before_crowd.is_empty() {
            bail!("opening second: no fan could join sale {sale}");
        }
        let crowd = Crowd {
            sale: sale.clone(),
            fans: Arc::new(before_crowd),
        };
        let before = self.api.report(&sale).await?;

        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start));
        let permits = Arc::new(Semaphore::new(max_in_flight.max(1)));
        let stop = Arc::new(AtomicBool::new(false));
        let pollers = self.keep_polling(&crowd, &rec, "poll", &permits, &stop, self.phase_cap);

        // The arrivals: fan k sends its join at start + k/N s.
        let deadline = start + self.phase_cap;
        let placed: Arc<Mutex<Vec<Duration>>> = Arc::default();
        let last_sent: Arc<Mutex<Duration>> = Arc::default();
        let arrivals: Vec<_> = (0..fans)
            .map(|k| {
                let at = start + Duration::from_secs(1).mul_f64(k as f64 / fans as f64);
                let (api, rec, permits, sale, placed, last_sent) = (
                    self.api.clone(),
                    rec.clone(),
                    permits.clone(),
                    sale.clone(),
                    placed.clone(),
                    last_sent.clone(),
                );
                tokio::spawn(async move {
                    sleep_until(at.into()).await;
                    for attempt in 0..MAX_JOIN_ATTEMPTS {
                        let outcome = {
                            let Ok(_permit) = permits.acquire().await else {
                                return;
                            };
                            if attempt == 0 {
                                let mut last = last_sent.lock().unwrap_or_else(|p| p.into_inner());
                                *last = (*last).max(start.elapsed());
                            }
                            api.join_outcome(&rec, "join", &sale).await
                        };
                        let wait = match outcome {
                            JoinOutcome::Joined => {
                                placed
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push(start.elapsed());
                                return;
                            }
                            JoinOutcome::Busy(wait) => wait.unwrap_or(RETRY_AFTER),
                            JoinOutcome::Failed => RETRY_AFTER,
                        };
                        let next = Instant::now() + wait.min(MAX_RETRY_WAIT);
                        if next >= deadline {
                            return;
                        }
                        sleep_until(next.into()).await;
                    }
                })
            })
            .collect();
        join_all(arrivals).await;
        let everyone_placed = start.elapsed();
        // The crowd stops polling with the last arrival (a poll cut off midway is not recorded).
        stop.store(true, Ordering::Relaxed);
        for poller in &pollers {
            poller.abort();
        }
        join_all(pollers).await;
        let elapsed = start.elapsed();
        let delta = self.delta_after_overload(&sale, &before).await?;

        let placed = std::mem::take(&mut *placed.lock().unwrap_or_else(|p| p.into_inner()));
        let last_place = placed.iter().max().copied().unwrap_or_default();
        let (joins, polls) = (rec.get("join"), rec.get("poll"));
        let errors = server_errors(&[&joins, &polls]);
        let spread = *last_sent.lock().unwrap_or_else(|p| p.into_inner());
        let mut metrics = vec![
            Metric::new(
                "time until every fan has a place (from the first arrival)",
                last_place.as_secs_f64(),
                "s",
            ),
            Metric::new("arriving fans with a place", placed.len() as f64, "fans"),
            Metric::new(
                "arriving fans without a place at the end",
                (fans - placed.len() as u64) as f64,
                "fans",
            ),
            Metric::new(
                "first joins sent within (the arrival spread; planned 1 s)",
                spread.as_secs_f64(),
                "s",
            ),
            Metric::new(
                "5xx answers from the worker other than 503 busy (must be 0)",
                errors.worker_other as f64,
                "",
            ),
            Metric::new("503 busy answers (with Retry-After)", errors.busy as f64, ""),
            Metric::new(
                "503 from wrangler dev's local proxy (lost its connection to workerd; not the worker's)",
                errors.dev_proxy as f64,
                "",
            ),
            Metric::new("join p50", joins.quantile_ms(0.5), "ms"),
            Metric::new("join p99", joins.quantile_ms(0.99), "ms"),
            Metric::new("poll p50", polls.quantile_ms(0.5), "ms"),
            Metric::new("poll p99", polls.quantile_ms(0.99), "ms"),
            Metric::new(
                "coordinator requests per join",
                delta.per(placed.len() as u64),
                "requests",
            ),
            Metric::new(
                "coordinator requests per poll (snapshot + claim + presence)",
                ratio(
                    delta.kind("snapshot") + delta.kind("claim") + delta.kind("presence"),
                    polls.ok,
                ),
                "requests",
            ),
        ];
        if everyone_placed > last_place + Duration::from_secs(1) {
            metrics.push(Metric::new(
                "the last arrival gave up or hit the time cap after",
                everyone_placed.as_secs_f64(),
                "s",
            ));
        }
        Ok(ScenarioResult {
            key: "5".into(),
            short: "opening".into(),
            title: "5. Opening second".into(),
            description: format!(
                "{} fans already in line on one open sale ({shards} arrival shards) keep polling \
                 at `poll_after_ms` while {fans} new fans arrive within one second (fan k sends \
                 its join at k/{fans} s). A fan answered 503 asks again after `Retry-After` \
                 (at most {MAX_JOIN_ATTEMPTS} times); at most {max_in_flight} requests in \
                 flight. \"A place\" is a 201.",
                crowd.fans.len(),
            ),
            sale: Some(sale),
            duration_s: elapsed.as_secs_f64(),
            ops: rec.summaries(&["join", "poll"], elapsed),
            coordinator: Some(delta),
            metrics,
        })
    }

    /// `secs` of the crowd polling at `poll_after_ms`, recorded under `op`: the stats, how long it
    /// took, and the coordinator requests meanwhile.
    async fn paced_phase(
        &self,
        crowd: &Crowd,
        op: &'static str,
        secs: u64,
    ) -> Result<(OpStats, Duration, crate::report::CoordinatorDelta)> {
        let before = self.api.report(&crowd.sale).await?;
        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start));
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let stop = Arc::new(AtomicBool::new(false));
        let cap = Duration::from_secs(secs);
        join_all(self.keep_polling(crowd, &rec, op, &permits, &stop, cap)).await;
        let took = start.elapsed();
        let delta = self.delta_after_overload(&crowd.sale, &before).await?;
        Ok((rec.get(op), took, delta))
    }

    /// Scenario 6, a slow coordinator: a crowd polls at `poll_after_ms` for `secs` with the coordinator
    /// answering normally, then for `secs` with every request to it delayed by `delay_ms`
    /// (`PUT /api/admin/sales/{sale}/fault`, only in a worker started with
    /// `WAITROOM_TEST_FAULTS=1`). Without the switch, says so and measures nothing delayed.
    pub async fn slow_coordinator(
        &self,
        fans: u64,
        secs: u64,
        delay_ms: u64,
    ) -> Result<ScenarioResult> {
        let sale = self.fresh_sale("slow").await?;
        let title = "6. Slow coordinator".to_owned();
        // Asked first: without the switch nothing else is worth measuring.
        if let FaultSwitch::Unavailable(why) = self.api.set_fault(&sale, 0, false).await? {
            return Ok(ScenarioResult {
                key: "6".into(),
                short: "slow".into(),
                title,
                description: format!(
                    "**skipped: fault switch unavailable** (`PUT /api/admin/sales/{{id}}/fault` \
                     answered {why}). The worker must be built with the fault switch and started \
                     with `--var WAITROOM_TEST_FAULTS:1` (scripts/bench.sh does)."
                ),
                sale: Some(sale),
                duration_s: 0.0,
                ops: Vec::new(),
                coordinator: None,
                metrics: Vec::new(),
            });
        }
        let setup = Arc::new(Recorder::new(Instant::now()));
        let (fans_in_line, _) = self.join_crowd(&setup, "join", &sale, fans).await;
        if fans_in_line.is_empty() {
            bail!("slow coordinator: no fan could join sale {sale}");
        }
        let crowd = Crowd {
            sale: sale.clone(),
            fans: Arc::new(fans_in_line),
        };
        let (normal, normal_took, normal_delta) = self
            .paced_phase(&crowd, "poll (coordinator normal)", secs)
            .await?;
        if self.api.set_fault(&sale, delay_ms, false).await? != FaultSwitch::Set {
            bail!("the fault switch stopped answering");
        }
        let delayed = self
            .paced_phase(&crowd, "poll (coordinator delayed)", secs)
            .await;
        // The switch goes off whatever happened.
        let off = self.api.set_fault(&sale, 0, false).await;
        let (slow, slow_took, slow_delta) = delayed?;
        off?;
        let per_s = |n: u64, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
        let errors = server_errors(&[&normal, &slow]);
        let metrics = vec![
            Metric::new(
                "polls/s, coordinator normal",
                per_s(normal.ok, normal_took),
                "polls/s",
            ),
            Metric::new(
                &format!("polls/s, coordinator delayed by {delay_ms} ms"),
                per_s(slow.ok, slow_took),
                "polls/s",
            ),
            Metric::new(
                "coordinator requests/s, coordinator normal",
                per_s(normal_delta.total, normal_took),
                "req/s",
            ),
            Metric::new(
                &format!("coordinator requests/s, coordinator delayed by {delay_ms} ms"),
                per_s(slow_delta.total, slow_took),
                "req/s",
            ),
            Metric::new(
                "poll p99, coordinator normal",
                normal.quantile_ms(0.99),
                "ms",
            ),
            Metric::new(
                "poll p99, coordinator delayed",
                slow.quantile_ms(0.99),
                "ms",
            ),
            Metric::new(
                "5xx answers from the worker other than 503 busy (must be 0)",
                errors.worker_other as f64,
                "",
            ),
            Metric::new("503 busy answers", errors.busy as f64, ""),
            Metric::new(
                "503 from wrangler dev's local proxy (not the worker's)",
                errors.dev_proxy as f64,
                "",
            ),
        ];
        let took = normal_took + slow_took;
        Ok(ScenarioResult {
            key: "6".into(),
            short: "slow".into(),
            title,
            description: format!(
                "{} fans in one open sale (nobody admitted) poll at `poll_after_ms` for {secs} s \
                 with the coordinator answering normally, then for {secs} s with every request \
                 to the sale's coordinator delayed by {delay_ms} ms through the worker's \
                 test-only fault switch (`PUT /api/admin/sales/{{id}}/fault`). At most {} polls \
                 in flight. The coordinator counts include the benchmark's own report reads \
                 only as `report` (left out of the totals).",
                crowd.fans.len(),
                self.concurrency
            ),
            sale: Some(sale),
            duration_s: took.as_secs_f64(),
            ops: vec![
                normal.summary("poll (coordinator normal)", normal_took),
                slow.summary("poll (coordinator delayed)", slow_took),
            ],
            coordinator: Some(slow_delta),
            metrics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_tell_busy_from_broken() {
        let mut a = OpStats::default();
        let at = Duration::ZERO;
        a.record_error("503 busy", None, at);
        a.record_error("503 busy", None, at);
        a.record_error("500 internal", None, at);
        a.record_error("409 lapsed", None, at);
        let mut b = OpStats::default();
        b.record_error("502", None, at);
        b.record_error("503", None, at);
        b.record_error(&format!("503 {DEV_PROXY}"), None, at);
        b.record_error("connect", None, at);
        assert_eq!(
            server_errors(&[&a, &b]),
            ServerErrors {
                worker_other: 3,
                busy: 2,
                dev_proxy: 1
            }
        );
    }

    #[test]
    fn retries_are_bounded() {
        assert!(MAX_JOIN_ATTEMPTS as u64 * MAX_RETRY_WAIT.as_secs() < 600);
    }
}
