//! The edge worker (wrangler.edge.toml): the fan's routes, in every data centre, at the opening
//! second. It serves the sale page, joins, polls, challenges, the draw and the fan's socket, and
//! hands the routes on no fan's path (the promoter's, the origin's, the JWKS) to the full worker
//! through its service binding. It has no Durable Object class, no cron and no queue consumer: it
//! reaches the full worker's objects through bindings with `script_name`.

use waitroom::routes::{self, backstage::HandOver};
use worker::{event, Context, Env, Request, Response, Result};

#[event(start)]
fn start() {
    waitroom::start();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env, ctx, &HandOver).await)
}
