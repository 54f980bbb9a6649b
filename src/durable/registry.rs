//! The sale registry Durable Object: the list of sales, for `GET /api/admin/sales`, and whether a
//! sale exists, so the edge answers 404 for unknown ids without reaching (and creating) an object.

use super::schema::{self, Migration, Step};
use crate::clock;
use crate::objects::{refuse_unanswered_protocol, ProtectedSale, ProtectedSites, RegistryCommand};
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
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        what: "the list of sales",
        steps: &[Step::Sql(
            "CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)",
        )],
    },
    Migration {
        version: 2,
        what: "the protected sales' path protection, and the list's version",
        steps: &[
            Step::Sql("CREATE TABLE IF NOT EXISTS protected (id TEXT PRIMARY KEY, spec TEXT NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS protected_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)"),
            Step::Sql("INSERT OR IGNORE INTO protected_version (one, version) VALUES (1, 0)"),
        ],
    },
];

/// Most protected sales the list holds (a `PUT` adding one more is refused by the registry's
/// answer, and the list stays bounded for every isolate that reads it).
pub const MAX_PROTECTED: i64 = 200;

#[derive(Deserialize)]
struct Row {
    id: String,
}

#[derive(Deserialize)]
struct SpecRow {
    id: String,
    spec: String,
}

#[derive(Deserialize)]
struct VersionRow {
    version: i64,
}

impl SaleRegistryObject {
    fn sql(&self) -> Result<worker::SqlStorage> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql, "registry", MIGRATIONS)?;
            self.migrated.set(true);
        }
        Ok(sql)
    }

    /// The protected sales, with the list's version.
    fn protected(&self) -> Result<ProtectedSites> {
        let sql = self.sql()?;
        let version = sql
            .exec("SELECT version FROM protected_version WHERE one = 1", None)?
            .to_array::<VersionRow>()?
            .first()
            .map_or(0, |r| r.version as u64);
        let sales = sql
            .exec(
                "SELECT id, spec FROM protected ORDER BY id LIMIT ?",
                vec![SqlStorageValue::Integer(MAX_PROTECTED)],
            )?
            .to_array::<SpecRow>()?
            .into_iter()
            .filter_map(|row| {
                Some(ProtectedSale {
                    id: SaleId::parse(&row.id).ok()?,
                    protect: serde_json::from_str(&row.spec).ok()?,
                })
            })
            .collect();
        Ok(ProtectedSites { version, sales })
    }

    fn run(&self, command: RegistryCommand) -> Result<Vec<SaleId>> {
        let sql = self.sql()?;
        match command {
            RegistryCommand::Protect { id, protect } => {
                let key = SqlStorageValue::String(id.to_string());
                match protect {
                    Some(protect) => {
                        let spec = serde_json::to_string(&protect)
                            .map_err(|e| worker::Error::RustError(e.to_string()))?;
                        sql.exec(
                            "INSERT INTO protected (id, spec) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET spec = excluded.spec",
                            vec![key, SqlStorageValue::String(spec)],
                        )?;
                    }
                    None => {
                        sql.exec("DELETE FROM protected WHERE id = ?", vec![key])?;
                    }
                }
                sql.exec(
                    "UPDATE protected_version SET version = version + 1 WHERE one = 1",
                    None,
                )?;
                Ok(vec![id])
            }
            RegistryCommand::Protected => Ok(Vec::new()),
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
            Ok(RegistryCommand::Protected) => Response::from_json(&self.protected()?),
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
