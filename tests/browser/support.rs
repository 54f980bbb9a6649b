//! What the browser tests run on: a chromedriver (and the headless Chromium sessions it starts), the
//! demo origin, screenshots, and waiting for a page to reach a state.
//!
//! Every process here is started in its own process group and killed with the whole group when its
//! handle is dropped, so nothing is left running when a test panics.

use crate::helpers::Api;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::fs;
use std::future::Future;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const TEMP_PREFIX: &str = "waitroom-browser-";

/// The time zone the browsers run in: far from UTC, so that the dashboard's local-time handling
/// is really tested.
pub const BROWSER_TZ: &str = "Pacific/Auckland";

// ---------------------------------------------------------------------------------------------
// Small things
// ---------------------------------------------------------------------------------------------

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A sale id unique to this run: `<prefix>-<pid>-<n>`.
pub fn unique_sale(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, empty directory under the system temp dir; removed by [`TempDir`]'s drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(what: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "{TEMP_PREFIX}{what}-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        let _ = fs::remove_dir_all(&dir);
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

/// The last `lines` lines of a log file, for failure messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut file) = fs::File::open(path) else {
        return format!("(cannot read {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(32 * 1024)));
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A child process in its own process group: SIGTERM to the group, a moment's grace, SIGKILL.
struct Group(Option<Child>);

impl Group {
    fn spawn(mut command: Command, what: &str) -> Self {
        let child = command
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        Self(Some(child))
    }

    /// `Some(status)` once the process has exited.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    fn kill(&mut self) {
        if let Some(child) = self.0.take() {
            // Chromium's helpers may outlive the driver: the whole group goes.
            crate::helpers::stop_group(child, Duration::from_secs(3));
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------------
// Fans joined through the API
// ---------------------------------------------------------------------------------------------

/// Fans joined through the API poll their status every second, as a fan's page would: the worker
/// may skip fans near the front who stopped polling. Dropping this stops the polling.
pub struct Polling(Vec<tokio::task::JoinHandle<()>>);

impl Polling {
    pub fn start(api: Api, sale: &str, tokens: &[&str]) -> Self {
        let path = format!("/api/sales/{sale}/status");
        let handles = tokens
            .iter()
            .map(|token| {
                let (api, path, token) = (api.clone(), path.clone(), token.to_string());
                tokio::spawn(async move {
                    loop {
                        let _ = api.bearer(&token).get(&path).send().await;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                })
            })
            .collect();
        Self(handles)
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Screenshots
// ---------------------------------------------------------------------------------------------

/// `target/screenshots/` of this workspace (or of `CARGO_TARGET_DIR`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

// ---------------------------------------------------------------------------------------------
// Chromedriver and browser sessions
// ---------------------------------------------------------------------------------------------

/// How a browser session starts.
#[derive(Clone, Copy, Debug)]
pub struct SessionOptions {
    pub javascript: bool,
    pub width: u32,
    pub height: u32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            javascript: true,
            width: 1280,
            height: 900,
        }
    }
}

/// A chromedriver on a free port. Sessions it starts are headless Chromium, each with a fresh
/// profile directory. Dropping it kills the driver and every browser it started.
pub struct Chromedriver {
    port: u16,
    process: Group,
    dir: TempDir,
    log: PathBuf,
    /// The test these sessions belong to (screenshot names start with it).
    test: String,
}

impl Chromedriver {
    pub async fn start(test: &str) -> Self {
        for path in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: install Debian's chromium and chromium-driver (make bootstrap)"
            );
        }
        let dir = TempDir::new("chromedriver");
        let log = dir.path().join("chromedriver.log");
        let port = free_port();
        let out = fs::File::create(&log).expect("create chromedriver log");
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .env("TZ", BROWSER_TZ)
            .stdout(out.try_clone().expect("clone log handle"))
            .stderr(out);
        let mut driver = Self {
            port,
            process: Group::spawn(command, "chromedriver"),
            dir,
            log,
            test: test.to_owned(),
        };
        driver.wait_until_ready().await;
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::new();
        let status = format!("{}/status", self.url());
        let start = Instant::now();
        let mut last = String::from("no answer yet");
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(exit) = self.process.exited() {
                panic!("chromedriver exited ({exit}):\n{}", tail(&self.log, 40));
            }
            match client.get(&status).send().await {
                Ok(r) => match r.json::<Value>().await {
                    Ok(v) if v["value"]["ready"] == true => return,
                    Ok(v) => last = v.to_string(),
                    Err(e) => last = e.to_string(),
                },
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "chromedriver did not become ready ({last}):\n{}",
            tail(&self.log, 40)
        );
    }

    /// A new headless Chromium session. `role` names it in screenshots (`<test>-<role>-<step>`).
    pub async fn session(&self, role: &str, options: SessionOptions) -> Browser {
        let profile = self.dir.path().join(format!("profile-{role}"));
        fs::create_dir_all(&profile).expect("create profile dir");
        let mut chrome = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={},{}", options.width, options.height),
                "--lang=en-GB",
            ],
        });
        if !options.javascript {
            chrome["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), chrome);
        // Keep the logs of the page for failure messages.
        capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "start a Chromium session: {e}\nchromedriver log:\n{}",
                    tail(&self.log, 40)
                )
            });
        client
            .set_window_size(options.width, options.height)
            .await
            .expect("set window size");
        Browser {
            client,
            name: format!("{}-{role}", self.test),
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.process.kill();
    }
}

/// One browser session, with helpers that fail the test with a screenshot and the page's text.
pub struct Browser {
    pub client: Client,
    /// `<test>-<role>`: the start of this session's screenshot names.
    name: String,
}

impl Browser {
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("{}: open {url}: {e}", self.name));
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Saves `target/screenshots/<test>-<role>-<step>.png` and returns its path.
    pub async fn shot(&self, step: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{}-{step}.png", self.name));
        match self.client.screenshot().await {
            Ok(png) => {
                fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()))
            }
            Err(e) => eprintln!("{}: no screenshot for {step}: {e}", self.name),
        }
        path
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => self.fail(&format!("find {css}: {e}")).await,
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{}: find all {css}: {e}", self.name))
    }

    /// The element's rendered text, or an error for [`Browser::wait`].
    pub async fn text_of(&self, css: &str) -> Result<String, String> {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("no {css}: {e}"))?;
        element
            .text()
            .await
            .map_err(|e| format!("text of {css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        match self.text_of(css).await {
            Ok(text) => text,
            Err(e) => self.fail(&e).await,
        }
    }

    pub async fn displayed(&self, css: &str) -> bool {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        if let Err(e) = element.click().await {
            self.fail(&format!("click {css}: {e}")).await
        }
    }

    /// Replaces the text of an input.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("clear input");
        if let Err(e) = element.send_keys(text).await {
            self.fail(&format!("type into {css}: {e}")).await
        }
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        match self.client.execute(script, args).await {
            Ok(value) => value,
            Err(e) => self.fail(&format!("run script {script}: {e}")).await,
        }
    }

    /// Waits until `check` answers `Ok` (polling every 200 ms); on timeout, saves a screenshot and
    /// fails with the last reason and what the page shows.
    pub async fn wait<T, F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, String>>,
    {
        let start = Instant::now();
        loop {
            match check().await {
                Ok(value) => return value,
                Err(reason) if start.elapsed() >= timeout => {
                    self.fail(&format!(
                        "{what}: still not true after {timeout:?}: {reason}"
                    ))
                    .await
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Waits until this browser shows the demo origin's purchase page, having accepted the pass.
    pub async fn wait_for_purchase_page(
        &self,
        what: &str,
        purchase_url: &str,
        origin: &DemoOrigin,
    ) {
        self.wait(what, Duration::from_secs(60), || async {
            let url = self.url().await;
            if !url.starts_with(purchase_url) {
                return Err(format!(
                    "still at {url}; origin log:\n{}",
                    origin.log_tail()
                ));
            }
            let body = self.text_of("body").await?;
            if body.contains("Pass accepted") {
                Ok(())
            } else {
                Err(format!("purchase page says: {body}"))
            }
        })
        .await
    }

    /// Waits for an element matching `css` that is displayed.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        self.wait(&format!("{css} is shown"), timeout, || async move {
            let element = self
                .client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            match element.is_displayed().await {
                Ok(true) => Ok(element),
                Ok(false) => Err("present but hidden".into()),
                Err(e) => Err(e.to_string()),
            }
        })
        .await
    }

    /// Waits until the text of `css` is `expected` (after trimming).
    pub async fn wait_for_text(&self, css: &str, expected: &str, timeout: Duration) {
        self.wait(
            &format!("{css} reads {expected:?}"),
            timeout,
            || async move {
                let text = self.text_of(css).await?;
                if text.trim() == expected {
                    Ok(())
                } else {
                    Err(format!("it reads {text:?}"))
                }
            },
        )
        .await
    }

    /// Fails the test: a screenshot `<name>-FAILED.png`, the URL and the page's text.
    pub async fn fail(&self, reason: &str) -> ! {
        let shot = self.shot("FAILED").await;
        let url = self.url().await;
        let text = match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let mut text: String = text.chars().take(1500).collect();
        if text.is_empty() {
            text = self
                .client
                .source()
                .await
                .unwrap_or_default()
                .chars()
                .take(1500)
                .collect();
        }
        panic!(
            "{}: {reason}\n  at {url}\n  screenshot {}\n  page text:\n{text}",
            self.name,
            shot.display()
        );
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// The demo origin
// ---------------------------------------------------------------------------------------------

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
    pub base: String,
    process: Group,
    log: PathBuf,
    _dir: TempDir,
}

impl DemoOrigin {
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
        let log = dir.path().join("demo-origin.log");
        let out = fs::File::create(&log).expect("create origin log");
        let mut command = Command::new(binary);
        command
            .args(["--edge-url", edge_url, "--sale", sale])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("ORIGIN_KEY", origin_key)
            .stdout(out.try_clone().expect("clone log handle"))
            .stderr(out);
        let mut origin = Self {
            base: format!("http://127.0.0.1:{port}"),
            process: Group::spawn(command, "demo-origin"),
            log,
            _dir: dir,
        };
        origin.wait_until_healthy().await;
        origin
    }

    async fn wait_until_healthy(&mut self) {
        let client = reqwest::Client::new();
        let url = format!("{}/healthz", self.base);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(exit) = self.process.exited() {
                panic!("demo-origin exited ({exit}):\n{}", tail(&self.log, 40));
            }
            if let Ok(r) = client.get(&url).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("demo-origin did not answer {url}:\n{}", tail(&self.log, 40));
    }

    /// The origin's log so far (for failure messages).
    pub fn log_tail(&self) -> String {
        tail(&self.log, 30)
    }
}

impl Drop for DemoOrigin {
    fn drop(&mut self) {
        self.process.kill();
    }
}
