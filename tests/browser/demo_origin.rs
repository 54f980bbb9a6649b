//! The demo origin (`examples/origin`) as the browser tests run it: built once per test process,
//! started on a free port as a [`ProcessGroup`], stopped when dropped.

use crate::support::process::{ProcessGroup, TempDir};
use crate::support::TestWorker;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `cargo build -p demo-origin`, once per test process (a no-op when it is fresh), and its path.
async fn demo_origin_binary() -> PathBuf {
    static BUILT: tokio::sync::Mutex<bool> = tokio::sync::Mutex::const_new(false);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"));
    let binary = target.join("debug").join("demo-origin");
    let mut built = BUILT.lock().await;
    if !*built {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = tokio::process::Command::new(cargo)
            .current_dir(repo)
            .args(["build", "-p", "demo-origin"])
            .output()
            .await
            .expect("run cargo build -p demo-origin");
        assert!(
            output.status.success(),
            "cargo build -p demo-origin failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        *built = true;
    }
    assert!(binary.exists(), "{} is missing", binary.display());
    binary
}

/// The demo origin (`examples/origin`): windows that pull fans from the edge, and the purchase page
/// that checks their pass. Dropping it stops it.
pub struct DemoOrigin {
    // Declared before `_dir`: the origin stops before its log is deleted.
    process: ProcessGroup,
    _dir: TempDir,
}

impl DemoOrigin {
    /// Starts it on `port` pulling `sale` from `worker`: `windows` windows of one fan each, a
    /// pull every `pace_ms`.
    pub async fn pulling(
        worker: &TestWorker,
        sale: &str,
        port: u16,
        windows: u32,
        pace_ms: u64,
    ) -> Self {
        let (windows, pace_ms) = (windows.to_string(), pace_ms.to_string());
        let flags = [
            "--windows",
            &windows,
            "--capacity",
            &windows,
            "--pace-ms",
            &pace_ms,
        ];
        Self::start(&worker.base, sale, &worker.origin_key, port, &flags).await
    }

    /// Starts it on `port` for `sale` at the edge `edge_url`, with `extra` flags.
    pub async fn start(
        edge_url: &str,
        sale: &str,
        origin_key: &str,
        port: u16,
        extra: &[&str],
    ) -> Self {
        let binary = demo_origin_binary().await;
        let dir = TempDir::new("origin");
        let mut command = Command::new(binary);
        command
            .args(["--edge-url", edge_url, "--sale", sale])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("ORIGIN_KEY", origin_key);
        let log = dir.path().join("demo-origin.log");
        let mut process = ProcessGroup::spawn(command, "demo-origin", &log, Duration::from_secs(3));
        let client = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{port}/healthz");
        process
            .wait_until_ready(
                Duration::from_secs(20),
                Duration::from_millis(100),
                || async {
                    match client.get(&url).send().await {
                        Ok(r) if r.status().is_success() => Ok(()),
                        Ok(r) => Err(format!("GET /healthz: status {}", r.status())),
                        Err(e) => Err(format!("GET /healthz: {e}")),
                    }
                },
            )
            .await;
        Self { process, _dir: dir }
    }

    /// The last `lines` lines of the origin's log (for failure messages).
    pub fn log_tail(&self, lines: usize) -> String {
        self.process.log_tail(lines)
    }
}
