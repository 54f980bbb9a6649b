//! The gate worker (wrangler.gate.toml): a protected site's requests (path protection, docs/api.md
//! "Path protection"). It guards them: the session cookie, the path read every way a fan may spell
//! it, the bypass rules, the pass-through to the sale's origin, the door to the sale's waiting
//! page and the fail mode. It serves the fan's routes like the edge worker (the waiting page it
//! shows polls and joins on the protected host) and hands the routes on no fan's path to the full
//! worker. Like the edge, it has no Durable Object class, no cron and no queue consumer: it
//! reaches the full worker's objects through bindings with `script_name`.
//!
//! Its own Worker, so the edge worker's module (the one every data centre starts at the opening
//! second, bounded at 300 KB gzipped) links none of path protection's code: a protected site's
//! routes are bound to this worker (docs/operations.md, "Three Workers"), and locally the edge
//! hands it a request on a protected host through its service binding `GATE`.

use waitroom::routes::{self, backstage::Gate};
use worker::{event, Context, Env, Request, Response, Result};

#[event(start)]
fn start() {
    waitroom::start();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env, ctx, &Gate).await)
}
