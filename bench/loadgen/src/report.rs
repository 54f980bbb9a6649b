//! What a run found, as report.json (serde) and report.md (markdown). Pure: building and
//! formatting only.

use crate::stats::OpSummary;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Machine {
    pub nproc: String,
    pub arch: String,
    pub kernel: String,
    pub cpu_model: String,
    /// `/proc/loadavg` before and after the run: other work on the machine skews the numbers.
    pub loadavg_start: String,
    pub loadavg_end: String,
}

/// Coordinator requests between two admin reports, leaving out the report reads themselves.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CoordinatorDelta {
    /// Every kind but `report`.
    pub total: u64,
    pub by_kind: BTreeMap<String, u64>,
    /// The `report` requests in between (the benchmark's own reads), not in `total`.
    pub report_requests: u64,
}

impl CoordinatorDelta {
    pub fn kind(&self, kind: &str) -> u64 {
        self.by_kind.get(kind).copied().unwrap_or(0)
    }

    /// `total / n`, or 0 for `n == 0`.
    pub fn per(&self, n: u64) -> f64 {
        if n == 0 {
            0.0
        } else {
            self.total as f64 / n as f64
        }
    }

    pub fn describe(&self) -> String {
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        format!(
            "{} ({}); not counted: {} report reads by the benchmark",
            self.total,
            if kinds.is_empty() {
                "none".to_owned()
            } else {
                kinds.join(", ")
            },
            self.report_requests
        )
    }
}

/// Reads two `GET /api/admin/sales/{id}` bodies and takes the difference of
/// `coordinator_requests_by_kind` (checked against `coordinator_requests`).
pub fn coordinator_delta(before: &Value, after: &Value) -> Result<CoordinatorDelta, String> {
    let kinds = |report: &Value| -> Result<BTreeMap<String, u64>, String> {
        let map = report["coordinator_requests_by_kind"]
            .as_object()
            .ok_or("report has no coordinator_requests_by_kind")?;
        map.iter()
            .map(|(k, v)| {
                v.as_u64()
                    .map(|n| (k.clone(), n))
                    .ok_or_else(|| format!("coordinator_requests_by_kind.{k} is not a count"))
            })
            .collect()
    };
    let total = |report: &Value| {
        report["coordinator_requests"]
            .as_u64()
            .ok_or("report has no coordinator_requests")
    };
    let (b, a) = (kinds(before)?, kinds(after)?);
    let (tb, ta) = (total(before)?, total(after)?);
    let mut by_kind = BTreeMap::new();
    for (kind, n_after) in &a {
        let n_before = b.get(kind).copied().unwrap_or(0);
        let d = n_after
            .checked_sub(n_before)
            .ok_or_else(|| format!("{kind} went down from {n_before} to {n_after}"))?;
        by_kind.insert(kind.clone(), d);
    }
    let sum: u64 = by_kind.values().sum();
    let reported = ta.checked_sub(tb).ok_or("coordinator_requests went down")?;
    if sum != reported {
        return Err(format!(
            "by-kind deltas add up to {sum}, coordinator_requests moved by {reported}"
        ));
    }
    let report_requests = by_kind.remove("report").unwrap_or(0);
    Ok(CoordinatorDelta {
        total: sum - report_requests,
        by_kind,
        report_requests,
    })
}

/// A derived number worth its own line (coordinator requests per join, fans admitted per second).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

impl Metric {
    pub fn new(name: &str, value: f64, unit: &str) -> Self {
        Self {
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    /// Its number (`1`, `2a`, ...), also the plots' series prefix.
    pub key: String,
    /// A word or two for the plots' legends (`burst`, `hammer`).
    pub short: String,
    pub title: String,
    pub description: String,
    pub sale: Option<String>,
    /// How long the measured load ran.
    pub duration_s: f64,
    pub ops: Vec<OpSummary>,
    pub coordinator: Option<CoordinatorDelta>,
    pub metrics: Vec<Metric>,
}

impl ScenarioResult {
    pub fn op(&self, name: &str) -> Option<&OpSummary> {
        self.ops.iter().find(|o| o.name == name)
    }

    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }
}

/// One line of the summary table: the numbers a capacity model wants.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Headline {
    pub measure: String,
    pub value: f64,
    pub unit: String,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub errors: Option<u64>,
}

impl Headline {
    pub fn rate(measure: &str, op: &OpSummary) -> Self {
        Self {
            measure: measure.to_owned(),
            value: op.ok_rps,
            unit: "req/s".to_owned(),
            p50_ms: Some(op.p50_ms),
            p99_ms: Some(op.p99_ms),
            errors: Some(op.errors),
        }
    }

    pub fn number(measure: &str, value: f64, unit: &str) -> Self {
        Self {
            measure: measure.to_owned(),
            value,
            unit: unit.to_owned(),
            p50_ms: None,
            p99_ms: None,
            errors: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub date: String,
    pub machine: Machine,
    pub wrangler_version: String,
    /// Which build of the worker ran.
    pub worker_label: String,
    pub base_url: String,
    /// The command-line parameters, by name.
    pub params: BTreeMap<String, Value>,
    pub headline: Vec<Headline>,
    pub scenarios: Vec<ScenarioResult>,
    /// The load generator's own run time (scenarios, setup and report).
    pub generator_s: f64,
    /// Since `make bench`'s script started (worker start-up included), when it said so.
    pub run_s: Option<f64>,
    pub plots: Vec<String>,
}

/// Numbers for people: about 3 significant digits, no exponent.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".to_owned()
    } else if a >= 1000.0 {
        group_thousands(v.round() as i64)
    } else if a >= 100.0 || v.fract() == 0.0 {
        // Counts stay whole: "2 fans", not "2.00 fans".
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        // Three significant digits below 1 (0.00123).
        let digits = (-a.log10().floor()) as usize + 2;
        format!("{v:.digits$}")
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn fmt_ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "".to_owned(), fmt_ms)
}

fn error_kinds(op: &OpSummary) -> String {
    op.error_kinds
        .iter()
        .map(|(k, n)| match op.error_samples.get(k) {
            // Backticks in a body would end the code span early.
            Some(body) => format!("`{k}` ×{n} (first answer: `{}`)", body.replace('`', "'")),
            None => format!("`{k}` ×{n}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// report.md.
pub fn to_markdown(r: &Report) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# Waiting room benchmark\n");
    let _ = writeln!(
        w,
        "{} · {} cores · {} · wrangler {} · worker build `{}` at {}\n",
        r.date, r.machine.nproc, r.machine.arch, r.wrangler_version, r.worker_label, r.base_url
    );
    let _ = writeln!(
        w,
        "A local `wrangler dev` (workerd) on this machine, load from the same machine: the numbers \
         are for comparing runs and for the *ratios* (coordinator requests per operation, poll path \
         vs. the runtime's ceiling), not Cloudflare's production capacity.\n"
    );

    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(w, "| measure | value | p50 ms | p99 ms | errors |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    for h in &r.headline {
        let _ = writeln!(
            w,
            "| {} | {} {} | {} | {} | {} |",
            h.measure,
            fmt_num(h.value),
            h.unit,
            opt_ms(h.p50_ms),
            opt_ms(h.p99_ms),
            h.errors.map_or_else(String::new, |e| e.to_string())
        );
    }
    let _ = writeln!(w);
    let load = |l: &str| l.split_whitespace().next().unwrap_or("?").to_owned();
    let _ = writeln!(
        w,
        "Machine load (1-minute average) {} at the start, {} at the end, on {} cores: above \
         the core count, other work competed for the CPU and the numbers are lower and noisier \
         than the machine can do.\n",
        load(&r.machine.loadavg_start),
        load(&r.machine.loadavg_end),
        r.machine.nproc
    );
    match r.run_s {
        Some(run) => {
            let _ = writeln!(
                w,
                "Run time: {} s in all (worker start-up included), of which the load generator {} s.\n",
                fmt_num(run),
                fmt_num(r.generator_s)
            );
        }
        None => {
            let _ = writeln!(
                w,
                "Load generator run time: {} s.\n",
                fmt_num(r.generator_s)
            );
        }
    }

    for s in &r.scenarios {
        let _ = writeln!(w, "## {}\n", s.title);
        let _ = writeln!(w, "{}\n", s.description);
        // A scenario that could not run (say, no fault switch) has nothing measured.
        if !s.ops.is_empty() {
            let _ = write!(w, "Measured for {} s", fmt_num(s.duration_s));
            if let Some(sale) = &s.sale {
                let _ = write!(w, " on sale `{sale}`");
            }
            let _ = writeln!(w, ".\n");
            let _ = writeln!(
                w,
                "| operation | requests | ok | errors | ok/s | mean ms | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |"
            );
            let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        }
        for op in &s.ops {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                op.name,
                op.requests,
                op.ok,
                op.errors,
                fmt_num(op.ok_rps),
                fmt_ms(op.mean_ms),
                fmt_ms(op.p50_ms),
                fmt_ms(op.p90_ms),
                fmt_ms(op.p99_ms),
                fmt_ms(op.p999_ms),
                fmt_ms(op.max_ms)
            );
        }
        let _ = writeln!(w);
        for op in s.ops.iter().filter(|o| o.errors > 0) {
            let _ = writeln!(w, "- {} errors: {}", op.name, error_kinds(op));
        }
        if let Some(c) = &s.coordinator {
            let _ = writeln!(w, "- coordinator requests: {}", c.describe());
        }
        for m in &s.metrics {
            let _ = writeln!(w, "- {}: {} {}", m.name, fmt_num(m.value), m.unit);
        }
        let _ = writeln!(w);
    }

    if !r.plots.is_empty() {
        let _ = writeln!(w, "## Plots\n");
        for p in &r.plots {
            let _ = writeln!(w, "![{p}]({p})\n");
        }
    }

    let _ = writeln!(w, "## Setup\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| date (UTC) | {} |", r.date);
    let _ = writeln!(w, "| nproc | {} |", r.machine.nproc);
    let _ = writeln!(w, "| uname -m | {} |", r.machine.arch);
    let _ = writeln!(w, "| kernel | {} |", r.machine.kernel);
    let _ = writeln!(w, "| CPU | {} |", r.machine.cpu_model);
    let _ = writeln!(
        w,
        "| load average (start → end) | {} → {} |",
        r.machine.loadavg_start, r.machine.loadavg_end
    );
    let _ = writeln!(w, "| wrangler | {} |", r.wrangler_version);
    let _ = writeln!(w, "| worker build | `{}` |", r.worker_label);
    for (k, v) in &r.params {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(w, "| {k} | {v} |");
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "Method: latency is from sending a request to reading its whole body, for 2xx answers \
         (HDR histogram, µs resolution, 3 significant digits); any other answer or a transport \
         failure is an error and kept out of the latencies. Each scenario runs on a fresh sale. \
         Coordinator requests are the change in the admin report's `coordinator_requests` \
         between just before and just after the measured load, less the report reads themselves."
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::OpStats;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn delta_leaves_out_the_reports() {
        let before = json!({"coordinator_requests": 7,
            "coordinator_requests_by_kind": {"upsert": 1, "open": 1, "report": 2, "snapshot": 3}});
        let after = json!({"coordinator_requests": 5020,
            "coordinator_requests_by_kind": {"upsert": 1, "open": 1, "report": 3, "snapshot": 15, "join": 5000}});
        let d = coordinator_delta(&before, &after).unwrap();
        assert_eq!(d.total, 5012);
        assert_eq!(d.report_requests, 1);
        assert_eq!(d.kind("join"), 5000);
        assert_eq!(d.kind("snapshot"), 12);
        assert_eq!(d.kind("upsert"), 0);
        assert!(!d.by_kind.contains_key("report"));
        assert!((d.per(5000) - 1.0024).abs() < 1e-9);
        assert_eq!(d.per(0), 0.0);
        assert!(d.describe().starts_with("5012 (join 5000, snapshot 12)"));
    }

    #[test]
    fn delta_refuses_nonsense() {
        let ok = json!({"coordinator_requests": 2, "coordinator_requests_by_kind": {"report": 2}});
        let lower =
            json!({"coordinator_requests": 1, "coordinator_requests_by_kind": {"report": 1}});
        let inconsistent =
            json!({"coordinator_requests": 9, "coordinator_requests_by_kind": {"report": 3}});
        assert!(coordinator_delta(&ok, &lower).is_err());
        assert!(coordinator_delta(&ok, &inconsistent).is_err());
        assert!(coordinator_delta(&ok, &json!({})).is_err());
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1234.4), "1,234");
        assert_eq!(fmt_num(1_234_567.0), "1,234,567");
        assert_eq!(fmt_num(512.3), "512");
        assert_eq!(fmt_num(51.23), "51.2");
        assert_eq!(fmt_num(5.123), "5.12");
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_num(-3.0), "-3");
        assert_eq!(fmt_num(0.5123), "0.512");
        assert_eq!(fmt_num(0.001234), "0.00123");
        assert_eq!(fmt_num(f64::NAN), "–");
        assert_eq!(fmt_ms(0.4567), "0.46");
        assert_eq!(fmt_ms(45.67), "45.7");
        assert_eq!(fmt_ms(456.7), "457");
    }

    fn sample_report() -> Report {
        let mut s = OpStats::default();
        for i in 1..=10 {
            s.record_ok(Duration::from_millis(i), Duration::from_millis(100 * i));
        }
        s.record_error("409 not_open", Some("{`x`}"), Duration::from_millis(50));
        let join = s.summary("join", Duration::from_secs(2));
        let coordinator = CoordinatorDelta {
            total: 12,
            by_kind: BTreeMap::from([("join".to_owned(), 10), ("snapshot".to_owned(), 2)]),
            report_requests: 1,
        };
        Report {
            date: "2030-01-02T03:04:05Z".into(),
            machine: Machine {
                nproc: "2".into(),
                arch: "x86_64".into(),
                kernel: "6.1".into(),
                cpu_model: "Test CPU".into(),
                loadavg_start: "0.10".into(),
                loadavg_end: "1.90".into(),
            },
            wrangler_version: "4.86.0".into(),
            worker_label: "abc1234-dirty".into(),
            base_url: "http://127.0.0.1:1".into(),
            params: BTreeMap::from([("concurrency".to_owned(), json!(32))]),
            headline: vec![
                Headline::rate("joins/s (burst)", &join),
                Headline::number("coordinator requests per join", 1.2, "req"),
            ],
            scenarios: vec![ScenarioResult {
                key: "1".into(),
                short: "burst".into(),
                title: "1. Burst join".into(),
                description: "Fans join as fast as they can.".into(),
                sale: Some("bench-x-join".into()),
                duration_s: 2.0,
                ops: vec![join],
                coordinator: Some(coordinator),
                metrics: vec![Metric::new("coordinator requests per join", 1.2, "req")],
            }],
            generator_s: 12.5,
            run_s: Some(40.0),
            plots: vec!["latency.svg".into()],
        }
    }

    #[test]
    fn markdown_carries_the_numbers() {
        let md = to_markdown(&sample_report());
        assert!(md.starts_with("# Waiting room benchmark\n"));
        assert!(
            md.contains("| joins/s (burst) | 5 req/s | 5.00 | 10.0 | 1 |"),
            "{md}"
        );
        assert!(md.contains("| coordinator requests per join | 1.20 req |  |  |  |"));
        assert!(md.contains("## 1. Burst join"));
        assert!(md.contains("on sale `bench-x-join`"));
        assert!(md.contains("| join | 11 | 10 | 1 | 5 |"), "{md}");
        assert!(
            md.contains("- join errors: `409 not_open` ×1 (first answer: `{'x'}`)"),
            "{md}"
        );
        assert!(md.contains(
            "- coordinator requests: 12 (join 10, snapshot 2); not counted: 1 report reads"
        ));
        assert!(md.contains("![latency.svg](latency.svg)"));
        assert!(md.contains("| uname -m | x86_64 |"));
        assert!(md.contains("| wrangler | 4.86.0 |"));
        assert!(md.contains("| worker build | `abc1234-dirty` |"));
        assert!(md.contains("| concurrency | 32 |"));
        assert!(md.contains("Run time: 40 s in all"));
        assert!(md.contains(
            "Machine load (1-minute average) 0.10 at the start, 1.90 at the end, on 2 cores"
        ));
        // Every table row has as many cells as its header.
        for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
            let widths: Vec<usize> = table.lines().map(|l| l.matches('|').count()).collect();
            assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table}");
        }
    }

    #[test]
    fn a_skipped_scenario_has_no_empty_table() {
        let mut report = sample_report();
        report.scenarios.push(ScenarioResult {
            key: "6".into(),
            short: "slow".into(),
            title: "6. Slow coordinator".into(),
            description: "**skipped: fault switch unavailable**".into(),
            sale: None,
            duration_s: 0.0,
            ops: Vec::new(),
            coordinator: None,
            metrics: Vec::new(),
        });
        let md = to_markdown(&report);
        let skipped = &md[md.find("## 6. Slow coordinator").expect("section")..];
        let section = &skipped[..skipped.find("## Plots").unwrap_or(skipped.len())];
        assert!(
            section.contains("skipped: fault switch unavailable"),
            "{section}"
        );
        assert!(!section.contains("| operation |"), "{section}");
        assert!(!section.contains("Measured for"), "{section}");
    }

    #[test]
    fn json_has_the_raw_numbers() {
        let v = serde_json::to_value(sample_report()).unwrap();
        assert_eq!(v["scenarios"][0]["ops"][0]["ok"], 10);
        assert_eq!(v["scenarios"][0]["coordinator"]["total"], 12);
        assert_eq!(v["headline"][0]["errors"], 1);
        assert_eq!(v["machine"]["arch"], "x86_64");
    }
}
