//! A coordinator's events outbox: each event is written to its SQLite in the same turn as the
//! change that made it (so both are stored or neither: the runtime commits a turn's writes
//! together), then sent onto the events queue from there, oldest first, and forgotten only once
//! the queue took it. A `sendBatch` that fails loses nothing: the events wait for the next
//! request or the retry alarm ([`RETRY_MS`]). Delivery is at least once (an event the queue took
//! just before the object failed to forget it is sent again); receivers deduplicate by the event
//! id (docs/api.md, "Webhooks").

use super::schema::Step;
use crate::events;
use serde::Deserialize;
use waitroom_core::events::EventMessage;
use worker::{Env, Result, SqlStorage, SqlStorageValue};

/// The outbox table (a migration step of the coordinator's schema).
pub const CREATE: Step = Step::Sql(
    "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)",
);
/// Events left unsent are tried again this long after the failure, if no request comes first.
pub const RETRY_MS: u64 = 10_000;
/// Most batches one request or alarm sends: the rest wait for the next (and a retry alarm), so
/// an outbox that grew while the queue was down never holds one answer up for long.
const MAX_BATCHES: usize = 10;

#[derive(Deserialize)]
struct Row {
    id: i64,
    body: String,
}

/// Writes `events` to the outbox. Call it in the same turn (no `await` in between) as the writes
/// of the changes that made them.
pub fn put(sql: &SqlStorage, events: &[EventMessage]) -> Result<()> {
    for event in events {
        sql.exec(
            "INSERT INTO outbox (body) VALUES (?)",
            vec![SqlStorageValue::String(events::encode(event))],
        )?;
    }
    Ok(())
}

/// Sends what the outbox holds onto the events queue, oldest first, a batch at a time, and
/// forgets each batch the queue took. Returns whether events are left (the queue refused a
/// batch, storage failed, or there was more than this call sends): then call again later.
pub async fn flush(sql: &SqlStorage, env: &Env) -> bool {
    for _ in 0..MAX_BATCHES {
        let rows = match unsent(sql) {
            Ok(rows) => rows,
            Err(e) => {
                worker::console_error!("events: the outbox could not be read: {e}");
                return true;
            }
        };
        let Some(last) = rows.last().map(|row| row.id) else {
            return false;
        };
        let full = rows.len() == events::MAX_SEND_BATCH;
        let count = rows.len();
        if let Err(e) = events::send(env, rows.into_iter().map(|row| row.body).collect()).await {
            worker::console_error!(
                "events: {count} events could not be queued ({e}): kept, tried again"
            );
            return true;
        }
        if let Err(e) = sql.exec(
            "DELETE FROM outbox WHERE id <= ?",
            vec![SqlStorageValue::Integer(last)],
        ) {
            worker::console_error!("events: the outbox could not forget what was sent: {e}");
            return true;
        }
        if !full {
            return false;
        }
    }
    true
}

fn unsent(sql: &SqlStorage) -> Result<Vec<Row>> {
    sql.exec(
        "SELECT id, body FROM outbox ORDER BY id LIMIT ?",
        vec![SqlStorageValue::Integer(events::MAX_SEND_BATCH as i64)],
    )?
    .to_array::<Row>()
}
