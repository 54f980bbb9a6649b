//! Real headless Chromium for the browser tests: a chromedriver (and the sessions it starts),
//! screenshots, and waiting for a page to reach a state. The driver runs as a
//! [`ProcessGroup`](crate::support::process::ProcessGroup), killed with every browser it started
//! when its handle is dropped.

use crate::demo_origin::DemoOrigin;
use crate::support::process::{free_port, ProcessGroup, TempDir};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::fs;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The time zone the browsers run in: far from UTC, so that the dashboard's local-time handling
/// is really tested.
pub const BROWSER_TZ: &str = "Pacific/Auckland";

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
    /// Notifications allowed for every site (as if the fan had said yes to the prompt).
    pub notifications: bool,
    pub width: u32,
    pub height: u32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            javascript: true,
            notifications: false,
            width: 1280,
            height: 900,
        }
    }
}

/// A chromedriver on a free port. Sessions it starts are headless Chromium, each with a fresh
/// profile directory. Dropping it kills the driver and every browser it started.
pub struct Chromedriver {
    port: u16,
    // Declared before `dir`: the driver stops before its profiles are deleted.
    process: ProcessGroup,
    dir: TempDir,
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
        let port = free_port();
        let mut command = Command::new(CHROMEDRIVER);
        command.arg(format!("--port={port}")).env("TZ", BROWSER_TZ);
        // Chromium's helpers may outlive the driver: the whole group goes.
        let log = dir.path().join("chromedriver.log");
        let mut process =
            ProcessGroup::spawn(command, "chromedriver", &log, Duration::from_secs(3));
        let client = reqwest::Client::new();
        let status = format!("http://127.0.0.1:{port}/status");
        process
            .wait_until_ready(
                Duration::from_secs(20),
                Duration::from_millis(100),
                || async {
                    let reply = client
                        .get(&status)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    match reply.json::<Value>().await {
                        Ok(v) if v["value"]["ready"] == true => Ok(()),
                        Ok(v) => Err(v.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                },
            )
            .await;
        Self {
            port,
            process,
            dir,
            test: test.to_owned(),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
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
        if options.notifications {
            chrome["prefs"] = json!({ "profile.default_content_setting_values.notifications": 1 });
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
                    self.process.log_tail(40)
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
                    origin.log_tail(30)
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

    /// Opens the sale's fan page and waits for the waiting page (the fan has a place).
    pub async fn join_line(&self, base: &str, sale: &str, timeout: Duration) {
        self.goto(&format!("{base}/s/{sale}")).await;
        self.wait_for("body[data-page='waiting']", timeout).await;
    }

    /// Signs in to the dashboard with `admin_key`, the way a promoter does (the key in the form,
    /// never in a URL).
    pub async fn sign_in(&self, base: &str, admin_key: &str) {
        self.goto(&format!("{base}/admin/")).await;
        self.wait_for("#admin-key", Duration::from_secs(30)).await;
        self.type_into("#admin-key", admin_key).await;
        self.click("#key-submit").await;
    }

    /// Waits for the sale's row in the dashboard's list and opens it.
    pub async fn open_sale_row(&self, sale: &str) {
        let row = format!("#sales [data-sale='{sale}']");
        self.wait_for(&row, Duration::from_secs(30)).await;
        self.click(&row).await;
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
