//! What the local stand-ins for the services around the worker share (the webhook [`receiver`],
//! the [`push_service`], the [`echo_origin`], [`siteverify`]): a tiny HTTP/1.1 server on a free
//! port of 127.0.0.1 ([`TestServer`]) that hands every connection to the stand-in, which reads
//! one request ([`read_request`]) and writes one answer ([`respond`]).
//!
//! [`receiver`]: super::receiver
//! [`push_service`]: super::push_service
//! [`echo_origin`]: super::echo_origin
//! [`siteverify`]: super::siteverify

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running test server; stops when dropped.
pub struct TestServer {
    pub address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// `what` on a free port, every connection handed to `serve` (each on a task of its own).
    pub async fn start<F, Fut>(what: &str, serve: F) -> Self
    where
        F: Fn(TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind {what}: {e}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{what}'s address: {e}"));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream));
            }
        });
        Self { address, task }
    }

    /// Its URL, without a path.
    pub fn base(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lowercase.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    /// The body as text (bytes that are no UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one HTTP/1.1 request (head and a `Content-Length` body); `None` if the peer went away.
pub async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap_or("").split_whitespace();
    let method = request_line.next().unwrap_or("GET").to_owned();
    let path = request_line.next().unwrap_or("/").to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(Request {
        method,
        path,
        headers,
        body: buf[head_end..].to_vec(),
    })
}

/// Answers `status` (e.g. `200 OK`) with `headers` (each line ending in CRLF) and `body`, and
/// closes the connection.
pub async fn respond(stream: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let answer = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}
