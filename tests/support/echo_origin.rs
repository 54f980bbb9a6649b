//! A stand-in for a protected site's origin (path protection, docs/api.md "Path protection"): a
//! tiny HTTP/1.1 server on 127.0.0.1 that answers every request with what it received, as JSON
//! (`method`, `path`, `headers` with lowercase names, `body`), marked `X-Origin: echo`, with a
//! cookie of its own, and, for a path ending in `/done`, `Waitroom-Session: end` (the origin ends
//! the fan's session). It counts what it received, so a test can say nothing reached it.

use crate::support::test_server::{read_request, respond, TestServer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The running origin; stops when dropped.
pub struct EchoOrigin {
    pub base: String,
    /// `host:port`.
    pub host: String,
    received: Arc<AtomicUsize>,
    _server: TestServer,
}

impl EchoOrigin {
    pub async fn start() -> Self {
        let received = Arc::new(AtomicUsize::new(0));
        let count = received.clone();
        let server = TestServer::start("echo origin", move |mut stream| {
            let count = count.clone();
            async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let (method, path) = (&request.method, &request.path);
                let body = serde_json::json!({
                    "method": method,
                    "path": path,
                    "headers": request.headers,
                    "body": request.text(),
                })
                .to_string();
                let end = if path.split('?').next().unwrap_or("").ends_with("/done") {
                    "Waitroom-Session: end\r\n"
                } else {
                    ""
                };
                let headers = format!(
                    "Content-Type: application/json\r\nX-Origin: echo\r\nSet-Cookie: origin=1; Path=/\r\n{end}"
                );
                respond(&mut stream, "200 OK", &headers, &body).await;
            }
        })
        .await;
        Self {
            base: server.base(),
            host: server.address.to_string(),
            received,
            _server: server,
        }
    }

    /// How many requests reached it.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}
