//! The waitroom Worker: thin adapters between HTTP, Durable Object storage and the pure rules in
//! `waitroom-core`.
//!
//! - [`routes`] maps each path of the HTTP contract (docs/api.md) to a handler.
//! - [`durable`] holds the Durable Objects: a [`durable::SaleCoordinator`] per sale and the
//!   [`durable::SaleRegistry`] that lists sales.
//! - [`pages`] are the fan pages, askama templates from `templates/` compiled into the worker;
//!   [`response`] builds every answer and gives it the security headers.
//! - [`snapshot_cache`] answers polls from a snapshot cached for about a second, in isolate memory
//!   and in the Cache API, so a waiting crowd never reaches the coordinator.

pub mod clock;
pub mod config;
pub mod coordinator_client;
pub mod durable;
pub mod error;
pub mod http;
pub mod known_sales;
pub mod lru;
pub mod outcome_cache;
pub mod pages;
pub mod presence;
pub mod random;
pub mod request_log;
pub mod response;
pub mod routes;
pub mod snapshot_cache;
pub mod test_faults;

use worker::{event, Context, Env, Request, Response, Result};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env).await)
}
