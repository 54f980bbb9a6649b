//! The full worker (wrangler.toml): every route (the promoter's, the origin's and the JWKS, which
//! the edge worker hands here, and the fan's, for a deployment without an edge worker), the
//! Durable Object classes, the synthetic fan's cron and the events queue's consumer. Each class
//! is the runtime's name for an object of the library's [`waitroom::durable`], and hands it every
//! event.

use waitroom::durable::{
    ArrivalShardObject, MonitorObject, SaleCoordinatorObject, SaleRegistryObject,
};
use waitroom::routes::{self, backstage::Serve};
use worker::{
    durable_object, event, Context, DurableObject, Env, MessageBatch, Request, Response, Result,
    ScheduleContext, ScheduledEvent, State, WebSocket, WebSocketIncomingMessage,
};

#[event(start)]
fn start() {
    waitroom::start();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env, ctx, &Serve).await)
}

/// The Cron Trigger: one synthetic fan through the canary sale (awaited, so `wrangler dev
/// --test-scheduled`'s `/__scheduled` answers once the run is recorded).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(e) = waitroom::scheduled::run(&env).await {
        worker::console_error!("monitor: the run could not be recorded: {e}");
    }
}

/// The events queue and its dead-letter queue.
#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, _ctx: Context) -> Result<()> {
    waitroom::queue::consume(batch, env).await;
    Ok(())
}

/// A sale's coordinator (binding `COORDINATOR`): its line, its sockets and its events.
#[durable_object]
pub struct SaleCoordinator {
    object: SaleCoordinatorObject,
}

impl DurableObject for SaleCoordinator {
    fn new(state: State, env: Env) -> Self {
        Self {
            object: SaleCoordinatorObject::new(state, env),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        self.object.fetch(req).await
    }

    async fn alarm(&self) -> Result<Response> {
        self.object.alarm().await
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        self.object.websocket_message(ws, message).await
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        reason: String,
        was_clean: bool,
    ) -> Result<()> {
        self.object
            .websocket_close(ws, code, reason, was_clean)
            .await
    }

    async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        self.object.websocket_error(ws, error).await
    }
}

/// One of a sale's arrival shards (binding `SHARDS`): numbers handed out beyond one object.
#[durable_object]
pub struct ArrivalShard {
    object: ArrivalShardObject,
}

impl DurableObject for ArrivalShard {
    fn new(state: State, env: Env) -> Self {
        Self {
            object: ArrivalShardObject::new(state, env),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        self.object.fetch(req).await
    }

    async fn alarm(&self) -> Result<Response> {
        self.object.alarm().await
    }
}

/// The list of sales (binding `REGISTRY`).
#[durable_object]
pub struct SaleRegistry {
    object: SaleRegistryObject,
}

impl DurableObject for SaleRegistry {
    fn new(state: State, env: Env) -> Self {
        Self {
            object: SaleRegistryObject::new(state, env),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        self.object.fetch(req).await
    }
}

/// The environment's monitor (binding `MONITOR`): the synthetic fan's runs and incidents.
#[durable_object]
pub struct Monitor {
    object: MonitorObject,
}

impl DurableObject for Monitor {
    fn new(state: State, env: Env) -> Self {
        Self {
            object: MonitorObject::new(state, env),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        self.object.fetch(req).await
    }
}
