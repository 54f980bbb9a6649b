//! A fan's WebSocket (`GET /api/sales/{sale}/socket`, docs/api.md "The turn, pushed"), as an app
//! would open it: the token as a Bearer, never in the URL.

use serde_json::Value;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use futures::{SinkExt, StreamExt};

pub type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How an upgrade attempt ended.
pub enum Opened {
    /// 101: the socket.
    Socket(Box<Stream>),
    /// Refused before the upgrade: the HTTP status and the JSON body.
    Refused(u16, Value),
}

/// What a socket said next.
#[derive(Debug)]
pub enum Event {
    Message(Value),
    Closed { code: u16, reason: String },
}

/// Opens fan `token`'s socket on `base` (`http://127.0.0.1:port`) for `sale`.
pub async fn open(base: &str, sale: &str, token: &str) -> Opened {
    open_from(base, sale, token, None).await
}

/// [`open`], from the client address `from` (`CF-Connecting-IP`) where given.
pub async fn open_from(base: &str, sale: &str, token: &str, from: Option<&str>) -> Opened {
    let url = format!(
        "{}/api/sales/{sale}/socket",
        base.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().expect("socket request");
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    if let Some(address) = from {
        request
            .headers_mut()
            .insert("CF-Connecting-IP", address.parse().expect("header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((stream, _)) => Opened::Socket(Box::new(stream)),
        Err(WsError::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_ref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            Opened::Refused(status, body)
        }
        Err(e) => panic!("socket for {sale}: {e}"),
    }
}

/// Opens the socket and expects it accepted: its first message is `watching`.
pub async fn open_watching(base: &str, sale: &str, token: &str) -> Stream {
    let mut stream = match open(base, sale, token).await {
        Opened::Socket(stream) => *stream,
        Opened::Refused(status, body) => panic!("socket refused: {status} {body}"),
    };
    match next(&mut stream).await {
        Event::Message(m) if m["type"] == "watching" => stream,
        other => panic!("expected watching first, got {other:?}"),
    }
}

/// The next message or close (text frames only; 10 s at most).
pub async fn next(stream: &mut Stream) -> Event {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("a socket event within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                return Event::Message(
                    serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("socket message {text}: {e}")),
                )
            }
            Some(Ok(Message::Close(frame))) => {
                return Event::Closed {
                    code: frame.as_ref().map_or(1005, |f| u16::from(f.code)),
                    reason: frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                }
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket failed: {e}"),
            None => {
                return Event::Closed {
                    code: 1006,
                    reason: String::new(),
                }
            }
        }
    }
}

/// Closes the socket from the fan's side (normal closure).
pub async fn close(mut stream: Stream) {
    let _ = stream
        .send(Message::Close(Some(
            tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            },
        )))
        .await;
    // Read until the server's close, so the close has reached it.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}

/// Sends `text` from the fan's side (the coordinator answers anything but `ping` with
/// `watching`).
pub async fn send_text(stream: &mut Stream, text: &str) {
    stream
        .send(Message::Text(text.into()))
        .await
        .expect("send on the socket");
}
