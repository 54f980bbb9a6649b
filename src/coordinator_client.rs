//! Calls to the Durable Objects: a sale's coordinator, its arrival shards and the sale registry.
//!
//! [`call`] and [`call_coordinator`] speak only the protocol ([`waitroom_core::machines::protocol`]) and
//! fail with a [`CallError`]: that is what objects use among themselves. The edge's helpers
//! ([`ask`], [`join_at_shard`], ...) map both to the edge's [`ApiError`].

use crate::error::ApiError;
use crate::outgoing;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;
use std::cell::Cell;
use std::fmt;
use waitroom_core::codec::tag_first::{Only, VariantOf};
use waitroom_core::fairness::rate_limit::ClientAddress;
use waitroom_core::machines::protocol::{
    Answer, Command, ProtocolVersion, Reply, ShardCommand, ShardJoined, PROTOCOL_HEADER,
};
use waitroom_core::{QueueError, SaleId};
use worker::{Env, Headers, Method, Request, Response};

pub const COORDINATOR_BINDING: &str = "COORDINATOR";
pub const REGISTRY_BINDING: &str = "REGISTRY";
pub const SHARDS_BINDING: &str = "SHARDS";
/// The registry is one object: sales are created rarely, by promoters.
const REGISTRY_NAME: &str = "sales";
/// Where protocol commands are posted on an object.
const OBJECT_URL: &str = "https://do.internal/";
/// Where a coordinator takes its test fault (see [`set_fault`]).
pub const FAULT_URL: &str = "https://do.internal/fault";
/// Where a coordinator takes a fan's WebSocket (see [`open_socket`]); the fan's arrival number
/// follows as `?seq=`. Only the edge calls it, after checking the fan's token.
pub const SOCKET_PATH: &str = "/socket";

/// Why a call to a Durable Object brought no answer of the protocol.
#[derive(Debug)]
pub enum CallError {
    /// The runtime could not reach the object (or encode the request).
    Transport(String),
    /// The object answered with an HTTP error instead of a protocol answer.
    Status {
        binding: &'static str,
        status: u16,
        text: String,
    },
    /// The object's answer was not what the protocol says.
    Malformed {
        binding: &'static str,
        error: String,
    },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Transport(e) => f.write_str(e),
            CallError::Status {
                binding,
                status,
                text,
            } => write!(f, "{binding} answered {status}: {text}"),
            CallError::Malformed { binding, error } => {
                write!(f, "{binding} answered badly: {error}")
            }
        }
    }
}

impl std::error::Error for CallError {}

impl From<worker::Error> for CallError {
    fn from(e: worker::Error) -> Self {
        CallError::Transport(e.to_string())
    }
}

impl From<CallError> for ApiError {
    /// An object that could not be reached, or failed (5xx: overloaded, reset, timed out, or a
    /// test's fault switch), is busy: the client tries again. An object that answered something
    /// the protocol does not allow is our bug.
    fn from(e: CallError) -> Self {
        match e {
            CallError::Transport(_) => ApiError::Busy(e.to_string()),
            CallError::Status { status, .. } if status >= 500 => ApiError::Busy(e.to_string()),
            CallError::Status { .. } | CallError::Malformed { .. } => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

/// Posts `body` to the object `name` of `binding` and reads its JSON answer.
pub async fn call<B: Serialize, T: DeserializeOwned>(
    env: &Env,
    binding: &'static str,
    name: &str,
    body: &B,
) -> Result<T, CallError> {
    let stub = env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?;
    let body = serde_json::to_string(body).map_err(|e| CallError::Transport(e.to_string()))?;
    let headers = Headers::new();
    headers.set(PROTOCOL_HEADER, &ProtocolVersion::CURRENT.header_value())?;
    let req = outgoing::request(Method::Post, OBJECT_URL, &headers, Some(&body))?;
    let mut resp = stub.fetch_with_request(req).await?;
    require_status(&mut resp, binding, 200).await?;
    resp.json().await.map_err(|e| CallError::Malformed {
        binding,
        error: e.to_string(),
    })
}

/// `Ok` if object `binding` answered with `expected`; else the status and its text, as a
/// protocol-level error.
async fn require_status(
    resp: &mut Response,
    binding: &'static str,
    expected: u16,
) -> Result<(), CallError> {
    if resp.status_code() == expected {
        return Ok(());
    }
    Err(CallError::Status {
        binding,
        status: resp.status_code(),
        text: resp.text().await.unwrap_or_default(),
    })
}

/// For an object: the 400 to answer a call whose protocol version ([`PROTOCOL_HEADER`]) this
/// release does not answer, or `None` to go on (the current version, the previous one, or a newer
/// one: see [`waitroom_core::machines::protocol`]).
pub fn refuse_unanswered_protocol(req: &Request) -> Option<worker::Result<Response>> {
    let header = req.headers().get(PROTOCOL_HEADER).ok().flatten();
    match ProtocolVersion::from_header(header.as_deref()) {
        Ok(_) => None,
        Err(mismatch) => {
            worker::console_error!("refused a call: {mismatch}");
            Some(Response::error(mismatch.to_string(), 400))
        }
    }
}

/// Sends `command` to the coordinator of `sale`; its answer, refusals included.
pub async fn call_coordinator(
    env: &Env,
    sale: &SaleId,
    command: &Command,
) -> Result<Answer, CallError> {
    call(env, COORDINATOR_BINDING, sale.as_str(), command).await
}

/// The edge's way to the Durable Objects for one request: every call through it is counted, for
/// the request's log line (`object_calls`).
pub struct Objects {
    env: Env,
    calls: Cell<u32>,
}

impl Objects {
    pub fn new(env: Env) -> Self {
        Self {
            env,
            calls: Cell::new(0),
        }
    }

    /// How many object calls this request made so far.
    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    fn counted(&self) -> &Env {
        self.calls.set(self.calls.get() + 1);
        &self.env
    }

    /// Sends `body` to object `name` of `binding`, counted.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        binding: &'static str,
        name: &str,
        body: &B,
    ) -> Result<T, CallError> {
        call(self.counted(), binding, name, body).await
    }
}

/// Sends `command` to the coordinator of `sale`; its refusals come back as [`ApiError::Queue`].
pub async fn ask(objects: &Objects, sale: &SaleId, command: &Command) -> Result<Reply, ApiError> {
    ask_as::<Reply>(objects, sale, command).await
}

/// [`ask`], the reply read as `T`: an [`Answer`]'s wire form with another reader for its `Ok`
/// side ([`Reply`] itself, one variant of it, or nothing).
async fn ask_as<T: DeserializeOwned>(
    objects: &Objects,
    sale: &SaleId,
    command: &Command,
) -> Result<T, ApiError> {
    let answer: Result<T, QueueError> = objects
        .call(COORDINATOR_BINDING, sale.as_str(), command)
        .await?;
    answer.map_err(ApiError::Queue)
}

/// [`ask`] for a command with one kind of reply, `T` (a [`Reply`] variant's payload: `Joined`,
/// `Claim`, `Snapshot`): read as that kind alone ([`Only`]), so the fan's path compiles no reader
/// for the replies it never gets. Another kind of reply is a protocol error
/// ([`CallError::Malformed`]).
pub async fn ask_for<T>(objects: &Objects, sale: &SaleId, command: &Command) -> Result<T, ApiError>
where
    T: VariantOf<Reply> + DeserializeOwned,
{
    ask_as::<Only<Reply, T>>(objects, sale, command)
        .await
        .map(Only::into_inner)
}

/// [`ask`] for a command whose only answer is `done` or a refusal (a fan's presence): whatever
/// the coordinator answers besides a refusal is not read, only skipped.
pub async fn tell(objects: &Objects, sale: &SaleId, command: &Command) -> Result<(), ApiError> {
    ask_as::<IgnoredAny>(objects, sale, command).await.map(drop)
}

/// Numbers a new fan at arrival shard `shard` of `sale`; with `member` (an invitation-only
/// sale's member key), the member's place, the one they have if any.
pub async fn join_at_shard(
    objects: &Objects,
    sale: &SaleId,
    shard: u32,
    pow: Option<waitroom_core::fairness::pow::Verified>,
    member: Option<String>,
) -> Result<ShardJoined, ApiError> {
    let command = ShardCommand::Join {
        sale: sale.clone(),
        shard,
        pow,
        member,
    };
    let answer: Result<ShardJoined, QueueError> = objects
        .call(SHARDS_BINDING, &shard_name(sale, shard), &command)
        .await?;
    answer.map_err(ApiError::Queue)
}

/// Spends `pow` at arrival shard `shard` of `sale`, its home, without numbering anyone (see
/// [`ShardCommand::Spend`]): 403-class `PowSpent` if it was spent before.
pub async fn spend_at_shard(
    objects: &Objects,
    sale: &SaleId,
    shard: u32,
    pow: waitroom_core::fairness::pow::Verified,
) -> Result<(), ApiError> {
    let command = ShardCommand::Spend {
        sale: sale.clone(),
        shard,
        pow,
    };
    let answer: Result<(), QueueError> = objects
        .call(SHARDS_BINDING, &shard_name(sale, shard), &command)
        .await?;
    answer.map_err(ApiError::Queue)
}

/// The name of arrival shard `shard` of `sale`: its Durable Object's name in [`SHARDS_BINDING`].
pub fn shard_name(sale: &SaleId, shard: u32) -> String {
    format!("{sale}#{shard}")
}

/// The registry's commands.
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RegistryCommand {
    Add {
        id: SaleId,
    },
    List,
    /// `[id]` if the sale is registered, else `[]`.
    Exists {
        id: SaleId,
    },
}

pub async fn register(objects: &Objects, id: &SaleId) -> Result<(), ApiError> {
    let _: Vec<SaleId> = objects
        .call(
            REGISTRY_BINDING,
            REGISTRY_NAME,
            &RegistryCommand::Add { id: id.clone() },
        )
        .await?;
    Ok(())
}

/// Whether sale `id` was ever created (registered by its upsert).
pub async fn sale_exists(objects: &Objects, id: &SaleId) -> Result<bool, ApiError> {
    let found: Vec<SaleId> = objects
        .call(
            REGISTRY_BINDING,
            REGISTRY_NAME,
            &RegistryCommand::Exists { id: id.clone() },
        )
        .await?;
    Ok(found.contains(id))
}

/// What a test's fault switch makes a coordinator do to every later command (docs/api.md,
/// "Testing"): wait `delay_ms` first, and then, if `fail`, answer 500 instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub fail: bool,
    /// Refuse every fan socket (close code 4099), so pages fall back to polling.
    #[serde(default)]
    pub refuse_sockets: bool,
    /// The events queue refuses the coordinator's events (as a failing `sendBatch`): they stay
    /// in its outbox until the switch is cleared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refuse_events: bool,
    /// The edge isolate that answers the switch forgets its numbering of the sale without
    /// reporting it, as an isolate that dies does (the coordinator ignores it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forget_edge_numbering: bool,
}

/// What a coordinator answers when its fault is switched: the commands the previous fault
/// failed, by kind (they never reached the sale's request counts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FaultReport {
    pub failed_by_kind: std::collections::BTreeMap<String, u64>,
}

/// The longest delay a fault may ask for.
pub const MAX_FAULT_DELAY_MS: u64 = 60_000;

/// Switches the coordinator of `sale` to `fault` (only ever called when test faults are on).
pub async fn set_fault(
    objects: &Objects,
    sale: &SaleId,
    fault: Fault,
) -> Result<FaultReport, ApiError> {
    let stub = objects
        .counted()
        .durable_object(COORDINATOR_BINDING)?
        .id_from_name(sale.as_str())?
        .get_stub()?;
    let body = serde_json::to_string(&fault).map_err(|e| ApiError::Internal(e.to_string()))?;
    let req = outgoing::request(Method::Put, FAULT_URL, &Headers::new(), Some(&body))?;
    let mut resp = stub
        .fetch_with_request(req)
        .await
        .map_err(CallError::from)?;
    require_status(&mut resp, COORDINATOR_BINDING, 200).await?;
    resp.json().await.map_err(|e| {
        ApiError::from(CallError::Malformed {
            binding: COORDINATOR_BINDING,
            error: e.to_string(),
        })
    })
}

/// Hands fan `seq`'s WebSocket upgrade to the coordinator of `sale` (the edge checked the fan's
/// token and place first); the coordinator's 101 answer carries the socket. No token travels:
/// the object knows the fan by number only.
pub async fn open_socket(
    objects: &Objects,
    sale: &SaleId,
    seq: waitroom_core::Seq,
    from: ClientAddress,
) -> Result<worker::WebSocket, ApiError> {
    let stub = objects
        .counted()
        .durable_object(COORDINATOR_BINDING)?
        .id_from_name(sale.as_str())?
        .get_stub()?;
    let headers = Headers::new();
    headers.set("Upgrade", "websocket")?;
    headers.set(PROTOCOL_HEADER, &ProtocolVersion::CURRENT.header_value())?;
    // The fan's address (an IP, a /64 or `unknown`), for the object's bound per address.
    let from: String = url::form_urlencoded::byte_serialize(from.to_string().as_bytes()).collect();
    let url = format!("https://do.internal{SOCKET_PATH}?seq={seq}&from={from}");
    let req = outgoing::request(Method::Get, &url, &headers, None)?;
    let mut resp = stub
        .fetch_with_request(req)
        .await
        .map_err(CallError::from)?;
    require_status(&mut resp, COORDINATOR_BINDING, 101).await?;
    resp.websocket()
        .ok_or_else(|| ApiError::Internal("the coordinator answered 101 without a socket".into()))
}

pub async fn list_sales(objects: &Objects) -> Result<Vec<SaleId>, ApiError> {
    Ok(objects
        .call(REGISTRY_BINDING, REGISTRY_NAME, &RegistryCommand::List)
        .await?)
}

/// A reply of the wrong kind: the two sides of the protocol disagree.
pub fn unexpected(reply: Reply) -> ApiError {
    ApiError::Internal(format!("unexpected coordinator reply: {reply:?}"))
}
