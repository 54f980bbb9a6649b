//! The waitroom Worker: thin adapters between HTTP, Durable Object storage and the pure rules in
//! `waitroom-core`.
//!
//! - [`routes`] maps each path of the HTTP contract (docs/api.md) to a handler.
//! - [`durable`] holds the Durable Objects: a [`durable::SaleCoordinatorObject`] per sale and the
//!   [`durable::SaleRegistryObject`] that lists sales.
//! - [`pages`] are the fan pages, askama templates from `templates/` compiled into the worker;
//!   [`response`] builds every answer and gives it the security headers.
//! - [`edge_cache`] answers polls from a snapshot cached for about a second, in isolate memory
//!   and in the Cache API, so a waiting crowd never reaches the coordinator (and keeps which
//!   sales exist and what fans whose turn came found, the same way).
//! - [`scheduled`] is the synthetic fan the Cron Trigger runs every minute, kept and judged by the
//!   [`durable::MonitorObject`].
//! - [`events`] puts what happens to a sale on the `EVENTS` queue; [`queue`] delivers each as a
//!   signed webhook.
//!
//! The library of both Workers, each a thin crate over it that says what it serves
//! (docs/architecture.md): `workers/full` (the Durable Object classes over [`durable`], the cron
//! over [`scheduled`], the queue consumer over [`queue`] and every route, with
//! [`routes::backstage::Serve`]) and `workers/edge` (the routes, handing those on no fan's path
//! to the full worker with [`routes::backstage::HandOver`]).

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
pub mod i18n;
pub mod invitations;
pub mod lru;
pub mod objects;
pub mod outgoing;
pub mod pages;
pub mod pass_through;
pub mod place_cost;
pub mod presence;
pub mod queue;
pub mod random;
pub mod refusals;
pub mod request_log;
pub mod response;
pub mod routes;
pub mod scheduled;
pub mod session_tally;
pub mod test_faults;
pub mod turn;
pub mod turnstile;
pub mod web_push;
pub mod webcrypto;

/// What each Worker does when its module starts: panics logged with their message, and (tests
/// only) a module reinitialized after a fatal error keeps the test clock's offset.
pub fn start() {
    console_error_panic_hook::set_once();
    clock::restore_offset();
}
