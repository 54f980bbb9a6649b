//! The coordinator Durable Object: one per sale (named by the sale id), holding the sale's line.
//!
//! All it decides is in the core ([`SaleMachine`]), this object only dispatches: it opens
//! storage, loads, feeds each request, socket and alarm to the core, looks up in SQLite (or, for
//! the pass keys, the environment) what the core asks for, writes the changes the core reports,
//! sets the alarm, sends the pushes the core made and answers. Which socket is taken, which
//! proof of work was spent and each turn's pass are the core's. No request awaits anything
//! between reading the state and writing it, so requests never interleave inside the line.

mod sockets;

use super::outbox;
use super::store::{Loaded, Store};
use crate::clock;
use crate::events;
use crate::objects::{
    refuse_unanswered_protocol, ClockPoke, ClockPoked, CoordinatorCall, Fault, FaultReport,
    MAX_FAULT_DELAY_MS, SOCKET_PATH,
};
use crate::random;
use crate::test_faults;
use crate::web_push::send::{send_all, Pushed};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use waitroom_core::fairness::pow::SpentSolutions;
use waitroom_core::machines::finish_many::FinishMany;
use waitroom_core::machines::protocol::{Answer, Command, PartyCommand, Reply};
use waitroom_core::machines::push_protocol::PushCommand;
use waitroom_core::machines::sale_machine::{
    Input, Need, PassSigning, Record, SaleMachine, Step, MAX_STEPS,
};
use waitroom_core::queue::draw::DrawKey;
use waitroom_core::queue::socket::{Attachment, Message};
use waitroom_core::{Seq, UnixMillis};
use worker::{Env, Request, Response, Result, State, WebSocket, WebSocketIncomingMessage};

pub struct SaleCoordinatorObject {
    state: State,
    env: Env,
    inner: RefCell<Option<Inner>>,
    /// Whether this worker runs with test faults on (`WAITROOM_TEST_FAULTS=1`): only then do
    /// the fault switch and the test clock's poke exist.
    faults_allowed: bool,
    /// The test fault applied to every command (in memory only: a restart clears it).
    fault: Cell<Fault>,
    /// Commands failed by the fault since it was last switched, by kind (they never reach the
    /// core, so its request counts do not see them).
    failed: RefCell<BTreeMap<String, u64>>,
    /// The proof-of-work solutions spent, kept from a machine dropped after a storage failure
    /// for the one rebuilt next ([`SaleMachine::into_spent`]).
    spent_before: RefCell<Option<SpentSolutions>>,
    /// A flush of the events outbox is waiting on the queue, and more events were written
    /// meanwhile (see [`SaleCoordinatorObject::emit`]).
    flushing: Cell<bool>,
    more_events: Cell<bool>,
    /// How the Web Push calls sent after an answer came out, for the core to count (and forget
    /// gone subscriptions) at the next request or alarm (see [`SaleCoordinatorObject::call_back`]).
    pushed: Rc<RefCell<Vec<Pushed>>>,
}

/// Most flushes one `emit` runs back to back for events written while it waited.
const MAX_FLUSHES: usize = 3;

/// What is in memory once storage is open.
struct Inner {
    store: Store,
    machine: SaleMachine,
    /// The alarm this object last set (recorded only once `set_alarm` succeeded), so it is set
    /// only when the next deadline changes, and set again after a failure.
    alarm_at: Option<UnixMillis>,
}

impl Inner {
    /// Opens storage and rebuilds the core from it. Unreadable records are skipped and counted;
    /// a sale whose own settings cannot be read refuses every command (and is not loaded again
    /// for each request).
    fn open(state: &State, now: UnixMillis) -> Result<Self> {
        let mut inner = Self::load(state, now)?;
        inner.count_open_sockets(state, now);
        Ok(inner)
    }

    fn load(state: &State, now: UnixMillis) -> Result<Self> {
        let store = Store::open(state.storage().sql())?;
        let mut machine = match store.load(SaleMachine::recent_since(now))? {
            Loaded::Missing => SaleMachine::restore(None, store.request_counts()?),
            Loaded::Sale(sale, restored) => {
                SaleMachine::restore(Some((sale, restored)), store.request_counts()?)
            }
            Loaded::Unavailable => {
                worker::console_error!(
                    "the sale's line counter cannot be read: its requests are refused until the record is repaired"
                );
                SaleMachine::unavailable(None)
            }
            Loaded::SettingsUnreadable(restored) => {
                worker::console_error!(
                    "the sale's settings cannot be read: its requests are refused until a full PUT of its settings repairs them"
                );
                SaleMachine::unavailable(Some(restored))
            }
        };
        machine.count_bad_records(store.take_bad_records());
        Ok(Self {
            store,
            machine,
            alarm_at: None,
        })
    }

    /// Runs one input to its answer: the core asks, storage (or, for the pass keys, the
    /// environment) answers, changes are written before each lookup and before answering.
    /// Returns the alarm to set, if it moved.
    fn run(
        &mut self,
        input: Input,
        now: UnixMillis,
        env: &Env,
    ) -> Result<(Answer, Option<UnixMillis>)> {
        let mut control = events::control(&self.machine);
        let mut step = self.machine.handle(input, now);
        for _ in 0..MAX_STEPS {
            let changes = self.machine.take_changes();
            let written = events::of_changes(control, &self.machine, &changes);
            self.store.apply(changes)?;
            self.store.queue_events(&written)?;
            control = events::control(&self.machine);
            match step {
                Step::Reply(answer) => return Ok((answer, self.alarm())),
                Step::Need(Need::PassSigning) => {
                    step = self
                        .machine
                        .supply(Record::PassSigning(pass_signing(env)), now);
                }
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

    /// Writes what the core changed outside a command (a sweep before a socket was accepted).
    fn write_changes(&mut self) -> Result<Option<UnixMillis>> {
        let control = events::control(&self.machine);
        let changes = self.machine.take_changes();
        let written = events::of_changes(control, &self.machine, &changes);
        self.store.apply(changes)?;
        self.store.queue_events(&written)?;
        Ok(self.alarm())
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

impl SaleCoordinatorObject {
    /// The state in memory, opening storage (and rebuilding the core from it) first if needed.
    fn open(&self, now: UnixMillis) -> Result<Inner> {
        let mut inner = Inner::open(&self.state, now)?;
        if let Some(spent) = self.spent_before.borrow_mut().take() {
            inner.machine.keep_spent(spent);
        }
        Ok(inner)
    }

    /// After a storage failure: what is in memory is dropped, so the next request rebuilds it
    /// from what was durably written; only the proof-of-work solutions spent carry over.
    fn drop_after_failure(&self, inner: Inner) {
        *self.spent_before.borrow_mut() = Some(inner.machine.into_spent());
    }

    /// Runs `input` against the state (see [`Inner::run`]).
    fn run(&self, input: Input, now: UnixMillis) -> Result<(Answer, Option<UnixMillis>)> {
        let mut slot = self.inner.borrow_mut();
        let mut inner = match slot.take() {
            Some(inner) => inner,
            None => self.open(now)?,
        };
        self.count_pushed(&mut inner, now);
        let result = inner.run(input, now, &self.env);
        match result {
            Ok(_) => *slot = Some(inner),
            Err(_) => self.drop_after_failure(inner),
        }
        result
    }

    /// Runs `f` on the core (opening storage first if needed) and writes what it changed.
    fn with_machine<R>(
        &self,
        now: UnixMillis,
        f: impl FnOnce(&mut SaleMachine) -> R,
    ) -> Result<(R, Option<UnixMillis>)> {
        let mut slot = self.inner.borrow_mut();
        let mut inner = match slot.take() {
            Some(inner) => inner,
            None => self.open(now)?,
        };
        self.count_pushed(&mut inner, now);
        let out = f(&mut inner.machine);
        let alarm = inner.write_changes();
        match alarm {
            Ok(_) => *slot = Some(inner),
            Err(_) => self.drop_after_failure(inner),
        }
        Ok((out, alarm?))
    }

    /// A push route's command (docs/api.md, "Called back"): run on the core, its changes written,
    /// the calls it made sent after the answer.
    async fn push_command(&self, mut req: Request) -> Result<Response> {
        let command: PushCommand = match req.json().await {
            Ok(command) => command,
            Err(e) => return Response::error(format!("not a push command: {e}"), 400),
        };
        let now = clock::now();
        let (answer, alarm) = self.with_machine(now, |machine| machine.call_back(command, now))?;
        self.call_back();
        let _ = self.schedule(alarm).await;
        self.emit().await;
        Response::from_json(&answer)
    }

    /// Tells the core how the pushes sent since the last request came out (counted; a gone
    /// subscription forgotten, written with this request's changes).
    fn count_pushed(&self, inner: &mut Inner, now: UnixMillis) {
        for p in self.pushed.borrow_mut().drain(..) {
            inner.machine.pushed(p.seq, &p.endpoint, p.outcome, now);
        }
    }

    /// Sends the Web Push calls the core made (a fan near the front, a called fan's turn) after
    /// the answer, without holding it up (`wait_until`; see [`crate::web_push::send`]).
    fn call_back(&self) {
        let now = clock::now();
        let calls = match self.inner.borrow_mut().as_mut() {
            Some(inner) => inner.machine.take_push_calls(now),
            None => return,
        };
        if calls.is_empty() {
            return;
        }
        let keys = match crate::config::vapid_keys(&self.env) {
            Ok(keys) => keys,
            Err(e) => {
                worker::console_error!("web push: {e}: {} pushes dropped", calls.len());
                let mut pushed = self.pushed.borrow_mut();
                pushed.extend(calls.into_iter().map(|c| Pushed {
                    seq: c.seq,
                    endpoint: c.subscription.endpoint,
                    outcome: waitroom_core::machines::sale_machine::PushOutcome::Failed,
                }));
                return;
            }
        };
        let subject = crate::config::vapid_subject(&self.env);
        let pushed = self.pushed.clone();
        self.state.wait_until(async move {
            let outcomes = send_all(calls, keys, subject).await;
            pushed.borrow_mut().extend(outcomes);
        });
    }

    /// Sends the outbox's events onto the queue (see [`super::outbox`]); events left (the queue
    /// refused them) are tried again by the next request or by an alarm within
    /// [`outbox::RETRY_MS`], whichever comes first.
    ///
    /// One flush at a time: a request that comes while one waits on the queue leaves its events
    /// to it (it reads the outbox again before it stops), so no event is sent once per request.
    async fn emit(&self) {
        if self.flushing.replace(true) {
            self.more_events.set(true);
            return;
        }
        let sql = self.state.storage().sql();
        let mut left = false;
        for _ in 0..MAX_FLUSHES {
            self.more_events.set(false);
            left = if self.fault.get().refuse_events {
                worker::console_warn!("test fault: the events queue refuses this sale's events");
                true
            } else {
                outbox::flush(&sql, &self.env).await
            };
            if left || !self.more_events.get() {
                break;
            }
        }
        self.flushing.set(false);
        if !left && !self.more_events.get() {
            return;
        }
        let retry_at = clock::now().plus_millis(outbox::RETRY_MS);
        let deadline = self
            .inner
            .borrow()
            .as_ref()
            .and_then(|inner| inner.machine.next_deadline());
        let at = deadline.map_or(retry_at, |d| d.min(retry_at));
        let _ = self.schedule(Some(at)).await;
    }

    /// The test clock moved (see [`crate::clock`]): an alarm set before rings too late by the
    /// moved clock, so a pending one is run now, and sets the next one from the moved time.
    async fn clock_moved(&self, poke: ClockPoke) -> Result<ClockPoked> {
        clock::learn_offset(poke.offset_ms);
        let pending = self.state.storage().get_alarm().await?.is_some();
        if pending {
            self.alarm().await?;
        }
        let (shards, alarm) = self.with_machine(clock::now(), |machine| {
            machine.queue().map_or(0, |line| {
                let sale = line.sale();
                let before = sale.shards_changed.map_or(0, |change| change.from);
                sale.settings.shards.max(before)
            })
        })?;
        self.schedule(alarm).await?;
        Ok(ClockPoked {
            alarm_ran: pending,
            shards,
        })
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

/// An upsert gets a fresh draw key from this object's randomness: the core keeps it only if the
/// sale needs one and has none, so a key is chosen here, once, and never travels.
fn with_randomness(mut command: Command) -> Command {
    if let Command::Upsert { draw_key, .. } = &mut command {
        *draw_key = Some(Box::new(DrawKey::from_bytes(random::bytes())));
    }
    command
}

/// What the runtime calls: the full worker's class of the same name hands every event here.
impl SaleCoordinatorObject {
    pub fn new(state: State, env: Env) -> Self {
        // A page's keep-alive "ping" is answered "pong" by the runtime, without waking the object.
        match worker::worker_sys::WebSocketRequestResponsePair::new("ping", "pong") {
            Ok(pair) => state.set_websocket_auto_response(&pair),
            Err(e) => worker::console_warn!("no socket auto-response: {e:?}"),
        }
        Self {
            state,
            faults_allowed: test_faults::enabled(&env),
            env,
            inner: RefCell::new(None),
            fault: Cell::new(Fault::default()),
            failed: RefCell::new(BTreeMap::new()),
            spent_before: RefCell::new(None),
            flushing: Cell::new(false),
            more_events: Cell::new(false),
            pushed: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// Every kind of request at the path its type names (see [`CoordinatorCall::PATH`]).
    pub async fn fetch(&self, mut req: Request) -> Result<Response> {
        let url = req.url()?;
        if url.path() == ClockPoke::PATH {
            if !self.faults_allowed {
                return Response::error("not found", 404);
            }
            let poke: ClockPoke = match req.json().await {
                Ok(poke) => poke,
                Err(e) => return Response::error(format!("not a clock poke: {e}"), 400),
            };
            return Response::from_json(&self.clock_moved(poke).await?);
        }
        if url.path() == Fault::PATH {
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
        if url.path() == SOCKET_PATH {
            let param = |name: &str| {
                url.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            let seq = param("seq").and_then(|v| v.parse::<Seq>().ok());
            // An edge of a release before moves sends none: the place's first hand.
            let hand = param("hand")
                .and_then(|v| v.parse::<u8>().ok())
                .unwrap_or(0);
            // An edge of a release before the bound sends no address: one shared budget.
            let from = param("from").unwrap_or_else(|| "unknown".into());
            return match seq {
                Some(seq) => self.accept_socket(seq, hand, &from).await,
                None => Response::error("a socket needs ?seq=", 400),
            };
        }
        if url.path() == PushCommand::PATH {
            return self.push_command(req).await;
        }
        // A party's command, and a batch of finishes, come at their own paths (see
        // `objects::CoordinatorCall`).
        let input = match url.path() {
            PartyCommand::PATH => req
                .json::<PartyCommand>()
                .await
                .map(Command::from)
                .map(Input::from),
            FinishMany::PATH => req.json::<FinishMany>().await.map(Input::from),
            _ => req.json::<Command>().await.map(Input::from),
        };
        let input = match input {
            Ok(input) => input,
            Err(e) => return Response::error(format!("not a coordinator command: {e}"), 400),
        };
        let kind = match &input {
            Input::Command(command) => command.kind(),
            Input::FinishMany(batch) => batch.kind(),
            Input::Alarm => "alarm",
        };
        let fault = self.fault.get();
        if fault.delay_ms > 0 {
            worker::Delay::from(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.fail {
            *self.failed.borrow_mut().entry(kind.to_owned()).or_default() += 1;
            return Response::error("test fault: the coordinator fails", 500);
        }
        let now = clock::now();
        let moving = match &input {
            Input::Command(Command::Move { seq, .. }) => Some(*seq),
            _ => None,
        };
        let input = match input {
            Input::Command(command) => Input::Command(with_randomness(command)),
            other => other,
        };
        let (answer, alarm) = self.run(input, now)?;
        if let (Some(seq), Ok(Reply::Moved(_))) = (moving, &answer) {
            self.close_moved(seq)?;
        }
        // Turns this command claimed for fans holding a socket go out before the answer; Web
        // Push calls go out after it.
        self.push_turns();
        self.call_back();
        // The answer stands (its changes are written); a failed alarm is retried next time.
        let _ = self.schedule(alarm).await;
        self.emit().await;
        Response::from_json(&answer)
    }

    /// Lapses the assignments whose claim deadline passed, even when no request comes.
    pub async fn alarm(&self) -> Result<Response> {
        if let Some(inner) = self.inner.borrow_mut().as_mut() {
            // The alarm that was set has rung: set the next one even if it is the same time.
            inner.alarm_at = None;
        }
        let (_, alarm) = self.run(Input::Alarm, clock::now())?;
        self.push_turns();
        self.call_back();
        // An error makes the runtime retry the alarm, which tries to set the next one again.
        self.schedule(alarm).await?;
        // After the line's own alarm: events still unsent set an earlier one for their retry.
        self.emit().await;
        Response::ok("swept")
    }

    /// A page's message (anything but the runtime-answered "ping"): answered with what the
    /// socket is, so a page can check it is still watched.
    pub async fn websocket_message(
        &self,
        ws: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> Result<()> {
        if let Ok(Some(Attachment { seq })) = ws.deserialize_attachment::<Attachment>() {
            ws.send(&Message::Watching { seq })?;
        }
        Ok(())
    }

    /// The page closed its socket (or went away): from now on the fan is as present as their
    /// polls say.
    pub async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        self.socket_gone(&ws)?;
        // Complete the closing handshake (1005/1006 are no codes to send back).
        let code = u16::try_from(code)
            .ok()
            .filter(|c| *c != 1005 && *c != 1006)
            .unwrap_or(1000);
        let _ = ws.close(Some(code), Some("closed"));
        Ok(())
    }

    /// The socket failed: as a close.
    pub async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        worker::console_warn!("a fan socket failed: {error}");
        self.socket_gone(&ws)
    }
}

/// The pass-signing keys and issuer, as the core asks for them ([`Need::PassSigning`]), or
/// `None` (logged) when they cannot be read: then no pass is signed, and fans are answered busy
/// until they can be.
fn pass_signing(env: &Env) -> Option<PassSigning> {
    let read = crate::config::pass_signer(env).map(|keys| PassSigning {
        keys,
        issuer: crate::config::pass_issuer(env),
    });
    read.inspect_err(|e| worker::console_error!("no pass signed (fans are answered busy): {e}"))
        .ok()
}
