//! The arrival shard's lent sub-blocks in its SQLite table `lent`, one row each: the I/O the
//! core's rule asks for ([`LentRow`], `waitroom_core::machines::shard`). The shard's state row
//! no longer holds them, so it stays small however many isolates lend from the shard, and a
//! lease writes it and one row of its own.

use serde::Deserialize;
use waitroom_core::machines::edge_block::Lent;
use waitroom_core::machines::shard::LentRow;
use waitroom_core::{Seq, UnixMillis};
use worker::{Result, SqlStorage, SqlStorageValue};

/// Shard schema version 3 (see `MIGRATIONS` in the shard's module): keyed by block then start,
/// without a row id, so a closed block's rows are one range of the key and no second index is
/// written with each row.
pub(super) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS lent (block INTEGER NOT NULL, start INTEGER NOT NULL, len INTEGER NOT NULL, until_ms INTEGER NOT NULL, reported INTEGER, PRIMARY KEY (block, start)) WITHOUT ROWID";

#[derive(Deserialize)]
struct Row {
    start: i64,
    block: i64,
    len: i64,
    until_ms: i64,
    reported: Option<i64>,
}

impl Row {
    fn read(self) -> Option<(Seq, Lent)> {
        let n = |v: i64| u64::try_from(v).ok();
        Some((
            n(self.block)?,
            Lent {
                start: n(self.start)?,
                len: n(self.len)?,
                until: UnixMillis(n(self.until_ms)?),
                reported: match self.reported {
                    Some(used) => Some(n(used)?),
                    None => None,
                },
            },
        ))
    }
}

/// Every stored sub-block, `(block, sub-block)`, in order. A row that cannot be read is skipped
/// (logged): its sub-block then reads as fully used, as one never reported does.
pub(super) fn read(sql: &SqlStorage) -> Result<Vec<(Seq, Lent)>> {
    let rows = sql
        .exec(
            "SELECT start, block, len, until_ms, reported FROM lent ORDER BY block, start",
            None,
        )?
        .to_array::<Row>()?;
    let count = rows.len();
    let read: Vec<(Seq, Lent)> = rows.into_iter().filter_map(Row::read).collect();
    if read.len() < count {
        worker::console_error!(
            "skipped {} unreadable stored records: table lent",
            count - read.len()
        );
    }
    Ok(read)
}

fn integer(v: u64) -> Result<SqlStorageValue> {
    i64::try_from(v)
        .map(SqlStorageValue::Integer)
        .map_err(|e| worker::Error::RustError(e.to_string()))
}

/// Applies the core's changes, in order, in the step that writes the shard's state row.
pub(super) fn apply(sql: &SqlStorage, rows: Vec<LentRow>) -> Result<()> {
    for row in rows {
        match row {
            LentRow::Put { block, lent } => {
                let reported = match lent.reported {
                    Some(used) => integer(used)?,
                    None => SqlStorageValue::Null,
                };
                sql.exec(
                    "INSERT OR REPLACE INTO lent (block, start, len, until_ms, reported) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        integer(block)?,
                        integer(lent.start)?,
                        integer(lent.len)?,
                        integer(lent.until.0)?,
                        reported,
                    ],
                )?;
            }
            LentRow::DeleteBlock(block) => {
                sql.exec("DELETE FROM lent WHERE block = ?", vec![integer(block)?])?;
            }
        }
    }
    Ok(())
}
