//! A local stand-in for whoever receives what the worker posts (alerts, webhooks): a tiny HTTP/1.1
//! server on 127.0.0.1 that keeps every request and answers by path: `/fail...` with 500,
//! `/hang...` never, anything else 200.

use crate::support::test_server::{read_request, respond, Request, TestServer};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names in lowercase.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl From<Request> for Received {
    fn from(request: Request) -> Self {
        Received {
            body: request.text(),
            method: request.method,
            path: request.path,
            headers: request.headers,
        }
    }
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{} sent no JSON ({e}): {}", self.path, self.body))
    }
}

/// The running receiver; stops when dropped.
pub struct Receiver {
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
    _server: TestServer,
}

impl Receiver {
    pub async fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        let server = TestServer::start("receiver", move |stream| serve(stream, keep.clone())).await;
        Self {
            base: server.base(),
            received,
            _server: server,
        }
    }

    /// The URL of `path` on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests it received, on any path.
    pub fn total(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// Every request to `path` so far.
    pub fn at(&self, path: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

async fn serve(mut stream: TcpStream, received: Arc<Mutex<Vec<Received>>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let path = request.path.clone();
    received.lock().unwrap().push(request.into());
    let status = if path.starts_with("/hang") {
        // Never answer (the caller must give up by itself); the connection closes eventually.
        tokio::time::sleep(Duration::from_secs(120)).await;
        return;
    } else if path.starts_with("/fail") {
        "500 Internal Server Error"
    } else {
        "200 OK"
    };
    respond(&mut stream, status, "", "").await;
}
