//! The sale registry Durable Object: the list of sales, for `GET /api/admin/sales`.

use crate::clock;
use crate::coordinator_client::RegistryCommand;
use serde::Deserialize;
use waitroom_core::SaleId;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorageValue, State,
};

/// Most sales listed at once.
const LIST_LIMIT: i64 = 500;

#[durable_object]
pub struct SaleRegistry {
    state: State,
}

#[derive(Deserialize)]
struct Row {
    id: String,
}

impl SaleRegistry {
    fn run(&self, command: RegistryCommand) -> Result<Vec<SaleId>> {
        let sql = self.state.storage().sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)",
            None,
        )?;
        match command {
            RegistryCommand::Add { id } => {
                sql.exec(
                    "INSERT OR IGNORE INTO sales (id, created_at) VALUES (?, ?)",
                    vec![
                        SqlStorageValue::String(id.to_string()),
                        SqlStorageValue::Integer(clock::now().0 as i64),
                    ],
                )?;
                Ok(vec![id])
            }
            RegistryCommand::List => Ok(sql
                .exec(
                    "SELECT id FROM sales ORDER BY created_at DESC LIMIT ?",
                    vec![SqlStorageValue::Integer(LIST_LIMIT)],
                )?
                .to_array::<Row>()?
                .into_iter()
                .filter_map(|row| SaleId::parse(&row.id).ok())
                .collect()),
        }
    }
}

impl DurableObject for SaleRegistry {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        match req.json::<RegistryCommand>().await {
            Ok(command) => Response::from_json(&self.run(command)?),
            Err(e) => Response::error(format!("not a registry command: {e}"), 400),
        }
    }
}
