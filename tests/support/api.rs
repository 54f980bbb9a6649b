//! [`Api`]: a cheap, cloneable handle on a running worker (its address, keys and test clock) that
//! hands out a client per role.

use crate::support::admin::Admin;
use crate::support::fan::Fan;
use crate::support::http::Caller;
use crate::support::origin::Origin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::worker_files::Secrets;

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
    pub(super) fn new(port: u16, secrets: &Secrets, clock_offset_ms: u64) -> Self {
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

    pub(super) async fn move_clock(&self, body: serde_json::Value) -> serde_json::Value {
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
