//! The sale registry Durable Object: the list of sales, for `GET /api/admin/sales`, and the whole
//! versioned list the edge keeps ([`SaleCatalog`], `edge_cache::known_sales`), so the edge answers
//! unknown ids without reaching (and creating) an object. The list is read from storage once per
//! start and kept in memory: the edge's refreshes (about one per data centre per 5 s) read no row.
//!
//! It also keeps every sale's path protection (docs/api.md, "Path protection"): the whole specs
//! for the gate worker ([`ProtectedSites`], `edge_cache::protected_sites`), and, in the catalog,
//! only the protected host patterns, which is all the edge needs to hand a request to the gate.

use super::schema::{self, Migration, Step};
use crate::clock;
use crate::edge_cache::known_sales::SaleCatalog;
use crate::objects::{
    may_protect, refuse_unanswered_protocol, ProtectedSale, ProtectedSites, RegistryCommand,
    RegistryFault, RegistryFaultReport, MAX_PROTECTED,
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
    /// `command`'s answer, as JSON.
    fn run(&self, command: RegistryCommand) -> Result<Response> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql, "registry", MIGRATIONS)?;
            self.migrated.set(true);
        }
        match command {
            RegistryCommand::Catalog => Response::from_json(&self.catalog(&sql)?),
            RegistryCommand::Protected => Response::from_json(&protected(&sql)?),
            other => Response::from_json(&self.ids(&sql, other)?),
        }
    }

    /// Every sale, and the host patterns of the protected ones: read from storage at the first
    /// call, kept in memory after (a protection's change reads it again).
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
        let protected = protected(sql)?;
        let hosts = protected
            .sales
            .iter()
            .flat_map(|s| s.protect.hosts.iter().cloned())
            .collect();
        let catalog = SaleCatalog::new(ids).with_protected_hosts(protected.version, hosts);
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
            RegistryCommand::Protect { id, spec } => {
                let key = SqlStorageValue::String(id.to_string());
                match spec {
                    // Past the bound (two PUTs raced for the last place: the promoter's route
                    // checks it first, [`may_protect`]): nothing changes, and the answer is `[]`.
                    Some(_) if !may_protect(&id, &protected_ids(sql)?) => return Ok(vec![]),
                    Some(spec) => {
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
                // The catalog's protected hosts (and version) are read again at the next ask.
                *self.catalog.borrow_mut() = None;
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
            RegistryCommand::Catalog
            | RegistryCommand::Protected
            | RegistryCommand::TestFault(_) => {
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

/// The ids of the protected sales (every one, however many: the bound is checked against them).
fn protected_ids(sql: &worker::SqlStorage) -> Result<Vec<SaleId>> {
    Ok(sql
        .exec("SELECT id FROM protected", None)?
        .to_array::<Row>()?
        .into_iter()
        .filter_map(|row| SaleId::parse(&row.id).ok())
        .collect())
}

/// The protected sales (at most [`MAX_PROTECTED`]), with the list's version (its changes).
fn protected(sql: &worker::SqlStorage) -> Result<ProtectedSites> {
    let version = sql
        .exec("SELECT version FROM protected_version WHERE one = 1", None)?
        .to_array::<VersionRow>()?
        .first()
        .map_or(0, |r| r.version as u64);
    let sales = sql
        .exec(
            "SELECT id, spec FROM protected ORDER BY id LIMIT ?",
            vec![SqlStorageValue::Integer(MAX_PROTECTED as i64)],
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
