//! The window tasks: each window pulls fans from the edge while it has free slots, at most once per
//! pace, and frees the slots of fans whose assignment lapsed.

use crate::app::{now_secs, unix_secs, App};
use crate::config::MAX_PULL;
use crate::edge::{EdgeError, PullRequest, PullResponse};
use crate::ids;
use crate::log;
use crate::shutdown::Shutdown;
use crate::windows::{Slot, Vacancy, Window};
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// First wait before retrying a pull that got no answer (doubles up to [`BACKOFF_MAX`]).
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Wait after the edge refuses a pull (unknown sale, wrong key) before asking again.
const REFUSED_RETRY: Duration = Duration::from_secs(10);
/// A refusal repeated this many times in a row is logged again (the first one always is).
const REFUSAL_LOG_EVERY: u32 = 6;
/// How often a window with unclaimed assignments asks the edge which of them lapsed.
const LAPSE_CHECK_EVERY: Duration = Duration::from_secs(5);
const LAPSED_LIMIT: u32 = 100;

/// Assignment states in which a fan no longer needs a slot.
const TERMINAL_STATES: &[&str] = &["completed", "released", "lapsed"];

enum Step {
    /// Wait this long, then go round again.
    Wait(Duration),
    Stop,
}

struct WindowTask {
    app: Arc<App>,
    name: String,
    /// The sale phase the last pull reported, to log changes only.
    phase: Option<String>,
    /// The edge's last refusal code and how many times in a row it came.
    refusal: Option<(String, u32)>,
    next_lapse_check: Instant,
}

/// Runs one window until shutdown.
pub async fn run(app: Arc<App>, name: String, mut shutdown: Shutdown) {
    let pace = app.config.pace;
    let mut task = WindowTask {
        app,
        name,
        phase: None,
        refusal: None,
        next_lapse_check: Instant::now(),
    };
    log::info!("{}: open, pulling at most once per {pace:?}", task.name);
    loop {
        task.check_lapsed().await;
        let pause = match task.pull(&mut shutdown).await {
            Step::Wait(pause) => pause,
            Step::Stop => break,
        };
        if !shutdown.sleep(pause).await {
            break;
        }
    }
    log::info!("{}: closed", task.name);
}

impl WindowTask {
    fn free(&self) -> u32 {
        self.app
            .windows(|ws| ws.get(&self.name).map_or(0, Window::free))
    }

    /// Frees the slots whose claim deadline or pass expiry passed.
    fn sweep(&self) {
        let now = now_secs();
        let freed = self.app.windows(|ws| {
            ws.get_mut(&self.name)
                .map(|w| w.sweep(now))
                .unwrap_or_default()
        });
        for (slot, vacancy) in freed {
            match vacancy {
                Vacancy::Unclaimed => log::info!(
                    "{}: seq {} not claimed by its deadline; slot freed",
                    self.name,
                    slot.seq
                ),
                Vacancy::PassExpired => log::info!(
                    "{}: seq {} let the pass expire on the purchase page; slot freed",
                    self.name,
                    slot.seq
                ),
            }
        }
    }

    /// Sweeps, and (at most every [`LAPSE_CHECK_EVERY`]) asks the edge which unclaimed
    /// assignments of this window lapsed, freeing their slots.
    async fn check_lapsed(&mut self) {
        self.sweep();
        let awaiting = self
            .app
            .windows(|ws| ws.get(&self.name).is_some_and(Window::awaiting_claims));
        if !awaiting || Instant::now() < self.next_lapse_check {
            return;
        }
        self.next_lapse_check = Instant::now() + LAPSE_CHECK_EVERY;
        let lapsed = match self
            .app
            .edge
            .assignments(&self.name, "lapsed", LAPSED_LIMIT)
            .await
        {
            Ok(list) => list,
            Err(e) => {
                log::warning!("{}: cannot list lapsed assignments: {e}", self.name);
                return;
            }
        };
        let freed: Vec<Slot> = self.app.windows(|ws| {
            ws.get_mut(&self.name)
                .map(|w| {
                    lapsed
                        .iter()
                        .filter_map(|a| w.vacate_lapsed(&a.fan_id))
                        .collect()
                })
                .unwrap_or_default()
        });
        for slot in freed {
            log::info!(
                "{}: seq {} lapsed at the edge (never claimed); slot freed",
                self.name,
                slot.seq
            );
        }
    }

    /// One pull for the free slots, retried with the same request id until the edge answers.
    async fn pull(&mut self, shutdown: &mut Shutdown) -> Step {
        let pace = self.app.config.pace;
        let free = self.free();
        if free == 0 {
            return Step::Wait(pace);
        }
        let request = PullRequest {
            window: self.name.clone(),
            max: free.min(MAX_PULL),
            request_id: ids::request_id(&self.name),
        };
        let mut backoff = BACKOFF_START;
        let mut attempt = 1u32;
        loop {
            let outcome = tokio::select! {
                outcome = self.app.edge.pull(&request) => outcome,
                () = shutdown.wait() => return Step::Stop,
            };
            match outcome {
                Ok(response) => {
                    self.accept(&request, response);
                    return Step::Wait(pace);
                }
                Err(e) if e.retryable() => {
                    // The edge may have assigned fans and the answer got lost: asking again with
                    // the same request id returns those fans instead of skipping them.
                    log::warning!(
                        "{}: pull {} failed (attempt {attempt}): {e}; retrying it in {backoff:?}",
                        self.name,
                        request.request_id
                    );
                    self.sweep();
                    if !shutdown.sleep(backoff).await {
                        return Step::Stop;
                    }
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    attempt = attempt.saturating_add(1);
                }
                Err(e) => {
                    self.refused(&e);
                    return Step::Wait(pace.max(REFUSED_RETRY));
                }
            }
        }
    }

    fn accept(&mut self, request: &PullRequest, response: PullResponse) {
        if let Some((code, _)) = self.refusal.take() {
            log::info!("{}: the edge accepts pulls again (was: {code})", self.name);
        }
        if self.phase.as_deref() != Some(response.phase.as_str()) {
            log::info!(
                "{}: sale `{}` is {}",
                self.name,
                self.app.config.sale,
                response.phase
            );
            self.phase = Some(response.phase.clone());
        }
        let (seqs, free) = self.app.windows(|ws| {
            let Some(w) = ws.get_mut(&self.name) else {
                return (Vec::new(), 0);
            };
            let seqs: Vec<u64> = response
                .assignments
                .iter()
                .filter(|a| a.window == self.name && !TERMINAL_STATES.contains(&a.state.as_str()))
                .filter(|a| w.occupy(&a.fan_id, a.seq, unix_secs(a.expires_at)))
                .map(|a| a.seq)
                .collect();
            (seqs, w.free())
        });
        if response.assignments.is_empty() {
            return;
        }
        let seqs: Vec<String> = seqs.iter().map(u64::to_string).collect();
        log::info!(
            "{}: pulled {} of max {}{}: seq {}; {free} slot(s) free",
            self.name,
            response.assignments.len(),
            request.max,
            if response.replayed { " (replayed)" } else { "" },
            if seqs.is_empty() {
                "-".to_owned()
            } else {
                seqs.join(", ")
            },
        );
    }

    fn refused(&mut self, e: &EdgeError) {
        let code = e.code().unwrap_or("unexpected_answer").to_owned();
        let count = match &self.refusal {
            Some((last, n)) if *last == code => n.saturating_add(1),
            _ => 1,
        };
        self.refusal = Some((code, count));
        if count % REFUSAL_LOG_EVERY != 1 {
            return;
        }
        let every = self.app.config.pace.max(REFUSED_RETRY).as_secs();
        let sale = &self.app.config.sale;
        match (e.status(), e.code()) {
            (Some(StatusCode::NOT_FOUND), Some("sale_not_found")) => log::warning!(
                "{}: sale `{sale}` does not exist at the edge (404 sale_not_found); \
                 create it with PUT /api/admin/sales/{sale}. Retrying every {every}s",
                self.name
            ),
            (Some(StatusCode::UNAUTHORIZED), _) => log::error!(
                "{}: the edge refused the origin key ({e}); ORIGIN_KEY must equal the edge's. \
                 Retrying every {every}s",
                self.name
            ),
            _ => log::error!("{}: pull refused: {e}. Retrying every {every}s", self.name),
        }
    }
}
