//! Numbered, forward-only schema versions for a Durable Object's SQLite storage.
//!
//! Each object class lists its [`Migration`]s, versions 1, 2, 3... in order. On first use an
//! object reads the version its storage is at (the `schema_version` table; none yet is version 0),
//! runs every later migration's steps in order and records the new version, all in the request's
//! implicit transaction: all or nothing.
//!
//! Rules for a new migration (see docs/operations.md):
//! - append it with the next number; never edit or reorder one that was released;
//! - additive only (new tables, new nullable or defaulted columns, indexes, backfills), because
//!   a gradual deploy runs the previous release on the same storage, and a rollback runs it on
//!   the migrated storage: the previous code must keep working on it.
//!
//! Storage written before versioning existed has no recorded version: it is version 0 and replays
//! every step, so the steps of the versions that describe that unversioned schema are idempotent
//! (`CREATE ... IF NOT EXISTS`, [`Step::AddColumn`] only when the column is missing).

use serde::Deserialize;
use worker::{Result, SqlStorage, SqlStorageValue};

/// One change to the schema.
#[derive(Debug)]
pub enum Step {
    /// A statement run as is.
    Sql(&'static str),
    /// `ALTER TABLE table ADD COLUMN column`, skipped when the table has the column already
    /// (SQLite has no `ADD COLUMN IF NOT EXISTS`). `column` is the column's definition.
    AddColumn {
        table: &'static str,
        column: &'static str,
    },
}

/// The steps that take storage from `version - 1` to `version`.
#[derive(Debug)]
pub struct Migration {
    pub version: u32,
    /// What it changes, for the log.
    pub what: &'static str,
    pub steps: &'static [Step],
}

const VERSION_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";

#[derive(Deserialize)]
struct VersionRow {
    version: i64,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

/// The newest version of `migrations`.
pub fn latest(migrations: &[Migration]) -> u32 {
    migrations.last().map_or(0, |m| m.version)
}

/// The migrations storage at `current` still needs, in order.
pub fn pending(current: u32, migrations: &[Migration]) -> &[Migration] {
    let first = migrations.partition_point(|m| m.version <= current);
    &migrations[first..]
}

/// Brings `sql` to the latest version of `migrations`; returns the version it is at. Storage at
/// a newer version than this code knows (a rollback) is used as it is: migrations are additive.
pub fn migrate(sql: &SqlStorage, object: &str, migrations: &[Migration]) -> Result<u32> {
    sql.exec(VERSION_TABLE, None)?;
    let current = sql
        .exec("SELECT version FROM schema_version", None)?
        .to_array::<VersionRow>()?
        .first()
        .map_or(0, |row| row.version.max(0) as u32);
    let latest = latest(migrations);
    if current > latest {
        worker::console_warn!(
            "{object} storage is at schema version {current}, newer than this code's {latest} (a rollback?): used as it is"
        );
        return Ok(current);
    }
    for migration in pending(current, migrations) {
        for step in migration.steps {
            run(sql, step)?;
        }
        sql.exec(
            "INSERT OR REPLACE INTO schema_version (id, version) VALUES (1, ?)",
            vec![SqlStorageValue::Integer(i64::from(migration.version))],
        )?;
        worker::console_log!(
            "{object} storage migrated to schema version {}: {}",
            migration.version,
            migration.what
        );
    }
    Ok(latest)
}

fn run(sql: &SqlStorage, step: &Step) -> Result<()> {
    match step {
        Step::Sql(statement) => {
            sql.exec(statement, None)?;
        }
        Step::AddColumn { table, column } => {
            let name = column.split_whitespace().next().unwrap_or_default();
            let present =
                sql.exec(
                    &format!(
                        "SELECT COUNT(*) AS n FROM pragma_table_info('{table}') WHERE name = ?"
                    ),
                    vec![SqlStorageValue::String(name.to_owned())],
                )?
                .one::<Count>()?
                .n > 0;
            if !present {
                sql.exec(&format!("ALTER TABLE {table} ADD COLUMN {column}"), None)?;
            }
        }
    }
    Ok(())
}

/// Checks a class's migration list: versions from 1 up, in order, each with steps. The lead
/// numbers migrations ahead for branches worked on at once, so a branch may hold a later number
/// before the ones between it are merged (`pending` runs whatever is newer than storage); on
/// main the list counts up 1, 2, 3... without a hole.
#[cfg(test)]
pub fn assert_well_formed(migrations: &[Migration]) {
    assert!(!migrations.is_empty());
    assert_eq!(migrations[0].version, 1, "versions count up from 1");
    for pair in migrations.windows(2) {
        assert!(pair[0].version < pair[1].version, "in order: {pair:?}");
    }
    for m in migrations {
        assert!(!m.steps.is_empty(), "{m:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &[Migration] = &[
        Migration {
            version: 1,
            what: "one",
            steps: &[Step::Sql("CREATE TABLE a (x)")],
        },
        Migration {
            version: 2,
            what: "two",
            steps: &[Step::AddColumn {
                table: "a",
                column: "y TEXT",
            }],
        },
        Migration {
            version: 3,
            what: "three",
            steps: &[Step::Sql("CREATE INDEX a_y ON a (y)")],
        },
    ];

    #[test]
    fn pending_is_every_later_version_in_order() {
        assert_well_formed(LIST);
        let versions = |current| {
            pending(current, LIST)
                .iter()
                .map(|m| m.version)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            versions(0),
            vec![1, 2, 3],
            "unversioned storage replays all"
        );
        assert_eq!(versions(2), vec![3]);
        assert_eq!(versions(3), Vec::<u32>::new(), "up to date");
        assert_eq!(versions(7), Vec::<u32>::new(), "newer storage: nothing");
        assert_eq!(latest(LIST), 3);
    }
}
