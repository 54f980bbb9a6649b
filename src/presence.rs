//! Presence reports, batched per isolate: every poll of a fan near the front counts, and the
//! coordinator hears about all of them in at most one request per isolate and sale per second.
//!
//! A fan near the front polls about once a second. Telling the coordinator on each poll would cost
//! it a request per poll; sampling polls would let an unlucky fan who is there look gone. So the
//! isolate gathers the arrival numbers it saw and sends them together: the cost follows the number
//! of isolates, not of fans, and nobody who polls is missed.

use crate::lru::Lru;
use crate::objects::{Coordinator, Objects};
use std::cell::RefCell;
use std::collections::BTreeSet;
use waitroom_core::machines::protocol::Command;
use waitroom_core::{Position, SaleId, Seq, UnixMillis};

/// How often an isolate reports a sale's present fans.
pub const FLUSH_EVERY_MS: u64 = 1_000;
/// Most arrival numbers one report carries; more wait for the next one.
const MAX_BATCH: usize = 5_000;
/// Most sales an isolate gathers reports for at once.
const MAX_SALES: usize = 1_000;

#[derive(Default)]
struct Pending {
    seqs: BTreeSet<Seq>,
    /// Fans whose line position is not their arrival number (drawn in a pre-queue), by position.
    positions: BTreeSet<Position>,
    last_flush: UnixMillis,
}

thread_local! {
    static PENDING: RefCell<Lru<SaleId, Pending>> = RefCell::new(Lru::new(MAX_SALES));
}

/// Notes that fan `seq` of `sale`, at line position `position`, polled, and reports the batch if
/// it is this isolate's turn. A failed report is logged and its numbers dropped: the fans poll
/// again within a second.
pub async fn seen(objects: &Objects, sale: &SaleId, seq: Seq, position: Position, now: UnixMillis) {
    let batch = PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        let entry = pending.get_or_insert_with(sale, Pending::default);
        if entry.seqs.len() + entry.positions.len() < MAX_BATCH {
            if position == Position(seq) {
                entry.seqs.insert(seq);
            } else {
                entry.positions.insert(position);
            }
        }
        if now < entry.last_flush.plus_millis(FLUSH_EVERY_MS) {
            return None;
        }
        entry.last_flush = now;
        let seqs = std::mem::take(&mut entry.seqs).into_iter().collect();
        let positions = std::mem::take(&mut entry.positions).into_iter().collect();
        Some((seqs, positions))
    });
    if let Some((seqs, positions)) = batch {
        if let Err(e) = objects
            .tell(&Coordinator(sale), &Command::Present { seqs, positions })
            .await
        {
            worker::console_warn!("presence report for {sale} failed: {e}");
        }
    }
}
