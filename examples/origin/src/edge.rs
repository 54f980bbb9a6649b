//! The edge's origin API (docs/api.md, "Origin") and its JWKS, over HTTP.

use crate::config::{Config, Secret};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use std::error::Error as _;
use std::fmt;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use url::Url;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The body of `POST /api/origin/sales/{sale}/pull`.
#[derive(Clone, Debug, Serialize)]
pub struct PullRequest {
    pub window: String,
    pub max: u32,
    pub request_id: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PullResponse {
    pub assignments: Vec<Assignment>,
    pub phase: String,
    #[serde(default)]
    pub replayed: bool,
}

/// An assignment of a fan to a window, as the edge reports it.
#[derive(Clone, Debug, Deserialize)]
pub struct Assignment {
    pub fan_id: String,
    pub seq: u64,
    pub window: String,
    pub state: String,
    #[serde(deserialize_with = "rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Deserialize)]
struct AssignmentList {
    assignments: Vec<Assignment>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    message: String,
}

fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
    let text = String::deserialize(d)?;
    OffsetDateTime::parse(&text, &Rfc3339).map_err(serde::de::Error::custom)
}

/// How the purchase of an assignment ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Complete,
    Release,
}

impl Outcome {
    fn path(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Release => "release",
        }
    }
}

#[derive(Debug)]
pub enum EdgeError {
    /// No answer: connection refused, timeout, broken body. Safe to retry.
    Network(String),
    /// A 5xx answer. Safe to retry.
    Server { status: StatusCode, detail: String },
    /// A 4xx answer with the edge's error code (`sale_not_found`, `unauthorized`, ...).
    Refused {
        status: StatusCode,
        code: String,
        message: String,
    },
    /// A success status with a body that is not what the API promises.
    BadResponse(String),
}

impl EdgeError {
    /// Whether repeating the same request may succeed (and, for pulls, must reuse the request id).
    pub fn retryable(&self) -> bool {
        match self {
            Self::Network(_) | Self::Server { .. } => true,
            Self::Refused { status, .. } => *status == StatusCode::TOO_MANY_REQUESTS,
            Self::BadResponse(_) => false,
        }
    }

    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Server { status, .. } | Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The edge's error code, for refusals.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for EdgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(e) => write!(f, "edge unreachable: {e}"),
            Self::Server { status, detail } => write!(f, "edge error {status}: {detail}"),
            Self::Refused {
                status,
                code,
                message,
            } => write!(f, "edge refused ({status} {code}): {message}"),
            Self::BadResponse(e) => write!(f, "unexpected answer from the edge: {e}"),
        }
    }
}

impl std::error::Error for EdgeError {}

/// A reqwest error with its causes ("error sending request" alone says little).
fn network(e: reqwest::Error) -> EdgeError {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    EdgeError::Network(text)
}

/// A client for one sale's origin API. Cheap to clone.
#[derive(Clone, Debug)]
pub struct EdgeClient {
    http: reqwest::Client,
    base: Url,
    sale: String,
    key: Secret,
}

impl EdgeClient {
    pub fn new(config: &Config) -> Result<Self, EdgeError> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("demo-origin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(network)?;
        Ok(Self {
            http,
            base: config.edge_url.clone(),
            sale: config.sale.clone(),
            key: config.origin_key.clone(),
        })
    }

    /// The base URL with `segments` appended, each percent-encoded as needed.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn origin_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec!["api", "origin", "sales", self.sale.as_str()];
        segments.extend_from_slice(rest);
        self.url(&segments)
    }

    fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        request.bearer_auth(self.key.expose())
    }

    /// `POST /api/origin/sales/{sale}/pull`.
    pub async fn pull(&self, body: &PullRequest) -> Result<PullResponse, EdgeError> {
        let request = self.http.post(self.origin_url(&["pull"])).json(body);
        send(self.authorized(request)).await
    }

    /// `GET /api/origin/sales/{sale}/assignments?window=&state=&limit=`.
    pub async fn assignments(
        &self,
        window: &str,
        state: &str,
        limit: u32,
    ) -> Result<Vec<Assignment>, EdgeError> {
        let mut url = self.origin_url(&["assignments"]);
        url.query_pairs_mut()
            .append_pair("window", window)
            .append_pair("state", state)
            .append_pair("limit", &limit.to_string());
        let list: AssignmentList = send(self.authorized(self.http.get(url))).await?;
        Ok(list.assignments)
    }

    /// `POST /api/origin/sales/{sale}/assignments/{fan_id}/complete` or `/release`.
    pub async fn finish(&self, fan_id: &str, outcome: Outcome) -> Result<Assignment, EdgeError> {
        let url = self.origin_url(&["assignments", fan_id, outcome.path()]);
        send(self.authorized(self.http.post(url))).await
    }

    /// `GET /.well-known/jwks.json` (public; sent without the origin key).
    pub async fn jwks(&self) -> Result<serde_json::Value, EdgeError> {
        send(self.http.get(self.url(&[".well-known", "jwks.json"]))).await
    }
}

async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, EdgeError> {
    let response = request.send().await.map_err(network)?;
    let status = response.status();
    let body = response.bytes().await.map_err(network)?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| EdgeError::BadResponse(e.to_string()));
    }
    let error: Option<ErrorBody> = serde_json::from_slice(&body).ok();
    if status.is_server_error() {
        let detail = match error {
            Some(e) => format!("{} {}", e.error, e.message),
            None => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        };
        return Err(EdgeError::Server { status, detail });
    }
    let (code, message) = match error {
        Some(e) => (e.error, e.message),
        None => (format!("http_{}", status.as_u16()), String::new()),
    };
    Err(EdgeError::Refused {
        status,
        code,
        message,
    })
}
