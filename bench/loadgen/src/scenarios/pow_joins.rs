//! Scenario 9, proof of work at the edge: joins per second to a sale without proof of work and
//! to one that asks for it, in the same run. The load generator solves its challenges before the
//! clock starts (distinct nonces of one challenge are distinct solutions), so the difference is
//! what verifying costs the edge: one HMAC, one SHA-256 and the spent-solution check at the
//! object that numbers the fan.

use super::{drive, Bench};
use crate::report::{Metric, ScenarioResult};
use crate::stats::Recorder;
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `fans` distinct nonces for `challenge`, each with `bits` leading zero bits.
fn solve_many(challenge: &str, bits: u8, fans: u64) -> Vec<String> {
    let mut nonces = Vec::with_capacity(fans as usize);
    let mut start = 0;
    while (nonces.len() as u64) < fans {
        let Some(nonce) = waitroom_core::fairness::pow::solve(challenge, bits, start, u64::MAX)
        else {
            break;
        };
        start = nonce.parse::<u64>().unwrap_or(u64::MAX - 1) + 1;
        nonces.push(nonce);
    }
    nonces
}

impl Bench {
    /// 9. Joins per second with proof of work off and on.
    pub async fn pow_joins(&self, fans: u64, bits: u8) -> Result<ScenarioResult> {
        let off = self.fresh_sale("pow-off").await?;
        let on = self.sale("pow-on");
        self.api
            .open_new_sale_with(
                &on,
                self.claim_ttl_s,
                self.shards,
                json!({ "pow_bits": bits }),
            )
            .await
            .with_context(|| format!("setting up sale {on}"))?;
        let (challenge, asked) = self.api.challenge(&on).await?;
        if asked != bits {
            bail!("sale {on} asks for {asked} bits, not {bits}");
        }
        let solving = Instant::now();
        let text = challenge.to_string();
        let challenge = Arc::new(challenge.clone());
        let nonces = Arc::new(
            tokio::task::spawn_blocking(move || solve_many(&text, bits, fans))
                .await
                .context("solving")?,
        );
        let solve_s = solving.elapsed().as_secs_f64();

        // Two rounds, each off then on, so neither mode has the warmer worker.
        let rec_off = Arc::new(Recorder::new(Instant::now()));
        let rec_on = Arc::new(Recorder::new(Instant::now()));
        let (mut off_s, mut on_s) = (Duration::ZERO, Duration::ZERO);
        let half = (nonces.len() as u64).div_ceil(2);
        for round in 0..2u64 {
            let start = Instant::now();
            self.join_crowd(&rec_off, "join (pow off)", &off, fans.div_ceil(2))
                .await;
            off_s += start.elapsed();

            let start = Instant::now();
            let (api, rec, sale, challenge) = (
                self.api.clone(),
                rec_on.clone(),
                on.clone(),
                challenge.clone(),
            );
            let list = nonces.clone();
            let first = round * half;
            drive(self.concurrency, half, start + self.phase_cap, move |i| {
                let (api, rec, sale, challenge, list) = (
                    api.clone(),
                    rec.clone(),
                    sale.clone(),
                    challenge.clone(),
                    list.clone(),
                );
                async move {
                    if let Some(nonce) = list.get((first + i) as usize) {
                        api.join_paid(&rec, "join (pow on)", &sale, &challenge, nonce)
                            .await;
                    }
                }
            })
            .await;
            on_s += start.elapsed();
        }
        let (ok_off, ok_on) = (
            rec_off.get("join (pow off)").ok,
            rec_on.get("join (pow on)").ok,
        );
        let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
        let mut ops = rec_off.summaries(&["join (pow off)"], off_s);
        ops.extend(rec_on.summaries(&["join (pow on)"], on_s));
        Ok(ScenarioResult {
            key: "9".into(),
            short: "pow".into(),
            title: "9. Proof of work: joins/s off and on".into(),
            description: format!(
                "{fans} new fans join a sale without proof of work and {fans} join a sale with \
                 `pow_bits` = {bits} (two rounds, each off then on), each with a solution the load generator found before the \
                 clock started ({solve_s:.1} s for all of them), {} requests in flight. The \
                 difference is the edge's cost of verifying (and the object's of remembering) a \
                 solution.",
                self.concurrency
            ),
            sale: Some(on),
            duration_s: (off_s + on_s).as_secs_f64(),
            ops,
            coordinator: None,
            metrics: vec![
                Metric::new("joins/s, proof of work off", rate(ok_off, off_s), "joins/s"),
                Metric::new("joins/s, proof of work on", rate(ok_on, on_s), "joins/s"),
                Metric::new(
                    "joins/s on as a share of off",
                    rate(ok_on, on_s) / rate(ok_off, off_s).max(1e-9),
                    "ratio",
                ),
            ],
        })
    }
}
