//! The Durable Objects, as their callers reach them: one way for every request to an object
//! ([`Objects`]) with two verbs, [`Objects::ask`] (for an answer) and [`Objects::tell`] (for none),
//! typed by the object: a sale's [`Coordinator`] (every kind of command it takes is a type that
//! names its path: [`coordinator`]), its arrival [`Shard`]s, the sale [`Registry`] and the
//! [`monitor::Monitor`] (with what it is told and answers); what an object is told is a [`Call`]
//! to it, and the test-only doors are in [`testing`].
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

mod answer;
mod call_error;
mod coordinator;
pub mod monitor;
mod registry;
mod shard;
mod testing;

pub use answer::{Answer, Bare, Refusable, Socket, Wire};
pub use call_error::CallError;
pub use coordinator::{Coordinator, CoordinatorCall, FanSocket, SOCKET_PATH};
pub use registry::{
    may_protect, ProtectedSale, ProtectedSites, Registry, RegistryCommand, RegistryFault,
    RegistryFaultReport, MAX_PROTECTED,
};
pub use shard::{shard_name, Shard};
pub use testing::{ClockPoke, ClockPoked, Fault, FaultReport, CLOCK_URL, MAX_FAULT_DELAY_MS};

use crate::error::ApiError;
use crate::outgoing;
use futures::future::LocalBoxFuture;
use serde::de::IgnoredAny;
use serde::Serialize;
use std::cell::Cell;
use waitroom_core::machines::protocol::{ProtocolVersion, Reply, PROTOCOL_HEADER};
use waitroom_core::{QueueError, SaleId, UnixMillis};
use worker::{Env, Headers, Method, Request, Response};

pub const COORDINATOR_BINDING: &str = "COORDINATOR";
pub const REGISTRY_BINDING: &str = "REGISTRY";
pub const SHARDS_BINDING: &str = "SHARDS";
/// The host every object request is addressed to (an object ignores it).
const OBJECT_ORIGIN: &str = "https://do.internal";
/// Where an object takes its protocol's commands.
const OBJECT_PATH: &str = "/";

/// The URL of `path` on an object.
fn object_url(path: &str) -> String {
    format!("{OBJECT_ORIGIN}{path}")
}

/// A `method` request to `path` on an object with `body` as its JSON.
fn json_request(
    method: Method,
    path: &str,
    body: &impl Serialize,
    headers: &Headers,
) -> Result<Request, CallError> {
    let body = serde_json::to_string(body).map_err(|e| CallError::Transport(e.to_string()))?;
    Ok(outgoing::request(
        method,
        &object_url(path),
        headers,
        Some(&body),
    )?)
}

/// Reads `resp` as the answer `T` to `command`, as its [`Call::Wire`] writes it.
fn read_answer<O: Object, C: Call<O>, T: Answer>(
    _command: &C,
    resp: Response,
) -> impl std::future::Future<Output = Result<Result<T, QueueError>, String>> {
    T::read::<C::Wire>(resp)
}

/// An object as its callers address it: its class's binding and its name.
pub trait Object {
    const BINDING: &'static str;
    /// Its name in [`Self::BINDING`].
    fn name(&self) -> String;
}

/// Something an object `O` is told (`Self`): how a request carries it, how it is answered, and
/// the sale it is about.
pub trait Call<O: Object> {
    /// How its JSON answers are written: the protocol's `Result` ([`Refusable`]) or the answer
    /// alone ([`Bare`]).
    type Wire: Wire;
    /// The sale it is about, if it may reach `to` only once the sale was created (checked for a
    /// client's request: [`Objects::for_request`]).
    fn registered_sale<'o>(&self, _to: &'o O) -> Option<&'o SaleId> {
        None
    }
    /// The request carrying it to `to`.
    fn request(&self, to: &O, headers: &Headers) -> Result<Request, CallError>;
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
        command: &impl Call<O>,
    ) -> Result<T, CallError> {
        let resp = self.send(to, command, T::STATUS).await?;
        match read_answer(command, resp).await {
            Ok(answer) => answer.map_err(CallError::Refused),
            Err(error) => Err(CallError::Malformed {
                binding: O::BINDING,
                error,
            }),
        }
    }

    /// The one way every request to an object goes: the sale checked, the protocol's version
    /// on, counted, and an answer with any status but `status` an error.
    async fn send<O: Object, C: Call<O>>(
        &self,
        to: &O,
        command: &C,
        status: u16,
    ) -> Result<Response, CallError> {
        let headers = Headers::new();
        headers.set(PROTOCOL_HEADER, &ProtocolVersion::CURRENT.header_value())?;
        let request = command.request(to, &headers)?;
        let sale = command.registered_sale(to);
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
    pub async fn tell<O: Object>(&self, to: &O, command: &impl Call<O>) -> Result<(), CallError> {
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

/// A reply of the wrong kind: the two sides of the protocol disagree.
pub fn unexpected(reply: Reply) -> ApiError {
    ApiError::Internal(format!(
        "unexpected coordinator reply: {}",
        reply.tag_name()
    ))
}
