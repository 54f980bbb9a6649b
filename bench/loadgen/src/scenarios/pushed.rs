//! Scenario 8, the turn, pushed (issue 12): how soon a fan's client knows it is their turn after a
//! window's pull, for fans holding a socket against fans who poll, and how long the window's place
//! waits for its fan's claim; then how many sockets one coordinator object holds, and its memory.

use super::{drive, Bench};
use crate::client::Joined;
use crate::report::{Metric, ScenarioResult};
use crate::stats::Recorder;
use anyhow::{bail, Result};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const PUSHED: &str = "turn notice, pushed (pull sent → your_turn on the socket)";
const POLLED: &str = "turn notice, polled (pull sent → status says your_turn)";
const IDLE_POLLED: &str = "window idle, polled (pull sent → the fan's claiming poll answered)";
const OPEN: &str = "socket open (upgrade → watching)";
/// A window pulls this many fans at a time, this often.
const PULL_EVERY: Duration = Duration::from_millis(500);
const PULL_MAX: u32 = 2;
/// Fans admitted ahead of the socket crowd, quickly, so the presence zone (fans expected within a
/// minute) covers it.
const AHEAD: u64 = 400;
/// How many times a socket refused 409 `not_near_front` is asked for again, a second apart.
const NOT_NEAR_FRONT_RETRIES: u32 = 3;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How a fan learned of the turn, and when.
#[derive(Clone, Copy, Debug)]
enum Known {
    Socket(Instant),
    /// A fan meant to hold a socket learned by polling (the socket was not open yet).
    PollInstead,
    Poll(Instant),
}

/// Opens fan `token`'s socket; `None` if refused (the close code, or the HTTP status).
async fn open_socket(base: &str, sale: &str, token: &str) -> Result<Socket, u16> {
    let url = format!(
        "{}/api/sales/{sale}/socket",
        base.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().map_err(|_| 0u16)?;
    let auth = format!("Bearer {token}").parse().map_err(|_| 0u16)?;
    request.headers_mut().insert("Authorization", auth);
    let mut ws = match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => ws,
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => return Err(r.status().as_u16()),
        Err(_) => return Err(0),
    };
    // The first message says it is watched; a refusal is a close.
    match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains("\"watching\"") => Ok(ws),
        Ok(Some(Ok(Message::Close(frame)))) => Err(frame.map_or(1005, |f| u16::from(f.code))),
        _ => Err(1006),
    }
}

/// Waits on an open socket for `your_turn`; when it came, if it did.
async fn await_turn(ws: &mut Socket, deadline: Instant) -> Option<Instant> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains("\"your_turn\"") => {
                return Some(Instant::now())
            }
            Ok(Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_)))) => continue,
            _ => return None,
        }
    }
}

/// Resident memory of the workerd processes of process group `pgid`, in KiB.
fn workerd_rss_kib(pgid: i32) -> Option<u64> {
    let mut total = None;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let path = entry.path();
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...
        let Some((comm, rest)) = stat.split_once(") ") else {
            continue;
        };
        if !comm.ends_with("(workerd") {
            continue;
        }
        if rest
            .split_whitespace()
            .nth(2)
            .and_then(|p| p.parse::<i32>().ok())
            != Some(pgid)
        {
            continue;
        }
        let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
        let rss = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
        if let Some(kib) = rss {
            *total.get_or_insert(0) += kib;
        }
    }
    total
}

impl Bench {
    /// Part one: `fans` fans, every other one holding a socket once the status offers one, the
    /// others polling; a window pulls [`PULL_MAX`] every [`PULL_EVERY`].
    async fn turn_notice(&self, fans: u64, rec: &Arc<Recorder>) -> Result<Vec<Metric>> {
        let sale = self.fresh_sale("pushed").await?;
        let (mut crowd, _) = self.join_crowd(rec, "join", &sale, fans).await;
        crowd.sort_by_key(|j| j.seq);
        if (crowd.len() as u64) < fans {
            bail!("pushed: only {} of {fans} fans joined", crowd.len());
        }
        let deadline = Instant::now() + self.phase_cap;
        let known: Arc<Mutex<HashMap<String, Known>>> = Arc::default();
        let mut tasks = Vec::new();
        for (i, fan) in crowd.iter().cloned().enumerate() {
            let (api, sale, known) = (self.api.clone(), sale.clone(), known.clone());
            let wants_socket = i % 2 == 0;
            let rec = rec.clone();
            tasks.push(tokio::spawn(async move {
                let Joined { token, fan_id, .. } = fan;
                let mut socket_tried = false;
                while Instant::now() < deadline {
                    let status = api.status(&rec, "poll", &sale, &token).await;
                    let Some(status) = status else {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    };
                    if status.state == "your_turn" {
                        let at = Instant::now();
                        let how = if wants_socket {
                            Known::PollInstead
                        } else {
                            Known::Poll(at)
                        };
                        known
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(fan_id, how);
                        return;
                    }
                    if status.state != "waiting" {
                        return;
                    }
                    if wants_socket && !socket_tried && status.socket_url.is_some() {
                        socket_tried = true;
                        let started = Instant::now();
                        if let Ok(mut ws) = open_socket(&api.base, &sale, &token).await {
                            rec.ok(OPEN, started.elapsed());
                            if let Some(at) = await_turn(&mut ws, deadline).await {
                                known
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .insert(fan_id, Known::Socket(at));
                                let _ = ws.close(None).await;
                                return;
                            }
                            // Closed without the turn: poll, as the page does.
                            continue;
                        }
                    }
                    let wait = status.poll_after_ms.unwrap_or(1_000).max(100);
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
            }));
        }
        // Let the first sockets open, then the window pulls at its pace.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let pulled_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
        let mut admitted = 0usize;
        let mut n = 0u64;
        while admitted < crowd.len() && Instant::now() < deadline {
            n += 1;
            let sent = Instant::now();
            let rid = format!("pushed-{}-{n}", self.run_id);
            if let Some(got) = self.api.pull(rec, &sale, "w1", PULL_MAX, &rid).await {
                admitted += got.len();
                let mut map = pulled_at.lock().unwrap_or_else(|p| p.into_inner());
                for a in got {
                    map.insert(a.fan_id, sent);
                }
            }
            tokio::time::sleep_until((sent + PULL_EVERY).into()).await;
        }
        for t in tasks {
            let _ = t.await;
        }
        let known = std::mem::take(&mut *known.lock().unwrap_or_else(|p| p.into_inner()));
        let pulled_at = std::mem::take(&mut *pulled_at.lock().unwrap_or_else(|p| p.into_inner()));
        let mut fallbacks = 0u64;
        for (fan, sent) in &pulled_at {
            match known.get(fan) {
                Some(Known::Socket(at)) => rec.ok(PUSHED, at.saturating_duration_since(*sent)),
                Some(Known::Poll(at)) => {
                    let took = at.saturating_duration_since(*sent);
                    rec.ok(POLLED, took);
                    rec.ok(IDLE_POLLED, took);
                }
                Some(Known::PollInstead) => fallbacks += 1,
                None => {}
            }
        }
        Ok(vec![
            Metric::new("fans admitted", pulled_at.len() as f64, "fans"),
            Metric::new(
                "socket fans who learned by polling (admitted before their socket opened)",
                fallbacks as f64,
                "fans",
            ),
            Metric::new(
                "window idle, pushed (pull → claim): claimed inside the pull itself",
                0.0,
                "ms",
            ),
        ])
    }

    /// Part two: as many sockets on one sale as its object takes (up to `sockets`), the workerd
    /// memory before, with them open, and after a quiet spell (the object hibernates); then a pull
    /// shows the hibernated sockets still get their turn.
    async fn sockets_held(
        &self,
        sockets: u64,
        pgid: Option<i32>,
        rec: &Arc<Recorder>,
    ) -> Result<Vec<Metric>> {
        let sale = self.fresh_sale("sockets").await?;
        let (mut crowd, _) = self.join_crowd(rec, "join", &sale, AHEAD + sockets).await;
        crowd.sort_by_key(|j| j.seq);
        // Admit the first ones at once: the admission rate makes the zone cover the rest.
        let mut ahead = 0;
        for n in 0..(AHEAD / 100) {
            let rid = format!("ahead-{}-{n}", self.run_id);
            ahead += self
                .api
                .pull(rec, &sale, "w0", 100, &rid)
                .await
                .map_or(0, |a| a.len());
        }
        let holders: Vec<Joined> = crowd.into_iter().skip(ahead).collect();
        // The edge decides who may open a socket from its snapshot (up to a second old): let it
        // see the admissions, and so the wider zone, first.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let rss_before = pgid.and_then(workerd_rss_kib);
        let open: Arc<Mutex<Vec<(u64, Socket)>>> = Arc::default();
        let refused: Arc<Mutex<HashMap<u16, u64>>> = Arc::default();
        let holders = Arc::new(holders);
        let started = Instant::now();
        let deadline = started + self.phase_cap;
        let (api, sale2, open2, refused2, holders2, rec2) = (
            self.api.clone(),
            sale.clone(),
            open.clone(),
            refused.clone(),
            holders.clone(),
            rec.clone(),
        );
        let full = Arc::new(AtomicU64::new(0));
        let full2 = full.clone();
        drive(
            self.concurrency.min(32),
            holders.len() as u64,
            deadline,
            move |i| {
                let (api, sale, open, refused, holders, rec, full) = (
                    api.clone(),
                    sale2.clone(),
                    open2.clone(),
                    refused2.clone(),
                    holders2.clone(),
                    rec2.clone(),
                    full2.clone(),
                );
                async move {
                    let t = Instant::now();
                    let fan = &holders[i as usize];
                    // Refused 409 `not_near_front` by an edge whose snapshot (up to a second or
                    // so old) has not seen the admissions that brought the fan near the front:
                    // asked again a moment later, as the page does, so the front of the line
                    // holds sockets and the pull after the quiet spell has turns to push.
                    let mut opened = open_socket(&api.base, &sale, &fan.token).await;
                    for _ in 0..NOT_NEAR_FRONT_RETRIES {
                        if !matches!(opened, Err(409)) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        opened = open_socket(&api.base, &sale, &fan.token).await;
                    }
                    match opened {
                        Ok(ws) => {
                            rec.ok(OPEN, t.elapsed());
                            open.lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((fan.seq, ws));
                        }
                        Err(code) => {
                            if code == 4029 {
                                full.fetch_add(1, Ordering::Relaxed);
                            }
                            *refused
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .entry(code)
                                .or_default() += 1;
                        }
                    }
                }
            },
        )
        .await;
        let opening = started.elapsed();
        let held = open.lock().unwrap_or_else(|p| p.into_inner()).len() as u64;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss_open = pgid.and_then(workerd_rss_kib);
        // Nothing reaches the object for a while: it hibernates (about 10 s here).
        tokio::time::sleep(Duration::from_secs(15)).await;
        let rss_quiet = pgid.and_then(workerd_rss_kib);
        // A pull after the quiet spell: the fans at the front of the line get their turn; each
        // who holds a socket here must get it on the socket. The pull's own answer names them
        // (it may pass over a socket holder for a fan ahead of them, so the sockets are matched
        // to the fans pulled, not assumed to be the lowest numbers).
        let mut sockets = std::mem::take(&mut *open.lock().unwrap_or_else(|p| p.into_inner()));
        let rid = format!("after-quiet-{}", self.run_id);
        let sent = Instant::now();
        let pulled_seqs: Vec<u64> = self
            .api
            .pull(rec, &sale, "w1", 5, &rid)
            .await
            .map_or_else(Vec::new, |a| a.into_iter().map(|a| a.seq).collect());
        let pulled = pulled_seqs.len();
        let mut woke = 0;
        let mut holding = 0;
        for (_, ws) in sockets
            .iter_mut()
            .filter(|(seq, _)| pulled_seqs.contains(seq))
        {
            holding += 1;
            if await_turn(ws, Instant::now() + Duration::from_secs(10))
                .await
                .is_some()
            {
                woke += 1;
            }
        }
        if holding < pulled {
            eprintln!(
                "[loadgen] pushed: {} of the {pulled} fans pulled after the quiet spell held no socket here (pulled {pulled_seqs:?})",
                pulled - holding
            );
        }
        let after_quiet_ms = sent.elapsed().as_secs_f64() * 1000.0;
        for (_, mut ws) in sockets {
            let _ = ws.close(None).await;
        }
        let refused = std::mem::take(&mut *refused.lock().unwrap_or_else(|p| p.into_inner()));
        let mut metrics = vec![
            Metric::new(
                "sockets held by one coordinator object",
                held as f64,
                "sockets",
            ),
            Metric::new(
                "sockets opened per second (one after another, 32 at a time)",
                held as f64 / opening.as_secs_f64().max(0.001),
                "/s",
            ),
            Metric::new(
                "refused with 4029 sockets_full (the bound)",
                full.load(Ordering::Relaxed) as f64,
                "sockets",
            ),
        ];
        for (code, n) in refused.iter().filter(|(c, _)| **c != 4029) {
            metrics.push(Metric::new(
                &format!("refused otherwise (code {code})"),
                *n as f64,
                "sockets",
            ));
        }
        if let (Some(before), Some(open), Some(quiet)) = (rss_before, rss_open, rss_quiet) {
            let per = |kib: u64| kib.saturating_sub(before) as f64 * 1024.0 / held.max(1) as f64;
            metrics.extend([
                Metric::new(
                    "workerd memory before the sockets",
                    before as f64 / 1024.0,
                    "MiB",
                ),
                Metric::new(
                    "workerd memory with the sockets open",
                    open as f64 / 1024.0,
                    "MiB",
                ),
                Metric::new("per socket, open", per(open), "bytes"),
                Metric::new(
                    "workerd memory after 15 s quiet (object hibernated)",
                    quiet as f64 / 1024.0,
                    "MiB",
                ),
                Metric::new("per socket, after the quiet spell", per(quiet), "bytes"),
            ]);
        }
        metrics.extend([
            Metric::new(
                "turns pushed after the quiet spell (of the pulled fans holding a socket)",
                woke as f64,
                &format!("of {holding}"),
            ),
            Metric::new("fans pulled after the quiet spell", pulled as f64, "fans"),
            Metric::new(
                "pull after the quiet spell → last of its turns on the sockets",
                after_quiet_ms,
                "ms",
            ),
        ]);
        Ok(metrics)
    }

    /// Scenario 8.
    pub async fn pushed_turn(
        &self,
        fans: u64,
        sockets: u64,
        worker_pgid: Option<i32>,
    ) -> Result<ScenarioResult> {
        let start = Instant::now();
        let rec = Arc::new(Recorder::new(start));
        let mut metrics = self.turn_notice(fans, &rec).await?;
        metrics.extend(self.sockets_held(sockets, worker_pgid, &rec).await?);
        let elapsed = start.elapsed();
        Ok(ScenarioResult {
            key: "8".into(),
            short: "pushed".into(),
            title: "The turn, pushed".into(),
            description: format!(
                "{fans} fans near the front; every other one holds a socket once its status offers \
                 one (socket_url), the others poll at poll_after_ms; a window pulls {PULL_MAX} every \
                 {} ms. Turn notice is from the pull's sending to the fan's client knowing. Then up \
                 to {sockets} sockets on one sale (its coordinator object), workerd's memory, a \
                 quiet spell of 15 s and a pull to the hibernated sockets.",
                PULL_EVERY.as_millis()
            ),
            sale: None,
            duration_s: elapsed.as_secs_f64(),
            ops: rec.summaries(&[PUSHED, POLLED, IDLE_POLLED, OPEN, "pull", "poll", "join"], elapsed),
            coordinator: None,
            metrics,
        })
    }
}
