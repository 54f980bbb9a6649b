//! Latency and throughput bookkeeping: an HDR histogram per operation, error counts by kind, and
//! completions per second over time. Pure: no I/O, no clocks of its own.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Latencies are recorded in microseconds, from 1 µs to 120 s, with 3 significant digits.
const HIST_LOW_US: u64 = 1;
const HIST_HIGH_US: u64 = 120_000_000;
const HIST_SIGFIG: u8 = 3;

/// The quantiles of the percentile curve kept for plots ("nines": 0, 90 %, 99 %, 99.9 %, ...).
pub const CURVE_QUANTILES: &[f64] = &[
    0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 1.0,
];

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(HIST_LOW_US, HIST_HIGH_US, HIST_SIGFIG)
        .expect("static histogram bounds are valid")
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros())
        .unwrap_or(u64::MAX)
        .clamp(HIST_LOW_US, HIST_HIGH_US)
}

/// Everything measured about one operation (say, `poll`) in one scenario.
#[derive(Clone, Debug)]
pub struct OpStats {
    /// Latencies of the successful (2xx) requests, in µs.
    pub hist: Histogram<u64>,
    pub ok: u64,
    /// Failed requests by kind: `"409 lapsed"`, `"timeout"`, `"connect"`, ...
    pub errors: BTreeMap<String, u64>,
    /// The first answer body seen for each error kind (shortened), to tell what went wrong.
    pub error_samples: BTreeMap<String, String>,
    /// Requests completed (ok or not) in each whole second since the scenario started.
    pub timeline: Vec<u64>,
}

/// Error bodies are kept up to this many characters.
const SAMPLE_CHARS: usize = 160;

/// A body as one short line.
fn shorten(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(SAMPLE_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

impl Default for OpStats {
    fn default() -> Self {
        Self {
            hist: new_histogram(),
            ok: 0,
            errors: BTreeMap::new(),
            error_samples: BTreeMap::new(),
            timeline: Vec::new(),
        }
    }
}

impl OpStats {
    fn tick(&mut self, at: Duration) {
        let second = at.as_secs() as usize;
        if self.timeline.len() <= second {
            self.timeline.resize(second + 1, 0);
        }
        self.timeline[second] += 1;
    }

    /// A 2xx answer that took `latency`, completed `at` after the scenario started.
    pub fn record_ok(&mut self, latency: Duration, at: Duration) {
        self.hist.saturating_record(micros(latency));
        self.ok += 1;
        self.tick(at);
    }

    /// A failure of the given kind, completed `at` after the scenario started, with the answer's
    /// body if there was one.
    pub fn record_error(&mut self, kind: &str, sample: Option<&str>, at: Duration) {
        *self.errors.entry(kind.to_owned()).or_default() += 1;
        if let Some(body) = sample.filter(|b| !b.trim().is_empty()) {
            self.error_samples
                .entry(kind.to_owned())
                .or_insert_with(|| shorten(body));
        }
        self.tick(at);
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn requests(&self) -> u64 {
        self.ok + self.error_count()
    }

    /// Adds `other` in (stats gathered in slices).
    pub fn merge(&mut self, other: &OpStats) {
        self.hist
            .add(&other.hist)
            .expect("histograms share their bounds");
        self.ok += other.ok;
        for (kind, n) in &other.errors {
            *self.errors.entry(kind.clone()).or_default() += n;
        }
        for (kind, body) in &other.error_samples {
            self.error_samples
                .entry(kind.clone())
                .or_insert_with(|| body.clone());
        }
        if self.timeline.len() < other.timeline.len() {
            self.timeline.resize(other.timeline.len(), 0);
        }
        for (mine, theirs) in self.timeline.iter_mut().zip(&other.timeline) {
            *mine += theirs;
        }
    }

    /// Latency at quantile `q` (0..=1) in milliseconds; 0 when nothing succeeded.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.hist.is_empty() {
            return 0.0;
        }
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }

    /// The numbers for the report; `elapsed` is the time the operation was driven for.
    pub fn summary(&self, name: &str, elapsed: Duration) -> OpSummary {
        let secs = elapsed.as_secs_f64();
        let rate = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let empty = self.hist.is_empty();
        OpSummary {
            name: name.to_owned(),
            requests: self.requests(),
            ok: self.ok,
            errors: self.error_count(),
            error_kinds: self.errors.clone(),
            error_samples: self.error_samples.clone(),
            rps: rate(self.requests()),
            ok_rps: rate(self.ok),
            mean_ms: if empty {
                0.0
            } else {
                self.hist.mean() / 1000.0
            },
            p50_ms: self.quantile_ms(0.50),
            p90_ms: self.quantile_ms(0.90),
            p99_ms: self.quantile_ms(0.99),
            p999_ms: self.quantile_ms(0.999),
            max_ms: if empty {
                0.0
            } else {
                self.hist.max() as f64 / 1000.0
            },
            percentile_curve: if empty {
                Vec::new()
            } else {
                CURVE_QUANTILES
                    .iter()
                    .map(|&q| (q, self.quantile_ms(q)))
                    .collect()
            },
            timeline: self.timeline.clone(),
        }
    }
}

/// One operation's numbers, as the report and report.json carry them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpSummary {
    pub name: String,
    pub requests: u64,
    pub ok: u64,
    pub errors: u64,
    pub error_kinds: BTreeMap<String, u64>,
    /// The first body seen for each error kind, shortened.
    pub error_samples: BTreeMap<String, String>,
    /// All completed requests per second (ok or not).
    pub rps: f64,
    pub ok_rps: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// `(quantile, ms)` pairs at [`CURVE_QUANTILES`], for the latency plot.
    pub percentile_curve: Vec<(f64, f64)>,
    /// Completions in each second since the scenario started, for the throughput plot.
    pub timeline: Vec<u64>,
}

/// The stats of every operation of one scenario, shared by its tasks.
pub struct Recorder {
    start: Instant,
    ops: Mutex<BTreeMap<&'static str, OpStats>>,
}

impl Recorder {
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            ops: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn ok(&self, op: &'static str, latency: Duration) {
        let at = self.start.elapsed();
        self.with(op, |s| s.record_ok(latency, at));
    }

    pub fn error(&self, op: &'static str, kind: &str, sample: Option<&str>) {
        let at = self.start.elapsed();
        self.with(op, |s| s.record_error(kind, sample, at));
    }

    fn with(&self, op: &'static str, f: impl FnOnce(&mut OpStats)) {
        let mut ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        f(ops.entry(op).or_default());
    }

    /// A copy of one operation's stats so far.
    pub fn get(&self, op: &'static str) -> OpStats {
        let ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        ops.get(op).cloned().unwrap_or_default()
    }

    /// Summaries of every operation, in the given order (operations never seen are left out).
    pub fn summaries(&self, order: &[&'static str], elapsed: Duration) -> Vec<OpSummary> {
        let ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        order
            .iter()
            .filter_map(|op| ops.get(op).map(|s| s.summary(op, elapsed)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn quantiles_of_a_known_spread() {
        let mut s = OpStats::default();
        for i in 1..=100 {
            s.record_ok(ms(i), ms(0));
        }
        let sum = s.summary("poll", Duration::from_secs(2));
        assert_eq!(sum.ok, 100);
        assert_eq!(sum.errors, 0);
        assert!((sum.p50_ms - 50.0).abs() < 0.1, "p50 {}", sum.p50_ms);
        assert!((sum.p99_ms - 99.0).abs() < 0.1, "p99 {}", sum.p99_ms);
        assert!((sum.max_ms - 100.0).abs() < 0.1, "max {}", sum.max_ms);
        assert!((sum.mean_ms - 50.5).abs() < 0.1, "mean {}", sum.mean_ms);
        assert!((sum.rps - 50.0).abs() < 1e-9);
        assert_eq!(sum.percentile_curve.len(), CURVE_QUANTILES.len());
        assert!(sum
            .percentile_curve
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
    }

    #[test]
    fn errors_count_as_requests_but_not_latency() {
        let mut s = OpStats::default();
        s.record_ok(ms(10), ms(100));
        s.record_error(
            "409 lapsed",
            Some(r#"{"error": "lapsed",  "message": "too late"}"#),
            ms(1_500),
        );
        s.record_error("409 lapsed", Some("second body is not kept"), ms(1_600));
        s.record_error("timeout", None, ms(2_100));
        let sum = s.summary("complete", Duration::from_secs(4));
        assert_eq!((sum.requests, sum.ok, sum.errors), (4, 1, 3));
        assert_eq!(sum.error_kinds["409 lapsed"], 2);
        assert_eq!(sum.error_kinds["timeout"], 1);
        assert_eq!(
            sum.error_samples["409 lapsed"],
            r#"{"error": "lapsed", "message": "too late"}"#
        );
        assert!(!sum.error_samples.contains_key("timeout"));
        assert!((sum.rps - 1.0).abs() < 1e-9);
        assert!((sum.ok_rps - 0.25).abs() < 1e-9);
        assert!((sum.p99_ms - 10.0).abs() < 0.01);
        assert_eq!(sum.timeline, vec![1, 2, 1]);
    }

    #[test]
    fn long_error_bodies_are_shortened() {
        let mut s = OpStats::default();
        let body = format!("Uncaught Error:\n  {}", "é".repeat(500));
        s.record_error("500", Some(&body), ms(0));
        let kept = &s.error_samples["500"];
        assert!(kept.starts_with("Uncaught Error: éé"));
        assert!(kept.ends_with('…'));
        assert_eq!(kept.chars().count(), SAMPLE_CHARS + 1);
    }

    #[test]
    fn merging_adds_everything_up() {
        let mut a = OpStats::default();
        let mut b = OpStats::default();
        a.record_ok(ms(1), ms(0));
        a.record_error("500", None, ms(0));
        b.record_ok(ms(3), ms(2_500));
        b.record_ok(ms(5), ms(2_600));
        b.record_error("500", Some("hung"), ms(2_700));
        a.merge(&b);
        assert_eq!(a.ok, 3);
        assert_eq!(a.errors["500"], 2);
        assert_eq!(a.error_samples["500"], "hung");
        assert_eq!(a.timeline, vec![2, 0, 3]);
        assert_eq!(a.hist.len(), 3);
        assert!((a.quantile_ms(1.0) - 5.0).abs() < 0.01);
        let sum = a.summary("poll", Duration::from_secs(3));
        assert_eq!((sum.requests, sum.errors), (5, 2));
    }

    #[test]
    fn nothing_recorded_is_all_zeros() {
        let sum = OpStats::default().summary("join", Duration::ZERO);
        assert_eq!(sum.requests, 0);
        assert_eq!(sum.rps, 0.0);
        assert_eq!(sum.p99_ms, 0.0);
        assert!(sum.percentile_curve.is_empty());
    }

    #[test]
    fn extreme_latencies_are_clamped_not_lost() {
        let mut s = OpStats::default();
        s.record_ok(Duration::ZERO, ms(0));
        s.record_ok(Duration::from_secs(3_600), ms(0));
        assert_eq!(s.ok, 2);
        assert_eq!(s.hist.len(), 2);
        assert!(s.quantile_ms(1.0) >= 119_000.0);
    }

    #[test]
    fn recorder_keeps_ops_apart_and_in_order() {
        let rec = Recorder::new(Instant::now());
        rec.ok("poll", ms(2));
        rec.ok("join", ms(4));
        rec.error("join", "connect", None);
        let sums = rec.summaries(&["join", "poll", "pull"], Duration::from_secs(1));
        let names: Vec<_> = sums.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["join", "poll"]);
        assert_eq!(sums[0].requests, 2);
        assert_eq!(rec.get("poll").ok, 1);
        assert_eq!(rec.get("pull").requests(), 0);
    }
}
