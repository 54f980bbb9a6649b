//! Talking HTTP to the worker: who calls ([`Caller`]), sending ([`send`]) and the answer read to
//! the end ([`Reply`], with its cookies as [`SetCookie`]).

use reqwest::header::{AsHeaderName, HeaderMap, CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

/// Requests to one worker, with or without a bearer key or token.
#[derive(Clone, Debug)]
pub struct Caller {
    client: reqwest::Client,
    base: String,
    bearer: Option<String>,
}

impl Caller {
    pub fn new(client: reqwest::Client, base: &str, bearer: Option<&str>) -> Self {
        Self {
            client,
            base: base.to_owned(),
            bearer: bearer.map(str::to_owned),
        }
    }

    /// The same worker, as someone holding `bearer`.
    pub fn with_bearer(&self, bearer: &str) -> Self {
        Self::new(self.client.clone(), &self.base, Some(bearer))
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match &self.bearer {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }
}

/// Sends a request and reads the whole answer. A 5xx is never a correct answer in this API, so
/// it fails the test right here with the body.
pub async fn send(request: RequestBuilder) -> Reply {
    send_allowing(request, None).await
}

/// Sends a request that may be answered `503` (an object is busy or failing, as a test's fault
/// switch makes it): any other 5xx still fails the test here, with the body.
pub async fn send_busy_ok(request: RequestBuilder) -> Reply {
    send_allowing(request, Some(StatusCode::SERVICE_UNAVAILABLE)).await
}

/// Sends a request and reads the whole answer, failing the test on any 5xx but `allowed`.
async fn send_allowing(request: RequestBuilder, allowed: Option<StatusCode>) -> Reply {
    let (client, request) = request.build_split();
    let request = request.expect("build request");
    let what = format!("{} {}", request.method(), request.url().path());
    let reply = Reply::read(
        client
            .execute(request)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}")),
    )
    .await;
    assert!(
        Some(reply.status) == allowed || !reply.status.is_server_error(),
        "{what}: server error {}",
        reply.describe()
    );
    reply
}

/// A response read to the end: status, headers, body text and (when it is JSON) the value.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub async fn read(response: Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("read response body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            json,
        }
    }

    /// The status and the start of the body, for failure messages.
    pub fn describe(&self) -> String {
        let mut text = self.text.clone();
        if text.len() > 600 {
            text.truncate(text.floor_char_boundary(600));
            text.push_str("...");
        }
        format!("{} {text}", self.status)
    }

    pub fn header(&self, name: impl AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn cache_control(&self) -> &str {
        self.header(CACHE_CONTROL).unwrap_or_default()
    }

    pub fn content_type(&self) -> &str {
        self.header(CONTENT_TYPE).unwrap_or_default()
    }

    /// `max-age` from `Cache-Control`.
    pub fn max_age(&self) -> Option<u64> {
        self.cache_control()
            .split(',')
            .map(str::trim)
            .find_map(|d| d.strip_prefix("max-age="))
            .and_then(|v| v.trim().parse().ok())
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<SetCookie> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(SetCookie::parse)
            .collect()
    }

    /// The `Set-Cookie` for `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<SetCookie> {
        self.set_cookies().into_iter().find(|c| c.name == name)
    }
}

/// One `Set-Cookie` header, split into its name, value and attributes.
#[derive(Debug, Clone)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    /// Attributes, lower-cased names, as `(name, value)`.
    pub attributes: Vec<(String, String)>,
    pub raw: String,
}

impl SetCookie {
    pub fn parse(raw: &str) -> Self {
        let mut parts = raw.split(';').map(str::trim);
        let (name, value) = parts
            .next()
            .unwrap_or_default()
            .split_once('=')
            .unwrap_or_default();
        let attributes = parts
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_owned()),
                None => (p.to_ascii_lowercase(), String::new()),
            })
            .collect();
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            attributes,
            raw: raw.to_owned(),
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }
}
