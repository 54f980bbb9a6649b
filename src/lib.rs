//! The waitroom Worker: thin adapters between HTTP, Durable Object storage and the pure rules in
//! `waitroom-core`.
//!
//! - [`routes`] maps each path of the HTTP contract (docs/api.md) to a handler.
//! - [`durable`] holds the Durable Objects: a [`durable::SaleCoordinator`] per sale and the
//!   [`durable::SaleRegistry`] that lists sales.
//! - [`pages`] are the fan pages, askama templates from `templates/` compiled into the worker;
//!   [`response`] builds every answer and gives it the security headers.
//! - [`edge_cache`] answers polls from a snapshot cached for about a second, in isolate memory
//!   and in the Cache API, so a waiting crowd never reaches the coordinator (and keeps which
//!   sales exist and what fans whose turn came found, the same way).
//! - [`scheduled`] is the synthetic fan the Cron Trigger runs every minute, kept and judged by the
//!   [`durable::Monitor`] object.
//! - [`events`] puts what happens to a sale on the `EVENTS` queue; [`queue`] delivers each as a
//!   signed webhook.
//!
//! Built twice (docs/operations.md, "Two Workers"): the full worker (everything above), and with
//! the feature `edge` the edge worker that takes the routes, without the Durable Objects, the
//! cron ([`scheduled`]) or the queue consumer ([`queue`]).

pub mod clock;
pub mod config;
pub mod ctx;
pub mod door;
pub mod durable;
pub mod edge_cache;
pub mod edge_numbering;
pub mod error;
pub mod events;
pub mod fan_state;
pub mod http;
pub mod invitations;
pub mod lru;
pub mod objects;
pub mod outgoing;
pub mod pages;
pub mod place_cost;
pub mod presence;
#[cfg(not(feature = "edge"))]
pub mod queue;
pub mod random;
pub mod request_log;
pub mod response;
pub mod routes;
#[cfg(not(feature = "edge"))]
pub mod scheduled;
pub mod test_faults;
pub mod turn;
pub mod turnstile;
pub mod webcrypto;

use worker::{event, Context, Env, Request, Response, Result};
#[cfg(not(feature = "edge"))]
use worker::{MessageBatch, ScheduleContext, ScheduledEvent};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(routes::handle_in(req, env, Some(ctx)).await)
}

/// The Cron Trigger: one synthetic fan through the canary sale (awaited, so `wrangler dev
/// --test-scheduled`'s `/__scheduled` answers once the run is recorded). The full worker's only:
/// the edge worker has no cron.
#[cfg(not(feature = "edge"))]
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(e) = scheduled::run(&env).await {
        worker::console_error!("monitor: the run could not be recorded: {e}");
    }
}

/// The events queue and its dead-letter queue (consumed by the full worker only).
#[cfg(not(feature = "edge"))]
#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, _ctx: Context) -> Result<()> {
    queue::consume(batch, env).await;
    Ok(())
}
