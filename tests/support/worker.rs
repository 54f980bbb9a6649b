//! The worker under test: a real `wrangler dev` (workerd) running the built worker on a free port,
//! with its own state directory and freshly generated secrets, and [`Api`], a cheap handle on it
//! that hands out a client per role.

use crate::support::admin::Admin;
use crate::support::fan::Fan;
use crate::support::http::Caller;
use crate::support::origin::Origin;
use crate::support::process::{free_port, ProcessGroup, StartFailed, TempDir};
use crate::support::random::{random_alnum, random_bytes};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How many times a worker is started on new ports when the ones it was given were taken.
const MAX_START_ATTEMPTS: u32 = 3;

/// Workers start one at a time: the first start may run `make build`, and wrangler's startup is
/// CPU-heavy on a small machine. Requests to running workers are not serialized.
/// The lock also guards whether this test process has run `make build` yet (true once it has).
static START_LOCK: tokio::sync::Mutex<bool> = tokio::sync::Mutex::const_new(false);

/// A cheap, cloneable handle on a running worker: its address and keys.
#[derive(Clone, Debug)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    pub admin_key: String,
    pub origin_key: String,
    /// The worker's `TOKEN_KEYS`, for tests that sign what only the worker could (an old
    /// proof-of-work challenge: `PowKey::derived_from`).
    pub token_keys: String,
    /// How far this test moved the worker's clock (ms; docs/api.md, "Testing"), shared by every
    /// handle on the worker: see [`Api::now`].
    clock_offset_ms: Arc<AtomicU64>,
}

impl Api {
    fn new(port: u16, secrets: &Secrets, clock_offset_ms: u64) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(64)
            .build()
            .expect("reqwest client");
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client,
            admin_key: secrets.admin_key.clone(),
            origin_key: secrets.origin_key.clone(),
            token_keys: secrets.token_keys.clone(),
            clock_offset_ms: Arc::new(AtomicU64::new(clock_offset_ms)),
        }
    }

    /// The worker's clock as this test knows it (since the Unix epoch): the wall clock plus what
    /// the test moved it by ([`Api::advance`]). Times a test gives the worker (`opens_at`) or
    /// checks in its answers (deadlines, expiries) are on this clock, not the wall clock.
    pub fn now(&self) -> Duration {
        crate::support::clock::unix_now() + Duration::from_millis(self.clock_offset_ms())
    }

    /// How far this test moved the worker's clock.
    pub fn clock_offset_ms(&self) -> u64 {
        self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// Moves the worker's clock forward by `by` instead of sleeping (`POST /api/admin/test/clock`;
    /// the worker must run with the test switch: [`TestWorker::start_with_faults`]). Every
    /// isolate's clock moves, and the objects' alarms that are due by then have run when this
    /// returns. Real time does not pass: whatever the runtime does on its own time (an object
    /// hibernating, the queue's batch timeout, a webhook's delivery, the Cache API's expiry)
    /// still takes real time. Returns the answer (`offset_ms`, `now_ms`, `alarms_run`).
    pub async fn advance(&self, by: Duration) -> serde_json::Value {
        let advance_ms = u64::try_from(by.as_millis()).expect("a move in range");
        self.move_clock(serde_json::json!({ "advance_ms": advance_ms }))
            .await
    }

    /// Moves the worker's clock forward to `at` ([`Api::now`]'s clock), if it is not there yet.
    pub async fn advance_to(&self, at: Duration) {
        let by = at.saturating_sub(self.now());
        if !by.is_zero() {
            self.advance(by).await;
        }
    }

    /// Like [`crate::support::eventually`], on the worker's clock: tries `attempt`, and between
    /// tries moves the clock by `step` instead of sleeping, until it succeeds or `limit` of the
    /// worker's time has passed (then panics with the last reason). A step of a second or more
    /// also makes the edge's cached snapshot stale, so each try sees the line as it is then.
    pub async fn advancing<T, F, Fut>(
        &self,
        what: &str,
        step: Duration,
        limit: Duration,
        mut attempt: F,
    ) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, String>>,
    {
        let until = self.now() + limit;
        loop {
            match attempt().await {
                Ok(value) => return value,
                Err(reason) if self.now() >= until => {
                    panic!("{what}: still not true after {limit:?} of the worker's clock: {reason}")
                }
                Err(_) => {
                    self.advance(step).await;
                }
            }
        }
    }

    async fn move_clock(&self, body: serde_json::Value) -> serde_json::Value {
        let moved = crate::support::send(self.admin().post("/api/admin/test/clock").json(&body))
            .await
            .expect(200, "move the test clock");
        let offset = moved["offset_ms"]
            .as_u64()
            .unwrap_or_else(|| panic!("no offset_ms in {moved}"));
        let before = self.clock_offset_ms.fetch_max(offset, Ordering::SeqCst);
        assert!(
            offset >= before,
            "the clock went back: {before} then {moved}"
        );
        moved
    }

    fn caller(&self, bearer: Option<&str>) -> Caller {
        Caller::new(self.client.clone(), &self.base, bearer)
    }

    /// The promoter: `Authorization: Bearer $ADMIN_KEY`.
    pub fn admin(&self) -> Admin {
        Admin(self.caller(Some(&self.admin_key)))
    }

    /// The origin: `Authorization: Bearer $ORIGIN_KEY`.
    pub fn origin(&self) -> Origin {
        Origin(self.caller(Some(&self.origin_key)))
    }

    /// A fan (or anyone): no `Authorization`.
    pub fn fan(&self) -> Fan {
        Fan(self.caller(None))
    }

    /// Requests with `Authorization: Bearer <bearer>`.
    pub fn bearer(&self, bearer: &str) -> Caller {
        self.caller(Some(bearer))
    }
}

/// The secrets a worker runs with, as written to its env file.
#[derive(Clone, Debug)]
struct Secrets {
    admin_key: String,
    origin_key: String,
    token_keys: String,
    pass_signing_key: String,
}

impl Secrets {
    fn fresh() -> Self {
        Self {
            admin_key: format!("admin-{}", random_alnum(40)),
            origin_key: format!("origin-{}", random_alnum(40)),
            token_keys: format!("t1:{}", random_alnum(40)),
            pass_signing_key: URL_SAFE_NO_PAD.encode(random_bytes(32)),
        }
    }

    fn env_file_text(&self) -> String {
        format!(
            // Test crowds join from 127.0.0.1: no per-address limit unless a sale sets one.
            // The VAPID keys for Web Push: a fresh P-256 private key (32 random bytes are one
            // with overwhelming likelihood).
            "ADMIN_KEY={}\nORIGIN_KEY={}\nTOKEN_KEYS={}\nPASS_SIGNING_KEY={}\nPUSH_VAPID_KEYS={}\nPUSH_VAPID_SUBJECT=mailto:tests@waitroom.invalid\nRATE_LIMIT_PER_MIN=0\n",
            self.admin_key,
            self.origin_key,
            self.token_keys,
            self.pass_signing_key,
            URL_SAFE_NO_PAD.encode(random_bytes(32))
        )
    }

    fn read(env_file: &Path) -> Self {
        let text = fs::read_to_string(env_file)
            .unwrap_or_else(|e| panic!("read {}: {e}", env_file.display()));
        let find = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .map(str::to_owned)
        };
        let get = |name: &str| {
            find(name).unwrap_or_else(|| panic!("{name} missing from {}", env_file.display()))
        };
        Self {
            admin_key: get("ADMIN_KEY"),
            origin_key: get("ORIGIN_KEY"),
            token_keys: get("TOKEN_KEYS"),
            // A rotated env file lists several keys instead.
            pass_signing_key: find("PASS_SIGNING_KEY").unwrap_or_else(|| get("PASS_SIGNING_KEYS")),
        }
    }
}

/// What a worker keeps between runs: its state directory and env file, in a temp dir deleted when
/// this is dropped (unless `KEEP_TEST_STATE` is set). See [`TestWorker::stop`].
#[derive(Debug)]
pub struct WorkerFiles {
    dir: TempDir,
    pub state_dir: PathBuf,
    pub env_file: PathBuf,
    /// How far the test had moved the worker's clock when it stopped: a worker started again on
    /// these files is given the same offset (its clock never goes back).
    pub clock_offset_ms: u64,
}

impl WorkerFiles {
    /// An empty state directory and an env file with fresh secrets.
    fn fresh() -> Self {
        let dir = TempDir::new("worker");
        let state_dir = dir.path().join("state");
        fs::create_dir_all(&state_dir).expect("create state dir");
        let env_file = dir.path().join("worker.env");
        fs::write(&env_file, Secrets::fresh().env_file_text()).expect("write env file");
        Self {
            dir,
            state_dir,
            env_file,
            clock_offset_ms: 0,
        }
    }
}

impl WorkerFiles {
    /// A copy of a kept state: `dir/state` (a `--persist-to` tree) and `dir/worker.env`, e.g. a
    /// fixture of state written by an earlier release (tests/fixtures/).
    pub fn copied_from(dir: &Path) -> Self {
        let copy = TempDir::new("worker");
        let state_dir = copy.path().join("state");
        copy_tree(&dir.join("state"), &state_dir);
        let env_file = copy.path().join("worker.env");
        fs::copy(dir.join("worker.env"), &env_file)
            .unwrap_or_else(|e| panic!("copy {}/worker.env: {e}", dir.display()));
        Self {
            dir: copy,
            state_dir,
            env_file,
            clock_offset_ms: 0,
        }
    }
}

/// Copies the directory tree `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// A `wrangler dev` serving the worker on its own port, state directory and secrets. Dropping it
/// stops the whole process group (printing the end of its log if the test failed) and deletes its
/// temp files.
pub struct TestWorker {
    api: Api,
    // Declared before `files`: the process stops before its files are deleted.
    process: ProcessGroup,
    files: WorkerFiles,
}

impl std::ops::Deref for TestWorker {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestWorker {
    /// A worker with fresh secrets and empty state.
    pub async fn start() -> Self {
        Self::start_with(WorkerFiles::fresh()).await
    }

    /// A worker with fresh secrets and empty state, started with `options`' extra arguments and
    /// variables.
    pub async fn start_with_options(options: WorkerOptions) -> Self {
        let files = WorkerFiles::fresh();
        let mut text = fs::read_to_string(&files.env_file).expect("read env file");
        for (name, value) in &options.vars {
            text.push_str(&format!("{name}={value}\n"));
        }
        fs::write(&files.env_file, text).expect("write env file");
        Self::start_on(files, &options).await
    }

    /// A worker with the test switches on (`WAITROOM_TEST_FAULTS=1`; docs/api.md, "Testing"): the
    /// fault switch and the test clock ([`Api::advance`]).
    pub async fn start_with_faults() -> Self {
        Self::start_with_options(WorkerOptions::default().var("WAITROOM_TEST_FAULTS", 1)).await
    }

    /// A worker on the state directory and env file of an earlier one (see [`TestWorker::stop`]).
    pub async fn start_with(files: WorkerFiles) -> Self {
        Self::start_on(files, &WorkerOptions::default()).await
    }

    /// Everything its `wrangler dev` printed so far (both Workers' logs).
    pub fn log_text(&self) -> String {
        fs::read_to_string(self.process.log()).unwrap_or_default()
    }

    /// Its files' directory: wrangler's debug logs (`WRANGLER_LOG_PATH`) are there too.
    pub fn files_dir(&self) -> &Path {
        self.files.dir.path()
    }

    /// Its state directory (the SQLite files of its Durable Objects are under it).
    pub fn state_dir(&self) -> &Path {
        &self.files.state_dir
    }

    /// `PUT /api/admin/sales/{sale}/fault` with `{"delay_ms", "fail"}` (200): every later command
    /// to the sale's coordinator waits `delay_ms` and then, if `fail`, fails. Returns the answer:
    /// `failed_by_kind` counts what the previous fault failed.
    pub async fn set_fault(&self, sale: &str, delay_ms: u64, fail: bool) -> serde_json::Value {
        crate::support::send(
            self.admin()
                .put(&format!("/api/admin/sales/{sale}/fault"))
                .json(&serde_json::json!({ "delay_ms": delay_ms, "fail": fail })),
        )
        .await
        .expect(200, "set fault")
    }

    /// The deployment's two Workers in one `wrangler dev` (docs/operations.md, "Two Workers"): the
    /// edge worker (wrangler.edge.toml, the first config: it serves the port) and the full worker
    /// (wrangler.toml: the Durable Objects, the cron, the queue consumers), which the edge's
    /// bindings reach by `script_name`. With `full_worker_only`, the full worker alone serves the
    /// port (what a rollback to it looks like; and locally `/__scheduled` runs the cron of the
    /// worker on the port only).
    async fn start_on(files: WorkerFiles, options: &WorkerOptions) -> Self {
        let (extra_args, full_worker_only) = (&options.args, options.full_worker_only);
        // wrangler's level: `warn` hides the Workers' own `console.log` lines (the request log).
        let log_level = options.log_level.unwrap_or("warn");
        let secrets = Secrets::read(&files.env_file);
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let _one_start_at_a_time = build_once(repo).await;
        let mut attempt = 1;
        let worker = loop {
            let port = free_port();
            let inspector_port = free_port();
            let wrangler = repo.join("node_modules/.bin/wrangler");
            assert!(
                wrangler.exists(),
                "{} is missing: run `npm ci` in the repo",
                wrangler.display()
            );
            let mut command = Command::new(&wrangler);
            command
                .current_dir(repo)
                .arg("dev")
                .args(worker_configs(repo, &files, full_worker_only))
                .args(["--ip", "127.0.0.1", "--port", &port.to_string()])
                .args(["--inspector-port", &inspector_port.to_string()])
                .arg("--persist-to")
                .arg(&files.state_dir)
                .arg("--env-file")
                .arg(edge_env_file(&files, full_worker_only))
                .args([
                    "--show-interactive-dev-session=false",
                    "--log-level",
                    log_level,
                ])
                .args(extra_args)
                .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
                .env("WRANGLER_SEND_METRICS", "false")
                .env("CI", "true")
                .env("WRANGLER_LOG_PATH", files.dir.path());
            let log = files.dir.path().join(format!("wrangler-{port}.log"));
            // workerd may outlive wrangler's node process: the whole group goes.
            let mut process =
                ProcessGroup::spawn(command, "wrangler dev", &log, Duration::from_secs(5));
            match Self::wait_until_healthy(&mut process, port, &secrets).await {
                Ok(()) => {
                    break Self {
                        api: Api::new(port, &secrets, 0),
                        process,
                        files,
                    }
                }
                // A port taken between free_port and wrangler's bind: a race between tests, not
                // the worker's; start again on other ports (a few times at most).
                Err(failed) if failed.port_taken && attempt < MAX_START_ATTEMPTS => {
                    println!("wrangler dev lost port {port} to another process: starting again");
                    attempt += 1;
                }
                Err(failed) => panic!("{}", failed.message),
            }
        };
        let offset = worker.files.clock_offset_ms;
        if offset > 0 {
            // Started again on the files of a worker whose clock the test moved.
            worker
                .api
                .move_clock(serde_json::json!({ "offset_ms": offset }))
                .await;
        }
        worker
    }

    /// A cheap handle for spawned tasks.
    pub fn handle(&self) -> Api {
        self.api.clone()
    }

    /// Waits for the worker on `port` to answer `/healthz`.
    async fn wait_until_healthy(
        process: &mut ProcessGroup,
        port: u16,
        secrets: &Secrets,
    ) -> Result<(), StartFailed> {
        let timeout = std::env::var("WAITROOM_TEST_START_TIMEOUT_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(Duration::from_secs(60), Duration::from_secs);
        let api = Api::new(port, secrets, 0);
        let (client, url) = (&api.client, format!("{}/healthz", api.base));
        let took = process
            .try_until_ready(timeout, Duration::from_millis(250), || async {
                match client
                    .get(&url)
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
                {
                    Ok(r) if r.status() == StatusCode::OK => Ok(()),
                    Ok(r) => Err(format!("GET /healthz: status {}", r.status())),
                    Err(e) => Err(format!("GET /healthz: {e}")),
                }
            })
            .await?;
        println!("worker at {} ready in {took:.1?}", api.base);
        Ok(())
    }

    /// Stops the worker but keeps its files, for [`TestWorker::start_with`].
    pub fn stop(mut self) -> WorkerFiles {
        self.process.stop();
        self.files.clock_offset_ms = self.api.clock_offset_ms();
        self.files
    }

    /// Kills the worker's whole process group with SIGKILL (a crash, not a stop: requests in
    /// flight are cut off, nothing is shut down in order) and keeps its files, for
    /// [`TestWorker::start_with`].
    pub fn kill_hard(mut self) -> WorkerFiles {
        self.process.kill_hard();
        self.files.clock_offset_ms = self.api.clock_offset_ms();
        self.files
    }
}

/// Runs `make build` once per test process, under the start lock (held until the returned guard
/// drops, so workers start one at a time). wrangler runs `make build` too, but a real rebuild can
/// take minutes: it is done here, outside the startup timeout. A no-op when build/ is fresh.
async fn build_once(repo: &Path) -> tokio::sync::MutexGuard<'static, bool> {
    let mut built = START_LOCK.lock().await;
    if !*built {
        let output = tokio::process::Command::new("make")
            .args(["-C", &repo.display().to_string(), "build"])
            .output()
            .await
            .expect("run make build");
        assert!(
            output.status.success(),
            "make build failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        *built = true;
    }
    built
}

/// `wrangler dev`'s configs: the edge worker first (it serves the port), then the full worker,
/// then the gate worker (path protection: the edge hands it a protected host's requests and the
/// test clock's moves through its binding `GATE`).
///
/// wrangler 4.86 gives `--env-file`, `--var` and `--test-scheduled` to the first config only; the
/// others read their secrets from the `.dev.vars` beside them. So the full and gate workers run
/// from copies of wrangler.toml and wrangler.gate.toml in the worker's temp dir (paths made
/// absolute, no `[build]`: the edge's runs `make build`, which builds all three), each with its
/// env file beside it as `.dev.vars` (the gate's as the edge's: no pass-signing or bearer key).
fn worker_configs(repo: &Path, files: &WorkerFiles, full_worker_only: bool) -> Vec<String> {
    if full_worker_only {
        return vec!["-c".into(), "wrangler.toml".into()];
    }
    let full = config_copy(repo, files, "wrangler.toml", "full", &files.env_file);
    let gate_env = edge_env_file(files, false);
    let gate = config_copy(repo, files, "wrangler.gate.toml", "gate", &gate_env);
    vec![
        "-c".into(),
        "wrangler.edge.toml".into(),
        "-c".into(),
        full.display().to_string(),
        "-c".into(),
        gate.display().to_string(),
    ]
}

/// A copy of the repo's `name` config in the worker's temp dir `dir` (its paths absolute, without
/// `[build]`), with `env_file` beside it as `.dev.vars`; the copy's path.
fn config_copy(
    repo: &Path,
    files: &WorkerFiles,
    name: &str,
    dir: &str,
    env_file: &Path,
) -> PathBuf {
    let dir = files.dir.path().join(dir);
    fs::create_dir_all(&dir).expect("create a worker's config dir");
    let text = fs::read_to_string(repo.join(name)).expect("read a wrangler config");
    let mut copy = String::new();
    let mut in_build = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_build = line.trim() == "[build]";
        }
        if in_build {
            continue;
        }
        let line = match line.trim().strip_prefix("main = ") {
            Some(main) => format!(
                "main = {:?}",
                repo.join(main.trim_matches('"')).display().to_string()
            ),
            None if line.trim() == r#"directory = "static""# => format!(
                "directory = {:?}",
                repo.join("static").display().to_string()
            ),
            None => line.to_owned(),
        };
        copy.push_str(&line);
        copy.push('\n');
    }
    let config = dir.join(name);
    fs::write(&config, copy).expect("write a worker's config");
    fs::copy(env_file, dir.join(".dev.vars")).expect("write a worker's .dev.vars");
    config
}

/// The env file of the Worker on the port: the edge's has no pass-signing key and no bearer key,
/// as deployed (only the coordinator signs passes, and the full worker serves the JWKS and the
/// promoter's and origin's routes; docs/operations.md, "Two Workers"), so every test through the
/// edge checks it runs without them.
fn edge_env_file(files: &WorkerFiles, full_worker_only: bool) -> PathBuf {
    if full_worker_only {
        return files.env_file.clone();
    }
    let text = fs::read_to_string(&files.env_file).expect("read env file");
    let edge: String = text
        .lines()
        .filter(|line| {
            !["PASS_SIGNING_KEY", "ADMIN_KEY=", "ORIGIN_KEY="]
                .iter()
                .any(|full_only| line.starts_with(full_only))
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let path = files.dir.path().join("edge.env");
    fs::write(&path, edge).expect("write the edge's env file");
    path
}

/// What a test may add to a worker's start: `wrangler dev` arguments (e.g. `--test-scheduled`)
/// and variables (written to its env file along with the secrets, which both workers read).
#[derive(Clone, Debug, Default)]
pub struct WorkerOptions {
    pub args: Vec<String>,
    pub vars: Vec<(String, String)>,
    /// Only the full worker (wrangler.toml), serving every route itself: see
    /// [`TestWorker::start_on`].
    pub full_worker_only: bool,
    /// wrangler's `--log-level` (default `warn`); `log` shows the Workers' `console.log` lines,
    /// the request log among them, in [`TestWorker::log_text`].
    pub log_level: Option<&'static str>,
}

impl WorkerOptions {
    /// Only the full worker, without the edge worker in front (e.g. to run its cron with
    /// `--test-scheduled`: `/__scheduled` reaches the worker on the port only).
    pub fn full_worker_only(mut self) -> Self {
        self.full_worker_only = true;
        self
    }

    /// wrangler's `--log-level` (`log`: every line the Workers write).
    pub fn log_level(mut self, level: &'static str) -> Self {
        self.log_level = Some(level);
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    pub fn var(mut self, name: &str, value: impl ToString) -> Self {
        self.vars.push((name.to_owned(), value.to_string()));
        self
    }
}
