//! The coordinator Durable Object: one per sale (named by the sale id), holding the sale's line.
//!
//! All it decides is in the core ([`Machine`]): this object opens storage, loads, feeds each
//! request (and each alarm) to the core, looks up in SQLite what the core asks for, writes the
//! changes the core reports, sets the alarm and answers. No request awaits anything between
//! reading the state and writing it, so requests never interleave inside the line.

use super::store::{Loaded, Store};
use crate::clock;
use crate::coordinator_client::{
    refuse_unanswered_protocol, Fault, FaultReport, FAULT_URL, MAX_FAULT_DELAY_MS,
};
use crate::events;
use crate::test_faults;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;
use waitroom_core::events::EventMessage;
use waitroom_core::pow::SpentSolutions;
use waitroom_core::protocol::{Answer, Command};
use waitroom_core::sale_coordinator::{Input, SaleCoordinator as Machine, Step, MAX_STEPS};
use waitroom_core::UnixMillis;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

/// The most unexpired proof-of-work solutions a coordinator or arrival shard remembers: beyond
/// it joins are answered busy. 200,000 x ~60 bytes; more than a shard takes in two minutes.
pub const MAX_SPENT_SOLUTIONS: usize = 200_000;

#[durable_object]
pub struct SaleCoordinator {
    state: State,
    env: Env,
    inner: RefCell<Option<Inner>>,
    /// Whether this worker runs with test faults on (`WAITROOM_TEST_FAULTS=1`): only then does
    /// [`FAULT_URL`] exist.
    faults_allowed: bool,
    /// The test fault applied to every command (in memory only: a restart clears it).
    fault: Cell<Fault>,
    /// Commands failed by the fault since it was last switched, by kind (they never reach the
    /// core, so its request counts do not see them).
    failed: RefCell<BTreeMap<String, u64>>,
    /// Proof-of-work solutions joins here were paid with, until their challenges expire (in
    /// memory: see docs/fairness.md on restarts).
    spent: RefCell<SpentSolutions>,
}

/// What is in memory once storage is open.
struct Inner {
    store: Store,
    machine: Machine,
    /// The alarm this object last set (recorded only once `set_alarm` succeeded), so it is set
    /// only when the next deadline changes, and set again after a failure.
    alarm_at: Option<UnixMillis>,
    /// Events of changes written, not yet on the queue.
    events: Vec<EventMessage>,
}

impl Inner {
    /// Opens storage and rebuilds the core from it. Unreadable records are skipped and counted;
    /// a sale whose own settings cannot be read refuses every command (and is not loaded again
    /// for each request).
    fn open(state: &State, now: UnixMillis) -> Result<Self> {
        let store = Store::open(state.storage().sql())?;
        let mut machine = match store.load(Machine::recent_since(now))? {
            Loaded::Missing => Machine::restore(None, store.request_counts()?),
            Loaded::Sale(sale, restored) => {
                Machine::restore(Some((sale, restored)), store.request_counts()?)
            }
            Loaded::Unavailable => {
                worker::console_error!(
                    "the sale's settings cannot be read: its requests are refused until the record is repaired"
                );
                Machine::unavailable()
            }
        };
        machine.count_bad_records(store.take_bad_records());
        Ok(Self {
            store,
            machine,
            alarm_at: None,
            events: Vec::new(),
        })
    }

    /// Runs one input to its answer: the core asks, storage answers, changes are written before
    /// each lookup and before answering. Returns the alarm to set, if it moved.
    fn run(&mut self, input: Input, now: UnixMillis) -> Result<(Answer, Option<UnixMillis>)> {
        let mut control = events::control(&self.machine);
        let mut step = self.machine.handle(input, now);
        for _ in 0..MAX_STEPS {
            let changes = self.machine.take_changes();
            let written = events::of_changes(control, &self.machine, &changes);
            self.store.apply(changes)?;
            self.events.extend(written);
            control = events::control(&self.machine);
            match step {
                Step::Reply(answer) => return Ok((answer, self.alarm())),
                Step::Need(need) => {
                    let record = self.store.answer(&need)?;
                    self.machine
                        .count_bad_records(self.store.take_bad_records());
                    step = self.machine.supply(record, now);
                }
            }
        }
        Err(worker::Error::RustError(format!(
            "the coordinator gave no answer within {MAX_STEPS} steps"
        )))
    }

    /// The alarm to set, if the next deadline is not the one already set.
    fn alarm(&self) -> Option<UnixMillis> {
        let deadline = self.machine.next_deadline();
        if deadline.is_some() && deadline != self.alarm_at {
            return deadline;
        }
        None
    }
}

impl SaleCoordinator {
    /// Runs `input` against the state, opening storage first if needed; on a storage failure
    /// drops what is in memory, so the next request rebuilds it from what was durably written.
    fn run(&self, input: Input, now: UnixMillis) -> Result<(Answer, Option<UnixMillis>)> {
        let mut slot = self.inner.borrow_mut();
        let mut inner = match slot.take() {
            Some(inner) => inner,
            None => Inner::open(&self.state, now)?,
        };
        let result = inner.run(input, now);
        if result.is_ok() {
            *slot = Some(inner);
        }
        result
    }

    /// Puts the events of what was written on the queue.
    async fn emit(&self) {
        let written = match self.inner.borrow_mut().as_mut() {
            Some(inner) => std::mem::take(&mut inner.events),
            None => return,
        };
        events::emit(&self.env, written).await;
    }

    /// Sets the alarm and only then records it as set: a failure is retried by the next request
    /// (and, from the alarm handler, by the runtime retrying the alarm).
    async fn schedule(&self, alarm: Option<UnixMillis>) -> Result<()> {
        let Some(at) = alarm else {
            return Ok(());
        };
        if let Err(e) = self
            .state
            .storage()
            .set_alarm(clock::until(at, clock::now()))
            .await
        {
            worker::console_error!("could not set the coordinator's alarm: {e}");
            return Err(e);
        }
        if let Some(inner) = self.inner.borrow_mut().as_mut() {
            inner.alarm_at = Some(at);
        }
        Ok(())
    }
}

impl DurableObject for SaleCoordinator {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            faults_allowed: test_faults::enabled(&env),
            env,
            inner: RefCell::new(None),
            fault: Cell::new(Fault::default()),
            failed: RefCell::new(BTreeMap::new()),
            spent: RefCell::new(SpentSolutions::new(MAX_SPENT_SOLUTIONS)),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if req.url()?.as_str() == FAULT_URL {
            if !self.faults_allowed {
                return Response::error("not found", 404);
            }
            let fault: Fault = match req.json().await {
                Ok(fault) => fault,
                Err(e) => return Response::error(format!("not a fault: {e}"), 400),
            };
            worker::console_warn!("test fault switched: {fault:?}");
            self.fault.set(Fault {
                delay_ms: fault.delay_ms.min(MAX_FAULT_DELAY_MS),
                ..fault
            });
            let failed = std::mem::take(&mut *self.failed.borrow_mut());
            return Response::from_json(&FaultReport {
                failed_by_kind: failed,
            });
        }
        if let Some(refused) = refuse_unanswered_protocol(&req) {
            return refused;
        }
        let command: Command = match req.json().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a coordinator command: {e}"), 400),
        };
        let fault = self.fault.get();
        if fault.delay_ms > 0 {
            worker::Delay::from(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.fail {
            *self
                .failed
                .borrow_mut()
                .entry(command.kind().to_owned())
                .or_default() += 1;
            return Response::error("test fault: the coordinator fails", 500);
        }
        let now = clock::now();
        let paid = match &command {
            Command::Join { pow, .. } => *pow,
            _ => None,
        };
        if let Err(refused) = self.spent.borrow_mut().spend_for_join(paid, now) {
            return Response::from_json(&Answer::Err(refused.into()));
        }
        let (answer, alarm) = match self.run(Input::Command(command), now) {
            Ok(done) => done,
            Err(e) => {
                paid.inspect(|v| self.spent.borrow_mut().forget(v));
                return Err(e);
            }
        };
        if let (Some(v), Err(_)) = (&paid, &answer) {
            self.spent.borrow_mut().forget(v);
        }
        // The answer stands (its changes are written); a failed alarm is retried next time.
        let _ = self.schedule(alarm).await;
        self.emit().await;
        Response::from_json(&answer)
    }

    /// Lapses the assignments whose claim deadline passed, even when no request comes.
    async fn alarm(&self) -> Result<Response> {
        if let Some(inner) = self.inner.borrow_mut().as_mut() {
            // The alarm that was set has rung: set the next one even if it is the same time.
            inner.alarm_at = None;
        }
        let (_, alarm) = self.run(Input::Alarm, clock::now())?;
        self.emit().await;
        // An error makes the runtime retry the alarm, which tries to set the next one again.
        self.schedule(alarm).await?;
        Response::ok("swept")
    }
}
