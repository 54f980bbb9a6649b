//! Scenario 11, the coordinator's ceiling (issue 19): admissions a second one sale's coordinator
//! sustains, each with a signed pass. A line of fans is filled first (numbered at the edge, no
//! per-address limit, presence off so nobody is skipped), then windows pull as fast as the object
//! answers, each pulled fan claims its turn by polling until the answer carries its pass, and the
//! window completes it, freeing the place. Beside it, in the same run, the two round trips that
//! could bound it: `/healthz` (the local runtime, no object) and the sale's admin report (one
//! coordinator request that reads and signs nothing). Every pass is verified against the JWKS
//! afterwards, as an origin would.
//!
//! Two modes, each on a fresh line of its own, one after the other in the same run: windows
//! complete each fan alone (the single route), then windows complete their fans in batches
//! (`POST .../assignments/batch/complete`, docs/api.md "Complete in batches"): a window's fans are
//! completed together once a quarter of its places are waiting to be (the same quarter that
//! lets it pull again), or at least once a second.

use super::ceiling_report::Run;
use super::{drive, Bench, MAX_HAMMER_REQUESTS};
use crate::client::Joined;
use crate::report::ScenarioResult;
use crate::stats::Recorder;
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use waitroom_core::ids::SaleId;
use waitroom_core::time::UnixMillis;

/// A pulled fan polls again after this long until its answer carries the pass (the edge sees the
/// line move with its next snapshot, within about a second).
pub(super) const CLAIM_POLL_GAP: Duration = Duration::from_millis(200);
/// Seconds of each reference round trip (`/healthz`, the admin report).
pub(super) const REFERENCE_SECS: u64 = 3;
/// The line is filled through this many arrival shards (edge numbering: fast to fill).
pub(super) const FILL_SHARDS: u32 = 4;
/// In the batched mode, a window completes what it holds at least this often.
pub(super) const BATCH_FLUSH_EVERY: Duration = Duration::from_secs(1);

/// A window's fans whose pass came, holding their places until their batch is completed.
type Pending = Arc<Mutex<Vec<(String, tokio::sync::OwnedSemaphorePermit)>>>;

/// What the ceiling scenario is asked for.
pub struct CeilingSettings {
    /// Fans in line before the windows start.
    pub fans: u64,
    /// Seconds of pulling.
    pub secs: u64,
    /// Windows pulling at once.
    pub windows: u32,
    /// Places of each window (fans pulled and not yet admitted and completed).
    pub places: u32,
}

impl Bench {
    /// Scenario 11, the coordinator's ceiling: admissions a second, each with a signed pass;
    /// windows completing each fan alone, then, on a fresh line, in batches.
    pub async fn ceiling(&self, s: &CeilingSettings) -> Result<ScenarioResult> {
        let (sale, tokens, waiting) = self.fill_line("ceiling", s).await?;
        // The reference round trips, before the windows start.
        let health = self.reference(None).await;
        let report_trip = self.reference(Some(&sale)).await;
        let single = self.admit(s, sale, tokens, waiting, None).await?;
        let (sale, tokens, waiting) = self.fill_line("ceiling-batched", s).await?;
        let batch = (s.places.max(1) as usize / 4).max(1);
        let batched = self.admit(s, sale, tokens, waiting, Some(batch)).await?;
        self.ceiling_result(s, single, batched, batch, health, report_trip)
    }

    /// A new sale (`name`) with `s.fans` in line: the fans by id, and how many wait.
    async fn fill_line(
        &self,
        name: &str,
        s: &CeilingSettings,
    ) -> Result<(String, Arc<HashMap<String, Joined>>, u64)> {
        let sale = self.sale(name);
        // Every fan comes from this one address: no per-address limit; presence off, so a pulled
        // fan is never skipped for not having polled near the front.
        self.api
            .open_new_sale_with(
                &sale,
                self.claim_ttl_s,
                FILL_SHARDS,
                json!({ "rate_limit_per_min": 0, "presence_ttl_s": 0 }),
            )
            .await
            .with_context(|| format!("setting up sale {sale}"))?;
        let setup = Arc::new(Recorder::new(Instant::now()));
        let (crowd, _) = self.join_crowd(&setup, "join", &sale, s.fans).await;
        if crowd.is_empty() {
            bail!("ceiling: no fan could join sale {sale}");
        }
        // Edge-numbered fans can be pulled once their blocks close (about a second, 2.5 s at most).
        let mut waiting = 0;
        for _ in 0..40 {
            waiting = self.api.report(&sale).await?["stats"]["waiting"]
                .as_u64()
                .unwrap_or(0);
            if waiting >= crowd.len() as u64 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let tokens = Arc::new(crowd.into_iter().map(|j| (j.fan_id.clone(), j)).collect());
        Ok((sale, tokens, waiting))
    }

    /// The windows pull, their fans claim, and the windows complete them: each alone (`batch`
    /// `None`), or `batch` at a time (and at least every [`BATCH_FLUSH_EVERY`]).
    async fn admit(
        &self,
        s: &CeilingSettings,
        sale: String,
        tokens: Arc<HashMap<String, Joined>>,
        waiting: u64,
        batch: Option<usize>,
    ) -> Result<Run> {
        let before = self.api.report(&sale).await?;
        let start = Instant::now();
        let deadline = start + Duration::from_secs(s.secs);
        let rec = Arc::new(Recorder::new(start));
        let passes: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let emptied_ms = Arc::new(AtomicU64::new(0));
        let polling = Arc::new(Semaphore::new(self.concurrency));
        let claim_wait = Duration::from_secs(self.claim_ttl_s);
        let windows: Vec<_> = (0..s.windows)
            .map(|w| {
                let (api, rec, sale, tokens, passes, emptied_ms, polling) = (
                    self.api.clone(),
                    rec.clone(),
                    sale.clone(),
                    tokens.clone(),
                    passes.clone(),
                    emptied_ms.clone(),
                    polling.clone(),
                );
                let places_n = s.places.max(1);
                tokio::spawn(async move {
                    let window = format!("c{w}");
                    let places = Arc::new(Semaphore::new(places_n as usize));
                    let refill_at = (places_n as usize / 4).max(1);
                    let pending: Pending = Arc::default();
                    // The batched mode's clock: what waits is completed at least this often.
                    let flusher = batch.map(|_| {
                        let (api, rec, sale, pending, polling) = (
                            api.clone(),
                            rec.clone(),
                            sale.clone(),
                            pending.clone(),
                            polling.clone(),
                        );
                        tokio::spawn(async move {
                            loop {
                                tokio::time::sleep(BATCH_FLUSH_EVERY).await;
                                complete_pending(&api, &rec, &sale, &pending, &polling, 1).await;
                            }
                        })
                    });
                    let mut serving = Vec::new();
                    // Each turn pulls at least one fan or stops: bounded by the line's length.
                    for n in 0..tokens.len() as u64 + 1 {
                        if Instant::now() >= deadline {
                            break;
                        }
                        // Wait for a quarter of the places to be free, then pull that many at once.
                        let want = match places.acquire_many(refill_at as u32).await {
                            Ok(p) => {
                                drop(p);
                                places.available_permits() as u32
                            }
                            Err(_) => break,
                        };
                        let request_id = format!("{window}-{n}");
                        let assignments =
                            match api.pull(&rec, &sale, &window, want, &request_id).await {
                                Some(a) if !a.is_empty() => a,
                                Some(_) => {
                                    // The line is empty: the run is over for this window.
                                    let at = start.elapsed().as_millis() as u64;
                                    emptied_ms.fetch_max(at, Ordering::Relaxed);
                                    break;
                                }
                                None => continue,
                            };
                        for a in assignments {
                            let Ok(place) = places.clone().acquire_owned().await else {
                                break;
                            };
                            let Some(fan) = tokens.get(&a.fan_id).cloned() else {
                                continue;
                            };
                            let (api, rec, sale, passes, polling, pending) = (
                                api.clone(),
                                rec.clone(),
                                sale.clone(),
                                passes.clone(),
                                polling.clone(),
                                pending.clone(),
                            );
                            serving.push(tokio::spawn(async move {
                                let give_up = Instant::now() + claim_wait;
                                let tries = claim_wait.as_millis() / CLAIM_POLL_GAP.as_millis() + 1;
                                let mut pass = None;
                                for _ in 0..tries {
                                    if Instant::now() >= give_up {
                                        break;
                                    }
                                    let status = {
                                        let Ok(_p) = polling.acquire().await else {
                                            return;
                                        };
                                        let sent = Instant::now();
                                        let status = api
                                            .status(
                                                &rec,
                                                "poll (until the pass)",
                                                &sale,
                                                &fan.token,
                                            )
                                            .await;
                                        if status.as_ref().is_some_and(|s| s.pass.is_some()) {
                                            rec.ok(
                                                "claim (the answer with the pass)",
                                                sent.elapsed(),
                                            );
                                        }
                                        status
                                    };
                                    match status {
                                        Some(st) if st.state == "your_turn" => {
                                            pass = st.pass;
                                            break;
                                        }
                                        Some(st) if st.state == "waiting" => {}
                                        Some(_) => return,
                                        None => {}
                                    }
                                    tokio::time::sleep(CLAIM_POLL_GAP).await;
                                }
                                let Some(pass) = pass else { return };
                                rec.ok("admitted (pass received)", Duration::from_millis(1));
                                passes
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((fan.fan_id.clone(), pass));
                                match batch {
                                    None => {
                                        let Ok(_p) = polling.acquire().await else {
                                            return;
                                        };
                                        api.complete(&rec, &sale, &fan.fan_id).await;
                                        drop(place);
                                    }
                                    Some(size) => {
                                        pending
                                            .lock()
                                            .unwrap_or_else(|p| p.into_inner())
                                            .push((fan.fan_id.clone(), place));
                                        complete_pending(
                                            &api, &rec, &sale, &pending, &polling, size,
                                        )
                                        .await;
                                    }
                                }
                            }));
                        }
                    }
                    futures::future::join_all(serving).await;
                    if let Some(flusher) = flusher {
                        flusher.abort();
                        complete_pending(&api, &rec, &sale, &pending, &polling, 1).await;
                    }
                })
            })
            .collect();
        for w in windows {
            w.await.context("window task")?;
        }
        let elapsed = start.elapsed();
        let (delta, after) = self.delta(&sale, &before).await?;

        // Every pass checked as an origin would: the JWKS, the signature, aud, sub and expiry.
        let jwks = self.api.jwks().await?;
        let sale_id = SaleId::parse(&sale).map_err(|e| anyhow::anyhow!("sale id {sale}: {e:?}"))?;
        let now = UnixMillis(super::super::unix_ms());
        let passes = std::mem::take(&mut *passes.lock().unwrap_or_else(|p| p.into_inner()));
        let bad_passes = passes
            .iter()
            .filter(|(fan, pass)| {
                waitroom_core::monitor::verify_pass(&jwks, pass, &sale_id, fan, now).is_err()
            })
            .count();
        let emptied_ms = emptied_ms.load(Ordering::Relaxed);
        let span = if emptied_ms > 0 {
            Duration::from_millis(emptied_ms).min(elapsed)
        } else {
            elapsed
        };
        Ok(Run {
            sale,
            waiting,
            rec,
            delta,
            after,
            elapsed,
            span,
            emptied_ms,
            bad_passes,
        })
    }

    /// `REFERENCE_SECS` of back-to-back `/healthz` (`sale` `None`) or admin reports of `sale`:
    /// (answers, time, stats).
    async fn reference(&self, sale: Option<&str>) -> (u64, Duration, crate::stats::OpStats) {
        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start));
        let deadline = start + Duration::from_secs(REFERENCE_SECS);
        let (api, rec2) = (self.api.clone(), rec.clone());
        let sale = sale.map(str::to_owned);
        let op = if sale.is_some() { "op" } else { "healthz" };
        drive(self.concurrency, MAX_HAMMER_REQUESTS, deadline, move |_| {
            let (api, rec, sale) = (api.clone(), rec2.clone(), sale.clone());
            async move {
                match sale {
                    Some(sale) => {
                        let req = api
                            .request(reqwest::Method::GET, &format!("/api/admin/sales/{sale}"))
                            .bearer_auth(api.admin_key());
                        api.probe(&rec, "op", req).await;
                    }
                    None => {
                        api.healthz(&rec).await;
                    }
                }
            }
        })
        .await;
        let took = start.elapsed();
        let stats = rec.get(op);
        (stats.ok, took, stats)
    }
}

/// Completes what `pending` holds in one batch request once it holds `at_least` (its places
/// free when the answer comes). The fans whose batch failed are not retried (counted as the
/// `complete batch` op's errors).
async fn complete_pending(
    api: &crate::client::Api,
    rec: &Recorder,
    sale: &str,
    pending: &Pending,
    polling: &Semaphore,
    at_least: usize,
) {
    let batch = {
        let mut held = pending.lock().unwrap_or_else(|p| p.into_inner());
        if held.is_empty() || held.len() < at_least {
            return;
        }
        std::mem::take(&mut *held)
    };
    let ids: Vec<String> = batch.iter().map(|(fan, _)| fan.clone()).collect();
    let Ok(_p) = polling.acquire().await else {
        return;
    };
    api.complete_many(rec, sale, &ids).await;
}
