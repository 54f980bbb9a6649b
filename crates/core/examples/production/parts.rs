//! The production simulation's own pieces: its arguments, the arrival curve, the counters, and
//! the shard adapter minus the network (what it shares with `simulate.rs` is in `common/`).

use super::*;

pub(crate) struct Args {
    pub(crate) fans: u64,
    pub(crate) dcs: u64,
    pub(crate) isolates: u64,
    pub(crate) prequeue: u64,
    pub(crate) hours: f64,
    pub(crate) shards: u32,
    pub(crate) rate: u32,
    /// Line objects the sale's line is split over (1: the one coordinator, as before).
    pub(crate) lines: u32,
    /// Completions reported per request (the origin batching them).
    pub(crate) complete_batch: u64,
    /// Presence batches sent through the arrival shards, which forward one a second to each
    /// line object (1), or from each isolate to each line object (0, as built).
    pub(crate) presence_shards: bool,
}

pub(crate) fn args() -> Args {
    let mut a = Args {
        fans: 10_000_000,
        dcs: 300,
        isolates: 4,
        prequeue: 2_000_000,
        hours: 2.0,
        shards: 16,
        rate: 60_000,
        lines: 1,
        complete_batch: 1,
        presence_shards: false,
    };
    for arg in std::env::args().skip(1) {
        let Some((k, v)) = arg.split_once('=') else {
            panic!("arguments are name=value: {arg}");
        };
        let n: f64 = v.parse().unwrap_or_else(|_| panic!("not a number: {arg}"));
        match k {
            "fans" => a.fans = n as u64,
            "dcs" => a.dcs = n as u64,
            "isolates" => a.isolates = n as u64,
            "prequeue" => a.prequeue = n as u64,
            "hours" => a.hours = n,
            "shards" => a.shards = n as u32,
            "rate" => a.rate = n as u32,
            "lines" => a.lines = (n as u32).clamp(1, waitroom_core::queue::split::MAX_LINES),
            "complete_batch" => a.complete_batch = (n as u64).max(1),
            "presence_shards" => a.presence_shards = n > 0.0,
            _ => panic!("unknown argument {k}"),
        }
    }
    a.prequeue = a.prequeue.min(a.fans);
    a
}

/// Fans who have arrived by `t` ms after the opening (of `rest`, over `span` ms): 5 % at the
/// opening second, the rest with density ∝ 1 / (1 + t / τ).
pub(crate) fn arrived_after_opening(rest: u64, t: u64, span: u64) -> u64 {
    let burst = rest / 20;
    if t == 0 {
        return 0;
    }
    let first_second = (burst as f64 * (t.min(1000) as f64 / 1000.0)) as u64;
    let tau = 120_000.0;
    let cum = |x: f64| (1.0 + x / tau).ln();
    let tail = ((rest - burst) as f64 * cum(t.min(span) as f64) / cum(span as f64)) as u64;
    (first_second + tail).min(rest)
}

/// Pre-queue arrivals by `t` ms after it opened: density growing linearly towards the opening.
pub(crate) fn arrived_in_prequeue(prequeue: u64, t: u64) -> u64 {
    let x = t.min(PREQUEUE_MS) as f64 / PREQUEUE_MS as f64;
    (prequeue as f64 * x * x) as u64
}

#[derive(Default, Clone)]
pub(crate) struct Counts {
    /// Requests each object served, by kind.
    pub(crate) coordinator: BTreeMap<&'static str, u64>,
    pub(crate) shard: BTreeMap<&'static str, u64>,
    /// Rows the coordinator and the shards wrote.
    pub(crate) coordinator_rows: u64,
    pub(crate) shard_rows: u64,
    /// Edge: polls answered (estimated from each second's sampled intervals), joins, Cache API reads.
    pub(crate) polls: f64,
    pub(crate) joins: u64,
    pub(crate) cache_reads: u64,
}

impl Counts {
    pub(crate) fn coordinator_total(&self) -> u64 {
        self.coordinator.values().sum()
    }
    pub(crate) fn shard_total(&self) -> u64 {
        self.shard.values().sum()
    }
}

/// The snapshot as the edge gets it, and what it would weigh listing every gap (the form before
/// issue 19), with the gaps it would list.
pub(crate) fn snapshot_sizes(c: &Queue, snap: &Snapshot) -> (usize, usize) {
    let bytes = serde_json::to_string(snap).unwrap().len();
    let mut old = snap.clone();
    old.unused = None;
    old.gaps = c.all_gaps().into();
    (bytes, serde_json::to_string(&old).unwrap().len())
}

/// The shard adapter's `LeaseEdge`, minus the network: takes the isolate's reports, lends,
/// leasing a block from the coordinator first when needed.
pub(crate) fn lend(
    lines: &mut Lines,
    shards: &mut [ArrivalShard],
    request: &EdgeLeaseRequest,
    now: UnixMillis,
    total: &mut Counts,
) -> waitroom_core::machines::edge_block::EdgeLease {
    let shard = &mut shards[request.shard as usize];
    *total.shard.entry("edge_lease").or_default() += 1;
    total.shard_rows += 1;
    shard.report(&request.reports, now);
    for _ in 0..4 {
        match shard.lend(now, request.want) {
            Ok(lease) => return lease,
            Err(block) => {
                let lease = lines.lease_block(total, now, request.shard, &block);
                assert_eq!(
                    shard.supply(
                        &block,
                        Ok(waitroom_core::machines::protocol::Reply::Lease(lease)),
                        now
                    ),
                    Ok(true)
                );
            }
        }
    }
    panic!("no sub-block after 4 block leases");
}

/// The median of `samples` (0 if none).
pub(crate) fn median(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mid = samples.len() / 2;
    *samples.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// With `lines` or `complete_batch`, what the report's columns then mean.
pub(crate) fn print_split_note(a: &Args) {
    if a.presence_shards {
        println!();
        println!("Presence batches go through the arrival shards (`presence_shards=1`): each isolate sends its batch to its shard, and each shard forwards one a second to each line object it has fans of (not built in the worker).");
    }
    if a.lines > 1 || a.complete_batch > 1 {
        println!();
        println!(
            "The line split over {} line objects (`lines`; block b to line object b mod {}), completions reported {} to a request (`complete_batch`). Over several line objects the \"coordinator\" columns sum them, snapshot bytes sum the {} snapshots a data centre reads each second, and what only the one coordinator measures (bytes listing every gap, walking every gap) reads 0. Per line object: the table at the end.",
            a.lines, a.lines, a.complete_batch, a.lines
        );
    }
}
