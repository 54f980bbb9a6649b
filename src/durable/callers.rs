//! The coordinator's table of places waiting to be called back by Web Push (one row per place,
//! its subscriptions as JSON; see `waitroom_core::queue::Caller`): written with the change that
//! made it, read back at load, a row dropped once the place's turn was pushed.

use super::schema::Step;
use waitroom_core::queue::Caller;
use waitroom_core::Seq;
use worker::{SqlStorage, SqlStorageValue};

/// The table (coordinator migration 8).
pub const CREATE: Step =
    Step::Sql("CREATE TABLE IF NOT EXISTS callers (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");

/// Writes fan `seq`'s place as it stands (`None`: no longer called).
pub(super) fn put(sql: &SqlStorage, seq: Seq, caller: Option<&Caller>) -> worker::Result<()> {
    let seq = SqlStorageValue::Integer(seq as i64);
    match caller {
        Some(caller) => {
            let body = serde_json::to_string(caller)
                .map_err(|e| worker::Error::RustError(e.to_string()))?;
            sql.exec(
                "INSERT OR REPLACE INTO callers (seq, body) VALUES (?, ?)",
                vec![seq, SqlStorageValue::String(body)],
            )?;
        }
        None => {
            sql.exec("DELETE FROM callers WHERE seq = ?", vec![seq])?;
        }
    }
    Ok(())
}

/// The query that reads them all back (at most `MAX_CALLED_PLACES` rows).
pub(super) const SELECT: &str = "SELECT seq, body FROM callers";
