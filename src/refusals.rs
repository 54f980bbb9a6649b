//! Places the door refused, counted per isolate and sale by defence, and told to the sale's
//! coordinator in one batch at most every [`REFUSALS_FLUSH_EVERY_MS`] (with the next refusal
//! after that long): a crowd of scripts refused at the edge costs the coordinator at most one
//! request per isolate and sale per five seconds, and the public report counts them
//! (docs/api.md, "The public report"). What an isolate counted in its last five seconds and never
//! told (it saw no refusal after, or was evicted) is missing from the report: a lower bound.

use crate::error::ApiError;
use crate::lru::Lru;
use crate::objects::{Coordinator, Objects};
use std::cell::RefCell;
use waitroom_core::fairness::pow::PowError;
use waitroom_core::fairness::refusals::{Defence, RefusedCounts, REFUSALS_FLUSH_EVERY_MS};
use waitroom_core::fairness::turnstile::TurnstileError;
use waitroom_core::machines::protocol::Command;
use waitroom_core::{QueueError, SaleId, UnixMillis};

/// Most sales an isolate counts refusals for at once.
const MAX_SALES: usize = 1_000;

#[derive(Default)]
struct Pending {
    counts: RefusedCounts,
    last_flush: Option<UnixMillis>,
}

thread_local! {
    static PENDING: RefCell<Lru<SaleId, Pending>> = RefCell::new(Lru::new(MAX_SALES));
}

/// The defence behind a refusal at the door, if it is one. A challenge asked for the first time
/// (`pow_required`, `turnstile_required`: every fan's first step on such a sale) is not a
/// refusal, nor is an outage, a closed sale or a bad request; a place without an invitation on
/// an invitation-only sale is.
pub fn defence_of(e: &ApiError) -> Option<Defence> {
    match e {
        ApiError::Pow {
            error: PowError::Required,
            ..
        }
        | ApiError::Turnstile(TurnstileError::Required) => None,
        ApiError::Pow { .. } | ApiError::Queue(QueueError::PowSpent) => Some(Defence::ProofOfWork),
        ApiError::RateLimited { .. } => Some(Defence::Rate),
        ApiError::Turnstile(_) => Some(Defence::Turnstile),
        ApiError::InvitationRequired | ApiError::BadInvitation(_) => Some(Defence::Invitation),
        _ => None,
    }
}

/// Counts `e` if a defence refused the place, and tells the coordinator this isolate's counts
/// when it is their turn. A failed report is logged and its counts kept for the next one.
pub async fn refused(objects: &Objects, sale: &SaleId, e: &ApiError, now: UnixMillis) {
    let Some(defence) = defence_of(e) else {
        return;
    };
    let batch = PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        let entry = pending.get_or_insert_with(sale, Pending::default);
        entry.counts.add(defence, 1);
        if entry
            .last_flush
            .is_some_and(|at| now < at.plus_millis(REFUSALS_FLUSH_EVERY_MS))
        {
            return None;
        }
        entry.last_flush = Some(now);
        Some(std::mem::take(&mut entry.counts))
    });
    let Some(counts) = batch else {
        return;
    };
    if let Err(e) = objects
        .tell(&Coordinator(sale), &Command::Refused { counts })
        .await
    {
        worker::console_warn!("refusal counts for {sale} failed: {e:?}");
        PENDING.with(|p| {
            let mut pending = p.borrow_mut();
            let entry = pending.get_or_insert_with(sale, Pending::default);
            for d in Defence::ALL {
                entry.counts.add(d, counts.get(d));
            }
        });
    }
}
