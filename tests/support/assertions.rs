//! What a test asserts about an answer: its status, the documented error shape, and answers that
//! become true a moment later.

use crate::support::http::Reply;
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

impl Reply {
    /// Asserts the status and returns the JSON body.
    pub fn expect(self, status: u16, what: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{what}: got {}",
            self.describe()
        );
        self.json
    }

    /// Asserts the status and the documented error shape `{error: code, message}`.
    pub fn expect_error(&self, status: u16, code: &str, what: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{what}: got {}",
            self.describe()
        );
        assert_eq!(
            self.json["error"],
            code,
            "{what}: wrong error code in {}",
            self.describe()
        );
        self.assert_error_shape(what);
    }

    /// A busy answer: 503 `busy`, `Retry-After` of 1 to 3 seconds, and `retry_after_ms` to match.
    pub fn expect_busy(&self, what: &str) {
        self.expect_error(503, "busy", what);
        let retry_after: u64 = self
            .header("Retry-After")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{what}: no Retry-After in {:?}", self.headers));
        assert!(
            (1..=3).contains(&retry_after),
            "{what}: Retry-After {retry_after}"
        );
        let ms = self.json["retry_after_ms"]
            .as_u64()
            .unwrap_or_else(|| panic!("{what}: no retry_after_ms in {}", self.describe()));
        assert!(
            (1_000..=3_000).contains(&ms) && ms.div_ceil(1000) == retry_after,
            "{what}: retry_after_ms {ms} with Retry-After {retry_after}"
        );
    }

    /// `{error, message}`: both non-empty strings.
    pub fn assert_error_shape(&self, what: &str) {
        let error = self.json["error"].as_str().unwrap_or_default();
        let message = self.json["message"].as_str().unwrap_or_default();
        assert!(
            !error.is_empty() && !message.is_empty(),
            "{what}: not an {{error, message}} body: {}",
            self.describe()
        );
    }
}

/// Retries `attempt` every 100 ms until it succeeds or `timeout` passes (then panics with the last
/// reason). For answers the edge serves from a snapshot cached for about a second.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match attempt().await {
            Ok(value) => return value,
            Err(reason) if start.elapsed() >= timeout => {
                panic!("{what}: still not true after {timeout:?}: {reason}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Everything a worker logged at any level (`console_log` too): the `.log` files in its files'
/// directory, wrangler's debug logs (`WRANGLER_LOG_PATH`) with the process log.
pub fn debug_log_text(w: &crate::support::TestWorker) -> String {
    let dir = std::fs::read_dir(w.files_dir()).expect("the worker's files");
    let paths = dir.flatten().map(|e| e.path());
    let logs = paths.filter(|p| p.extension().is_some_and(|e| e == "log"));
    logs.map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}
