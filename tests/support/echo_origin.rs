//! A stand-in for a protected site's origin (path protection, docs/api.md "Path protection"): a
//! tiny HTTP/1.1 server on 127.0.0.1 that answers every request with what it received, as JSON
//! (`method`, `path`, `headers` with lowercase names, `body`), marked `X-Origin: echo`, with a
//! cookie of its own, and, for a path ending in `/done`, `Waitroom-Session: end` (the origin ends
//! the fan's session). It counts what it received, so a test can say nothing reached it.

use crate::support::receiver::read_request;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// The running origin; stops when dropped.
pub struct EchoOrigin {
    pub base: String,
    /// `host:port`.
    pub host: String,
    received: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EchoOrigin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EchoOrigin {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind echo origin");
        let host = listener.local_addr().expect("echo address").to_string();
        let received = Arc::new(AtomicUsize::new(0));
        let count = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let count = count.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    let (method, path) = (&request.method, &request.path);
                    let body = serde_json::json!({
                        "method": method,
                        "path": path,
                        "headers": request.headers,
                        "body": request.body,
                    })
                    .to_string();
                    let end = if path.split('?').next().unwrap_or("").ends_with("/done") {
                        "Waitroom-Session: end\r\n"
                    } else {
                        ""
                    };
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Origin: echo\r\nSet-Cookie: origin=1; Path=/\r\n{end}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            base: format!("http://{host}"),
            host,
            received,
            task,
        }
    }

    /// How many requests reached it.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}
