//! The sale registry Durable Object: the list of sales, for `GET /api/admin/sales`, and whether a
//! sale exists, so the edge answers 404 for unknown ids without reaching (and creating) an object.

use super::schema::{self, Migration, Step};
use crate::clock;
use crate::objects::{refuse_unanswered_protocol, RegistryCommand};
use serde::Deserialize;
use std::cell::Cell;
use waitroom_core::SaleId;
use worker::{Env, Request, Response, Result, SqlStorageValue, State};

/// Most sales listed at once.
const LIST_LIMIT: i64 = 500;

pub struct SaleRegistryObject {
    state: State,
    /// Whether storage was brought to the latest schema version since the object started.
    migrated: Cell<bool>,
}

/// The registry's schema versions (see [`schema`]).
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    what: "the list of sales",
    steps: &[Step::Sql(
        "CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)",
    )],
}];

#[derive(Deserialize)]
struct Row {
    id: String,
}

impl SaleRegistryObject {
    fn run(&self, command: RegistryCommand) -> Result<Vec<SaleId>> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql, "registry", MIGRATIONS)?;
            self.migrated.set(true);
        }
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
            RegistryCommand::Exists { id } => Ok(sql
                .exec(
                    "SELECT id FROM sales WHERE id = ?",
                    vec![SqlStorageValue::String(id.to_string())],
                )?
                .to_array::<Row>()?
                .into_iter()
                .filter_map(|row| SaleId::parse(&row.id).ok())
                .collect()),
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

/// What the runtime calls: the full worker's class of the same name hands every event here.
impl SaleRegistryObject {
    pub fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            migrated: Cell::new(false),
        }
    }

    pub async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(refused) = refuse_unanswered_protocol(&req) {
            return refused;
        }
        match req.json::<RegistryCommand>().await {
            Ok(command) => Response::from_json(&self.run(command)?),
            Err(e) => Response::error(format!("not a registry command: {e}"), 400),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_well_formed() {
        super::schema::assert_well_formed(super::MIGRATIONS);
    }
}
