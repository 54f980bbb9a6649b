//! The sale registry Durable Object: the list of sales, for `GET /api/admin/sales`, and the whole
//! versioned list the edge keeps ([`SaleCatalog`], `edge_cache::known_sales`), so the edge answers
//! unknown ids without reaching (and creating) an object. The list is read from storage once per
//! start and kept in memory: the edge's refreshes (about one per data centre per 5 s) read no row.

use super::schema::{self, Migration, Step};
use crate::clock;
use crate::edge_cache::known_sales::SaleCatalog;
use crate::objects::{
    refuse_unanswered_protocol, RegistryCommand, RegistryFault, RegistryFaultReport,
};
use crate::test_faults;
use serde::Deserialize;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use waitroom_core::SaleId;
use worker::{Env, Request, Response, Result, SqlStorageValue, State};

/// Most sales listed at once.
const LIST_LIMIT: i64 = 500;

pub struct SaleRegistryObject {
    state: State,
    /// Whether storage was brought to the latest schema version since the object started.
    migrated: Cell<bool>,
    /// Every sale, once read (kept up to date by `Add`).
    catalog: RefCell<Option<SaleCatalog>>,
    /// Tests only: the switch, and the commands asked since the object started, by kind.
    fault: Cell<RegistryFault>,
    calls: RefCell<BTreeMap<String, u64>>,
    faults_allowed: bool,
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
    /// `command`'s answer, as JSON.
    fn run(&self, command: RegistryCommand) -> Result<Response> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql, "registry", MIGRATIONS)?;
            self.migrated.set(true);
        }
        match command {
            RegistryCommand::Catalog => Response::from_json(&self.catalog(&sql)?),
            other => Response::from_json(&self.ids(&sql, other)?),
        }
    }

    /// Every sale: read from storage at the first call, kept in memory after.
    fn catalog(&self, sql: &worker::SqlStorage) -> Result<SaleCatalog> {
        if let Some(catalog) = self.catalog.borrow().as_ref() {
            return Ok(catalog.clone());
        }
        let ids = sql
            .exec("SELECT id FROM sales", None)?
            .to_array::<Row>()?
            .into_iter()
            .filter_map(|row| SaleId::parse(&row.id).ok())
            .collect();
        let catalog = SaleCatalog::new(ids);
        *self.catalog.borrow_mut() = Some(catalog.clone());
        Ok(catalog)
    }

    fn ids(&self, sql: &worker::SqlStorage, command: RegistryCommand) -> Result<Vec<SaleId>> {
        match command {
            RegistryCommand::Add { id } => {
                sql.exec(
                    "INSERT OR IGNORE INTO sales (id, created_at) VALUES (?, ?)",
                    vec![
                        SqlStorageValue::String(id.to_string()),
                        SqlStorageValue::Integer(clock::now().0 as i64),
                    ],
                )?;
                if let Some(catalog) = self.catalog.borrow_mut().as_mut() {
                    catalog.add(id.clone());
                }
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
            RegistryCommand::Catalog | RegistryCommand::TestFault(_) => {
                Err(worker::Error::RustError("not a list command".into()))
            }
        }
    }

    /// The test switch: set (only where test faults are allowed), and what was asked so far.
    fn switch(&self, fault: RegistryFault) -> Result<Response> {
        if !self.faults_allowed {
            return Response::error("no test faults here", 404);
        }
        self.fault.set(fault);
        Response::from_json(&RegistryFaultReport {
            fail: fault.fail,
            calls_by_kind: self.calls.borrow().clone(),
        })
    }
}

/// What the runtime calls: the full worker's class of the same name hands every event here.
impl SaleRegistryObject {
    pub fn new(state: State, env: Env) -> Self {
        Self {
            state,
            migrated: Cell::new(false),
            catalog: RefCell::new(None),
            fault: Cell::new(RegistryFault::default()),
            calls: RefCell::new(BTreeMap::new()),
            faults_allowed: test_faults::enabled(&env),
        }
    }

    pub async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(refused) = refuse_unanswered_protocol(&req) {
            return refused;
        }
        let command = match req.json::<RegistryCommand>().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a registry command: {e}"), 400),
        };
        if let RegistryCommand::TestFault(fault) = command {
            return self.switch(fault);
        }
        *self
            .calls
            .borrow_mut()
            .entry(command.kind().to_string())
            .or_default() += 1;
        if self.fault.get().fail {
            return Response::error("the registry's test fault", 500);
        }
        self.run(command)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_well_formed() {
        super::schema::assert_well_formed(super::MIGRATIONS);
    }
}
