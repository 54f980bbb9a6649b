//! Scenario 7, cheap requests aimed at the coordinator: polls by a fan whose turn has passed
//! (released by the window), and requests for sale ids that do not exist. What each costs the
//! sale's coordinator, and (given the worker's state directory) whether unknown ids leave files.

use super::{drive, Bench};
use crate::report::{Metric, ScenarioResult};
use crate::stats::Recorder;
use anyhow::{bail, Context, Result};
use reqwest::Method;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// SQLite files under `dir` and their total size in bytes (0, 0 when it cannot be read).
fn sqlite_files(dir: &Path) -> (u64, u64) {
    let mut found = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let (n, bytes) = sqlite_files(&path);
            found = (found.0 + n, found.1 + bytes);
        } else if path.extension().is_some_and(|e| e == "sqlite") {
            found.0 += 1;
            found.1 += entry.metadata().map_or(0, |m| m.len());
        }
    }
    found
}

/// The three kinds of request for an unknown sale, by request number.
fn unknown_request(i: u64, run_id: &str) -> (Method, String, bool) {
    let id = format!("nosuch-{run_id}-{i}");
    match i % 3 {
        0 => (Method::GET, format!("/api/sales/{id}"), false),
        1 => (Method::GET, format!("/s/{id}"), true),
        _ => (Method::POST, format!("/api/sales/{id}/join"), false),
    }
}

impl Bench {
    pub async fn edge_cost(
        &self,
        requests: u64,
        state_dir: Option<&Path>,
    ) -> Result<ScenarioResult> {
        let sale = self.fresh_sale("edge").await?;
        let setup = Arc::new(Recorder::new(Instant::now()));
        let Some(fan) = self.api.join(&setup, "join", &sale).await else {
            bail!("edge cost: no fan could join {sale}");
        };
        let pulled = self
            .api
            .pull(&setup, &sale, "w0", 1, &format!("edge-{}", self.run_id))
            .await
            .unwrap_or_default();
        if pulled.first().map(|a| &a.fan_id) != Some(&fan.fan_id) {
            bail!("edge cost: the window did not get the fan: {pulled:?}");
        }
        if !self.api.release(&setup, &sale, &fan.fan_id).await {
            bail!("edge cost: the window could not release the fan");
        }
        // Polls until the edge says `lapsed` (its snapshot may be a moment old): the measured
        // polls repeat an outcome already known. Bounded: 50 polls, 200 ms apart.
        let mut first_state = String::new();
        for _ in 0..50 {
            let status = self.api.status(&setup, "poll", &sale, &fan.token).await;
            first_state = status.map(|s| s.state).context("the released fan's poll")?;
            if first_state == "lapsed" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        let before = self.api.report(&sale).await?;
        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start));
        let deadline = start + self.phase_cap;
        let states: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let (api, rec2, sale2, token, states2) = (
            self.api.clone(),
            rec.clone(),
            sale.clone(),
            fan.token.clone(),
            states.clone(),
        );
        drive(self.concurrency, requests, deadline, move |_| {
            let (api, rec, sale, token, states) = (
                api.clone(),
                rec2.clone(),
                sale2.clone(),
                token.clone(),
                states2.clone(),
            );
            async move {
                if let Some(s) = api.status(&rec, "lapsed-token poll", &sale, &token).await {
                    *states
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .entry(s.state)
                        .or_default() += 1;
                }
            }
        })
        .await;
        let poll_time = start.elapsed();
        let (delta, _) = self.delta(&sale, &before).await?;

        let files_before = state_dir.map(sqlite_files);
        let unknown_start = Instant::now();
        let statuses: Arc<Mutex<BTreeMap<u16, u64>>> = Arc::default();
        let (api, rec2, statuses2, run_id) = (
            self.api.clone(),
            rec.clone(),
            statuses.clone(),
            self.run_id.clone(),
        );
        drive(self.concurrency, requests, deadline, move |i| {
            let (api, rec, statuses) = (api.clone(), rec2.clone(), statuses2.clone());
            let (method, path, html) = unknown_request(i, &run_id);
            async move {
                let mut req = api.request(method, &path);
                if html {
                    req = req.header(reqwest::header::ACCEPT, "text/html");
                }
                if let Some(status) = api.probe(&rec, "unknown sale id", req).await {
                    *statuses
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .entry(status.as_u16())
                        .or_default() += 1;
                }
            }
        })
        .await;
        let unknown_time = unknown_start.elapsed();
        // Give the runtime a moment to flush whatever it created, then look.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let files_after = state_dir.map(sqlite_files);

        let polls = rec.get("lapsed-token poll");
        let unknown = rec.get("unknown sale id");
        let states = std::mem::take(&mut *states.lock().unwrap_or_else(|p| p.into_inner()));
        let statuses = std::mem::take(&mut *statuses.lock().unwrap_or_else(|p| p.into_inner()));
        let count_5xx = |s: &crate::stats::OpStats| {
            s.errors
                .iter()
                .filter(|(k, _)| k.starts_with('5'))
                .map(|(_, n)| n)
                .sum::<u64>()
        };
        let mut metrics = vec![
            Metric::new(
                "coordinator requests for the lapsed-token polls (snapshot refreshes included)",
                delta.total as f64,
                "requests",
            ),
            Metric::new(
                "of which claims (the fan's outcome asked of the coordinator)",
                delta.kind("claim") as f64,
                "requests",
            ),
            Metric::new(
                "coordinator requests per lapsed-token poll",
                delta.per(polls.ok),
                "requests",
            ),
            Metric::new(
                "lapsed-token polls answered 5xx",
                count_5xx(&polls) as f64,
                "",
            ),
            Metric::new(
                "unknown-id requests answered 404",
                *statuses.get(&404).unwrap_or(&0) as f64,
                "",
            ),
            Metric::new(
                "unknown-id requests answered 5xx",
                count_5xx(&unknown) as f64,
                "",
            ),
        ];
        if let (Some((n0, b0)), Some((n1, b1))) = (files_before, files_after) {
            metrics.push(Metric::new(
                "SQLite files before the unknown ids",
                n0 as f64,
                "files",
            ));
            metrics.push(Metric::new(
                "SQLite files after the unknown ids",
                n1 as f64,
                "files",
            ));
            metrics.push(Metric::new(
                "SQLite bytes added (all files) while the unknown ids ran",
                b1.saturating_sub(b0) as f64,
                "bytes",
            ));
        }
        Ok(ScenarioResult {
            key: "7".into(),
            short: "edge cost".into(),
            title: "7. Lapsed tokens and unknown sale ids".into(),
            description: format!(
                "A fan is pulled and released by the window (polled until it says `lapsed`: \
                 it said `{first_state}`); then {requests} polls with that token follow ({} in flight; they \
                 answered {states:?}). Then {requests} requests for sale ids that do not exist, \
                 in turn `GET /api/sales/{{id}}`, `GET /s/{{id}}` (HTML) and `POST \
                 /api/sales/{{id}}/join` (answers by status: {statuses:?}){}. Coordinator \
                 requests are those of the sale the lapsed fan belongs to.",
                self.concurrency,
                if state_dir.is_some() {
                    "; the worker's state directory is counted before and after"
                } else {
                    ""
                }
            ),
            sale: Some(sale),
            duration_s: (poll_time + unknown_time).as_secs_f64(),
            ops: vec![
                polls.summary("lapsed-token poll", poll_time),
                unknown.summary("unknown sale id", unknown_time),
            ],
            coordinator: Some(delta),
            metrics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_requests_take_turns() {
        let kinds: Vec<_> = (0..3).map(|i| unknown_request(i, "r")).collect();
        assert_eq!(
            kinds[0],
            (Method::GET, "/api/sales/nosuch-r-0".into(), false)
        );
        assert_eq!(kinds[1], (Method::GET, "/s/nosuch-r-1".into(), true));
        assert_eq!(
            kinds[2],
            (Method::POST, "/api/sales/nosuch-r-2/join".into(), false)
        );
    }

    #[test]
    fn files_are_counted_recursively() {
        let dir = std::env::temp_dir().join(format!("loadgen-edge-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("do/x")).unwrap();
        std::fs::write(dir.join("do/x/a.sqlite"), b"12345").unwrap();
        std::fs::write(dir.join("do/b.sqlite"), b"1").unwrap();
        std::fs::write(dir.join("do/c.txt"), b"1").unwrap();
        assert_eq!(sqlite_files(&dir), (2, 6));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(sqlite_files(&dir), (0, 0));
    }
}
