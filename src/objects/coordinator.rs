//! A sale's coordinator as its callers reach it: one object, [`Coordinator`], asked every kind of
//! command it takes. Each kind is a type that names where on the object it is taken
//! ([`CoordinatorCall::PATH`], where the object dispatches it too) and how it is answered: the
//! line's [`Command`]s, the push route's [`PushCommand`]s, the party routes' [`PartyCommand`]s and
//! an origin's batches ([`FinishMany`]) (each at its own path, so the edge, which sends none of
//! them, compiles no writer for them), the
//! test doors ([`super::testing`]), and a fan's [`FanSocket`], the one kind that is no JSON.

use super::{
    json_request, Bare, Call, CallError, Object, Refusable, Wire, COORDINATOR_BINDING,
    OBJECT_ORIGIN,
};
use crate::outgoing;
use serde::Serialize;
use waitroom_core::fairness::rate_limit::ClientAddress;
use waitroom_core::machines::finish_many::FinishMany;
use waitroom_core::machines::protocol::{Command, PartyCommand};
use waitroom_core::machines::push_protocol::PushCommand;
use waitroom_core::{SaleId, Seq};
use worker::{Headers, Method, Request};

/// The coordinator of a sale: its line, asked any [`CoordinatorCall`] (and a [`FanSocket`]).
pub struct Coordinator<'a>(pub &'a SaleId);

impl Object for Coordinator<'_> {
    const BINDING: &'static str = COORDINATOR_BINDING;
    fn name(&self) -> String {
        self.0.to_string()
    }
}

/// A kind of command a coordinator takes as JSON: where, how, and how it is answered.
pub trait CoordinatorCall: Serialize {
    /// Where on the coordinator it is taken.
    const PATH: &'static str;
    /// How it is sent there.
    const METHOD: Method = Method::Post;
    /// How its answers are written.
    type Wire: Wire;
    /// Whether it may reach the coordinator only once the sale was created (checked for a
    /// client's request: [`super::Objects::for_request`]).
    fn needs_sale(&self) -> bool {
        true
    }
}

impl<C: CoordinatorCall> Call<Coordinator<'_>> for C {
    type Wire = C::Wire;
    fn registered_sale<'o>(&self, to: &'o Coordinator<'_>) -> Option<&'o SaleId> {
        self.needs_sale().then_some(to.0)
    }
    fn request(&self, _: &Coordinator<'_>, headers: &Headers) -> Result<Request, CallError> {
        json_request(C::METHOD, C::PATH, self, headers)
    }
}

/// The line's commands (what the edge sends).
impl CoordinatorCall for Command {
    const PATH: &'static str = "/";
    type Wire = Refusable;
    /// Every command but the upsert that creates the sale.
    fn needs_sale(&self) -> bool {
        !matches!(self, Command::Upsert { .. })
    }
}

/// The push route's commands (docs/api.md, "Called back"), which the edge never sends.
impl CoordinatorCall for PushCommand {
    const PATH: &'static str = "/push";
    type Wire = Refusable;
}

/// A party's commands (docs/api.md, "Come as a party"): only the full worker's party routes send
/// them.
impl CoordinatorCall for PartyCommand {
    const PATH: &'static str = "/party";
    type Wire = Refusable;
}

/// An origin's batch of completions or releases (docs/api.md, "Complete in batches"): only the
/// full worker's origin route sends it.
impl CoordinatorCall for FinishMany {
    const PATH: &'static str = "/finish-many";
    type Wire = Refusable;
}

/// Where a coordinator takes a fan's WebSocket (see [`FanSocket`]).
pub const SOCKET_PATH: &str = "/socket";

/// Fan `seq`'s WebSocket upgrade, handed to the coordinator of its sale (the edge checked the
/// fan's token and place first); the answer is the socket ([`super::Socket`]). No token travels:
/// the object knows the fan by number only, given as the query of a `GET` at [`SOCKET_PATH`].
pub struct FanSocket {
    pub seq: Seq,
    /// The hand the fan's token holds the place as (docs/api.md, "Move my place").
    pub hand: u8,
    /// The fan's address (an IP, a /64 or `unknown`), for the object's bound per address.
    pub from: ClientAddress,
}

impl Call<Coordinator<'_>> for FanSocket {
    type Wire = Bare;
    fn registered_sale<'o>(&self, to: &'o Coordinator<'_>) -> Option<&'o SaleId> {
        Some(to.0)
    }
    fn request(&self, _: &Coordinator<'_>, headers: &Headers) -> Result<Request, CallError> {
        headers.set("Upgrade", "websocket")?;
        let from: String =
            url::form_urlencoded::byte_serialize(self.from.to_string().as_bytes()).collect();
        let url = format!(
            "{OBJECT_ORIGIN}{SOCKET_PATH}?seq={}&hand={}&from={from}",
            self.seq, self.hand
        );
        Ok(outgoing::request(Method::Get, &url, headers, None)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::machines::protocol::PartyCommand;
    use waitroom_core::sale::SaleSettingsInput;
    use waitroom_core::SaleSettings;

    #[test]
    fn every_command_to_a_coordinator_but_the_sales_creation_needs_the_sale() {
        let sale = SaleId::parse("tour").unwrap();
        let coordinator = Coordinator(&sale);
        assert_eq!(Command::Report.registered_sale(&coordinator), Some(&sale));
        assert_eq!(Command::Snapshot.registered_sale(&coordinator), Some(&sale));
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
        assert_eq!(upsert.registered_sale(&coordinator), None);
        let socket = FanSocket {
            seq: 1,
            hand: 0,
            from: ClientAddress::Unknown,
        };
        assert_eq!(socket.registered_sale(&coordinator), Some(&sale));
    }

    #[test]
    fn each_kind_of_command_has_a_path_of_its_own() {
        let mut paths = [
            Command::PATH,
            PushCommand::PATH,
            PartyCommand::PATH,
            FinishMany::PATH,
            SOCKET_PATH,
            super::super::Fault::PATH,
            super::super::ClockPoke::PATH,
        ];
        paths.sort_unstable();
        let count = paths.len();
        let mut unique = paths.to_vec();
        unique.dedup();
        assert_eq!(unique.len(), count, "{paths:?}");
    }
}
