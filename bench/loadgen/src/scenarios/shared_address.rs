//! Scenario 10, a shared address at the opening second (issue 17): 500 honest fans behind one
//! address (a mobile carrier's NAT, a campus) arrive at once at a sale whose budget is the
//! default 30 new places a minute per address, and one script behind another address takes as
//! many places as it can. Both sides measured twice: with the default price past the budget
//! (`over_budget: "price"`: more proof of work per place, one bit each time the excess doubles)
//! and with the hard limit (`"refuse"`: 429). Places, time to a place, and the work each paid, in
//! SHA-256 hashes (the load generator solves natively; a browser's Web Worker is slower).

use super::{drive, Bench};
use crate::report::{Metric, ScenarioResult};
use crate::stats::Recorder;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The crowd's one address, and the script's.
const CROWD_ADDRESS: &str = "198.51.100.10";
const SCRIPT_ADDRESS: &str = "198.51.100.66";
/// The budget: the default `RATE_LIMIT_PER_MIN` (`make bench` runs the worker with no limit, so
/// the sale sets it).
const BUDGET: u64 = 30;
/// The most rounds of solve-and-join one fan makes (the price may rise while they solve).
const MAX_ROUNDS: u32 = 6;

/// What one join answered.
enum Answer {
    Placed,
    /// A new place costs proof of work: this challenge at these bits.
    Priced {
        challenge: String,
        bits: u8,
    },
    /// 429: the hard limit.
    Refused,
    /// Anything else (a 5xx, a transport failure), with what it was.
    Failed(String),
}

/// One fan's way to a place.
#[derive(Default, Clone, Copy)]
struct Fan {
    placed: bool,
    refused: bool,
    /// Answers that were neither a place, a price nor a refusal (a 5xx, a transport failure).
    failures: u64,
    hashes: u64,
    ms: u64,
}

/// Solves `challenge` at `bits` natively: the nonce and how many hashes it took.
fn solve(challenge: &str, bits: u8) -> (String, u64) {
    let nonce =
        waitroom_core::fairness::pow::solve(challenge, bits, 0, u64::MAX).unwrap_or_default();
    let tries = nonce.parse::<u64>().map_or(0, |n| n + 1);
    (nonce, tries)
}

impl Bench {
    async fn join_from(&self, sale: &str, address: &str, pow: Option<(&str, &str)>) -> Answer {
        let mut req = self
            .api
            .request(reqwest::Method::POST, &format!("/api/sales/{sale}/join"))
            .header("CF-Connecting-IP", address);
        if let Some((challenge, nonce)) = pow {
            req = req.json(&json!({ "pow": { "challenge": challenge, "nonce": nonce } }));
        }
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => return Answer::Failed(e.to_string()),
        };
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        match status {
            200 | 201 => Answer::Placed,
            429 => Answer::Refused,
            403 if body["pow"]["challenge"].is_string() => Answer::Priced {
                challenge: body["pow"]["challenge"].as_str().unwrap_or_default().into(),
                bits: body["pow"]["bits"].as_u64().unwrap_or(0) as u8,
            },
            _ => Answer::Failed(format!("{status} {body}")),
        }
    }

    /// One fan (or one of the script's places) from `address`: join, and while priced, solve
    /// and join again.
    async fn take_place(&self, sale: &str, address: &str) -> Fan {
        let start = Instant::now();
        let mut fan = Fan::default();
        let mut paid: Option<(String, String)> = None;
        for _ in 0..MAX_ROUNDS {
            let pow = paid.as_ref().map(|(c, n)| (c.as_str(), n.as_str()));
            match self.join_from(sale, address, pow).await {
                Answer::Placed => {
                    fan.placed = true;
                    break;
                }
                Answer::Refused => {
                    fan.refused = true;
                    break;
                }
                Answer::Priced { challenge, bits } => {
                    let text = challenge.clone();
                    let (nonce, tries) = tokio::task::spawn_blocking(move || solve(&text, bits))
                        .await
                        .unwrap_or_default();
                    fan.hashes += tries;
                    paid = Some((challenge, nonce));
                }
                Answer::Failed(why) => {
                    fan.failures += 1;
                    eprintln!("[bench] shared address: a join failed: {why}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        fan.ms = start.elapsed().as_millis() as u64;
        fan
    }

    /// The crowd of `fans` behind one address, all arriving at once; then the script for
    /// `script_secs`. On a fresh sale treating addresses past the budget as `over_budget`.
    async fn shared_address_round(
        &self,
        over_budget: &str,
        fans: u64,
        script_secs: u64,
    ) -> Result<(Vec<Fan>, Vec<Fan>, String)> {
        let sale = self.sale(&format!("shared-{over_budget}"));
        let settings = json!({ "rate_limit_per_min": BUDGET, "over_budget": over_budget });
        self.api
            .open_new_sale_with(&sale, self.claim_ttl_s, self.shards, settings)
            .await
            .with_context(|| format!("setting up sale {sale}"))?;
        let crowd = Arc::new(Mutex::new(Vec::with_capacity(fans as usize)));
        let (bench, out, name) = (Arc::new(self.clone()), crowd.clone(), sale.clone());
        drive(
            self.concurrency,
            fans,
            Instant::now() + self.phase_cap,
            move |_| {
                let (bench, out, sale) = (bench.clone(), out.clone(), name.clone());
                async move {
                    let fan = bench.take_place(&sale, CROWD_ADDRESS).await;
                    out.lock().unwrap().push(fan);
                }
            },
        )
        .await;
        let mut script = Vec::new();
        let until = Instant::now() + Duration::from_secs(script_secs);
        // Bounded in count too: one place a round, at most 100,000 rounds.
        for _ in 0..100_000 {
            if Instant::now() >= until {
                break;
            }
            let place = self.take_place(&sale, SCRIPT_ADDRESS).await;
            let stop = !place.placed;
            script.push(place);
            if stop && over_budget == "refuse" {
                // Refused: the hard limit holds until the budget refills (a minute).
                break;
            }
        }
        let crowd = std::mem::take(&mut *crowd.lock().unwrap());
        Ok((crowd, script, sale))
    }

    /// 10. A shared address at the opening second, with the price and with the hard limit.
    pub async fn shared_address(&self, fans: u64, script_secs: u64) -> Result<ScenarioResult> {
        let rec = Recorder::new(Instant::now());
        let started = Instant::now();
        let mut metrics = Vec::new();
        let mut sale = None;
        for over_budget in ["price", "refuse"] {
            let (crowd, script, name) = self
                .shared_address_round(over_budget, fans, script_secs)
                .await?;
            let placed: Vec<&Fan> = crowd.iter().filter(|f| f.placed).collect();
            for fan in &placed {
                let op = if over_budget == "price" {
                    "place, crowd behind one address (price)"
                } else {
                    "place, crowd behind one address (refuse)"
                };
                rec.ok(op, Duration::from_millis(fan.ms));
            }
            let refused = crowd.iter().filter(|f| f.refused).count();
            let failures: u64 = crowd.iter().chain(&script).map(|f| f.failures).sum();
            let mut hashes: Vec<u64> = crowd.iter().map(|f| f.hashes).collect();
            hashes.sort_unstable();
            let mean = hashes.iter().sum::<u64>() as f64 / hashes.len().max(1) as f64;
            let max = hashes.last().copied().unwrap_or(0) as f64;
            let script_places = script.iter().filter(|p| p.placed).count();
            let script_hashes: u64 = script.iter().map(|p| p.hashes).sum();
            let last = script
                .iter()
                .rev()
                .find(|p| p.placed)
                .map_or(0, |p| p.hashes);
            let m = |what: &str, v: f64, unit: &str| {
                Metric::new(&format!("{what} ({over_budget})"), v, unit)
            };
            metrics.extend([
                m("crowd placed", placed.len() as f64, "fans"),
                m("crowd refused", refused as f64, "fans"),
                m(
                    "failed answers (5xx, transport)",
                    failures as f64,
                    "requests",
                ),
                m("crowd hashes per fan, mean", mean, "hashes"),
                m("crowd hashes per fan, most", max, "hashes"),
                m("script places", script_places as f64, "places"),
                m("script hashes in all", script_hashes as f64, "hashes"),
                m("script hashes for its last place", last as f64, "hashes"),
            ]);
            if over_budget == "price" {
                sale = Some(name);
            }
        }
        let ops = rec.summaries(
            &[
                "place, crowd behind one address (price)",
                "place, crowd behind one address (refuse)",
            ],
            started.elapsed(),
        );
        Ok(ScenarioResult {
            key: "10".into(),
            short: "shared".into(),
            title: "10. A shared address: an honest crowd and a script behind one address each"
                .into(),
            description: format!(
                "{fans} fans behind one address arrive at once at a fresh open sale with a budget \
                 of {BUDGET} new places a minute per address; then one script behind another \
                 address takes places for {script_secs} s, one after the other. Twice: past the \
                 budget a new place costs more proof of work (`over_budget: \"price\"`, the \
                 default), then is refused (`\"refuse\"`, 429). Work is counted in SHA-256 hashes \
                 the load generator tried (natively, {} requests in flight).",
                self.concurrency
            ),
            sale,
            duration_s: started.elapsed().as_secs_f64(),
            ops,
            coordinator: None,
            metrics,
        })
    }
}
