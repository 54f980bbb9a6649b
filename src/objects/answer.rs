//! How an object's answer is read: as JSON written the protocol's way ([`Refusable`]: a
//! `Result`) or alone ([`Bare`]), into any [`DeserializeOwned`] type, or as a fan's [`Socket`].

use serde::de::DeserializeOwned;
use waitroom_core::QueueError;
use worker::Response;

/// How an object writes its JSON answers.
pub trait Wire {
    /// Reads `text` as an answer `T`, a refusal as `Err`.
    fn parse<T: DeserializeOwned>(text: &str) -> serde_json::Result<Result<T, QueueError>>;
}

/// The protocol's answers (coordinators and shards): `Result<T, QueueError>`.
pub struct Refusable;

impl Wire for Refusable {
    fn parse<T: DeserializeOwned>(text: &str) -> serde_json::Result<Result<T, QueueError>> {
        serde_json::from_str(text)
    }
}

/// The answer alone (the registry, the monitor, the test doors): they refuse nothing.
pub struct Bare;

impl Wire for Bare {
    fn parse<T: DeserializeOwned>(text: &str) -> serde_json::Result<Result<T, QueueError>> {
        serde_json::from_str(text).map(Ok)
    }
}

/// What an object's answer is read as: JSON (any [`DeserializeOwned`] type), or a fan's
/// [`Socket`].
pub trait Answer: Sized {
    /// The status the object answers it with.
    const STATUS: u16 = 200;
    /// Reads it from `resp`, as written by `W`; a refusal is `Err`.
    #[allow(async_fn_in_trait)]
    async fn read<W: Wire>(resp: Response) -> Result<Result<Self, QueueError>, String>;
}

impl<T: DeserializeOwned> Answer for T {
    async fn read<W: Wire>(mut resp: Response) -> Result<Result<Self, QueueError>, String> {
        let text = resp.text().await.map_err(|e| e.to_string())?;
        W::parse(&text).map_err(|e| e.to_string())
    }
}

/// A fan's WebSocket, as the coordinator hands it over (a 101 answer).
pub struct Socket(pub worker::WebSocket);

impl Answer for Socket {
    const STATUS: u16 = 101;
    async fn read<W: Wire>(resp: Response) -> Result<Result<Self, QueueError>, String> {
        let socket = resp.websocket().ok_or("a 101 without a socket")?;
        Ok(Ok(Socket(socket)))
    }
}
