//! The edge's side of the conversation with a sale's coordinator and with the sale registry.

use crate::error::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use waitroom_core::protocol::{Answer, Command, Reply, ShardCommand, ShardJoined};
use waitroom_core::{QueueError, SaleId};
use worker::{Env, Method, Request, RequestInit};

pub const COORDINATOR_BINDING: &str = "COORDINATOR";
pub const REGISTRY_BINDING: &str = "REGISTRY";
pub const SHARDS_BINDING: &str = "SHARDS";
/// The registry is one object: sales are created rarely, by promoters.
const REGISTRY_NAME: &str = "sales";

async fn post<B: Serialize, T: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    body: &B,
) -> Result<T, ApiError> {
    let stub = env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?;
    let body = serde_json::to_string(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init("https://do.internal/", &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    if resp.status_code() != 200 {
        let text = resp.text().await.unwrap_or_default();
        return Err(ApiError::Internal(format!(
            "{binding} answered {}: {text}",
            resp.status_code()
        )));
    }
    resp.json()
        .await
        .map_err(|e| ApiError::Internal(format!("{binding} answered badly: {e}")))
}

/// Sends `command` to the coordinator of `sale`; its refusals come back as [`ApiError::Queue`].
pub async fn ask(env: &Env, sale: &SaleId, command: &Command) -> Result<Reply, ApiError> {
    let answer: Answer = post(env, COORDINATOR_BINDING, sale.as_str(), command).await?;
    answer.map_err(ApiError::Queue)
}

/// Numbers a new fan at arrival shard `shard` of `sale`.
pub async fn join_at_shard(env: &Env, sale: &SaleId, shard: u32) -> Result<ShardJoined, ApiError> {
    let command = ShardCommand::Join {
        sale: sale.clone(),
        shard,
    };
    let answer: Result<ShardJoined, QueueError> =
        post(env, SHARDS_BINDING, &format!("{sale}#{shard}"), &command).await?;
    answer.map_err(ApiError::Queue)
}

/// The registry's commands.
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RegistryCommand {
    Add { id: SaleId },
    List,
}

pub async fn register(env: &Env, id: &SaleId) -> Result<(), ApiError> {
    let _: Vec<SaleId> = post(
        env,
        REGISTRY_BINDING,
        REGISTRY_NAME,
        &RegistryCommand::Add { id: id.clone() },
    )
    .await?;
    Ok(())
}

pub async fn list_sales(env: &Env) -> Result<Vec<SaleId>, ApiError> {
    post(env, REGISTRY_BINDING, REGISTRY_NAME, &RegistryCommand::List).await
}

/// A reply of the wrong kind: the two sides of the protocol disagree.
pub fn unexpected(reply: Reply) -> ApiError {
    ApiError::Internal(format!("unexpected coordinator reply: {reply:?}"))
}
