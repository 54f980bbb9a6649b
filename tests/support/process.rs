//! Processes the tests start around the worker: each in its own process group, stopped with the
//! whole group when its handle is dropped (so nothing is left running when a test panics), with
//! its own temp dir and log.

use crate::support::random::random_alnum;
use std::fs;
use std::future::Future;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Prefix of every temp dir the tests make, so cleanup never touches anything else.
const TEMP_PREFIX: &str = "waitroom-test-";

/// A port free on 127.0.0.1 right now.
/// Why a process did not become ready.
#[derive(Debug)]
pub struct StartFailed {
    /// It exited because a port it was given was taken meanwhile: [`free_port`] finds a port
    /// free and lets it go, and another test's process (each `wrangler dev` opens several) may
    /// take it before this one binds it.
    pub port_taken: bool,
    pub message: String,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// The last `lines` lines of a log file, for failure messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return format!("(cannot read {}: {e})", path.display()),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A fresh, empty directory under the system temp dir, deleted when dropped (unless
/// `KEEP_TEST_STATE` is set).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// `waitroom-test-<what>-<pid>-<n>-<random>`.
    pub fn new(what: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "{TEMP_PREFIX}{what}-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            random_alnum(8)
        ));
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_TEST_STATE").is_some() {
            eprintln!("KEEP_TEST_STATE: keeping {}", self.0.display());
            return;
        }
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A child process leading its own process group, its output in a log file. Dropping it stops
/// the group.
pub struct ProcessGroup {
    child: Option<Child>,
    what: String,
    log: PathBuf,
    /// How long the group has between SIGTERM and SIGKILL.
    grace: Duration,
}

impl ProcessGroup {
    /// Starts `command` in a new process group, stdin empty, stdout and stderr to `log`.
    pub fn spawn(mut command: Command, what: &str, log: &Path, grace: Duration) -> Self {
        let out = fs::File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("clone log handle"))
            .stderr(out)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        Self {
            child: Some(child),
            what: what.to_owned(),
            log: log.to_owned(),
            grace,
        }
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Polls `probe` every `every` until it answers `Ok`; panics with the end of the log if the
    /// process exits first or `timeout` passes. Returns how long it took.
    pub async fn wait_until_ready<F, Fut>(
        &mut self,
        timeout: Duration,
        every: Duration,
        probe: F,
    ) -> Duration
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        match self.try_until_ready(timeout, every, probe).await {
            Ok(took) => took,
            Err(failed) => panic!("{}", failed.message),
        }
    }

    /// [`ProcessGroup::wait_until_ready`], with the failure as a value: a caller may start again
    /// where the process lost a race it did not choose ([`StartFailed::port_taken`]).
    pub async fn try_until_ready<F, Fut>(
        &mut self,
        timeout: Duration,
        every: Duration,
        mut probe: F,
    ) -> Result<Duration, StartFailed>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let start = Instant::now();
        let mut last = String::from("no answer yet");
        while start.elapsed() < timeout {
            if let Some(exit) = self.exited() {
                self.child = None;
                let log = self.log_tail(60);
                return Err(StartFailed {
                    port_taken: log.contains("Address already in use"),
                    message: format!(
                        "{} exited during startup ({exit}); log {}:\n{log}",
                        self.what,
                        self.log.display(),
                    ),
                });
            }
            match probe().await {
                Ok(()) => return Ok(start.elapsed()),
                Err(reason) => last = reason,
            }
            tokio::time::sleep(every).await;
        }
        self.stop();
        Err(StartFailed {
            port_taken: false,
            message: format!(
                "{} was not ready within {timeout:?} (last: {last}); log {}:\n{}",
                self.what,
                self.log.display(),
                self.log_tail(60)
            ),
        })
    }

    /// Stops the whole group (helpers such as workerd or Chromium's may outlive the leader):
    /// SIGTERM, up to `grace` for the leader to exit, then SIGKILL to whatever is left.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pgid = child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group the child leads.
        unsafe { libc::kill(-pgid, libc::SIGTERM) };
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = child.wait();
    }
}

impl ProcessGroup {
    /// Kills the whole group at once with SIGKILL, as a crash or a lost machine would: no grace,
    /// nothing flushed or closed by the processes. Waits for the leader to be reaped.
    pub fn kill_hard(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pgid = child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group the child leads.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = child.wait();
    }
}

impl Drop for ProcessGroup {
    /// Stops the group; when the test is failing, prints the end of its log first.
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "--- the test failed; last lines of {} ({}):\n{}\n---",
                self.log.display(),
                self.what,
                self.log_tail(40)
            );
        }
    }
}
