//! The sessions a protected sale's safety net counts, batched per isolate: each session this
//! isolate starts, renews or sees ended goes into the sale's [`SessionTally`], and the
//! coordinator hears the tally in at most one request per isolate and sale a second
//! ([`TALLY_EVERY_MS`]), like presence (`presence.rs`). Only sales with `queue_when` are counted.
//!
//! A tally is sent by the first event after the interval, so one that arrives after a quiet
//! second goes at once; the events of a second that no later event follows wait for the next
//! one (traffic that stops needs no net). A failed report is logged and its tally dropped: the
//! net then under-counts those sessions (the renewals of active ones count them again within
//! half a session).

use crate::lru::Lru;
use crate::objects::{Coordinator, Objects};
use std::cell::RefCell;
use waitroom_core::machines::protocol::Command;
use waitroom_core::protect::net::TALLY_EVERY_MS;
use waitroom_core::protect::SessionTally;
use waitroom_core::{SaleId, UnixMillis};

/// Most sales an isolate gathers tallies for at once.
const MAX_SALES: usize = 1_000;

#[derive(Default)]
struct Pending {
    tally: SessionTally,
    last_sent: UnixMillis,
}

thread_local! {
    static PENDING: RefCell<Lru<SaleId, Pending>> = RefCell::new(Lru::new(MAX_SALES));
}

/// What happened to one session.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// Started, expiring at (Unix seconds).
    Started { exp: u64 },
    /// Renewed from one expiry to another.
    Renewed { from: u64, to: u64 },
    /// Ended by the origin before its expiry.
    Ended { exp: u64 },
}

/// Notes `event` of a session of `sale` (sessions of `session_s`), and tells the coordinator the
/// tally if it is this isolate's turn.
pub async fn note(objects: &Objects, sale: &SaleId, session_s: u64, event: Event, now: UnixMillis) {
    let due = PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        let entry = pending.get_or_insert_with(sale, Pending::default);
        match event {
            Event::Started { exp } => entry.tally.started(exp, session_s),
            Event::Renewed { from, to } => entry.tally.renewed(from, to, session_s),
            Event::Ended { exp } => entry.tally.ended(exp, session_s),
        }
        if entry.tally.is_empty() || now < entry.last_sent.plus_millis(TALLY_EVERY_MS) {
            return None;
        }
        entry.last_sent = now;
        Some(std::mem::take(&mut entry.tally))
    });
    if let Some(tally) = due {
        if let Err(e) = objects
            .tell(&Coordinator(sale), &Command::Sessions { tally })
            .await
        {
            worker::console_warn!("session tally for {sale} failed: {e:?}");
        }
    }
}
