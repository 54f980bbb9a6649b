//! A coordinator's SQLite storage: the core's [`Change`] records written down, and read back.
//!
//! One stored record that does not decode never stops the sale: it is skipped, logged with its
//! table and key (never its body, which can hold the sale's secret salt), counted
//! ([`Store::take_bad_records`]), and reading goes on. Only the sale's own settings row and its
//! line counter are required: without them the sale is [`Loaded::Unavailable`].

use super::schema::{self, Migration, Step};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeMap;
use waitroom_core::events::EventMessage;
use waitroom_core::machines::sale_machine::{Need, Record};
use waitroom_core::queue::{
    BlockRecord, Change, DrawRecord, MinuteStats, PartyMember, PullRecord, Restored, WaitHistogram,
};
use waitroom_core::sale::Sale;
use waitroom_core::{Assignment, AssignmentState, FanId, Position, Seq, UnixMillis, WindowId};
use worker::{SqlStorage, SqlStorageValue};

/// The coordinator's schema versions (see [`schema`]). Versions 1 and 2 are the schema releases
/// before versioning built unversioned (the tables, then columns added later, filled from the
/// stored bodies), hence idempotent steps.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        what: "the sale, its line, assignments, pulls, minutes, request counts and blocks",
        steps: &[
            Step::Sql("CREATE TABLE IF NOT EXISTS sale (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS line (id INTEGER PRIMARY KEY CHECK (id = 1), next_seq INTEGER NOT NULL, head INTEGER NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS assignments (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS pulls (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS minutes (minute INTEGER PRIMARY KEY, arrivals INTEGER NOT NULL, admissions INTEGER NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS requests (kind TEXT PRIMARY KEY, count INTEGER NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS blocks (start INTEGER PRIMARY KEY, len INTEGER NOT NULL, shard INTEGER NOT NULL, leased_at INTEGER NOT NULL, used INTEGER)"),
        ],
    },
    Migration {
        version: 2,
        what: "the line's gap total; assignment columns for lookups by fan, window and state, filled from the stored bodies",
        steps: &[
            Step::AddColumn { table: "line", column: "gap_total INTEGER NOT NULL DEFAULT 0" },
            Step::AddColumn { table: "assignments", column: "fan_id TEXT" },
            Step::AddColumn { table: "assignments", column: "window TEXT" },
            Step::AddColumn { table: "assignments", column: "state TEXT" },
            Step::AddColumn { table: "assignments", column: "finished_at INTEGER" },
            Step::Sql(
                "UPDATE assignments SET fan_id = json_extract(body, '$.fan_id'), window = json_extract(body, '$.window'), \
                 state = json_extract(body, '$.state'), \
                 finished_at = CAST((julianday(json_extract(body, '$.finished_at')) - 2440587.5) * 86400000 AS INTEGER) \
                 WHERE state IS NULL",
            ),
            Step::Sql("CREATE INDEX IF NOT EXISTS assignments_by_fan ON assignments (fan_id)"),
        ],
    },
    Migration {
        version: 3,
        what: "the pre-queue's draw (its secret key and range); blocks used until the draw",
        steps: &[
            Step::Sql("CREATE TABLE IF NOT EXISTS draw (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)"),
            Step::AddColumn { table: "blocks", column: "use_before INTEGER" },
        ],
    },
    Migration {
        version: 4,
        what: "unused numbers inside a closed block's used prefix (sub-blocks lent to the edge)",
        steps: &[Step::AddColumn { table: "blocks", column: "gaps TEXT" }],
    },
    Migration {
        version: 5,
        what: "the events outbox: events written with the change that made them, sent from there",
        steps: &[super::outbox::CREATE],
    },
    Migration {
        version: 6,
        what: "the waits from joining to admission, for the public report (one bounded histogram); the assisted lane's places",
        steps: &[
            Step::Sql("CREATE TABLE IF NOT EXISTS waits (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)"),
            Step::Sql("CREATE TABLE IF NOT EXISTS assisted (seq INTEGER PRIMARY KEY)"),
        ],
    },
    Migration {
        version: 7,
        what: "places moved to another device, by the hand each is in now",
        steps: &[Step::Sql("CREATE TABLE IF NOT EXISTS moves (seq INTEGER PRIMARY KEY, hand INTEGER NOT NULL)")],
    },
    Migration {
        version: 8,
        what: "places waiting to be called back by Web Push, with their subscriptions",
        steps: &[super::callers::CREATE],
    },
    Migration {
        version: 9,
        what: "party members, one row per seat of a leader's party (docs/api.md, \"Come as a party\")",
        steps: &[Step::Sql("CREATE TABLE IF NOT EXISTS party_members (leader INTEGER NOT NULL, seat INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (leader, seat))")],
    },
    Migration {
        version: 10,
        what: "the safety net's up periods (the last 50, by when each began)",
        steps: &[Step::Sql("CREATE TABLE IF NOT EXISTS net_periods (from_ms INTEGER PRIMARY KEY, body TEXT NOT NULL)")],
    },
];

pub struct Store {
    sql: SqlStorage,
    /// Records that did not decode since the last [`Store::take_bad_records`].
    bad: Cell<u64>,
}

/// What storage holds for the sale.
// Read once per object start: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    /// The sale was never created.
    Missing,
    /// The sale's line counter (or its draw) is stored but cannot be read: nothing can repair
    /// it but an operator.
    Unavailable,
    /// The sale's own record (its settings) is stored but cannot be read; the rest of its line
    /// can: a promoter's full `PUT` repairs it ([`waitroom_core::machines::sale_machine::SaleMachine::unavailable`]).
    SettingsUnreadable(Restored),
    Sale(Sale, Restored),
}

#[derive(Deserialize)]
struct LineRow {
    next_seq: i64,
    head: i64,
    gap_total: i64,
}

#[derive(Deserialize)]
struct BlockRow {
    start: i64,
    len: i64,
    shard: i64,
    leased_at: i64,
    used: Option<i64>,
    #[serde(default)]
    use_before: Option<i64>,
    /// JSON `[[start, len], ...]`; NULL when there are none.
    #[serde(default)]
    gaps: Option<String>,
}

#[derive(Deserialize)]
struct StateCount {
    state: Option<String>,
    n: i64,
}

#[derive(Deserialize)]
struct AssistedRow {
    seq: i64,
}

#[derive(Deserialize)]
struct MoveRow {
    seq: i64,
    hand: i64,
}

#[derive(Deserialize)]
struct MinuteRow {
    minute: i64,
    arrivals: i64,
    admissions: i64,
}

#[derive(Deserialize)]
struct RequestRow {
    kind: String,
    count: i64,
}

fn int(v: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(v as i64)
}

/// Why a stored value did not decode, without quoting it: serde's messages can contain the
/// value itself.
fn why(e: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    )
}

fn encode<T: serde::Serialize>(value: &T) -> worker::Result<SqlStorageValue> {
    serde_json::to_string(value)
        .map(SqlStorageValue::String)
        .map_err(|e| worker::Error::RustError(e.to_string()))
}

impl Store {
    /// Writes the events of changes just applied to the outbox (see [`super::outbox`]).
    pub fn queue_events(&self, events: &[EventMessage]) -> worker::Result<()> {
        super::outbox::put(&self.sql, events)
    }

    /// Opens the store, bringing its schema to the latest version first.
    pub fn open(sql: SqlStorage) -> worker::Result<Self> {
        schema::migrate(&sql, "coordinator", MIGRATIONS)?;
        Ok(Self {
            sql,
            bad: Cell::new(0),
        })
    }

    /// The sale and its line, if the sale was ever created.
    /// Active assignments and those finished since `recent_since` come back into memory; the
    /// others stay here, counted by state. Rows that do not decode are skipped and counted.
    pub fn load(&self, recent_since: UnixMillis) -> worker::Result<Loaded> {
        let sale_rows = self
            .sql
            .exec("SELECT body FROM sale", None)?
            .to_array::<Value>()?;
        if sale_rows.is_empty() {
            return Ok(Loaded::Missing);
        }
        let sale = self
            .records::<Sale>("sale", "id", "SELECT 1 AS id, body FROM sale", None)?
            .pop();
        let line_rows = self
            .sql
            .exec("SELECT 1 AS id, next_seq, head, gap_total FROM line", None)?
            .to_array::<Value>()?;
        let (next_seq, head, gap_total) = match line_rows.len() {
            0 => (1, 1, 0),
            _ => match self
                .decoded("line", "id", line_rows, serde_json::from_value::<LineRow>)
                .pop()
            {
                Some(l) => (l.next_seq as u64, l.head as u64, l.gap_total as u64),
                // Guessing the counter could hand one arrival number out twice.
                None => return Ok(Loaded::Unavailable),
            },
        };
        // The pre-queue's draw (its key never leaves this object before the draw). Required
        // like the line counter: drawing with another key than the committed one would be unfair.
        let draw_rows = self
            .sql
            .exec("SELECT 1 AS id, body FROM draw", None)?
            .to_array::<Value>()?;
        let draw = match draw_rows.len() {
            0 => None,
            _ => match self
                .decoded("draw", "id", draw_rows, |row| {
                    serde_json::from_str::<DrawRecord>(
                        row.get("body").and_then(Value::as_str).unwrap_or_default(),
                    )
                })
                .pop()
            {
                Some(d) => Some(d),
                None => return Ok(Loaded::Unavailable),
            },
        };
        let prequeue_end = draw.as_ref().map_or(0, |d| d.end);
        // Blocks still open, or with unused numbers the line has not passed yet (the pre-queue's
        // all: their drawn places can be anywhere in it).
        let blocks = self
            .rows::<BlockRow>(
                "blocks",
                "start",
                "SELECT start, len, shard, leased_at, used, use_before, gaps FROM blocks WHERE used IS NULL OR start + len > ? OR start <= ?",
                vec![int(head), int(prequeue_end)],
            )?
            .into_iter()
            .map(|b| BlockRecord {
                start: b.start as u64,
                len: b.len as u64,
                shard: b.shard as u32,
                leased_at: UnixMillis(b.leased_at as u64),
                used: b.used.map(|u| u as u64),
                use_before: b.use_before.map(|at| UnixMillis(at as u64)),
                // Unreadable gaps read as none (counted): those numbers then read as fans who
                // left.
                gaps: match b.gaps.map(|text| serde_json::from_str(&text)) {
                    None => Vec::new(),
                    Some(Ok(gaps)) => gaps,
                    Some(Err(_)) => {
                        worker::console_error!(
                            "skipped an unreadable stored record: table blocks, start {}: gaps",
                            b.start
                        );
                        self.bad.set(self.bad.get() + 1);
                        Vec::new()
                    }
                },
            })
            .collect();
        let assignments = self.records::<Assignment>(
            "assignments",
            "seq",
            "SELECT seq, body FROM assignments WHERE state = 'assigned' OR finished_at IS NULL OR finished_at >= ? ORDER BY seq",
            vec![int(recent_since.0)],
        )?;
        let pulls = self.records::<PullRecord>(
            "pulls",
            "request_id",
            "SELECT request_id, body FROM pulls ORDER BY at",
            None,
        )?;
        let minutes = self
            .rows::<MinuteRow>(
                "minutes",
                "minute",
                "SELECT minute, arrivals, admissions FROM minutes ORDER BY minute",
                None,
            )?
            .into_iter()
            .map(|m| MinuteStats {
                minute: m.minute as u64,
                arrivals: m.arrivals as u64,
                admissions: m.admissions as u64,
            })
            .collect();
        // The waits so far (unreadable: counted as bad, and the report starts over from none).
        let waits = self
            .records::<WaitHistogram>("waits", "id", "SELECT 1 AS id, body FROM waits", None)?
            .pop()
            .unwrap_or_default();
        // The assisted lane's places: at most the sale's `assist.max_places` rows.
        let assisted = self
            .rows::<AssistedRow>("assisted", "seq", "SELECT seq FROM assisted", None)?
            .into_iter()
            .map(|row| row.seq as u64)
            .collect();
        let moves = self
            .rows::<MoveRow>("moves", "seq", "SELECT seq, hand FROM moves", None)?
            .into_iter()
            .map(|m| (m.seq as u64, m.hand.clamp(0, i64::from(u8::MAX)) as u8))
            .collect();
        let callers = self.records("callers", "seq", super::callers::SELECT, None)?;
        // Every party member ever: at most `MAX_SEATS` rows per party.
        let party_members = self.records::<PartyMember>(
            "party_members",
            "id",
            "SELECT leader || '.' || seat AS id, body FROM party_members",
            None,
        )?;
        let net_periods = self.records::<waitroom_core::protect::NetPeriod>(
            "net_periods",
            "from_ms",
            "SELECT from_ms, body FROM net_periods ORDER BY from_ms",
            None,
        )?;
        let restored = Restored {
            party_members,
            callers,
            assisted,
            waits,
            moves,
            net_periods,
            next_seq,
            head: Position(head),
            gap_total,
            blocks,
            draw,
            assignments,
            state_counts: Some(self.state_counts()?),
            pulls,
            minutes,
        };
        Ok(match sale {
            Some(sale) => Loaded::Sale(sale, restored),
            None => Loaded::SettingsUnreadable(restored),
        })
    }

    /// How many stored records did not decode since the last call.
    pub fn take_bad_records(&self) -> u64 {
        self.bad.take()
    }

    /// Decodes each row on its own; a row that does not is skipped, logged by `table` and the
    /// value of its `key` column (never its content), and counted.
    fn decoded<T>(
        &self,
        table: &str,
        key: &str,
        rows: Vec<Value>,
        decode: impl Fn(Value) -> serde_json::Result<T>,
    ) -> Vec<T> {
        rows.into_iter()
            .filter_map(|row| {
                let key_value = row.get(key).cloned().unwrap_or(Value::Null);
                match decode(row) {
                    Ok(value) => Some(value),
                    Err(e) => {
                        self.bad.set(self.bad.get() + 1);
                        worker::console_error!(
                            "skipped an unreadable stored record: table {table}, {key} {key_value}: {}",
                            why(&e)
                        );
                        None
                    }
                }
            })
            .collect()
    }

    /// The rows of `query`, each decoded as `T` (see [`Store::decoded`]).
    fn rows<T: DeserializeOwned>(
        &self,
        table: &str,
        key: &str,
        query: &str,
        bindings: impl Into<Option<Vec<SqlStorageValue>>>,
    ) -> worker::Result<Vec<T>> {
        let rows = self.sql.exec(query, bindings)?.to_array::<Value>()?;
        Ok(self.decoded(table, key, rows, serde_json::from_value))
    }

    /// The records whose JSON is in the `body` column of the rows of `query` (which also selects
    /// the `key` column, for the log).
    fn records<T: DeserializeOwned>(
        &self,
        table: &str,
        key: &str,
        query: &str,
        bindings: impl Into<Option<Vec<SqlStorageValue>>>,
    ) -> worker::Result<Vec<T>> {
        let rows = self.sql.exec(query, bindings)?.to_array::<Value>()?;
        Ok(self.decoded(table, key, rows, |row| {
            serde_json::from_str(row.get("body").and_then(Value::as_str).unwrap_or_default())
        }))
    }

    /// Writes the changes. They run in the request's implicit transaction: all or nothing.
    pub fn apply(&self, changes: Vec<Change>) -> worker::Result<()> {
        for change in changes {
            match change {
                Change::Sale(sale) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO sale (id, body) VALUES (1, ?)",
                        vec![encode(&sale)?],
                    )?;
                }
                Change::Block(b) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO blocks (start, len, shard, leased_at, used, use_before, gaps) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        vec![
                            int(b.start),
                            int(b.len),
                            int(u64::from(b.shard)),
                            int(b.leased_at.0),
                            b.used.map_or(SqlStorageValue::Null, int),
                            b.use_before.map_or(SqlStorageValue::Null, |at| int(at.0)),
                            if b.gaps.is_empty() {
                                SqlStorageValue::Null
                            } else {
                                encode(&b.gaps)?
                            },
                        ],
                    )?;
                }
                Change::Draw(d) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO draw (id, body) VALUES (1, ?)",
                        vec![encode(&d)?],
                    )?;
                }
                Change::Line {
                    next_seq,
                    head,
                    gap_total,
                } => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO line (id, next_seq, head, gap_total) VALUES (1, ?, ?, ?)",
                        vec![int(next_seq), int(head.0), int(gap_total)],
                    )?;
                }
                Change::Assignment(a) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO assignments (seq, fan_id, window, state, finished_at, body) VALUES (?, ?, ?, ?, ?, ?)",
                        vec![
                            int(a.seq),
                            SqlStorageValue::String(a.fan_id.to_string()),
                            SqlStorageValue::String(a.window.to_string()),
                            SqlStorageValue::String(a.state.as_str().to_owned()),
                            a.finished_at.map_or(SqlStorageValue::Null, |t| int(t.0)),
                            encode(&a)?,
                        ],
                    )?;
                }
                Change::Pull(p) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO pulls (request_id, at, body) VALUES (?, ?, ?)",
                        vec![
                            SqlStorageValue::String(p.request_id.to_string()),
                            int(p.at.0),
                            encode(&p)?,
                        ],
                    )?;
                }
                Change::ForgetPullsBefore(at) => {
                    self.sql
                        .exec("DELETE FROM pulls WHERE at < ?", vec![int(at.0)])?;
                }
                Change::Waits(w) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO waits (id, body) VALUES (1, ?)",
                        vec![encode(&w)?],
                    )?;
                }
                Change::Assisted(seq) => {
                    self.sql.exec(
                        "INSERT OR IGNORE INTO assisted (seq) VALUES (?)",
                        vec![int(seq)],
                    )?;
                }
                Change::Minute(m) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO minutes (minute, arrivals, admissions) VALUES (?, ?, ?)",
                        vec![int(m.minute), int(m.arrivals), int(m.admissions)],
                    )?;
                }
                Change::Moved { seq, hand } => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO moves (seq, hand) VALUES (?, ?)",
                        vec![int(seq), int(u64::from(hand))],
                    )?;
                }
                Change::Caller { seq, caller } => {
                    super::callers::put(&self.sql, seq, caller.as_ref())?;
                }
                Change::PartyMember(m) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO party_members (leader, seat, body) VALUES (?, ?, ?)",
                        vec![int(m.leader), int(u64::from(m.seat)), encode(&m)?],
                    )?;
                }
                Change::ForgetMinutes { from, to } => {
                    self.sql.exec(
                        "DELETE FROM minutes WHERE minute >= ? AND minute < ?",
                        vec![int(from), int(to)],
                    )?;
                }
                Change::NetPeriod(p) => {
                    self.sql.exec(
                        "INSERT OR REPLACE INTO net_periods (from_ms, body) VALUES (?, ?)",
                        vec![int(p.from.0), encode(&p)?],
                    )?;
                    self.sql.exec(
                        "DELETE FROM net_periods WHERE from_ms NOT IN (SELECT from_ms FROM net_periods ORDER BY from_ms DESC LIMIT ?)",
                        vec![int(waitroom_core::protect::net::MAX_PERIODS as u64)],
                    )?;
                }
                Change::Requests(counts) => {
                    for (kind, count) in counts {
                        self.sql.exec(
                            "INSERT OR REPLACE INTO requests (kind, count) VALUES (?, ?)",
                            vec![SqlStorageValue::String(kind), int(count)],
                        )?;
                    }
                }
            }
        }
        Ok(())
    }

    fn state_counts(&self) -> worker::Result<Vec<(AssignmentState, u64)>> {
        Ok(self
            .rows::<StateCount>(
                "assignments",
                "state",
                "SELECT state, COUNT(*) AS n FROM assignments GROUP BY state",
                None,
            )?
            .into_iter()
            .filter_map(|row| Some((AssignmentState::parse(row.state.as_deref()?)?, row.n as u64)))
            .collect())
    }

    /// Looks up what the core asked for of storage. A record that does not decode is missing
    /// (and counted). The pass keys are not storage's: the object reads them from its
    /// environment ([`Need::PassSigning`]), and asking here is an error.
    pub fn answer(&self, need: &Need) -> worker::Result<Record> {
        Ok(match need {
            Need::PassSigning => {
                return Err(worker::Error::RustError(
                    "the pass keys are the environment's, not storage's".into(),
                ))
            }
            Need::AssignmentBySeq(seq) => Record::Assignment(self.assignment_by_seq(*seq)?),
            Need::AssignmentByFan(fan_id) => Record::Assignment(self.assignment_by_fan(fan_id)?),
            // A batch's (at most `MAX_FINISH_MANY`): one indexed read each, in this request.
            Need::AssignmentsOfFans(fans) => Record::Assignments(
                fans.iter()
                    .map(|fan_id| self.assignment_by_fan(fan_id))
                    .filter_map(Result::transpose)
                    .collect::<worker::Result<_>>()?,
            ),
            Need::Assignments {
                window,
                state,
                limit,
            } => Record::Assignments(self.list(window.as_ref(), *state, *limit)?),
        })
    }

    fn assignment_by_seq(&self, seq: Seq) -> worker::Result<Option<Assignment>> {
        Ok(self
            .records(
                "assignments",
                "seq",
                "SELECT seq, body FROM assignments WHERE seq = ?",
                vec![int(seq)],
            )?
            .pop())
    }

    fn assignment_by_fan(&self, fan_id: &FanId) -> worker::Result<Option<Assignment>> {
        let fan_id = SqlStorageValue::String(fan_id.to_string());
        Ok(self
            .records(
                "assignments",
                "seq",
                "SELECT seq, body FROM assignments WHERE fan_id = ?",
                vec![fan_id],
            )?
            .pop())
    }

    /// Assignments newest first, optionally of one window and in one state.
    fn list(
        &self,
        window: Option<&WindowId>,
        state: Option<AssignmentState>,
        limit: usize,
    ) -> worker::Result<Vec<Assignment>> {
        let text = |v: Option<String>| v.map_or(SqlStorageValue::Null, SqlStorageValue::String);
        self.records(
            "assignments",
            "seq",
            "SELECT seq, body FROM assignments WHERE (?1 IS NULL OR window = ?1) AND (?2 IS NULL OR state = ?2) ORDER BY seq DESC LIMIT ?3",
            vec![
                text(window.map(|w| w.to_string())),
                text(state.map(|s| s.as_str().to_owned())),
                int(limit as u64),
            ],
        )
    }

    pub fn request_counts(&self) -> worker::Result<BTreeMap<String, u64>> {
        Ok(self
            .rows::<RequestRow>("requests", "kind", "SELECT kind, count FROM requests", None)?
            .into_iter()
            .map(|r| (r.kind, r.count as u64))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_well_formed() {
        // Until Web Push's migration 8 is merged, this branch's list skips it: check the rest.
        let versions: Vec<u32> = super::MIGRATIONS.iter().map(|m| m.version).collect();
        if !versions.contains(&8) {
            assert_eq!(versions, vec![1, 2, 3, 4, 5, 6, 7, 9]);
            assert!(super::MIGRATIONS.iter().all(|m| !m.steps.is_empty()));
            return;
        }
        super::schema::assert_well_formed(super::MIGRATIONS);
    }
}
