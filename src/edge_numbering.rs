//! New fans numbered in this isolate, from sub-blocks of arrival numbers its arrival shard lends
//! ([`waitroom_core::machines::edge_block`] has the rules): a plain join of an open sale costs no object
//! request, except this isolate's lease about once a second per sale.
//!
//! The isolate keeps one [`EdgeNumbering`] per sale in memory (a bounded map: a sale pushed out
//! loses its sub-block unreported, which then reads as fully used after the bound), leasing from
//! one shard of the sale chosen at random when the numbering is made. A sub-block's use is
//! reported with the next lease, or, when no join comes, from `waitUntil` a moment after its end
//! (workers-rs 0.8.7: [`worker::Context::wait_until`] takes any `'static` future; a
//! [`worker::Delay`] is a `setTimeout`). A join that finds another join of this isolate leasing
//! waits for it in short steps (a request may not await another request's I/O).

use crate::clock;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::lru::Lru;
use crate::objects::{CallError, Objects, Shard};
use std::cell::RefCell;
use std::time::Duration;
use waitroom_core::machines::edge_block::{EdgeLease, EdgeLeaseRequest, EdgeNumbering, EdgeStep};
use waitroom_core::machines::protocol::{ShardCommand, ShardJoined};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{Phase, SaleId, Seq, UnixMillis};
use worker::{Delay, Env};

/// Sales one isolate numbers for at once.
const MAX_SALES: usize = 256;
/// A join waiting for another join's lease looks again this often...
const WAIT_STEP_MS: u64 = 5;
/// ...this many times at most (the core lets it lease itself after `LEASE_WAIT_MS`).
const MAX_WAITS: u32 = 500;
/// Leases one join asks for at most (each lease's numbers can go to joins waiting for it).
const MAX_LEASES: u32 = 4;
/// The idle report goes out this long after the sub-block's end.
const REPORT_AFTER_MS: u64 = 50;

thread_local! {
    static NUMBERINGS: RefCell<Lru<SaleId, EdgeNumbering>> = RefCell::new(Lru::new(MAX_SALES));
}

/// Whether a join is numbered here: a new fan (no place kept) of an open sale with arrival
/// shards, not paying with proof of work (its replay is caught where the solution's shard
/// numbers it) and not a member (numbered where the member's one place is kept). A sale with
/// one shard keeps numbering at its coordinator: a fan there can be handed out the moment they
/// joined, where an edge-numbered fan waits for their sub-block's end (up to a second).
pub fn numbers(snap: &Snapshot, now: UnixMillis, paid_with_pow: bool) -> bool {
    snap.sale.shards > 1
        && snap.phase_at(now) == Phase::Open
        && snap.sale.access.is_open()
        && !paid_with_pow
}

/// Runs `f` on this isolate's numbering for `sale` (made, with a random shard, if needed).
fn with<T>(sale: &SaleId, shards: u32, f: impl FnOnce(&mut EdgeNumbering) -> T) -> T {
    NUMBERINGS.with(|map| {
        let mut map = map.borrow_mut();
        let make = || EdgeNumbering::new(random_shard(shards));
        let numbering = map.get_or_insert_with(sale, make);
        // The sale has fewer shards now: start over with one it has.
        if numbering.shard() >= shards {
            *numbering = make();
        }
        f(numbering)
    })
}

fn random_shard(shards: u32) -> u32 {
    ((crate::random::fraction() * f64::from(shards)) as u32).min(shards - 1)
}

/// Numbers a new fan of `snap`'s sale here, leasing a sub-block first when needed. `None`: the
/// shard does not lend (an object of the release before edge numbering, during a gradual
/// deploy, refuses the command with a 400): number the fan at the shard, as that release did.
pub async fn join(ctx: &Ctx, snap: &Snapshot) -> Result<Option<ShardJoined>, ApiError> {
    let sale = &snap.sale.id;
    let shards = snap.sale.shards.max(1);
    let (mut waits, mut leases) = (0, 0);
    loop {
        let now = clock::now();
        match with(sale, shards, |n| n.join(now)) {
            EdgeStep::Joined(fan_id, seq) => {
                return Ok(Some(ShardJoined {
                    fan_id,
                    seq,
                    again: false,
                }))
            }
            EdgeStep::Wait if waits < MAX_WAITS => {
                waits += 1;
                Delay::from(Duration::from_millis(WAIT_STEP_MS)).await;
            }
            EdgeStep::Lease(request) if leases < MAX_LEASES => {
                leases += 1;
                let lease = lease(ctx, sale, &request).await;
                let now = clock::now();
                match lease {
                    Ok(lease) => {
                        let start = lease.start;
                        let until = now.plus_millis(lease.ttl_ms);
                        with(sale, shards, |n| n.install(&request, lease, now));
                        report_when_idle(ctx, sale, start, until);
                    }
                    Err(CallError::Status { status: 400, .. }) => {
                        with(sale, shards, EdgeNumbering::lease_failed);
                        return Ok(None);
                    }
                    Err(e) => {
                        with(sale, shards, EdgeNumbering::lease_failed);
                        return Err(e.into());
                    }
                }
            }
            EdgeStep::Wait | EdgeStep::Lease(_) => {
                with(sale, shards, EdgeNumbering::lease_failed);
                return Err(ApiError::Busy("no arrival number at the edge".into()));
            }
        }
    }
}

async fn lease(
    ctx: &Ctx,
    sale: &SaleId,
    request: &EdgeLeaseRequest,
) -> Result<EdgeLease, CallError> {
    let command = ShardCommand::LeaseEdge {
        sale: sale.clone(),
        shard: request.shard,
        want: request.want,
        reports: request.reports.clone(),
    };
    let shard = Shard {
        sale,
        shard: request.shard,
    };
    ctx.objects.ask(&shard, &command).await
}

/// After the sub-block starting at `start` ends (at `until`), reports its use unless a join
/// did: in `waitUntil`, so the answer to this join does not wait.
fn report_when_idle(ctx: &Ctx, sale: &SaleId, start: Seq, until: UnixMillis) {
    let Some(background) = ctx.background.as_ref() else {
        return;
    };
    let (env, sale) = (ctx.env.clone(), sale.clone());
    let delay = clock::until(until.plus_millis(REPORT_AFTER_MS), clock::now());
    background.wait_until(async move {
        Delay::from(delay).await;
        let reports = NUMBERINGS.with(|map| {
            map.borrow_mut()
                .get_mut(&sale)
                .map(|n| (n.shard(), n.take_due_report(start, clock::now())))
        });
        let Some((shard, reports)) = reports.filter(|(_, r)| !r.is_empty()) else {
            return;
        };
        send_reports(&env, &sale, shard, reports).await;
    });
}

async fn send_reports(
    env: &Env,
    sale: &SaleId,
    shard: u32,
    reports: Vec<waitroom_core::machines::edge_block::EdgeReport>,
) {
    let command = ShardCommand::ReportEdge {
        sale: sale.clone(),
        shard,
        reports,
    };
    let answer = Objects::new(env.clone())
        .tell(&Shard { sale, shard }, &command)
        .await;
    // Unreported, the sub-block reads as fully used after the bound: nothing is lost.
    match answer {
        Ok(()) => {}
        Err(CallError::Refused(e)) => {
            worker::console_error!("edge numbering of {sale}: report refused: {e}")
        }
        Err(e) => worker::console_error!("edge numbering of {sale}: report not sent: {e}"),
    }
}

/// Forgets this isolate's numbering of `sale` without reporting it, as an isolate that dies
/// does (the test fault switch's `forget_edge_numbering`).
pub fn forget(sale: &SaleId) {
    NUMBERINGS.with(|map| map.borrow_mut().remove(sale));
}
