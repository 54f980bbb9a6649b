//! The monitor Durable Object (one per environment): the synthetic fan's runs of the last 24 h,
//! the current incident, and how webhook deliveries went. It judges each run with the core's rule
//! ([`waitroom_core::monitor::judge`]), posts the alert or recovery message to
//! `ALERT_WEBHOOK_URL` and puts it on the events queue.

use super::schema::{self, Migration, Step};
use crate::clock;
use crate::config::slow_ms;
use crate::events;
use crate::objects::monitor::{DeliveryCounts, MonitorCommand, MonitorReport, Recorded};
use crate::objects::refuse_unanswered_protocol;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use waitroom_core::events::{Event, EventMessage, EventType};
use waitroom_core::monitor::{self, Incident, Notice, Run, CANARY_SALE};
use waitroom_core::{SaleId, UnixMillis};
use worker::{Env, Fetch, Method, Request, Response, Result, SqlStorage, SqlStorageValue, State};

/// Most runs listed (a day of one run a minute).
const MAX_RUNS_LISTED: i64 = 1_440;

/// The monitor's schema versions (see [`schema`]).
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    what: "runs, and facts (the incident, delivery counts)",
    steps: &[
        Step::Sql("CREATE TABLE IF NOT EXISTS runs (at INTEGER NOT NULL, body TEXT NOT NULL)"),
        Step::Sql("CREATE INDEX IF NOT EXISTS runs_at ON runs (at)"),
        Step::Sql("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, body TEXT NOT NULL)"),
    ],
}];

/// The environment's name for alerts: `ENVIRONMENT`, or `dev`.
fn environment(env: &Env) -> String {
    env.var("ENVIRONMENT")
        .map(|v| v.to_string())
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "dev".into())
}

pub struct MonitorObject {
    state: State,
    env: Env,
    /// Whether storage was brought to the latest schema version since the object started.
    migrated: Cell<bool>,
}

#[derive(Deserialize)]
struct Body {
    body: String,
}

impl MonitorObject {
    fn sql(&self) -> Result<SqlStorage> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql, "monitor", MIGRATIONS)?;
            self.migrated.set(true);
        }
        Ok(sql)
    }

    fn fact<T: for<'de> Deserialize<'de>>(sql: &SqlStorage, key: &str) -> Result<Option<T>> {
        let rows = sql
            .exec(
                "SELECT body FROM facts WHERE key = ?",
                vec![SqlStorageValue::String(key.into())],
            )?
            .to_array::<Body>()?;
        Ok(rows
            .first()
            .and_then(|row| serde_json::from_str(&row.body).ok()))
    }

    fn set_fact<T: Serialize>(sql: &SqlStorage, key: &str, value: &T) -> Result<()> {
        sql.exec(
            "INSERT OR REPLACE INTO facts (key, body) VALUES (?, ?)",
            vec![
                SqlStorageValue::String(key.into()),
                SqlStorageValue::String(serde_json::to_string(value)?),
            ],
        )?;
        Ok(())
    }

    async fn record(&self, run: Run) -> Result<Recorded> {
        let sql = self.sql()?;
        let now = clock::now();
        sql.exec(
            "DELETE FROM runs WHERE at < ?",
            vec![SqlStorageValue::Integer(
                now.0.saturating_sub(monitor::KEEP_RUNS_MS) as i64,
            )],
        )?;
        sql.exec(
            "INSERT INTO runs (at, body) VALUES (?, ?)",
            vec![
                SqlStorageValue::Integer(run.at.0 as i64),
                SqlStorageValue::String(serde_json::to_string(&run)?),
            ],
        )?;
        let incident = Self::fact::<Option<Incident>>(&sql, "incident")?.flatten();
        let (mut incident, notice) =
            monitor::judge(&environment(&self.env), incident, &run, slow_ms(&self.env));
        Self::set_fact(&sql, "incident", &incident)?;
        if let Some(notice) = &notice {
            let sent = self.notify(notice, run.at).await;
            if let (true, Some(open)) = (sent, incident.as_mut()) {
                open.alerted = true;
                Self::set_fact(&sql, "incident", &incident)?;
            }
        }
        Ok(Recorded { incident, notice })
    }

    /// Posts the notice to `ALERT_WEBHOOK_URL` (Slack-compatible `{"text": ...}`) and puts it on
    /// the events queue. True when the post was answered 2xx (or there is nowhere to post).
    async fn notify(&self, notice: &Notice, at: UnixMillis) -> bool {
        let kind = match notice {
            Notice::Alert { .. } => EventType::MonitorAlert,
            Notice::Recovered { .. } => EventType::MonitorRecovered,
        };
        let canary = SaleId::parse(CANARY_SALE).expect("the canary's id is an id");
        let message = EventMessage {
            event: Event::new(
                kind,
                &canary,
                &at.0.to_string(),
                at,
                serde_json::json!({ "text": notice.text() }),
            ),
            webhook_url: None,
        };
        events::emit(&self.env, vec![message]).await;
        let Some(url) = self
            .env
            .var("ALERT_WEBHOOK_URL")
            .or_else(|_| self.env.secret("ALERT_WEBHOOK_URL"))
            .map(|v| v.to_string())
            .ok()
            .filter(|v| !v.trim().is_empty())
        else {
            worker::console_warn!("monitor: {} (ALERT_WEBHOOK_URL is not set)", notice.text());
            return true;
        };
        match post_json(&url, &serde_json::json!({ "text": notice.text() })).await {
            Ok(status) if (200..300).contains(&status) => true,
            Ok(status) => {
                worker::console_error!("monitor: the alert webhook answered {status}");
                false
            }
            Err(e) => {
                let e = crate::outgoing::redacted(&e.to_string(), &url);
                worker::console_error!("monitor: could not post the alert: {e}");
                false
            }
        }
    }

    fn deliveries(&self, counts: &DeliveryCounts) -> Result<()> {
        let sql = self.sql()?;
        let mut total: DeliveryCounts = Self::fact(&sql, "deliveries")?.unwrap_or_default();
        total.add(counts);
        Self::set_fact(&sql, "deliveries", &total)
    }

    fn report(&self) -> Result<MonitorReport> {
        let sql = self.sql()?;
        let since = clock::now().0.saturating_sub(monitor::KEEP_RUNS_MS) as i64;
        let runs = sql
            .exec(
                "SELECT body FROM runs WHERE at >= ? ORDER BY at DESC, rowid DESC LIMIT ?",
                vec![
                    SqlStorageValue::Integer(since),
                    SqlStorageValue::Integer(MAX_RUNS_LISTED),
                ],
            )?
            .to_array::<Body>()?
            .into_iter()
            .filter_map(|row| serde_json::from_str(&row.body).ok())
            .collect();
        Ok(MonitorReport {
            canary_sale: CANARY_SALE.into(),
            threshold_ms: slow_ms(&self.env),
            runs,
            incident: Self::fact(&sql, "incident")?.flatten(),
            deliveries: Self::fact(&sql, "deliveries")?.unwrap_or_default(),
        })
    }
}

/// POSTs `body` as JSON to `url`; the status it answered.
pub async fn post_json(url: &str, body: &serde_json::Value) -> Result<u16> {
    let headers = worker::Headers::new();
    headers.set("Content-Type", "application/json")?;
    let request = crate::outgoing::request(Method::Post, url, &headers, Some(&body.to_string()))?;
    let response = Fetch::Request(request).send().await?;
    Ok(response.status_code())
}

/// What the runtime calls: the full worker's class of the same name hands every event here.
impl MonitorObject {
    pub fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            migrated: Cell::new(false),
        }
    }

    pub async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(refused) = refuse_unanswered_protocol(&req) {
            return refused;
        }
        let command: MonitorCommand = match req.json().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a monitor command: {e}"), 400),
        };
        match command {
            MonitorCommand::Record { run } => Response::from_json(&self.record(run).await?),
            MonitorCommand::Deliveries { counts } => {
                self.deliveries(&counts)?;
                Response::from_json(&true)
            }
            MonitorCommand::Report => Response::from_json(&self.report()?),
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
