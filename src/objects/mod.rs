//! The Durable Objects, as their callers reach them: one way for every request to an object
//! ([`Objects`]) with two verbs, [`Objects::ask`] (for an answer) and [`Objects::tell`] (for none),
//! typed by the object: a sale's [`Coordinator`], its arrival [`Shard`]s, the sale [`Registry`]
//! and the [`monitor::Monitor`] (with what it is told and answers); the coordinator's two doors
//! besides its commands, a fan's [`FanSocket`] and a test's [`FaultSwitch`]; and the test clock's
//! [`ClockHand`] on a coordinator or a shard.
//!
//! Every request goes the same way: counted (the request log's `object_calls`), carrying the
//! protocol version ([`PROTOCOL_HEADER`]; an object refuses one it does not answer,
//! [`refuse_unanswered_protocol`]), and failing with a [`CallError`]: what objects use among
//! themselves, and what the edge maps to its [`ApiError`] (busy for an object that could not be
//! reached or failed, the refusal itself for a refusal). A handle for a client's request
//! ([`Objects::for_request`]) first checks that the sale a command is about was created (the
//! registry's list of sales as the edge keeps it, [`crate::edge_cache::known_sales`], never a
//! question about one id: `registry`), so an id nobody created never reaches, and so creates, an
//! object.

pub mod monitor;
mod registry;

pub use registry::{
    may_protect, ProtectedSale, ProtectedSites, Registry, RegistryCommand, RegistryFault,
    RegistryFaultReport, MAX_PROTECTED,
};

use crate::error::ApiError;
use crate::outgoing;
use futures::future::LocalBoxFuture;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;
use std::cell::Cell;
use std::fmt;
use waitroom_core::fairness::rate_limit::ClientAddress;
use waitroom_core::machines::protocol::{
    Command, ProtocolVersion, Reply, ShardCommand, PROTOCOL_HEADER,
};
use waitroom_core::{QueueError, SaleId, Seq, UnixMillis};
use worker::{Env, Headers, Method, Request, Response};

pub const COORDINATOR_BINDING: &str = "COORDINATOR";
pub const REGISTRY_BINDING: &str = "REGISTRY";
pub const SHARDS_BINDING: &str = "SHARDS";
/// Where protocol commands are posted on an object.
const OBJECT_URL: &str = "https://do.internal/";
/// Where a coordinator takes its test fault (see [`FaultSwitch`]).
pub const FAULT_URL: &str = "https://do.internal/fault";
/// Where a coordinator or an arrival shard is told the test clock moved (see [`ClockHand`]).
pub const CLOCK_URL: &str = "https://do.internal/clock";
/// Where a coordinator takes a fan's WebSocket (see [`FanSocket`]); the fan's arrival number
/// follows as `?seq=`. Only the edge calls it, after checking the fan's token.
pub const SOCKET_PATH: &str = "/socket";

/// An object as its callers address it: its class's binding, its name, what it is told, and
/// how a request carries that.
pub trait Object {
    const BINDING: &'static str;
    /// How its JSON answers are written: the protocol's `Result` ([`Refusable`]) or the answer
    /// alone ([`Bare`]).
    type Wire: Wire;
    type Command: Serialize;
    /// Its name in [`Self::BINDING`].
    fn name(&self) -> String;
    /// The sale `command` is about, if it may reach the sale's objects only once the sale was
    /// created (checked for a client's request: [`Objects::for_request`]).
    fn registered_sale(&self, _command: &Self::Command) -> Option<&SaleId> {
        None
    }
    /// The request carrying `command`: by default its JSON, posted to [`OBJECT_URL`].
    fn request(&self, command: &Self::Command, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Post, OBJECT_URL, command, headers)
    }
}

/// A `method` request to `url` with `body` as its JSON.
fn json_request(
    method: Method,
    url: &str,
    body: &impl Serialize,
    headers: &Headers,
) -> Result<Request, CallError> {
    let body = serde_json::to_string(body).map_err(|e| CallError::Transport(e.to_string()))?;
    Ok(outgoing::request(method, url, headers, Some(&body))?)
}

/// The coordinator of a sale: its line.
pub struct Coordinator<'a>(pub &'a SaleId);

impl Object for Coordinator<'_> {
    const BINDING: &'static str = COORDINATOR_BINDING;
    type Wire = Refusable;
    type Command = Command;
    fn name(&self) -> String {
        self.0.to_string()
    }
    /// Every command but the upsert that creates the sale.
    fn registered_sale(&self, command: &Command) -> Option<&SaleId> {
        (!matches!(command, Command::Upsert { .. })).then_some(self.0)
    }
}

/// The coordinator of a sale, as the push route asks it (docs/api.md, "Called back"): its own
/// path ([`PUSH_PATH`]) and commands, which the edge never sends.
pub struct CallBack<'a>(pub &'a SaleId);

/// The path of the coordinator's push commands.
pub const PUSH_PATH: &str = "/push";

impl Object for CallBack<'_> {
    const BINDING: &'static str = COORDINATOR_BINDING;
    type Wire = Refusable;
    type Command = waitroom_core::machines::push_protocol::PushCommand;
    fn name(&self) -> String {
        self.0.to_string()
    }
    fn registered_sale(&self, _: &Self::Command) -> Option<&SaleId> {
        Some(self.0)
    }
    fn request(&self, command: &Self::Command, headers: &Headers) -> Result<Request, CallError> {
        json_request(
            Method::Post,
            &format!("https://do.internal{PUSH_PATH}"),
            command,
            headers,
        )
    }
}

/// The coordinator of a sale, asked a party's command (docs/api.md, "Come as a party") at its
/// own path: only the full worker's party routes send them, so the edge compiles none of it.
pub struct PartyCoordinator<'a>(pub &'a SaleId);

/// Where a coordinator takes a [`PartyCommand`](waitroom_core::machines::protocol::PartyCommand).
pub const PARTY_PATH: &str = "/party";

impl Object for PartyCoordinator<'_> {
    const BINDING: &'static str = COORDINATOR_BINDING;
    type Wire = Refusable;
    type Command = waitroom_core::machines::protocol::PartyCommand;
    fn name(&self) -> String {
        self.0.to_string()
    }
    fn registered_sale(&self, _: &Self::Command) -> Option<&SaleId> {
        Some(self.0)
    }
    fn request(&self, command: &Self::Command, headers: &Headers) -> Result<Request, CallError> {
        json_request(
            Method::Post,
            &format!("https://do.internal{PARTY_PATH}"),
            command,
            headers,
        )
    }
}

/// Arrival shard `shard` of a sale.
pub struct Shard<'a> {
    pub sale: &'a SaleId,
    pub shard: u32,
}

impl Object for Shard<'_> {
    const BINDING: &'static str = SHARDS_BINDING;
    type Wire = Refusable;
    type Command = ShardCommand;
    fn name(&self) -> String {
        shard_name(self.sale, self.shard)
    }
    fn registered_sale(&self, _: &ShardCommand) -> Option<&SaleId> {
        Some(self.sale)
    }
}

/// The name of arrival shard `shard` of `sale`: its Durable Object's name in [`SHARDS_BINDING`].
pub fn shard_name(sale: &SaleId, shard: u32) -> String {
    format!("{sale}#{shard}")
}

/// Fan `seq`'s WebSocket upgrade, handed to the coordinator of `sale` (the edge checked the
/// fan's token and place first); the answer is the socket ([`Socket`]). No token travels: the
/// object knows the fan by number only.
pub struct FanSocket<'a> {
    pub sale: &'a SaleId,
    pub seq: Seq,
    /// The hand the fan's token holds the place as (docs/api.md, "Move my place").
    pub hand: u8,
    /// The fan's address (an IP, a /64 or `unknown`), for the object's bound per address.
    pub from: ClientAddress,
}

impl Object for FanSocket<'_> {
    const BINDING: &'static str = COORDINATOR_BINDING;
    type Wire = Bare;
    type Command = ();
    fn name(&self) -> String {
        self.sale.to_string()
    }
    fn registered_sale(&self, _: &()) -> Option<&SaleId> {
        Some(self.sale)
    }
    fn request(&self, _: &(), headers: &Headers) -> Result<Request, CallError> {
        headers.set("Upgrade", "websocket")?;
        let from: String =
            url::form_urlencoded::byte_serialize(self.from.to_string().as_bytes()).collect();
        let url = format!(
            "https://do.internal{SOCKET_PATH}?seq={}&hand={}&from={from}",
            self.seq, self.hand
        );
        Ok(outgoing::request(Method::Get, &url, headers, None)?)
    }
}

/// The test fault switch of the coordinator of a sale (only ever called when test faults are
/// on): told a [`Fault`], it answers a [`FaultReport`].
pub struct FaultSwitch<'a>(pub &'a SaleId);

impl Object for FaultSwitch<'_> {
    const BINDING: &'static str = COORDINATOR_BINDING;
    type Wire = Bare;
    type Command = Fault;
    fn name(&self) -> String {
        self.0.to_string()
    }
    fn registered_sale(&self, _: &Fault) -> Option<&SaleId> {
        Some(self.0)
    }
    fn request(&self, fault: &Fault, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Put, FAULT_URL, fault, headers)
    }
}

/// The test clock's hand on an object `O` (a [`Coordinator`] or a [`Shard`]; only ever called
/// when test faults are on, see [`crate::clock`]): told the clock moved ([`ClockPoke`]), it
/// answers [`ClockPoked`].
pub struct ClockHand<O>(pub O);

impl<O: Object> Object for ClockHand<O> {
    const BINDING: &'static str = O::BINDING;
    type Wire = Bare;
    type Command = ClockPoke;
    fn name(&self) -> String {
        self.0.name()
    }
    fn request(&self, poke: &ClockPoke, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Post, CLOCK_URL, poke, headers)
    }
}

/// What a coordinator or an arrival shard is told when the test clock moved.
#[derive(Clone, Copy, Debug, Serialize, serde::Deserialize)]
pub struct ClockPoke {
    pub offset_ms: u64,
}

/// What it answers: whether it had an alarm pending (then it ran the alarm's handler at the moved
/// time, which set the next alarm from it) and, for a coordinator, how many arrival shards its
/// sale may have numbered fans in (the current count, or the one before a live change if more).
#[derive(Clone, Copy, Debug, Default, Serialize, serde::Deserialize)]
pub struct ClockPoked {
    pub alarm_ran: bool,
    #[serde(default)]
    pub shards: u32,
}

/// Why a call to a Durable Object brought no answer.
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
    /// The object refused the command: its answer.
    Refused(QueueError),
    /// Not asked: what the edge knows cannot say yet (the list of sales is out of date).
    Busy(String),
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
            CallError::Refused(refusal) => write!(f, "refused: {refusal}"),
            CallError::Busy(why) => f.write_str(why),
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
    /// test's fault switch), is busy: the client tries again. A refusal is the answer. An object
    /// that answered something the protocol does not allow is our bug.
    fn from(e: CallError) -> Self {
        match e {
            CallError::Refused(refusal) => ApiError::Queue(refusal),
            CallError::Transport(_) | CallError::Busy(_) => ApiError::Busy(e.to_string()),
            CallError::Status { status, .. } if status >= 500 => ApiError::Busy(e.to_string()),
            CallError::Status { .. } | CallError::Malformed { .. } => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

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

/// The answer alone (the registry, the monitor, the fault switch): they refuse nothing.
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

/// The way to the Durable Objects: every request through it is counted, for the request's log
/// line (`object_calls`).
pub struct Objects {
    env: Env,
    calls: Cell<u32>,
    /// For a client's request: its origin and time, for the registry's answers cached at the edge.
    client: Option<(String, UnixMillis)>,
}

impl Objects {
    /// For an object's (or the cron's, or the queue consumer's) own requests: sales are not
    /// checked against the registry.
    pub fn new(env: Env) -> Self {
        Self {
            env,
            calls: Cell::new(0),
            client: None,
        }
    }

    /// For a client's request to `origin` at `now`: a command about a sale reaches its objects
    /// only if the sale was created ([`Object::registered_sale`]).
    pub fn for_request(env: Env, origin: String, now: UnixMillis) -> Self {
        Self {
            client: Some((origin, now)),
            ..Self::new(env)
        }
    }

    /// How many object calls this request made so far.
    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    /// Asks `to` to do `command`: its answer, read as `T`. For the coordinator, `T` is a
    /// [`Reply`] or, for a command with one kind of reply,
    /// [`Only<Reply, T>`](waitroom_core::codec::tag_first::Only) (so the fan's path compiles no reader
    /// for the replies it never gets).
    pub async fn ask<O: Object, T: Answer>(
        &self,
        to: &O,
        command: &O::Command,
    ) -> Result<T, CallError> {
        let resp = self.send(to, command, T::STATUS).await?;
        match T::read::<O::Wire>(resp).await {
            Ok(answer) => answer.map_err(CallError::Refused),
            Err(error) => Err(CallError::Malformed {
                binding: O::BINDING,
                error,
            }),
        }
    }

    /// The one way every request to an object goes: the sale checked, the protocol's version
    /// on, counted, and an answer with any status but `status` an error.
    async fn send<O: Object>(
        &self,
        to: &O,
        command: &O::Command,
        status: u16,
    ) -> Result<Response, CallError> {
        let headers = Headers::new();
        headers.set(PROTOCOL_HEADER, &ProtocolVersion::CURRENT.header_value())?;
        let request = to.request(command, &headers)?;
        let sale = to.registered_sale(command);
        self.fetch(O::BINDING, &to.name(), request, sale, status)
            .await
    }

    async fn fetch(
        &self,
        binding: &'static str,
        name: &str,
        request: Request,
        sale: Option<&SaleId>,
        status: u16,
    ) -> Result<Response, CallError> {
        if let Some(sale) = sale {
            self.require_sale(sale).await?;
        }
        let stub = self
            .env
            .durable_object(binding)?
            .id_from_name(name)?
            .get_stub()?;
        self.calls.set(self.calls.get() + 1);
        let mut resp = stub.fetch_with_request(request).await?;
        if resp.status_code() != status {
            return Err(CallError::Status {
                binding,
                status: resp.status_code(),
                text: resp.text().await.unwrap_or_default(),
            });
        }
        Ok(resp)
    }

    /// Tells `to` to do `command`: whatever it answers besides a refusal is not read, only
    /// skipped.
    pub async fn tell<O: Object>(&self, to: &O, command: &O::Command) -> Result<(), CallError> {
        self.ask::<O, IgnoredAny>(to, command).await.map(drop)
    }

    /// Refuses a sale that was never created ([`QueueError::SaleNotFound`]) in a client's
    /// request, without reaching its objects; the objects' own requests are not checked. (Boxed:
    /// the registry is asked through [`Objects::ask`], which calls this.)
    pub fn require_sale<'a>(
        &'a self,
        sale: &'a SaleId,
    ) -> LocalBoxFuture<'a, Result<(), CallError>> {
        Box::pin(async move {
            let Some((origin, now)) = &self.client else {
                return Ok(());
            };
            self.sale_exists(origin, sale, *now).await
        })
    }
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

/// A reply of the wrong kind: the two sides of the protocol disagree.
pub fn unexpected(reply: Reply) -> ApiError {
    ApiError::Internal(format!(
        "unexpected coordinator reply: {}",
        reply.tag_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::sale::SaleSettingsInput;
    use waitroom_core::SaleSettings;

    #[test]
    fn every_command_to_a_sales_objects_but_its_creation_needs_the_sale() {
        let sale = SaleId::parse("tour").unwrap();
        let coordinator = Coordinator(&sale);
        assert_eq!(coordinator.registered_sale(&Command::Report), Some(&sale));
        assert_eq!(coordinator.registered_sale(&Command::Snapshot), Some(&sale));
        let settings = SaleSettings::parse(SaleSettingsInput {
            name: "Tour".into(),
            purchase_url: "https://shop.example/buy".into(),
            ..SaleSettingsInput::default()
        })
        .unwrap();
        let upsert = Command::Upsert {
            id: sale.clone(),
            settings,
            fan_salt: "salt".into(),
            draw_key: None,
        };
        assert_eq!(coordinator.registered_sale(&upsert), None);
        let report = ShardCommand::ReportEdge {
            sale: sale.clone(),
            shard: 1,
            reports: Vec::new(),
        };
        assert_eq!(
            Shard {
                sale: &sale,
                shard: 1
            }
            .registered_sale(&report),
            Some(&sale)
        );
        assert_eq!(
            FaultSwitch(&sale).registered_sale(&Fault::default()),
            Some(&sale)
        );
        assert_eq!(Registry.registered_sale(&RegistryCommand::List), None);
        assert_eq!(
            Shard {
                sale: &sale,
                shard: 3
            }
            .name(),
            "tour#3"
        );
    }

    #[test]
    fn call_errors_are_busy_refusals_or_our_bug() {
        let status = |status| CallError::Status {
            binding: COORDINATOR_BINDING,
            status,
            text: String::new(),
        };
        let cases = [
            (CallError::Transport("reset".into()), "busy"),
            (status(500), "busy"),
            (status(503), "busy"),
            (status(400), "internal"),
            (
                CallError::Malformed {
                    binding: SHARDS_BINDING,
                    error: "x".into(),
                },
                "internal",
            ),
            (
                CallError::Refused(QueueError::SaleNotFound),
                "sale_not_found",
            ),
            (CallError::Refused(QueueError::Closed), "closed"),
        ];
        for (error, code) in cases {
            let shown = error.to_string();
            assert_eq!(ApiError::from(error).code(), code, "{shown}");
        }
    }
}
