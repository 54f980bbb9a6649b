//! The coordinator Durable Object: one per sale (named by the sale id), holding the sale's line.
//!
//! Each request is one [`Command`]: the object runs it through the core, writes the changes the
//! core reports to SQLite, and answers. No request awaits anything between reading the state and
//! writing it, so requests never interleave inside the line.

use super::store::Store;
use crate::clock;
use std::cell::RefCell;
use std::collections::BTreeMap;
use waitroom_core::coordinator::RETAIN_FINISHED_MS;
use waitroom_core::protocol::{Answer, Command, Reply, SaleReport};
use waitroom_core::snapshot::SaleView;
use waitroom_core::{Coordinator as Line, QueueError, UnixMillis};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

#[durable_object]
pub struct SaleCoordinator {
    state: State,
    inner: RefCell<Inner>,
}

#[derive(Default)]
struct Inner {
    store: Option<Store>,
    line: Option<Line>,
    requests: BTreeMap<String, u64>,
    /// The alarm this object last set, so it is set only when the next deadline changes.
    alarm_at: Option<UnixMillis>,
}

impl Inner {
    /// Opens storage and rebuilds the line on first use (and after a storage failure).
    fn ready(&mut self, state: &State) -> Result<&Store> {
        if self.store.is_none() {
            let store = Store::open(state.storage().sql())?;
            let recent_since = UnixMillis(clock::now().0.saturating_sub(RETAIN_FINISHED_MS));
            self.line = store
                .load(recent_since)?
                .map(|(sale, restored)| Line::restore(sale, restored));
            self.requests = store.request_counts()?;
            self.store = Some(store);
        }
        Ok(self.store.as_ref().expect("opened above"))
    }

    fn count(&mut self, state: &State, kind: &str) -> Result<()> {
        self.ready(state)?.count_request(kind)?;
        *self.requests.entry(kind.to_owned()).or_default() += 1;
        Ok(())
    }

    fn report(&self, line: &Line, now: UnixMillis) -> SaleReport {
        let sale = line.sale();
        SaleReport {
            sale: SaleView::of(sale),
            phase: line.phase_at(now),
            created_at: sale.created_at,
            updated_at: sale.updated_at,
            stats: line.stats(now),
            coordinator_requests: self.requests.values().sum(),
            coordinator_requests_by_kind: self.requests.clone(),
            minutes: line.minutes().copied().collect(),
        }
    }

    fn dispatch(&mut self, command: Command, now: UnixMillis) -> Answer {
        if let Command::Upsert {
            id,
            settings,
            fan_salt,
        } = command
        {
            let created = match self.line.as_mut() {
                Some(line) => {
                    line.update_settings(settings, now);
                    false
                }
                None => {
                    self.line = Some(Line::create(id, settings, fan_salt, now));
                    true
                }
            };
            let line = self.line.as_ref().expect("set above");
            return Ok(Reply::Upserted {
                created,
                report: Box::new(self.report(line, now)),
            });
        }
        let line = self.line.as_mut().ok_or(QueueError::SaleNotFound)?;
        line.sweep(now);
        let reply = match command {
            Command::Upsert { .. } => unreachable!("handled above"),
            Command::Open => {
                line.open(now)?;
                None
            }
            Command::Pause => {
                line.pause(now)?;
                None
            }
            Command::Close => {
                line.close(now);
                None
            }
            Command::Report => None,
            Command::LeaseBlock {
                shard,
                closing,
                want,
            } => Some(Reply::Lease(line.lease_block(now, shard, closing, want)?)),
            Command::CloseBlock { shard, start, used } => {
                line.close_block(now, shard, start, used);
                Some(Reply::Done)
            }
            Command::Present { seqs } => {
                for seq in seqs {
                    line.present(now, seq);
                }
                Some(Reply::Done)
            }
            Command::Join { existing } => Some(Reply::Joined(line.join(now, existing)?)),
            Command::Claim { seq } => Some(Reply::Claim(line.claim(now, seq)?)),
            Command::Pull {
                window,
                max,
                request_id,
            } => Some(Reply::Pulled(line.pull(now, window, max, request_id)?)),
            Command::Complete { fan_id } => Some(Reply::Assignment(line.complete(now, &fan_id)?)),
            Command::Release { fan_id } => Some(Reply::Assignment(line.release(now, &fan_id)?)),
            Command::Snapshot => Some(Reply::Snapshot(line.snapshot(now))),
            Command::Assignments { .. } => unreachable!("listed from storage by execute"),
        };
        let line = self.line.as_ref().expect("checked above");
        Ok(reply.unwrap_or_else(|| Reply::Report(Box::new(self.report(line, now)))))
    }

    /// Writes what the line changed; returns the alarm to set, if it moved.
    fn persist(&mut self) -> Result<Option<UnixMillis>> {
        let Some(line) = self.line.as_mut() else {
            return Ok(None);
        };
        let changes = line.take_changes();
        let deadline = line.next_deadline();
        self.store
            .as_ref()
            .expect("ready before use")
            .apply(changes)?;
        if deadline.is_some() && deadline != self.alarm_at {
            self.alarm_at = deadline;
            return Ok(deadline);
        }
        Ok(None)
    }

    fn store(&self) -> &Store {
        self.store.as_ref().expect("ready before use")
    }

    /// Reads back from storage a finished assignment that the command needs and that is no
    /// longer in memory (a fan returning long after their turn, a late report from the origin).
    fn bring_back(&mut self, command: &Command, now: UnixMillis) -> Result<()> {
        let Some(line) = self.line.as_mut() else {
            return Ok(());
        };
        let store = self.store.as_ref().expect("ready before use");
        let record = match command {
            Command::Claim { seq }
            | Command::Join {
                existing: Some(seq),
            } if line.needs_record(*seq) => store.assignment_by_seq(*seq)?,
            Command::Complete { fan_id } | Command::Release { fan_id }
                if !line.knows_fan(fan_id) =>
            {
                store.assignment_by_fan(fan_id)?
            }
            _ => None,
        };
        if let Some(a) = record {
            line.remember(now, a);
        }
        Ok(())
    }

    /// Runs one command to completion, synchronously.
    fn execute(
        &mut self,
        state: &State,
        command: Command,
        now: UnixMillis,
    ) -> Result<(Answer, Option<UnixMillis>)> {
        self.ready(state)?;
        self.count(state, command.kind())?;
        self.bring_back(&command, now)?;
        if let Command::Assignments {
            window,
            state,
            limit,
        } = &command
        {
            // Finished assignments may be in storage only: list from there, after writing.
            if let Some(line) = self.line.as_mut() {
                line.sweep(now);
            }
            let alarm = self.persist()?;
            let answer = match self.line {
                None => Err(QueueError::SaleNotFound),
                Some(_) => Ok(Reply::Assignments {
                    assignments: self.store().list(window.as_ref(), *state, *limit)?,
                }),
            };
            return Ok((answer, alarm));
        }
        let answer = self.dispatch(command, now);
        let alarm = self.persist()?;
        Ok((answer, alarm))
    }
}

impl SaleCoordinator {
    /// Runs `work` against the state; on a storage failure drops what is in memory, so the next
    /// request rebuilds it from what was durably written.
    fn with_inner<T>(&self, work: impl FnOnce(&mut Inner) -> Result<T>) -> Result<T> {
        let mut inner = self.inner.borrow_mut();
        let result = work(&mut inner);
        if result.is_err() {
            *inner = Inner::default();
        }
        result
    }

    async fn schedule(&self, alarm: Option<UnixMillis>) {
        if let Some(at) = alarm {
            if let Err(e) = self
                .state
                .storage()
                .set_alarm(clock::until(at, clock::now()))
                .await
            {
                worker::console_error!("could not set the lapse alarm: {e}");
            }
        }
    }
}

impl DurableObject for SaleCoordinator {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            inner: RefCell::new(Inner::default()),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: Command = match req.json().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a coordinator command: {e}"), 400),
        };
        let now = clock::now();
        let (answer, alarm) = self.with_inner(|inner| inner.execute(&self.state, command, now))?;
        self.schedule(alarm).await;
        Response::from_json(&answer)
    }

    /// Lapses the assignments whose claim deadline passed, even when no request comes.
    async fn alarm(&self) -> Result<Response> {
        let now = clock::now();
        let alarm = self.with_inner(|inner| {
            inner.ready(&self.state)?;
            inner.alarm_at = None;
            if let Some(line) = inner.line.as_mut() {
                line.sweep(now);
            }
            inner.persist()
        })?;
        self.schedule(alarm).await;
        Response::ok("swept")
    }
}
