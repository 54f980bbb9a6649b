//! What every request handler gets besides the request: the environment, the Durable Objects
//! (counted), the clock read once, and the request's origin and id. A module of its own, so the
//! modules the routes call (the door, the place's cost, invitations, Turnstile, edge numbering)
//! take it without depending on the routes.

use crate::config::{self, Config};
use crate::error::ApiError;
use crate::objects::Objects;
use std::rc::Rc;
use waitroom_core::{SaleId, UnixMillis};
use worker::Env;

/// What every handler gets besides the request.
pub struct Ctx {
    pub env: Env,
    /// The Durable Objects, through a handle that counts this request's calls.
    pub objects: Objects,
    pub now: UnixMillis,
    /// `scheme://host[:port]` of this request, for cache keys and links.
    pub origin: String,
    /// The request's id (its `cf-ray`, or a random one): in the log line of every 500 and in its
    /// body.
    pub request_id: String,
    /// Whether the test fault switch exists for this request (docs/api.md, "Testing").
    pub faults_allowed: bool,
    /// The fetch event's context, for work after the answer (`waitUntil`); none in callers
    /// without one.
    pub background: Option<Rc<worker::Context>>,
    /// The language of the fan's pages (`?lang=`, its cookie, `Accept-Language`; src/i18n.rs).
    pub lang: crate::i18n::Chosen,
}

impl Ctx {
    pub fn config(&self) -> Result<Rc<Config>, ApiError> {
        Ok(config::load(&self.env)?)
    }

    /// Refuses a sale that was never created, without reaching its objects (every command to
    /// a sale's objects is checked the same way: [`Objects::require_sale`]).
    pub async fn require_sale(&self, sale: &SaleId) -> Result<(), ApiError> {
        Ok(self.objects.require_sale(sale).await?)
    }
}
