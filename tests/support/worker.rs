//! The worker under test: a real `wrangler dev` (workerd) running the built worker on a free port,
//! with its own state directory and freshly generated secrets ([`WorkerFiles`]), and [`Api`], a
//! cheap handle on it that hands out a client per role.

use crate::support::api::Api;
use crate::support::process::{free_port, ProcessGroup, StartFailed};
use crate::support::worker_files::{edge_env_file, worker_configs, Secrets, WorkerFiles};
use reqwest::StatusCode;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// How many times a worker is started on new ports when the ones it was given were taken.
const MAX_START_ATTEMPTS: u32 = 3;

/// Workers start one at a time: the first start may run `make build`, and wrangler's startup is
/// CPU-heavy on a small machine. Requests to running workers are not serialized.
/// The lock also guards whether this test process has run `make build` yet (true once it has).
static START_LOCK: tokio::sync::Mutex<bool> = tokio::sync::Mutex::const_new(false);

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
