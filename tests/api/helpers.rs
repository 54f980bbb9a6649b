//! The harness: a real `wrangler dev` (workerd) running the built worker on a free port, with its
//! own state directory and fresh random secrets, plus typed helpers for the HTTP contract in
//! docs/api.md.

use futures::Future;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::header::{HeaderMap, CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The purchase URL every test sale points at (nothing listens there; fans never get that far).
pub const PURCHASE_URL: &str = "http://127.0.0.1:9/purchase";
/// Prefix of every temp dir the harness makes, so cleanup never touches anything else.
const TEMP_PREFIX: &str = "waitroom-api-";

/// Workers start one at a time: the first start may run `make build`, and wrangler's startup is
/// CPU-heavy on a small machine. Requests to running workers are not serialized.
/// The lock also guards whether this test process has run `make build` yet (true once it has).
static START_LOCK: tokio::sync::Mutex<bool> = tokio::sync::Mutex::const_new(false);

// ---------------------------------------------------------------------------------------------
// Randomness, encoding, time
// ---------------------------------------------------------------------------------------------

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes
}

/// `n` random ASCII letters and digits.
pub fn random_alnum(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let s: String = random_bytes(n)
            .into_iter()
            .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char)
            .collect();
        // The worker refuses secrets made of few distinct characters.
        let mut distinct: Vec<char> = s.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() >= n.min(32) / 2 {
            return s;
        }
    }
}

/// Base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
}

/// RFC 3339 (UTC, whole seconds) for a Unix time in seconds.
pub fn rfc3339(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let secs = unix_secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
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

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

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

    fn describe(&self) -> String {
        let mut text = self.text.clone();
        if text.len() > 600 {
            text.truncate(600);
            text.push_str("...");
        }
        format!("{} {text}", self.status)
    }

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

    pub fn header(&self, name: impl reqwest::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn cache_control(&self) -> &str {
        self.header(CACHE_CONTROL).unwrap_or_default()
    }

    pub fn content_type(&self) -> &str {
        self.header(CONTENT_TYPE).unwrap_or_default()
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

    /// `max-age` from `Cache-Control`.
    pub fn max_age(&self) -> Option<u64> {
        self.cache_control()
            .split(',')
            .map(str::trim)
            .find_map(|d| d.strip_prefix("max-age="))
            .and_then(|v| v.trim().parse().ok())
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

// ---------------------------------------------------------------------------------------------
// Typed answers
// ---------------------------------------------------------------------------------------------

/// `POST /api/sales/{sale}/join`, 201.
#[derive(Debug, Clone, Deserialize)]
pub struct Joined {
    pub token: String,
    pub fan_id: String,
    pub seq: u64,
    pub position: u64,
    pub ahead: u64,
    pub poll_after_ms: u64,
    pub status_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Assignment {
    pub fan_id: String,
    pub seq: u64,
    pub window: String,
    pub state: String,
    pub assigned_at: String,
    pub expires_at: String,
}

/// `POST /api/origin/sales/{sale}/pull`, 200.
#[derive(Debug, Clone, Deserialize)]
pub struct Pulled {
    pub assignments: Vec<Assignment>,
    pub phase: String,
    pub replayed: bool,
}

/// The claims of an admission pass.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PassClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub win: String,
    pub seq: u64,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
}

/// Verifies an admission pass as an origin would: EdDSA with the key the JWKS names, `aud` the
/// sale, `iss` `waitroom`, not expired.
pub fn verify_pass(jwt: &str, sale: &str, jwks: &JwkSet) -> PassClaims {
    let header =
        jsonwebtoken::decode_header(jwt).unwrap_or_else(|e| panic!("pass header: {e}: {jwt}"));
    assert_eq!(header.alg, Algorithm::EdDSA, "pass alg");
    assert_eq!(header.typ.as_deref(), Some("JWT"), "pass typ");
    let kid = header
        .kid
        .unwrap_or_else(|| panic!("pass has no kid: {jwt}"));
    let jwk = jwks
        .find(&kid)
        .unwrap_or_else(|| panic!("pass kid {kid} is not in the JWKS"));
    let key = DecodingKey::from_jwk(jwk).expect("decoding key from JWK");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[sale]);
    validation.set_issuer(&["waitroom"]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let claims = jsonwebtoken::decode::<PassClaims>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("pass does not verify: {e}: {jwt}"))
        .claims;
    assert_eq!(
        claims.jti,
        format!("{sale}.{}", claims.seq),
        "jti is <sale>.<seq>"
    );
    assert!(claims.iat < claims.exp, "iat before exp: {claims:?}");
    claims
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

/// Requests to one worker, with or without a bearer key.
#[derive(Clone, Debug)]
pub struct Authed {
    client: reqwest::Client,
    base: String,
    bearer: Option<String>,
}

impl Authed {
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
        !reply.status.is_server_error(),
        "{what}: server error {}",
        reply.describe()
    );
    reply
}

/// A cheap, cloneable handle on a running worker: its address and keys.
#[derive(Clone, Debug)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    pub admin_key: String,
    pub origin_key: String,
}

impl Api {
    fn new(port: u16, secrets: &Secrets) -> Self {
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
        }
    }

    fn with_bearer(&self, bearer: Option<&str>) -> Authed {
        Authed {
            client: self.client.clone(),
            base: self.base.clone(),
            bearer: bearer.map(str::to_owned),
        }
    }

    /// Requests with `Authorization: Bearer $ADMIN_KEY`.
    pub fn admin(&self) -> Authed {
        self.with_bearer(Some(&self.admin_key))
    }

    /// Requests with `Authorization: Bearer $ORIGIN_KEY`.
    pub fn origin(&self) -> Authed {
        self.with_bearer(Some(&self.origin_key))
    }

    /// Requests with no credentials (or with whatever bearer the caller adds).
    pub fn fan(&self) -> Authed {
        self.with_bearer(None)
    }

    /// Requests with `Authorization: Bearer <bearer>`.
    pub fn bearer(&self, bearer: &str) -> Authed {
        self.with_bearer(Some(bearer))
    }

    /// Creates a sale (201) pointing at [`PURCHASE_URL`].
    pub async fn create_sale(&self, sale: &str, opens_at: Option<&str>) -> Value {
        let mut body = json!({ "name": format!("Test sale {sale}"), "purchase_url": PURCHASE_URL });
        if let Some(at) = opens_at {
            body["opens_at"] = json!(at);
        }
        self.create_sale_with(sale, body).await
    }

    /// Creates a sale (201) with the given body.
    pub async fn create_sale_with(&self, sale: &str, body: Value) -> Value {
        let report = send(
            self.admin()
                .put(&format!("/api/admin/sales/{sale}"))
                .json(&body),
        )
        .await
        .expect(201, "create sale");
        assert_eq!(
            report["id"], sale,
            "created report names the sale: {report}"
        );
        report
    }

    /// `POST /api/admin/sales/{sale}/<action>` (open, pause, close), 200.
    pub async fn control(&self, sale: &str, action: &str) -> Value {
        let report = send(
            self.admin()
                .post(&format!("/api/admin/sales/{sale}/{action}")),
        )
        .await
        .expect(200, action);
        report
    }

    pub async fn open_sale(&self, sale: &str) -> Value {
        let report = self.control(sale, "open").await;
        assert_eq!(
            report["phase"], "open",
            "open answers the open report: {report}"
        );
        report
    }

    /// A new fan joins (201).
    pub async fn join(&self, sale: &str) -> Joined {
        let reply = send(self.fan().post(&format!("/api/sales/{sale}/join"))).await;
        let body = reply.expect(201, "join");
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("join body {body}: {e}"))
    }

    /// `tasks` concurrent streams of `each` joins (201 each); the fans in no particular order.
    pub async fn join_many(&self, sale: &str, tasks: usize, each: usize) -> Vec<Joined> {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (api, sale) = (self.clone(), sale.to_owned());
                tokio::spawn(async move {
                    let mut joined = Vec::with_capacity(each);
                    for _ in 0..each {
                        joined.push(api.join(&sale).await);
                    }
                    joined
                })
            })
            .collect();
        let mut fans = Vec::with_capacity(tasks * each);
        for handle in handles {
            fans.extend(handle.await.expect("join task"));
        }
        fans
    }

    /// `GET /api/sales/{sale}/status` with the token as a Bearer (200 expected).
    pub async fn status(&self, sale: &str, token: &str) -> Value {
        send(self.bearer(token).get(&format!("/api/sales/{sale}/status")))
            .await
            .expect(200, "status")
    }

    /// Polls the fan's status until `state` (the edge's snapshot may be a second old).
    pub async fn wait_for_state(&self, sale: &str, token: &str, state: &str) -> Value {
        eventually(
            &format!("fan status becomes {state}"),
            Duration::from_secs(10),
            || async move {
                let status = self.status(sale, token).await;
                if status["state"] == state {
                    Ok(status)
                } else {
                    Err(status.to_string())
                }
            },
        )
        .await
    }

    /// A pull (200).
    pub async fn pull(
        &self,
        sale: &str,
        window: &str,
        max: u32,
        request_id: Option<&str>,
    ) -> Pulled {
        let mut body = json!({ "window": window, "max": max });
        if let Some(id) = request_id {
            body["request_id"] = json!(id);
        }
        let body = send(
            self.origin()
                .post(&format!("/api/origin/sales/{sale}/pull"))
                .json(&body),
        )
        .await
        .expect(200, "pull");
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("pull body {body}: {e}"))
    }

    /// `POST .../assignments/{fan_id}/{complete|release}`.
    pub async fn finish(&self, sale: &str, fan_id: &str, action: &str) -> Reply {
        send(self.origin().post(&format!(
            "/api/origin/sales/{sale}/assignments/{fan_id}/{action}"
        )))
        .await
    }

    /// `GET /api/origin/sales/{sale}/assignments?<query>`.
    pub async fn assignments(&self, sale: &str, query: &str) -> Vec<Assignment> {
        let body = send(
            self.origin()
                .get(&format!("/api/origin/sales/{sale}/assignments?{query}")),
        )
        .await
        .expect(200, "assignments");
        serde_json::from_value(body["assignments"].clone())
            .unwrap_or_else(|e| panic!("assignments {body}: {e}"))
    }

    /// The admin report of a sale.
    pub async fn report(&self, sale: &str) -> Value {
        send(self.admin().get(&format!("/api/admin/sales/{sale}")))
            .await
            .expect(200, "report")
    }

    pub async fn jwks(&self) -> JwkSet {
        let body = send(self.fan().get("/.well-known/jwks.json"))
            .await
            .expect(200, "jwks");
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("jwks {body}: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------
// The worker process
// ---------------------------------------------------------------------------------------------

/// The secrets a worker runs with, as written to its env file.
#[derive(Clone, Debug)]
struct Secrets {
    admin_key: String,
    origin_key: String,
    token_keys: String,
    pass_signing_key: String,
}

impl Secrets {
    fn fresh() -> Self {
        Self {
            admin_key: format!("admin-{}", random_alnum(40)),
            origin_key: format!("origin-{}", random_alnum(40)),
            token_keys: format!("t1:{}", random_alnum(40)),
            pass_signing_key: b64url(&random_bytes(32)),
        }
    }

    fn env_file_text(&self) -> String {
        format!(
            "ADMIN_KEY={}\nORIGIN_KEY={}\nTOKEN_KEYS={}\nPASS_SIGNING_KEY={}\n",
            self.admin_key, self.origin_key, self.token_keys, self.pass_signing_key
        )
    }

    fn read(env_file: &Path) -> Self {
        let text = fs::read_to_string(env_file)
            .unwrap_or_else(|e| panic!("read {}: {e}", env_file.display()));
        let get = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .unwrap_or_else(|| panic!("{name} missing from {}", env_file.display()))
                .to_owned()
        };
        Self {
            admin_key: get("ADMIN_KEY"),
            origin_key: get("ORIGIN_KEY"),
            token_keys: get("TOKEN_KEYS"),
            pass_signing_key: get("PASS_SIGNING_KEY"),
        }
    }
}

/// Stops a child that leads its own process group: SIGTERM to the group, up to `grace` for the
/// child to exit, then SIGKILL to whatever of the group is left.
pub fn stop_group(mut child: Child, grace: Duration) {
    let pgid = child.id() as libc::pid_t;
    // SAFETY: kill(2) with a negative pid signals the process group the child leads.
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
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

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

fn unique_temp_dir() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "{TEMP_PREFIX}{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        random_alnum(8)
    );
    let dir = std::env::temp_dir().join(name);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// The last `lines` lines of a file, for failure messages.
fn tail(path: &Path, lines: usize) -> String {
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

/// A `wrangler dev` serving the worker on its own port, state directory and secrets. Dropping it
/// stops the whole process group and deletes its temp files (unless `KEEP_TEST_STATE` is set).
pub struct TestWorker {
    api: Api,
    child: Option<Child>,
    /// The temp dir holding `state/`, `worker.env` and the logs.
    root: PathBuf,
    state_dir: PathBuf,
    env_file: PathBuf,
    log_file: PathBuf,
    delete_on_drop: bool,
}

impl std::ops::Deref for TestWorker {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestWorker {
    /// A worker with fresh secrets and empty state.
    pub async fn start() -> Self {
        let root = unique_temp_dir();
        let state_dir = root.join("state");
        fs::create_dir_all(&state_dir).expect("create state dir");
        let env_file = root.join("worker.env");
        fs::write(&env_file, Secrets::fresh().env_file_text()).expect("write env file");
        Self::launch(root, state_dir, env_file).await
    }

    /// A worker on the state directory and env file of an earlier one (see [`TestWorker::stop`]).
    /// It takes them over: they are deleted when this worker is dropped.
    pub async fn start_with_state(state_dir: PathBuf, env_file: PathBuf) -> Self {
        let root = state_dir
            .parent()
            .expect("state dir has a parent")
            .to_path_buf();
        Self::launch(root, state_dir, env_file).await
    }

    /// A cheap handle for spawned tasks.
    pub fn handle(&self) -> Api {
        self.api.clone()
    }

    async fn launch(root: PathBuf, state_dir: PathBuf, env_file: PathBuf) -> Self {
        let secrets = Secrets::read(&env_file);
        let mut built = START_LOCK.lock().await;
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        if !*built {
            // wrangler runs `make build` too, but a real rebuild can take minutes: do it once here,
            // outside the startup timeout. A no-op when build/ is fresh.
            let output = tokio::process::Command::new("make")
                .args(["-C", &repo.display().to_string(), "build"])
                .output()
                .await
                .expect("run make build");
            assert!(
                output.status.success(),
                "make build failed:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            *built = true;
        }
        let port = free_port();
        let inspector_port = free_port();
        let log_file = root.join(format!("wrangler-{port}.log"));
        let log = fs::File::create(&log_file).expect("create log file");
        let wrangler = repo.join("node_modules/.bin/wrangler");
        assert!(
            wrangler.exists(),
            "{} is missing: run `npm ci` in the repo",
            wrangler.display()
        );
        let child = Command::new(&wrangler)
            .current_dir(repo)
            .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            .args(["--inspector-port", &inspector_port.to_string()])
            .arg("--persist-to")
            .arg(&state_dir)
            .arg("--env-file")
            .arg(&env_file)
            .args([
                "--show-interactive-dev-session=false",
                "--log-level",
                "warn",
            ])
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CI", "true")
            .env("WRANGLER_LOG_PATH", &root)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", wrangler.display()));
        let mut worker = Self {
            api: Api::new(port, &secrets),
            child: Some(child),
            root,
            state_dir,
            env_file,
            log_file,
            delete_on_drop: std::env::var_os("KEEP_TEST_STATE").is_none(),
        };
        worker.wait_until_healthy().await;
        worker
    }

    async fn wait_until_healthy(&mut self) {
        let timeout = std::env::var("WAITROOM_TEST_START_TIMEOUT_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(Duration::from_secs(60), Duration::from_secs);
        let start = Instant::now();
        let url = format!("{}/healthz", self.api.base);
        let mut last = String::from("no answer yet");
        while start.elapsed() < timeout {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(exit)) = child.try_wait() {
                    self.child = None;
                    panic!(
                        "wrangler dev exited during startup ({exit}); log {}:\n{}",
                        self.log_file.display(),
                        tail(&self.log_file, 60)
                    );
                }
            }
            match self
                .api
                .client
                .get(&url)
                .timeout(Duration::from_secs(5))
                .send()
                .await
            {
                Ok(r) if r.status() == StatusCode::OK => {
                    println!(
                        "worker at {} ready in {:.1?}",
                        self.api.base,
                        start.elapsed()
                    );
                    return;
                }
                Ok(r) => last = format!("status {}", r.status()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        self.kill();
        panic!(
            "wrangler dev did not answer /healthz with 200 within {timeout:?} (last: {last}); log {}:\n{}",
            self.log_file.display(),
            tail(&self.log_file, 60)
        );
    }

    /// Stops the whole process group: SIGTERM, a moment's grace, then SIGKILL.
    fn kill(&mut self) {
        if let Some(child) = self.child.take() {
            // workerd may outlive wrangler's node process: the whole group goes.
            stop_group(child, Duration::from_secs(5));
        }
    }

    /// Stops the worker but keeps its state: returns `(state_dir, env_file)` for
    /// [`TestWorker::start_with_state`].
    pub fn stop(mut self) -> (PathBuf, PathBuf) {
        self.kill();
        self.delete_on_drop = false;
        (self.state_dir.clone(), self.env_file.clone())
    }
}

impl Drop for TestWorker {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "--- the test failed; last lines of {}:\n{}\n---",
                self.log_file.display(),
                tail(&self.log_file, 40)
            );
        }
        if !self.delete_on_drop {
            return;
        }
        if std::env::var_os("KEEP_TEST_STATE").is_some() {
            eprintln!("KEEP_TEST_STATE: keeping {}", self.root.display());
            return;
        }
        let ours = self
            .root
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(TEMP_PREFIX));
        if ours {
            let _ = fs::remove_dir_all(&self.root);
        } else {
            let _ = fs::remove_dir_all(&self.state_dir);
            let _ = fs::remove_file(&self.env_file);
            let _ = fs::remove_file(&self.log_file);
        }
    }
}
