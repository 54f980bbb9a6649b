//! The production simulation's pieces: its arguments, the arrival curve, randomness, the
//! true count of fans ahead, the counters, and the shard adapter minus the network.

use super::*;

pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn fraction(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Counts of waiting fans by line position, for the true number ahead of anyone. Grows by
/// doubling (numbers run ahead of fans by the gaps): the new root covers everything before it.
pub(crate) struct Fenwick(Vec<i32>);
impl Fenwick {
    pub(crate) fn new() -> Self {
        Self(vec![0; 1 << 16 | 1])
    }
    pub(crate) fn add(&mut self, i: usize, v: i32) {
        while i + 1 >= self.0.len() {
            let n = self.0.len() - 1;
            let total = self.prefix(n + 1) as i32;
            self.0.resize(2 * n + 1, 0);
            self.0[2 * n] = total;
        }
        let mut i = i + 1;
        while i < self.0.len() {
            self.0[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    /// Fans at positions below `i`.
    pub(crate) fn prefix(&self, i: usize) -> i64 {
        let (mut i, mut s) = (i.min(self.0.len() - 1), 0i64);
        while i > 0 {
            s += i64::from(self.0[i]);
            i -= i & i.wrapping_neg();
        }
        s
    }
}

/// A fan, by arrival number: when they joined and left (ms after T0; `u32::MAX`: never).
#[derive(Clone, Copy)]
pub(crate) struct Fan {
    pub(crate) joined_ms: u32,
    pub(crate) leaves_ms: u32,
}

pub(crate) struct Args {
    pub(crate) fans: u64,
    pub(crate) dcs: u64,
    pub(crate) isolates: u64,
    pub(crate) prequeue: u64,
    pub(crate) hours: f64,
    pub(crate) shards: u32,
    pub(crate) rate: u32,
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

pub(crate) fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
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
    c: &mut Queue,
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
                *total.coordinator.entry("lease_block").or_default() += 1;
                let lease = c
                    .lease_block_keeping(
                        now,
                        request.shard,
                        block.closing,
                        &block.closing_gaps,
                        &block.keep_open,
                        block.want,
                    )
                    .expect("the sale takes fans");
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
