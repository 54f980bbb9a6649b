//! The coordinator Durable Object: one per sale (named by the sale id), holding the sale's line.
//!
//! All it decides is in the core ([`Machine`]): this object opens storage, loads, feeds each
//! request (and each alarm) to the core, looks up in SQLite what the core asks for, writes the
//! changes the core reports, sets the alarm and answers. No request awaits anything between
//! reading the state and writing it, so requests never interleave inside the line.

use super::store::Store;
use crate::clock;
use std::cell::RefCell;
use waitroom_core::protocol::{Answer, Command};
use waitroom_core::sale_coordinator::{Input, SaleCoordinator as Machine, Step, MAX_STEPS};
use waitroom_core::UnixMillis;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

#[durable_object]
pub struct SaleCoordinator {
    state: State,
    inner: RefCell<Option<Inner>>,
}

/// What is in memory once storage is open.
struct Inner {
    store: Store,
    machine: Machine,
    /// The alarm this object last set, so it is set only when the next deadline changes.
    alarm_at: Option<UnixMillis>,
}

impl Inner {
    /// Opens storage and rebuilds the core from it.
    fn open(state: &State, now: UnixMillis) -> Result<Self> {
        let store = Store::open(state.storage().sql())?;
        let machine = Machine::restore(
            store.load(Machine::recent_since(now))?,
            store.request_counts()?,
        );
        Ok(Self {
            store,
            machine,
            alarm_at: None,
        })
    }

    /// Runs one input to its answer: the core asks, storage answers, changes are written before
    /// each lookup and before answering. Returns the alarm to set, if it moved.
    fn run(&mut self, input: Input, now: UnixMillis) -> Result<(Answer, Option<UnixMillis>)> {
        for _ in 0..MAX_STEPS {
            let step = self.machine.handle(input.clone(), now);
            self.store.apply(self.machine.take_changes())?;
            match step {
                Step::Reply(answer) => return Ok((answer, self.alarm())),
                Step::Need(need) => self.machine.supply(self.store.answer(&need)?),
            }
        }
        Err(worker::Error::RustError(format!(
            "the coordinator gave no answer within {MAX_STEPS} steps"
        )))
    }

    fn alarm(&mut self) -> Option<UnixMillis> {
        let deadline = self.machine.next_deadline();
        if deadline.is_some() && deadline != self.alarm_at {
            self.alarm_at = deadline;
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
            inner: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: Command = match req.json().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a coordinator command: {e}"), 400),
        };
        let (answer, alarm) = self.run(Input::Command(command), clock::now())?;
        self.schedule(alarm).await;
        Response::from_json(&answer)
    }

    /// Lapses the assignments whose claim deadline passed, even when no request comes.
    async fn alarm(&self) -> Result<Response> {
        if let Some(inner) = self.inner.borrow_mut().as_mut() {
            // The alarm that was set has rung: set the next one even if it is the same time.
            inner.alarm_at = None;
        }
        let (_, alarm) = self.run(Input::Alarm, clock::now())?;
        self.schedule(alarm).await;
        Response::ok("swept")
    }
}
