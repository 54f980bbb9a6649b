//! `loadgen`: the load generator behind `make bench`.
//!
//! `loadgen run --base-url http://127.0.0.1:PORT --env-file FILE` drives a running worker through
//! the scenarios (burst join, steady poll, full sale, /healthz ceiling, opening second, slow
//! coordinator, ..., the coordinator's ceiling; `--only` picks groups of them) and writes
//! report.md, report.json, latency.svg and throughput.svg. `loadgen free-port` prints a free TCP
//! port on 127.0.0.1 (for the script that starts the worker).
//!
//! Load only ever goes to the loopback interface, and every loop is bounded in count and time.

mod client;
mod plot;
mod report;
mod scenarios;
mod stats;
mod util;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser};
use report::{Headline, Machine, Report, ScenarioResult};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Parser)]
#[command(
    version,
    about = "Load generator for the waiting room's `make bench` (127.0.0.1 only)"
)]
enum Cli {
    /// Run the scenarios against a worker and write the report.
    Run(Box<RunArgs>),
    /// Print a free TCP port on 127.0.0.1.
    FreePort,
}

#[derive(Args, Clone, Debug)]
struct RunArgs {
    /// The worker, e.g. http://127.0.0.1:8787 (loopback only).
    #[arg(long)]
    base_url: String,
    /// The worker's env file (ADMIN_KEY, ORIGIN_KEY, ...).
    #[arg(long)]
    env_file: PathBuf,
    /// Where report.md, report.json and the plots go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Requests in flight at most (per scenario; windows in the full sale add a few).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Fans in the burst join.
    #[arg(long, default_value_t = 5_000)]
    burst_fans: u64,
    /// Fans in the steady-poll crowd.
    #[arg(long, default_value_t = 2_000)]
    poll_fans: u64,
    /// Seconds of polling at poll_after_ms.
    #[arg(long, default_value_t = 20)]
    poll_secs: u64,
    /// Seconds of back-to-back polling.
    #[arg(long, default_value_t = 15)]
    hammer_secs: u64,
    /// Seconds of the full sale.
    #[arg(long, default_value_t = 30)]
    full_secs: u64,
    /// New fans per second in the full sale (more than 4 windows admit, so a line builds up).
    #[arg(long, default_value_t = 80.0)]
    arrivals_per_s: f64,
    /// Windows pulling in the full sale.
    #[arg(long, default_value_t = 4)]
    windows: u32,
    /// `max` of each pull.
    #[arg(long, default_value_t = 20)]
    pull_max: u32,
    /// Seconds of back-to-back /healthz.
    #[arg(long, default_value_t = 10)]
    healthz_secs: u64,
    /// Slices the poll hammer and the /healthz ceiling are run in, alternating.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    /// Seconds of unmeasured /healthz before the first scenario.
    #[arg(long, default_value_t = 2)]
    warmup_secs: u64,
    /// The sales' claim_ttl_s (10..=3600).
    #[arg(long, default_value_t = 60)]
    claim_ttl_s: u64,
    /// Arrival shards of every sale (sent only when above 1; needs a worker that has them).
    #[arg(long, default_value_t = 1)]
    shards: u32,
    /// The burst join again on a sale with this many arrival shards (1b: joins numbered at the
    /// edge), beside the one-shard burst (1) in the same run; 1: no second burst.
    #[arg(long, default_value_t = 4)]
    burst_shards: u32,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 10)]
    request_timeout_s: u64,
    /// The most a count-bounded phase (joining a crowd) may take, seconds.
    #[arg(long, default_value_t = 120)]
    phase_cap_s: u64,
    /// Threads of the load generator's runtime (the worker needs the other cores).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Fans in the opening second: as many arrive within one second while as many polled before.
    #[arg(long, default_value_t = 5_000)]
    opening_fans: u64,
    /// Arrival shards of the opening second's sale.
    #[arg(long, default_value_t = 4)]
    opening_shards: u32,
    /// Requests in flight at most in the opening second (joins and polls).
    #[arg(long, default_value_t = 1_024)]
    opening_max_in_flight: usize,
    /// Fans polling in the slow-coordinator scenario.
    #[arg(long, default_value_t = 1_000)]
    slow_fans: u64,
    /// Seconds of polling with the coordinator normal, then as many with it delayed.
    #[arg(long, default_value_t = 10)]
    slow_secs: u64,
    /// How long the fault switch delays every coordinator request, ms.
    #[arg(long, default_value_t = 2_000)]
    slow_delay_ms: u64,
    /// Requests of each kind in the edge-cost scenario (lapsed-token polls, unknown sale ids).
    #[arg(long, default_value_t = 2_000)]
    edge_requests: u64,
    /// Fans near the front in the pushed-turn scenario (every other one holds a socket).
    #[arg(long, default_value_t = 60)]
    pushed_fans: u64,
    /// Sockets to open on one sale in the pushed-turn scenario (past the bound: some refused).
    #[arg(long, default_value_t = 2_100)]
    pushed_sockets: u64,
    /// The worker's process group (scripts/bench.sh starts it with setsid), to read workerd's
    /// memory in the pushed-turn scenario.
    #[arg(long)]
    worker_pgid: Option<i32>,
    /// The worker's state directory (`--persist-to`), to count the files unknown sale ids leave.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Fans joining each sale of the proof-of-work scenario (9).
    #[arg(long, default_value_t = 2_000)]
    pow_fans: u64,
    /// The proof-of-work scenario's difficulty (`pow_bits` of its second sale).
    #[arg(long, default_value_t = 8)]
    pow_bits: u8,
    /// Honest fans behind one address in the shared-address scenario (10).
    #[arg(long, default_value_t = 500)]
    shared_fans: u64,
    /// Seconds the script behind another address takes places in the shared-address scenario.
    #[arg(long, default_value_t = 10)]
    shared_script_secs: u64,
    /// Fans in line before the windows start in the coordinator's ceiling (11).
    #[arg(long, default_value_t = 6_000)]
    ceiling_fans: u64,
    /// Seconds the windows pull in the coordinator's ceiling.
    #[arg(long, default_value_t = 20)]
    ceiling_secs: u64,
    /// Windows pulling at once in the coordinator's ceiling.
    #[arg(long, default_value_t = 8)]
    ceiling_windows: u32,
    /// Places of each window in the coordinator's ceiling (fans pulled, not yet admitted).
    #[arg(long, default_value_t = 50)]
    ceiling_places: u32,
    /// Run only these groups: `steady` (scenarios 1 to 4), `opening` (5), `slow` (6), `edge` (7),
    /// `pushed` (8), `pow` (9), `shared` (10), `ceiling` (11).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "steady,opening,slow,edge,pushed,pow,shared,ceiling"
    )]
    only: Vec<Group>,
    /// Small numbers everywhere: a smoke run of a few seconds per scenario.
    #[arg(long)]
    quick: bool,
    /// For the report: `wrangler --version`.
    #[arg(long, default_value = "unknown")]
    wrangler_version: String,
    /// For the report: `nproc` (default: this process's available parallelism).
    #[arg(long)]
    nproc: Option<String>,
    /// For the report: `uname -m` (default: the build's architecture).
    #[arg(long)]
    arch: Option<String>,
    /// For the report: which build of the worker ran (e.g. `git describe --always --dirty`).
    #[arg(long, default_value = "unknown")]
    worker_label: String,
    /// Unix time (ms) when `make bench` started, to report the whole run time.
    #[arg(long)]
    run_started_ms: Option<u64>,
}

/// Groups of scenarios `--only` can pick.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    /// 1 to 4: burst join, steady poll, full sale, /healthz ceiling.
    Steady,
    /// 5: the opening second.
    Opening,
    /// 6: the slow coordinator.
    Slow,
    /// 7: lapsed-token polls and unknown sale ids.
    Edge,
    /// 8: the turn, pushed: turn notice by socket and by poll, sockets per object.
    Pushed,
    /// 9: joins/s with proof of work off and on.
    Pow,
    /// 10: an honest crowd and a script, each behind one address.
    Shared,
    /// 11: the coordinator's ceiling: admissions/s, a signed pass each.
    Ceiling,
}

impl RunArgs {
    fn scaled(mut self) -> Self {
        if self.quick {
            self.burst_fans = self.burst_fans.min(300);
            self.poll_fans = self.poll_fans.min(200);
            self.poll_secs = self.poll_secs.min(4);
            self.hammer_secs = self.hammer_secs.min(3);
            self.full_secs = self.full_secs.min(8);
            self.healthz_secs = self.healthz_secs.min(3);
            self.warmup_secs = self.warmup_secs.min(1);
            self.rounds = self.rounds.min(3);
            self.opening_fans = self.opening_fans.min(300);
            self.slow_fans = self.slow_fans.min(200);
            self.slow_secs = self.slow_secs.min(4);
            self.edge_requests = self.edge_requests.min(300);
            self.pushed_fans = self.pushed_fans.min(24);
            self.pushed_sockets = self.pushed_sockets.min(300);
            self.pow_fans = self.pow_fans.min(300);
            self.shared_fans = self.shared_fans.min(100);
            self.shared_script_secs = self.shared_script_secs.min(3);
            self.ceiling_fans = self.ceiling_fans.min(600);
            self.ceiling_secs = self.ceiling_secs.min(5);
        }
        self
    }

    fn params(&self) -> BTreeMap<String, Value> {
        BTreeMap::from([
            ("concurrency".into(), json!(self.concurrency)),
            ("burst fans".into(), json!(self.burst_fans)),
            ("poll fans".into(), json!(self.poll_fans)),
            ("poll seconds (paced)".into(), json!(self.poll_secs)),
            ("poll seconds (hammer)".into(), json!(self.hammer_secs)),
            ("full sale seconds".into(), json!(self.full_secs)),
            ("full sale arrivals/s".into(), json!(self.arrivals_per_s)),
            ("full sale windows".into(), json!(self.windows)),
            ("pull max".into(), json!(self.pull_max)),
            ("claim_ttl_s".into(), json!(self.claim_ttl_s)),
            ("arrival shards per sale".into(), json!(self.shards)),
            ("healthz seconds".into(), json!(self.healthz_secs)),
            (
                "hammer / healthz rounds (alternating)".into(),
                json!(self.rounds),
            ),
            ("warm-up seconds".into(), json!(self.warmup_secs)),
            ("opening second fans".into(), json!(self.opening_fans)),
            ("opening second shards".into(), json!(self.opening_shards)),
            (
                "opening second requests in flight".into(),
                json!(self.opening_max_in_flight),
            ),
            ("slow coordinator fans".into(), json!(self.slow_fans)),
            (
                "slow coordinator seconds (each phase)".into(),
                json!(self.slow_secs),
            ),
            (
                "edge-cost requests of each kind".into(),
                json!(self.edge_requests),
            ),
            (
                "slow coordinator delay ms".into(),
                json!(self.slow_delay_ms),
            ),
            (
                "groups run".into(),
                json!(self
                    .only
                    .iter()
                    .map(|g| format!("{g:?}").to_lowercase())
                    .collect::<Vec<_>>()),
            ),
            (
                "proof-of-work fans (each sale)".into(),
                json!(self.pow_fans),
            ),
            ("proof-of-work bits".into(), json!(self.pow_bits)),
            ("ceiling fans".into(), json!(self.ceiling_fans)),
            ("ceiling seconds".into(), json!(self.ceiling_secs)),
            (
                "ceiling windows × places".into(),
                json!(format!(
                    "{} × {}",
                    self.ceiling_windows, self.ceiling_places
                )),
            ),
            ("request timeout s".into(), json!(self.request_timeout_s)),
            ("load generator threads".into(), json!(self.threads)),
            ("quick".into(), json!(self.quick)),
        ])
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn read_trimmed(path: &str) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn loadavg() -> String {
    read_trimmed("/proc/loadavg")
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The 1-minute load average now: above the core count, other work competed with the benchmark.
fn load_now() -> f64 {
    loadavg()
        .split_whitespace()
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0.0)
}

/// Notes the machine's load at the end of a scenario, to read its numbers by.
fn with_load(mut s: ScenarioResult) -> ScenarioResult {
    s.metrics.push(report::Metric::new(
        "1-minute load average at the end (other work on the machine skews the numbers)",
        load_now(),
        "",
    ));
    s
}

fn machine(args: &RunArgs) -> Machine {
    let cpu_model = read_trimmed("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    Machine {
        nproc: args.nproc.clone().unwrap_or_else(|| {
            std::thread::available_parallelism().map_or("?".into(), |n| n.to_string())
        }),
        arch: args
            .arch
            .clone()
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned()),
        kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        cpu_model,
        loadavg_start: loadavg(),
        loadavg_end: String::new(),
    }
}

fn headline(scenarios: &[ScenarioResult]) -> Vec<Headline> {
    let find = |key: &str| scenarios.iter().find(|s| s.key == key);
    let mut out = Vec::new();
    let burst = find("1");
    let edge_burst = find("1b");
    let paced = find("2a");
    let hammer = find("2b");
    let full = find("3");
    let health = find("4");
    if let Some(op) = burst.and_then(|s| s.op("join")) {
        out.push(Headline::rate("joins/s (burst)", op));
    }
    if let Some(op) = edge_burst.and_then(|s| s.op("join")) {
        out.push(Headline::rate("joins/s (burst, edge numbering)", op));
    }
    if let Some(op) = paced.and_then(|s| s.op("poll")) {
        out.push(Headline::rate("polls/s honouring poll_after_ms", op));
    }
    if let Some(op) = hammer.and_then(|s| s.op("poll")) {
        out.push(Headline::rate("polls/s hammer", op));
    }
    if let Some(op) = health.and_then(|s| s.op("healthz")) {
        out.push(Headline::rate("/healthz/s (runtime ceiling)", op));
    }
    if let (Some(p), Some(h)) = (
        hammer.and_then(|s| s.op("poll")),
        health.and_then(|s| s.op("healthz")),
    ) {
        if h.ok_rps > 0.0 {
            out.push(Headline::number(
                "poll hammer throughput as a fraction of /healthz",
                p.ok_rps / h.ok_rps,
                "",
            ));
        }
    }
    // Joins beside the runtime's ceiling and the poll path, in the same run.
    for (s, label) in [
        (burst, "burst joins as a fraction of /healthz"),
        (
            edge_burst,
            "burst joins (edge numbering) as a fraction of /healthz",
        ),
    ] {
        if let (Some(j), Some(h)) = (
            s.and_then(|s| s.op("join")),
            health.and_then(|s| s.op("healthz")),
        ) {
            if h.ok_rps > 0.0 {
                out.push(Headline::number(label, j.ok_rps / h.ok_rps, ""));
            }
        }
    }
    for (s, metric, label) in [
        (
            burst,
            "coordinator requests per join",
            "coordinator requests per join",
        ),
        (
            edge_burst,
            "object requests per join (coordinator and shards)",
            "object requests per join (edge numbering: coordinator and shards)",
        ),
        (
            paced,
            "coordinator requests per poll",
            "coordinator requests per poll (paced)",
        ),
        (
            hammer,
            "coordinator requests per poll",
            "coordinator requests per poll (hammer)",
        ),
    ] {
        if let Some(v) = s.and_then(|s| s.metric(metric)) {
            out.push(Headline::number(label, v, ""));
        }
    }
    if let Some(opening) = find("5") {
        if let Some(op) = opening.op("join") {
            out.push(Headline::rate("opening second: joins", op));
        }
        for (metric, label, unit) in [
            (
                "time until every fan has a place (from the first arrival)",
                "opening second: time until every fan has a place",
                "s",
            ),
            (
                "5xx answers from the worker other than 503 busy (must be 0)",
                "opening second: 5xx from the worker other than 503 busy",
                "",
            ),
            (
                "503 busy answers (with Retry-After)",
                "opening second: 503 busy",
                "",
            ),
            (
                "503 from wrangler dev's local proxy (lost its connection to workerd; not the worker's)",
                "opening second: 503 from wrangler dev's local proxy",
                "",
            ),
            (
                "coordinator requests per join",
                "opening second: coordinator requests per join",
                "",
            ),
        ] {
            if let Some(v) = opening.metric(metric) {
                out.push(Headline::number(label, v, unit));
            }
        }
    }
    if let Some(slow) = find("6") {
        if slow.ops.is_empty() {
            out.push(Headline::number(
                "slow coordinator: skipped: fault switch unavailable",
                f64::NAN,
                "",
            ));
        }
        if let Some(op) = slow.op("poll (coordinator delayed)") {
            out.push(Headline::rate(
                "slow coordinator: polls, coordinator delayed",
                op,
            ));
        }
        for m in slow
            .metrics
            .iter()
            .filter(|m| m.name.starts_with("coordinator requests/s"))
        {
            out.push(Headline::number(
                &format!("slow coordinator: {}", m.name),
                m.value,
                &m.unit,
            ));
        }
    }
    if let Some(edge) = find("7") {
        for (metric, label) in [
            (
                "coordinator requests for the lapsed-token polls (snapshot refreshes included)",
                "lapsed-token polls: coordinator requests",
            ),
            ("unknown-id requests answered 5xx", "unknown sale ids: 5xx"),
            (
                "SQLite files after the unknown ids",
                "unknown sale ids: SQLite files after (before: see 7)",
            ),
        ] {
            if let Some(v) = edge.metric(metric) {
                out.push(Headline::number(label, v, ""));
            }
        }
    }
    if let Some(ceiling) = find("11") {
        for (metric, label, unit) in [
            (
                "admissions/s (passes received over the run)",
                "coordinator's ceiling: admissions/s, a signed pass each",
                "fans/s",
            ),
            (
                "admissions/s, median second (first and last left out)",
                "coordinator's ceiling: admissions/s, median second",
                "fans/s",
            ),
            (
                "coordinator requests/s served",
                "coordinator's ceiling: coordinator requests/s",
                "req/s",
            ),
            (
                "reference: admin reports/s (one coordinator round trip, no write, no signature)",
                "coordinator's ceiling: admin reports/s (reference round trip)",
                "req/s",
            ),
            (
                "passes that failed verification against the JWKS (must be 0)",
                "coordinator's ceiling: passes that failed verification",
                "",
            ),
            (
                "coordinator requests per admission",
                "coordinator's ceiling: coordinator requests per admission",
                "",
            ),
            (
                "batched: admissions/s (passes received over the run)",
                "coordinator's ceiling, completions in batches: admissions/s",
                "fans/s",
            ),
            (
                "batched: coordinator requests per admission",
                "coordinator's ceiling, completions in batches: coordinator requests per admission",
                "",
            ),
            (
                "batched: passes that failed verification against the JWKS (must be 0)",
                "coordinator's ceiling, completions in batches: passes that failed verification",
                "",
            ),
        ] {
            if let Some(v) = ceiling.metric(metric) {
                out.push(Headline::number(label, v, unit));
            }
        }
        if let Some(op) = ceiling.op("pull") {
            out.push(Headline::rate("coordinator's ceiling: pulls", op));
        }
    }
    if let Some(full) = full {
        for op in ["join", "poll", "pull", "complete"] {
            if let Some(o) = full.op(op) {
                out.push(Headline::rate(&format!("full sale: {op}/s"), o));
            }
        }
        for (metric, unit) in [
            ("fans admitted (completed) per second", "fans/s"),
            ("coordinator requests per fan operation", ""),
            ("coordinator requests per joined fan", ""),
            ("coordinator requests per admitted fan", ""),
        ] {
            if let Some(v) = full.metric(metric) {
                out.push(Headline::number(&format!("full sale: {metric}"), v, unit));
            }
        }
    }
    out
}

fn write_outputs(out: &Path, report: &mut Report) -> Result<String> {
    fs::create_dir_all(out).with_context(|| format!("create {}", out.display()))?;
    let lat = plot::latency_series(&report.scenarios, 20);
    let thr = plot::throughput_series(&report.scenarios, &["join", "poll", "complete", "healthz"]);
    let mut plots = Vec::new();
    match plot::draw_latency(&out.join("latency.svg"), &lat) {
        Ok(()) => plots.push("latency.svg".to_owned()),
        Err(e) => eprintln!("loadgen: latency plot not drawn: {e}"),
    }
    match plot::draw_throughput(&out.join("throughput.svg"), &thr) {
        Ok(()) => plots.push("throughput.svg".to_owned()),
        Err(e) => eprintln!("loadgen: throughput plot not drawn: {e}"),
    }
    report.plots = plots;
    let md = report::to_markdown(report);
    fs::write(out.join("report.md"), &md).context("write report.md")?;
    fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )
    .context("write report.json")?;
    Ok(md)
}

async fn run(args: RunArgs) -> Result<()> {
    let t0 = Instant::now();
    let env = util::parse_env_file(
        &fs::read_to_string(&args.env_file)
            .with_context(|| format!("read {}", args.env_file.display()))?,
    );
    let key = |name: &str| {
        env.get(name)
            .cloned()
            .with_context(|| format!("{name} missing from {}", args.env_file.display()))
    };
    if !(10..=3600).contains(&args.claim_ttl_s) || args.concurrency == 0 || args.pull_max == 0 {
        bail!("claim_ttl_s must be 10..=3600, concurrency and pull max at least 1");
    }
    let api = Arc::new(client::Api::new(
        &args.base_url,
        key("ADMIN_KEY")?,
        key("ORIGIN_KEY")?,
        args.concurrency * 2,
        Duration::from_secs(args.request_timeout_s),
    )?);
    let mut machine = machine(&args);
    let started = unix_ms();
    let bench = scenarios::Bench {
        api: api.clone(),
        run_id: format!("{:x}", started % 0xff_ffff),
        concurrency: args.concurrency,
        claim_ttl_s: args.claim_ttl_s,
        shards: args.shards.max(1),
        phase_cap: Duration::from_secs(args.phase_cap_s),
        seed: started,
    };
    let date = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();

    let say = |what: &str| eprintln!("[loadgen +{:>5.1}s] {what}", t0.elapsed().as_secs_f64());
    let mut results = Vec::new();
    say(&format!("warm-up: {} s of /healthz", args.warmup_secs));
    bench.warm_up(args.warmup_secs).await;
    if args.only.contains(&Group::Steady) {
        say(&format!("1. burst join: {} fans", args.burst_fans));
        results.push(with_load(bench.burst_join(args.burst_fans).await?));
        if args.burst_shards > 1 && bench.shards == 1 {
            say(&format!(
                "1b. burst join, {} arrival shards (edge numbering): {} fans",
                args.burst_shards, args.burst_fans
            ));
            let edge = scenarios::Bench {
                shards: args.burst_shards,
                api: bench.api.clone(),
                run_id: bench.run_id.clone(),
                ..bench
            };
            results.push(with_load(edge.burst_join(args.burst_fans).await?));
        }
        say(&format!(
            "2a. steady poll: {} fans, {} s at poll_after_ms",
            args.poll_fans, args.poll_secs
        ));
        let (paced, crowd) = bench.steady_poll(args.poll_fans, args.poll_secs).await?;
        results.push(with_load(paced));
        say(&format!(
            "2b + 4. poll hammer {} s and /healthz ceiling {} s, alternating in {} rounds",
            args.hammer_secs, args.healthz_secs, args.rounds
        ));
        let (hammer, ceiling) = bench
            .hammer_and_ceiling(&crowd, args.hammer_secs, args.healthz_secs, args.rounds)
            .await?;
        results.push(with_load(hammer));
        let ceiling = with_load(ceiling);
        say(&format!(
            "3. full sale: {} s, {} arrivals/s, {} windows",
            args.full_secs, args.arrivals_per_s, args.windows
        ));
        results.push(with_load(
            bench
                .full_sale(
                    args.full_secs,
                    args.arrivals_per_s,
                    args.windows,
                    args.pull_max,
                )
                .await?,
        ));
        results.push(ceiling);
    }
    if args.only.contains(&Group::Opening) {
        say(&format!(
            "5. opening second: {} fans arrive within one second while {} poll",
            args.opening_fans, args.opening_fans
        ));
        let settings = scenarios::OpeningSettings {
            fans: args.opening_fans,
            shards: args.opening_shards.max(1),
            max_in_flight: args.opening_max_in_flight,
        };
        results.push(with_load(bench.opening_second(&settings).await?));
    }
    if args.only.contains(&Group::Edge) {
        say(&format!(
            "7. edge cost: {} polls by a lapsed token, {} requests for unknown sale ids",
            args.edge_requests, args.edge_requests
        ));
        results.push(with_load(
            bench
                .edge_cost(args.edge_requests, args.state_dir.as_deref())
                .await?,
        ));
    }
    if args.only.contains(&Group::Pow) {
        say(&format!(
            "9. proof of work: {} joins with it off, {} with {} bits",
            args.pow_fans, args.pow_fans, args.pow_bits
        ));
        results.push(with_load(
            bench.pow_joins(args.pow_fans, args.pow_bits).await?,
        ));
    }
    if args.only.contains(&Group::Shared) {
        say(&format!(
            "10. shared address: {} fans behind one address, a script for {} s",
            args.shared_fans, args.shared_script_secs
        ));
        results.push(with_load(
            bench
                .shared_address(args.shared_fans, args.shared_script_secs)
                .await?,
        ));
    }
    if args.only.contains(&Group::Ceiling) {
        say(&format!(
            "11. the coordinator's ceiling: {} fans in line, {} windows × {} places pull for {} s",
            args.ceiling_fans, args.ceiling_windows, args.ceiling_places, args.ceiling_secs
        ));
        let settings = scenarios::CeilingSettings {
            fans: args.ceiling_fans,
            secs: args.ceiling_secs,
            windows: args.ceiling_windows,
            places: args.ceiling_places,
        };
        results.push(with_load(bench.ceiling(&settings).await?));
    }
    if args.only.contains(&Group::Slow) {
        say(&format!(
            "6. slow coordinator: {} fans poll, {} s normal then {} s delayed by {} ms",
            args.slow_fans, args.slow_secs, args.slow_secs, args.slow_delay_ms
        ));
        results.push(with_load(
            bench
                .slow_coordinator(args.slow_fans, args.slow_secs, args.slow_delay_ms)
                .await?,
        ));
    }
    if args.only.contains(&Group::Pushed) {
        say(&format!(
            "8. the turn, pushed: {} fans near the front, then {} sockets on one sale",
            args.pushed_fans, args.pushed_sockets
        ));
        results.push(with_load(
            bench
                .pushed_turn(args.pushed_fans, args.pushed_sockets, args.worker_pgid)
                .await?,
        ));
    }
    machine.loadavg_end = loadavg();

    let mut report = Report {
        date,
        machine,
        wrangler_version: args.wrangler_version.clone(),
        worker_label: args.worker_label.clone(),
        base_url: api.base.clone(),
        params: args.params(),
        headline: headline(&results),
        scenarios: results,
        generator_s: t0.elapsed().as_secs_f64(),
        run_s: args
            .run_started_ms
            .map(|ms| unix_ms().saturating_sub(ms) as f64 / 1000.0),
        plots: Vec::new(),
    };
    write_outputs(&args.out, &mut report)?;
    say(&format!("wrote {}", args.out.join("report.md").display()));
    Ok(())
}

fn main() -> Result<()> {
    match Cli::parse() {
        Cli::FreePort => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
            println!("{}", listener.local_addr()?.port());
            Ok(())
        }
        Cli::Run(args) => {
            let args = (*args).scaled();
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(args.threads.max(1))
                .enable_all()
                .build()?
                .block_on(run(args))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::OpStats;

    fn scenario(key: &str, op: &str, n: u64, metrics: Vec<report::Metric>) -> ScenarioResult {
        let mut s = OpStats::default();
        for _ in 0..n {
            s.record_ok(Duration::from_millis(2), Duration::ZERO);
        }
        ScenarioResult {
            key: key.into(),
            short: key.into(),
            title: key.into(),
            description: String::new(),
            sale: None,
            duration_s: 1.0,
            ops: vec![s.summary(op, Duration::from_secs(1))],
            coordinator: None,
            metrics,
        }
    }

    #[test]
    fn headline_has_the_capacity_numbers() {
        let m = |n: &str, v| report::Metric::new(n, v, "");
        let rows = headline(&[
            scenario(
                "1",
                "join",
                100,
                vec![m("coordinator requests per join", 1.01)],
            ),
            scenario(
                "2a",
                "poll",
                50,
                vec![m("coordinator requests per poll", 0.01)],
            ),
            scenario(
                "2b",
                "poll",
                300,
                vec![m("coordinator requests per poll", 0.002)],
            ),
            scenario("4", "healthz", 600, vec![]),
        ]);
        let get = |name: &str| {
            rows.iter()
                .find(|h| h.measure == name)
                .unwrap_or_else(|| panic!("{name} missing from {rows:?}"))
                .value
        };
        assert_eq!(get("joins/s (burst)"), 100.0);
        assert_eq!(get("polls/s hammer"), 300.0);
        assert_eq!(get("/healthz/s (runtime ceiling)"), 600.0);
        assert_eq!(get("poll hammer throughput as a fraction of /healthz"), 0.5);
        assert_eq!(get("coordinator requests per poll (paced)"), 0.01);
        assert!(rows.iter().all(|h| !h.measure.starts_with("full sale")));
    }

    #[test]
    fn headline_has_the_bad_second() {
        let m = |n: &str, v| report::Metric::new(n, v, "");
        let rows = headline(&[
            scenario(
                "5",
                "join",
                100,
                vec![
                    m(
                        "time until every fan has a place (from the first arrival)",
                        2.5,
                    ),
                    m(
                        "5xx answers from the worker other than 503 busy (must be 0)",
                        0.0,
                    ),
                ],
            ),
            ScenarioResult {
                ops: Vec::new(),
                ..scenario("6", "poll", 0, vec![])
            },
        ]);
        let names: Vec<&str> = rows.iter().map(|h| h.measure.as_str()).collect();
        assert!(names.contains(&"opening second: joins"), "{names:?}");
        assert!(
            names.contains(&"opening second: time until every fan has a place"),
            "{names:?}"
        );
        assert!(
            names.contains(&"slow coordinator: skipped: fault switch unavailable"),
            "{names:?}"
        );
    }

    #[test]
    fn only_picks_groups() {
        let args = match Cli::try_parse_from([
            "loadgen",
            "run",
            "--base-url",
            "http://127.0.0.1:1",
            "--env-file",
            "x",
            "--only",
            "opening,slow",
            "--quick",
        ])
        .unwrap()
        {
            Cli::Run(args) => (*args).scaled(),
            Cli::FreePort => unreachable!(),
        };
        assert_eq!(args.only, vec![Group::Opening, Group::Slow]);
        assert_eq!((args.opening_fans, args.slow_fans), (300, 200));
    }

    #[test]
    fn quick_scales_down_only_when_asked() {
        let parse = |extra: &[&str]| {
            let base = [
                "loadgen",
                "run",
                "--base-url",
                "http://127.0.0.1:1",
                "--env-file",
                "x",
            ];
            match Cli::try_parse_from(base.iter().chain(extra)).unwrap() {
                Cli::Run(args) => (*args).scaled(),
                Cli::FreePort => unreachable!(),
            }
        };
        let args = parse(&["--quick"]);
        assert_eq!(args.burst_fans, 300);
        let args = parse(&[]);
        assert_eq!(args.burst_fans, 5_000);
        assert_eq!(args.params()["concurrency"], json!(32));
    }
}
