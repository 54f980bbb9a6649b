//! What a worker under test runs from: its secrets ([`Secrets`]), its state directory and env
//! file, kept between runs ([`WorkerFiles`]), and `wrangler dev`'s configs for the edge, full and
//! gate workers ([`worker_configs`]).

use crate::support::process::TempDir;
use crate::support::random::{random_alnum, random_bytes};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::fs;
use std::path::{Path, PathBuf};

/// The secrets a worker runs with, as written to its env file.
#[derive(Clone, Debug)]
pub(super) struct Secrets {
    pub(super) admin_key: String,
    pub(super) origin_key: String,
    pub(super) token_keys: String,
    pub(super) pass_signing_key: String,
}

impl Secrets {
    pub(super) fn fresh() -> Self {
        Self {
            admin_key: format!("admin-{}", random_alnum(40)),
            origin_key: format!("origin-{}", random_alnum(40)),
            token_keys: format!("t1:{}", random_alnum(40)),
            pass_signing_key: URL_SAFE_NO_PAD.encode(random_bytes(32)),
        }
    }

    pub(super) fn env_file_text(&self) -> String {
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

    pub(super) fn read(env_file: &Path) -> Self {
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
    pub(super) dir: TempDir,
    pub state_dir: PathBuf,
    pub env_file: PathBuf,
    /// How far the test had moved the worker's clock when it stopped: a worker started again on
    /// these files is given the same offset (its clock never goes back).
    pub clock_offset_ms: u64,
}

impl WorkerFiles {
    /// An empty state directory and an env file with fresh secrets.
    pub(super) fn fresh() -> Self {
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

/// `wrangler dev`'s configs: the edge worker first (it serves the port), then the full worker,
/// then the gate worker (path protection: the edge hands it a protected host's requests and the
/// test clock's moves through its binding `GATE`).
///
/// wrangler 4.86 gives `--env-file`, `--var` and `--test-scheduled` to the first config only; the
/// others read their secrets from the `.dev.vars` beside them. So the full and gate workers run
/// from copies of wrangler.toml and wrangler.gate.toml in the worker's temp dir (paths made
/// absolute, no `[build]`: the edge's runs `make build`, which builds all three), each with its
/// env file beside it as `.dev.vars` (the gate's as the edge's: no pass-signing or bearer key).
pub(super) fn worker_configs(
    repo: &Path,
    files: &WorkerFiles,
    full_worker_only: bool,
) -> Vec<String> {
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
pub(super) fn edge_env_file(files: &WorkerFiles, full_worker_only: bool) -> PathBuf {
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
