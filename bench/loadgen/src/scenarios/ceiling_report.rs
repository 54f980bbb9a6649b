//! Scenario 11's report (see `ceiling`): both modes' measures side by side, the single mode's
//! under the names earlier runs used, the batched mode's prefixed `batched:`.

use super::ceiling::{
    CeilingSettings, BATCH_FLUSH_EVERY, CLAIM_POLL_GAP, FILL_SHARDS, REFERENCE_SECS,
};
use super::Bench;
use crate::report::{Metric, ScenarioResult};
use crate::stats::Recorder;
use anyhow::Result;
use std::sync::Arc;
use std::time::Duration;

/// What one mode's windows came to.
pub(super) struct Run {
    pub(super) sale: String,
    pub(super) waiting: u64,
    pub(super) rec: Arc<Recorder>,
    pub(super) delta: crate::report::CoordinatorDelta,
    pub(super) after: serde_json::Value,
    pub(super) elapsed: Duration,
    /// The admissions' span: the whole run, or until the line ran out.
    pub(super) span: Duration,
    pub(super) emptied_ms: u64,
    pub(super) bad_passes: usize,
}

impl Run {
    fn admitted(&self) -> u64 {
        self.rec.get("admitted (pass received)").ok
    }

    fn rate(&self) -> f64 {
        self.admitted() as f64 / self.span.as_secs_f64().max(1e-9)
    }

    fn object_rps(&self) -> f64 {
        self.delta.total as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The second-by-second counts' median, leaving out the first and last second (ramp up and down).
fn median_inner_second(timeline: &[u64]) -> f64 {
    let inner: Vec<u64> = if timeline.len() > 3 {
        timeline[1..timeline.len() - 1].to_vec()
    } else {
        timeline.to_vec()
    };
    let mut sorted = inner;
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0) as f64
}

impl Bench {
    pub(super) fn ceiling_result(
        &self,
        s: &CeilingSettings,
        single: Run,
        batched: Run,
        batch: usize,
        health: (u64, Duration, crate::stats::OpStats),
        report_trip: (u64, Duration, crate::stats::OpStats),
    ) -> Result<ScenarioResult> {
        let (rec, span, delta, after, waiting, emptied, bad) = (
            &single.rec,
            single.span,
            &single.delta,
            &single.after,
            single.waiting,
            single.emptied_ms,
            single.bad_passes,
        );
        let admitted = rec.get("admitted (pass received)");
        let pulls = rec.get("pull");
        let rate = single.rate();
        let object_rps = single.object_rps();
        let per_admission = delta.per(admitted.ok);
        let report_rps = report_trip.0 as f64 / report_trip.1.as_secs_f64().max(1e-9);
        let health_rps = health.0 as f64 / health.1.as_secs_f64().max(1e-9);
        let mut metrics =
            vec![
            Metric::new("admissions/s (passes received over the run)", rate, "fans/s"),
            Metric::new(
                "admissions/s, median second (first and last left out)",
                median_inner_second(&admitted.timeline),
                "fans/s",
            ),
            Metric::new("fans admitted", admitted.ok as f64, "fans"),
            Metric::new("fans in line at the start", waiting as f64, "fans"),
            Metric::new(
                "passes that failed verification against the JWKS (must be 0)",
                bad as f64,
                "",
            ),
            Metric::new("pulls/s", pulls.ok as f64 / span.as_secs_f64().max(1e-9), "req/s"),
            Metric::new("coordinator requests per admission", per_admission, "requests"),
            Metric::new("coordinator requests/s served", object_rps, "req/s"),
            Metric::new(
                "reference: admin reports/s (one coordinator round trip, no write, no signature)",
                report_rps,
                "req/s",
            ),
            Metric::new(
                "reference: /healthz/s (the local runtime, no object)",
                health_rps,
                "req/s",
            ),
            Metric::new(
                "coordinator requests/s during admissions ÷ admin reports/s",
                object_rps / report_rps.max(1e-9),
                "ratio",
            ),
            Metric::new(
                "still waiting at the end (admin report)",
                super::stat(after, "waiting") as f64,
                "fans",
            ),
        ];
        if emptied > 0 {
            metrics.push(Metric::new(
                "the line ran out after (add --ceiling-fans for a longer run)",
                emptied as f64 / 1000.0,
                "s",
            ));
        }
        // The batched mode, on its own line, after the single one.
        let b = &batched;
        let b_admitted = b.rec.get("admitted (pass received)");
        let b_batches = b.rec.get("complete batch");
        metrics.extend([
            Metric::new(
                "batched: admissions/s (passes received over the run)",
                b.rate(),
                "fans/s",
            ),
            Metric::new(
                "batched: admissions/s, median second (first and last left out)",
                median_inner_second(&b_admitted.timeline),
                "fans/s",
            ),
            Metric::new("batched: fans admitted", b.admitted() as f64, "fans"),
            Metric::new(
                "batched: fans in line at the start",
                b.waiting as f64,
                "fans",
            ),
            Metric::new(
                "batched: passes that failed verification against the JWKS (must be 0)",
                b.bad_passes as f64,
                "",
            ),
            Metric::new(
                "batched: coordinator requests per admission",
                b.delta.per(b.admitted()),
                "requests",
            ),
            Metric::new(
                "batched: coordinator requests/s served",
                b.object_rps(),
                "req/s",
            ),
            Metric::new(
                "batched: fans completed per batch request (mean)",
                b_admitted.ok as f64 / b_batches.ok.max(1) as f64,
                "fans",
            ),
            Metric::new(
                "batched ÷ single: admissions/s",
                b.rate() / rate.max(1e-9),
                "ratio",
            ),
            Metric::new(
                "batched ÷ single: coordinator requests per admission",
                b.delta.per(b.admitted()) / per_admission.max(1e-9),
                "ratio",
            ),
            Metric::new(
                "batched: still waiting at the end (admin report)",
                super::stat(&b.after, "waiting") as f64,
                "fans",
            ),
        ]);
        // Where the batched mode's coordinator requests went (the single mode's: the delta below).
        for kind in ["claim", "complete_many", "pull", "snapshot"] {
            metrics.push(Metric::new(
                &format!("batched: coordinator `{kind}` requests"),
                b.delta.kind(kind) as f64,
                "requests",
            ));
        }
        if b.emptied_ms > 0 {
            metrics.push(Metric::new(
                "batched: the line ran out after (add --ceiling-fans for a longer run)",
                b.emptied_ms as f64 / 1000.0,
                "s",
            ));
        }
        let mut ops = rec.summaries(
            &[
                "pull",
                "claim (the answer with the pass)",
                "poll (until the pass)",
                "complete",
            ],
            span,
        );
        ops.push(
            report_trip
                .2
                .summary("admin report (reference)", report_trip.1),
        );
        ops.push(health.2.summary("healthz (reference)", health.1));
        for (op, name) in [
            ("pull", "batched: pull"),
            (
                "claim (the answer with the pass)",
                "batched: claim (the answer with the pass)",
            ),
            ("complete batch", "batched: complete batch"),
        ] {
            let mut summary = b.rec.get(op).summary(op, b.span);
            summary.name = name.into();
            ops.push(summary);
        }
        Ok(ScenarioResult {
            key: "11".into(),
            short: "ceiling".into(),
            title: "11. The coordinator's ceiling: admissions/s with a signed pass each".into(),
            description: format!(
                "{} fans join one sale (numbered at the edge, {FILL_SHARDS} arrival shards, no \
                 per-address limit, presence off). Then for {} s {} windows of {} places pull as \
                 fast as the coordinator answers (each pulls as soon as a quarter of its places \
                 are free); each pulled fan polls its status every {} ms until the answer carries \
                 its pass (the claim: the coordinator signs it, Ed25519), then its window \
                 completes it. At most {} fan and completion requests in flight. Before the \
                 windows, {REFERENCE_SECS} s each of `/healthz` and of the sale's admin report \
                 (one coordinator round trip that writes and signs nothing), {} in flight. \
                 Every pass is then verified against the JWKS. Then the same on a fresh line of \
                 {} fans (sale {}), the windows completing their fans in batches (one request \
                 for up to {batch} fans: each window's once a quarter of its places wait to be \
                 completed, and at least every {} ms): the `batched:` rows.",
                s.fans,
                s.secs,
                s.windows,
                s.places,
                CLAIM_POLL_GAP.as_millis(),
                self.concurrency,
                self.concurrency,
                s.fans,
                b.sale,
                BATCH_FLUSH_EVERY.as_millis(),
            ),
            sale: Some(single.sale.clone()),
            duration_s: span.as_secs_f64(),
            ops,
            coordinator: Some(delta.clone()),
            metrics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_second_leaves_out_the_ramps() {
        assert_eq!(median_inner_second(&[1, 100, 110, 90, 3]), 100.0);
        assert_eq!(median_inner_second(&[5, 7]), 7.0);
        assert_eq!(median_inner_second(&[]), 0.0);
    }
}
