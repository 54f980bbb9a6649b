//! The worker's HTTP API as the benchmark uses it. Admin calls must succeed (a failure ends the
//! run); measured calls record their latency or error in a [`Recorder`] and never fail the run.

use crate::stats::Recorder;
use crate::util::loopback_base;
use anyhow::{bail, Context, Result};
use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Where test sales send fans on their turn (nothing listens there; fans never go).
const PURCHASE_URL: &str = "http://127.0.0.1:9/purchase";

#[derive(Clone, Debug, Deserialize)]
pub struct Joined {
    pub token: String,
    pub fan_id: String,
    pub poll_after_ms: u64,
    /// The fan's arrival number.
    #[serde(default)]
    pub seq: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Status {
    pub state: String,
    pub poll_after_ms: Option<u64>,
    /// Near the front: where the fan may open a socket for the turn, pushed.
    #[serde(default)]
    pub socket_url: Option<String>,
    /// `your_turn`: the admission pass (a JWT).
    #[serde(default)]
    pub pass: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Assignment {
    pub fan_id: String,
    #[serde(default)]
    pub seq: u64,
}

#[derive(Debug, Deserialize)]
struct Pulled {
    assignments: Vec<Assignment>,
}

/// A join's outcome, with what a fan needs to try again.
#[derive(Clone, Debug)]
pub enum JoinOutcome {
    /// 201 (or 200): the fan has a place.
    Joined,
    /// 503: the worker is busy; try again after `Retry-After` (when it said).
    Busy(Option<Duration>),
    /// Any other failure (recorded in the [`Recorder`]).
    Failed,
}

/// Whether the test-only fault switch took the setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultSwitch {
    Set,
    /// The worker has no fault switch (404: not built in, or `WAITROOM_TEST_FAULTS` is off), or
    /// refused it: why.
    Unavailable(String),
}

/// `Retry-After` in seconds (the only form the worker sends).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

pub struct Api {
    client: reqwest::Client,
    pub base: String,
    admin_key: String,
    origin_key: String,
}

/// How a failed request is filed: `"<status> <error code>"` for an answer, else the transport
/// failure's kind.
fn error_kind(status: StatusCode, body: &[u8]) -> String {
    let code = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            // wrangler dev's own proxy in front of workerd answers this when it lost the
            // connection to the worker under load: the local runtime's, not the worker's.
            if String::from_utf8_lossy(body).contains("restarted mid-request") {
                DEV_PROXY.to_owned()
            } else {
                String::new()
            }
        });
    format!("{} {code}", status.as_u16()).trim_end().to_owned()
}

/// The error code filed for an answer of wrangler dev's proxy, not of the worker.
pub const DEV_PROXY: &str = "(wrangler dev proxy: worker restarted mid-request)";

fn transport_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "transport"
    }
}

impl Api {
    pub fn new(
        base_url: &str,
        admin_key: String,
        origin_key: String,
        pool: usize,
        timeout: Duration,
    ) -> Result<Self> {
        let base = loopback_base(base_url).map_err(anyhow::Error::msg)?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .http1_only()
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(pool)
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("HTTP client")?;
        Ok(Self {
            client,
            base,
            admin_key,
            origin_key,
        })
    }

    /// The admin key, for a measured admin request ([`Api::probe`]).
    pub fn admin_key(&self) -> &str {
        &self.admin_key
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn admin_call(&self, req: RequestBuilder, what: &str) -> Result<Value> {
        let resp = req
            .bearer_auth(&self.admin_key)
            .send()
            .await
            .with_context(|| what.to_owned())?;
        let status = resp.status();
        let body = resp.bytes().await.with_context(|| what.to_owned())?;
        if !status.is_success() {
            bail!("{what}: {status} {}", String::from_utf8_lossy(&body));
        }
        serde_json::from_slice(&body).with_context(|| format!("{what}: not JSON"))
    }

    /// `PUT /api/admin/sales/{sale}` then `POST .../open`: a fresh, open sale. `shards` is sent
    /// only when above 1 (a worker without arrival shards refuses the field).
    pub async fn open_new_sale(&self, sale: &str, claim_ttl_s: u64, shards: u32) -> Result<()> {
        self.open_new_sale_with(sale, claim_ttl_s, shards, json!({}))
            .await
    }

    /// [`Api::open_new_sale`] with more settings (`extra`'s members are added to the body).
    pub async fn open_new_sale_with(
        &self,
        sale: &str,
        claim_ttl_s: u64,
        shards: u32,
        extra: Value,
    ) -> Result<()> {
        let mut body = json!({
            "name": format!("Benchmark {sale}"),
            "purchase_url": PURCHASE_URL,
            "claim_ttl_s": claim_ttl_s,
        });
        if let Some(extra) = extra.as_object() {
            for (k, v) in extra {
                body[k] = v.clone();
            }
        }
        if shards > 1 {
            body["shards"] = json!(shards);
        }
        let path = format!("/api/admin/sales/{sale}");
        self.admin_call(self.client.put(self.url(&path)).json(&body), "create sale")
            .await?;
        let report = self
            .admin_call(
                self.client.post(self.url(&format!("{path}/open"))),
                "open sale",
            )
            .await?;
        if report["phase"] != "open" {
            bail!("opened sale {sale} is {}", report["phase"]);
        }
        Ok(())
    }

    /// `GET /api/admin/sales/{sale}`.
    pub async fn report(&self, sale: &str) -> Result<Value> {
        self.admin_call(
            self.client
                .get(self.url(&format!("/api/admin/sales/{sale}"))),
            "sale report",
        )
        .await
    }

    /// Sends one measured request; records it under `op`. The body when the answer was 2xx.
    async fn timed(
        &self,
        rec: &Recorder,
        op: &'static str,
        req: RequestBuilder,
    ) -> Option<Vec<u8>> {
        let start = Instant::now();
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                rec.error(op, transport_kind(&e), None);
                return None;
            }
        };
        let status = resp.status();
        let body = match resp.bytes().await {
            Ok(body) => body,
            Err(e) => {
                rec.error(op, transport_kind(&e), None);
                return None;
            }
        };
        if status.is_success() {
            rec.ok(op, start.elapsed());
            Some(body.to_vec())
        } else {
            rec.error(
                op,
                &error_kind(status, &body),
                Some(&String::from_utf8_lossy(&body)),
            );
            None
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(
        rec: &Recorder,
        op: &'static str,
        body: Option<Vec<u8>>,
    ) -> Option<T> {
        let body = body?;
        match serde_json::from_slice(&body) {
            Ok(v) => Some(v),
            Err(_) => {
                // Counted as an answer the contract does not allow, on top of the 2xx.
                rec.error(op, "unexpected body", Some(&String::from_utf8_lossy(&body)));
                None
            }
        }
    }

    /// `POST /api/sales/{sale}/join` as a new fan, telling a 503 (with its `Retry-After`) from
    /// other failures. Recorded under `op` like [`Api::join`].
    pub async fn join_outcome(&self, rec: &Recorder, op: &'static str, sale: &str) -> JoinOutcome {
        let start = Instant::now();
        let req = self
            .client
            .post(self.url(&format!("/api/sales/{sale}/join")));
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                rec.error(op, transport_kind(&e), None);
                return JoinOutcome::Failed;
            }
        };
        let (status, wait) = (resp.status(), retry_after(resp.headers()));
        let body = match resp.bytes().await {
            Ok(body) => body,
            Err(e) => {
                rec.error(op, transport_kind(&e), None);
                return JoinOutcome::Failed;
            }
        };
        if !status.is_success() {
            rec.error(
                op,
                &error_kind(status, &body),
                Some(&String::from_utf8_lossy(&body)),
            );
            return if status == StatusCode::SERVICE_UNAVAILABLE {
                JoinOutcome::Busy(wait)
            } else {
                JoinOutcome::Failed
            };
        }
        rec.ok(op, start.elapsed());
        match Self::parse::<Joined>(rec, op, Some(body.to_vec())) {
            Some(_) => JoinOutcome::Joined,
            None => JoinOutcome::Failed,
        }
    }

    /// `PUT /api/admin/sales/{sale}/fault` (test builds only): delays every request to the sale's
    /// coordinator by `delay_ms`, or fails them. A 404 (or any refusal) is
    /// [`FaultSwitch::Unavailable`], not an error: the worker has no such switch.
    pub async fn set_fault(&self, sale: &str, delay_ms: u64, fail: bool) -> Result<FaultSwitch> {
        let resp = self
            .client
            .put(self.url(&format!("/api/admin/sales/{sale}/fault")))
            .bearer_auth(&self.admin_key)
            .json(&json!({ "delay_ms": delay_ms, "fail": fail }))
            .send()
            .await
            .context("fault switch")?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        Ok(if status.is_success() {
            FaultSwitch::Set
        } else {
            FaultSwitch::Unavailable(format!("{} {}", status.as_u16(), body.trim()))
        })
    }

    /// `GET /api/sales/{sale}/challenge`: the proof-of-work challenge text and its bits.
    pub async fn challenge(&self, sale: &str) -> Result<(String, u8)> {
        let resp = self
            .client
            .get(self.url(&format!("/api/sales/{sale}/challenge")))
            .send()
            .await
            .context("challenge")?;
        let body: Value = resp.json().await.context("challenge body")?;
        let challenge = body["challenge"]
            .as_str()
            .with_context(|| format!("no challenge in {body}"))?;
        let bits = body["bits"].as_u64().unwrap_or(0) as u8;
        Ok((challenge.to_owned(), bits))
    }

    /// `POST /api/sales/{sale}/join` as a new fan paying with a solved proof of work.
    pub async fn join_paid(
        &self,
        rec: &Recorder,
        op: &'static str,
        sale: &str,
        challenge: &str,
        nonce: &str,
    ) -> Option<Joined> {
        let req = self
            .client
            .post(self.url(&format!("/api/sales/{sale}/join")))
            .json(&json!({ "pow": { "challenge": challenge, "nonce": nonce } }));
        let body = self.timed(rec, op, req).await;
        Self::parse(rec, op, body)
    }

    /// `POST /api/sales/{sale}/join` as a new fan (no cookie, no token).
    pub async fn join(&self, rec: &Recorder, op: &'static str, sale: &str) -> Option<Joined> {
        let req = self
            .client
            .post(self.url(&format!("/api/sales/{sale}/join")));
        let body = self.timed(rec, op, req).await;
        Self::parse(rec, op, body)
    }

    /// `GET /api/sales/{sale}/status` with the fan's token as a Bearer.
    pub async fn status(
        &self,
        rec: &Recorder,
        op: &'static str,
        sale: &str,
        token: &str,
    ) -> Option<Status> {
        let req = self
            .client
            .get(self.url(&format!("/api/sales/{sale}/status")))
            .bearer_auth(token);
        let body = self.timed(rec, op, req).await;
        Self::parse(rec, op, body)
    }

    /// `POST /api/origin/sales/{sale}/pull`.
    pub async fn pull(
        &self,
        rec: &Recorder,
        sale: &str,
        window: &str,
        max: u32,
        request_id: &str,
    ) -> Option<Vec<Assignment>> {
        let req = self
            .client
            .post(self.url(&format!("/api/origin/sales/{sale}/pull")))
            .bearer_auth(&self.origin_key)
            .json(&json!({ "window": window, "max": max, "request_id": request_id }));
        let body = self.timed(rec, "pull", req).await;
        Self::parse::<Pulled>(rec, "pull", body).map(|p| p.assignments)
    }

    /// `POST /api/origin/sales/{sale}/assignments/{fan_id}/complete`.
    pub async fn complete(&self, rec: &Recorder, sale: &str, fan_id: &str) -> bool {
        let req = self
            .client
            .post(self.url(&format!(
                "/api/origin/sales/{sale}/assignments/{fan_id}/complete"
            )))
            .bearer_auth(&self.origin_key);
        self.timed(rec, "complete", req).await.is_some()
    }

    /// `POST /api/origin/sales/{sale}/assignments/batch/complete`: `fan_ids` in one request (a
    /// batch, docs/api.md "Complete in batches"), recorded as `complete batch`.
    pub async fn complete_many(&self, rec: &Recorder, sale: &str, fan_ids: &[String]) -> bool {
        let req = self
            .client
            .post(self.url(&format!(
                "/api/origin/sales/{sale}/assignments/batch/complete"
            )))
            .bearer_auth(&self.origin_key)
            .json(&json!({ "assignments": fan_ids }));
        self.timed(rec, "complete batch", req).await.is_some()
    }

    /// `POST /api/origin/sales/{sale}/assignments/{fan_id}/release`.
    pub async fn release(&self, rec: &Recorder, sale: &str, fan_id: &str) -> bool {
        let req = self
            .client
            .post(self.url(&format!(
                "/api/origin/sales/{sale}/assignments/{fan_id}/release"
            )))
            .bearer_auth(&self.origin_key);
        self.timed(rec, "release", req).await.is_some()
    }

    /// A request whose answer is the point (say, a 404 for an unknown sale): any answer below 500
    /// but 429 is recorded under `op` as answered, a 5xx, a 429 (`rate_limited`) or a transport
    /// failure as an error. The status,
    /// when there was an answer.
    pub async fn probe(
        &self,
        rec: &Recorder,
        op: &'static str,
        req: RequestBuilder,
    ) -> Option<StatusCode> {
        let start = Instant::now();
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                rec.error(op, transport_kind(&e), None);
                return None;
            }
        };
        let status = resp.status();
        let body = match resp.bytes().await {
            Ok(body) => body,
            Err(e) => {
                rec.error(op, transport_kind(&e), None);
                return None;
            }
        };
        // A 429 is a refusal, never a served request.
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            rec.error(
                op,
                &error_kind(status, &body),
                Some(&String::from_utf8_lossy(&body)),
            );
        } else {
            rec.ok(op, start.elapsed());
        }
        Some(status)
    }

    /// A request to this worker, for [`Api::probe`].
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// `GET /.well-known/jwks.json`: the pass-signing keys.
    pub async fn jwks(&self) -> Result<Value> {
        let resp = self
            .client
            .get(self.url("/.well-known/jwks.json"))
            .send()
            .await
            .context("jwks")?;
        resp.json().await.context("jwks body")
    }

    /// `GET /healthz`.
    pub async fn healthz(&self, rec: &Recorder) -> bool {
        let req = self.client.get(self.url("/healthz"));
        self.timed(rec, "healthz", req).await.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_filed_by_status_and_code() {
        assert_eq!(
            error_kind(StatusCode::CONFLICT, br#"{"error":"lapsed","message":"x"}"#),
            "409 lapsed"
        );
        assert_eq!(error_kind(StatusCode::BAD_GATEWAY, b"<html>"), "502");
        assert_eq!(
            error_kind(
                StatusCode::SERVICE_UNAVAILABLE,
                b"Your worker restarted mid-request. Please try sending the request again."
            ),
            format!("503 {DEV_PROXY}")
        );
    }

    #[test]
    fn retry_after_in_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_loopback() {
        let api = |url: &str| Api::new(url, "a".into(), "o".into(), 4, Duration::from_secs(1));
        assert!(api("http://127.0.0.1:8787").is_ok());
        assert!(api("http://192.0.2.1:8787").is_err());
    }
}
