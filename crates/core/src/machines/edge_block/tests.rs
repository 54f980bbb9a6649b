use super::*;
use crate::ids::{Position, PositionRange};
use crate::machines::protocol::Reply;
use crate::machines::shard::{ArrivalShard, LeaseRequest};
use crate::queue::Queue;
use crate::sale::SaleSettingsInput;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A whole second, as the shards' blocks end on them.
const T0: UnixMillis = UnixMillis(1_800_000_000_000);
const SALT: &str = "salt-0123456789";

fn sale(shards: u32) -> Queue {
    Queue::opened(
        SaleSettingsInput {
            shards: Some(shards),
            ..SaleSettingsInput::tour()
        },
        T0,
    )
}

/// The coordinator's answer to a shard's lease, as the shard adapter asks it.
fn lease_block(c: &mut Queue, k: u32, request: &LeaseRequest, now: UnixMillis) -> Reply {
    Reply::Lease(
        c.lease_block_keeping(
            now,
            k,
            request.closing,
            &request.closing_gaps,
            &request.keep_open,
            request.want,
        )
        .unwrap(),
    )
}

/// The shard adapter's `LeaseEdge`, minus the network: lends, leasing a block first if needed.
fn lend(
    c: &mut Queue,
    shard: &mut ArrivalShard,
    k: u32,
    request: &EdgeLeaseRequest,
    now: UnixMillis,
    block_leases: &mut BTreeMap<Seq, UnixMillis>,
) -> EdgeLease {
    shard.report(&request.reports, now);
    for _ in 0..4 {
        match shard.lend(now, request.want) {
            Ok(lease) => return lease,
            Err(block_request) => {
                let reply = lease_block(c, k, &block_request, now);
                if let Reply::Lease(lease) = &reply {
                    block_leases.insert(lease.start, now);
                }
                assert_eq!(shard.supply(&block_request, Ok(reply), now), Ok(true));
            }
        }
    }
    panic!("no sub-block after 4 block leases");
}

/// What each shard's alarm does: closes every block it may.
fn alarms(c: &mut Queue, shards: &mut [ArrivalShard], now: UnixMillis) {
    for (k, shard) in shards.iter_mut().enumerate() {
        while let Some(close) = shard.closable(now) {
            let served = shard.served();
            c.close_block_with_gaps(now, k as u32, close.start, close.used, &close.gaps);
            shard.closed_with(close.start, served);
        }
    }
}

fn lease(start: Seq, len: u64, ttl_ms: u64) -> EdgeLease {
    EdgeLease {
        start,
        len,
        ttl_ms,
        fan_salt: SALT.into(),
    }
}

#[test]
fn an_isolate_numbers_from_its_sub_block_and_reports_it_with_the_next_lease() {
    let mut edge = EdgeNumbering::new(2);
    let EdgeStep::Lease(first) = edge.join(T0) else {
        panic!("no sub-block yet")
    };
    assert_eq!(
        (first.shard, first.reports.len(), first.want),
        (2, 0, MIN_SUB_BLOCK)
    );
    assert_eq!(edge.join(T0), EdgeStep::Wait, "one lease at a time");
    edge.install(&first, lease(10, 4, 500), T0);
    let EdgeStep::Joined(fan, 10) = edge.join(T0) else {
        panic!("numbered from the sub-block")
    };
    assert_eq!(fan, fan_id_for(&SALT.into(), 10));
    assert!(matches!(edge.join(T0), EdgeStep::Joined(_, 11)));
    // Time up with 2 of 4 used: the next join reports them with its lease.
    let EdgeStep::Lease(next) = edge.join(T0.plus_millis(500)) else {
        panic!("the sub-block is over")
    };
    assert_eq!(next.reports, vec![EdgeReport { start: 10, used: 2 }]);
    edge.install(&next, lease(40, 8, 1000), T0.plus_millis(500));
    assert!(edge.take_due_report(40, T0.plus_millis(1499)).is_empty());
    assert_eq!(
        edge.take_due_report(40, T0.plus_millis(1500)),
        vec![EdgeReport { start: 40, used: 0 }],
        "reported by itself when no join came"
    );
    assert!(edge.take_due_report(40, T0.plus_millis(1500)).is_empty());
    let EdgeStep::Lease(after) = edge.join(T0.plus_millis(2000)) else {
        panic!("nothing left")
    };
    assert!(after.reports.is_empty(), "reported once");
}

#[test]
fn a_failed_lease_is_asked_again_with_its_reports() {
    let mut edge = EdgeNumbering::new(0);
    let EdgeStep::Lease(first) = edge.join(T0) else {
        panic!()
    };
    edge.install(&first, lease(1, 4, 1000), T0);
    let EdgeStep::Lease(second) = edge.join(T0.plus_millis(1000)) else {
        panic!()
    };
    edge.lease_failed();
    let EdgeStep::Lease(again) = edge.join(T0.plus_millis(1001)) else {
        panic!("asked again at once")
    };
    assert_eq!(again.reports, second.reports);
    // A join stuck behind a lease that never answers leases itself after a while.
    let mut edge = EdgeNumbering::new(0);
    assert!(matches!(edge.join(T0), EdgeStep::Lease(_)));
    assert_eq!(edge.join(T0.plus_millis(LEASE_WAIT_MS - 1)), EdgeStep::Wait);
    assert!(matches!(
        edge.join(T0.plus_millis(LEASE_WAIT_MS)),
        EdgeStep::Lease(_)
    ));
}

#[test]
fn want_grows_when_a_sub_block_runs_out_and_shrinks_when_mostly_unused() {
    let mut edge = EdgeNumbering::new(0);
    let EdgeStep::Lease(r) = edge.join(T0) else {
        panic!()
    };
    edge.install(&r, lease(1, 100, 1000), T0);
    for _ in 0..100 {
        assert!(matches!(
            edge.join(T0.plus_millis(200)),
            EdgeStep::Joined(..)
        ));
    }
    let EdgeStep::Lease(r) = edge.join(T0.plus_millis(200)) else {
        panic!()
    };
    assert_eq!(r.want, 750, "100 in 200 ms: 500 a second, with half again");
    edge.install(&r, lease(200, 750, 1000), T0.plus_millis(200));
    edge.join(T0.plus_millis(300));
    let EdgeStep::Lease(r) = edge.join(T0.plus_millis(1200)) else {
        panic!()
    };
    assert_eq!(r.want, MIN_SUB_BLOCK);
}

#[test]
fn a_report_counts_once_and_never_after_its_bound() {
    let mut lent = Lent {
        start: 5,
        len: 10,
        until: T0,
        reported: None,
    };
    assert_eq!(lent.gap(), None, "unreported: every number reads as used");
    assert!(!lent.report(3, T0.plus_millis(EDGE_REPORT_BOUND_MS)));
    assert!(lent.settled(T0.plus_millis(EDGE_REPORT_BOUND_MS)));
    assert!(lent.report(3, T0.plus_millis(EDGE_REPORT_BOUND_MS - 1)));
    assert_eq!(lent.gap(), Some(SeqRange::new(8, 7)));
    assert!(!lent.report(1, T0), "a second report changes nothing");
    assert!(lent.report(0, T0) || lent.reported == Some(3));
    let mut over = Lent {
        start: 5,
        len: 10,
        until: T0,
        reported: None,
    };
    assert!(over.report(99, T0));
    assert_eq!(over.gap(), None, "more than it held reads as all");
}

#[test]
fn a_shard_closes_its_block_with_the_unused_tails_as_gaps() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let mut leases = BTreeMap::new();
    let a = lend(
        &mut c,
        &mut shard,
        0,
        &request(0, vec![], 4),
        T0,
        &mut leases,
    );
    let b = lend(
        &mut c,
        &mut shard,
        0,
        &request(0, vec![], 4),
        T0,
        &mut leases,
    );
    assert_eq!((a.start, b.start, a.len), (1, 5, 4));
    assert_eq!(a.ttl_ms, 1000, "until the next whole second");
    // Isolate A used 2 of 4, isolate B 4 of 4; both report. The block then closes at its end.
    assert!(shard.report(&[EdgeReport { start: 1, used: 2 }], T0));
    assert!(shard.report(&[EdgeReport { start: 5, used: 4 }], T0));
    assert!(
        !shard.report(&[EdgeReport { start: 1, used: 5 }], T0),
        "a second report changes nothing"
    );
    assert!(shard.closable(T0.plus_millis(999)).is_none());
    let close = shard.closable(T0.plus_millis(1000)).unwrap();
    assert_eq!(
        (close.start, close.used, close.gaps.clone()),
        (1, 8, vec![SeqRange::new(3, 2)])
    );
    alarms(
        &mut c,
        std::slice::from_mut(&mut shard),
        T0.plus_millis(1000),
    );
    let fans: Vec<Seq> = c.pull_everyone(T0.plus_millis(1000));
    assert_eq!(fans, vec![1, 2, 5, 6, 7, 8], "unused numbers are skipped");
    c.check_invariants().unwrap();
}

#[test]
fn an_unreported_sub_block_holds_the_block_until_its_bound_then_reads_as_used() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let mut leases = BTreeMap::new();
    lend(
        &mut c,
        &mut shard,
        0,
        &request(0, vec![], 4),
        T0,
        &mut leases,
    );
    let end = T0.plus_millis(1000);
    assert!(
        shard.closable(end).is_none(),
        "its isolate may still report"
    );
    assert_eq!(
        shard.next_deadline(),
        Some(end.plus_millis(EDGE_REPORT_BOUND_MS + 20))
    );
    // A new sub-block in the next second: the old block stays open (kept), not lost.
    let next = lend(
        &mut c,
        &mut shard,
        0,
        &request(0, vec![], 4),
        end,
        &mut leases,
    );
    assert_eq!(c.first_pending(), Some(1));
    let bound = end.plus_millis(EDGE_REPORT_BOUND_MS);
    assert!(!shard.report(&[EdgeReport { start: 1, used: 0 }], bound));
    alarms(&mut c, std::slice::from_mut(&mut shard), bound);
    assert_eq!(c.first_pending(), Some(next.start));
    assert_eq!(c.pull_everyone(bound), vec![1, 2, 3, 4], "read as fans");
}

#[test]
fn gaps_inside_a_block_survive_a_restart_and_odd_ones_are_ignored() {
    use crate::queue::{Change, Restored};
    let mut c = sale(1);
    let lease = c.lease_block(T0, 0, None, 10).unwrap();
    // One gap inside, one past the used prefix, one overlapping the first: only the first counts.
    c.close_block_with_gaps(
        T0,
        0,
        lease.start,
        8,
        &[
            SeqRange::new(3, 2),
            SeqRange::new(9, 1),
            SeqRange::new(4, 2),
        ],
    );
    let changes = c.take_changes();
    let block = changes
        .iter()
        .rev()
        .find_map(|ch| match ch {
            Change::Block(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(block.gaps, vec![SeqRange::new(3, 2)]);
    assert_eq!(
        block.unused(),
        vec![SeqRange::new(3, 2), SeqRange::new(9, 2)]
    );
    let gaps = c.snapshot(T0).gaps;
    // No pre-queue: the gaps\' positions are their numbers.
    let position = |start, len| PositionRange::new(Position(start), len);
    assert_eq!(gaps.ranges(), &[position(3, 2), position(9, 2)]);
    let restored = Queue::restore(
        c.sale().clone(),
        Restored {
            next_seq: 11,
            head: Position(1),
            gap_total: 4,
            blocks: vec![block],
            ..Restored::default()
        },
    );
    let mut restored = restored;
    assert_eq!(restored.snapshot(T0).gaps, gaps);
    assert_eq!(restored.pull_everyone(T0), vec![1, 2, 5, 6, 7, 8]);
    // An unknown block's close changes nothing.
    c.close_block_with_gaps(T0, 0, 99, 1, &[]);
    assert!(c.take_changes().is_empty());
}

fn request(shard: u32, reports: Vec<EdgeReport>, want: u64) -> EdgeLeaseRequest {
    EdgeLeaseRequest {
        shard,
        reports,
        want,
    }
}

/// One edge isolate in the simulation.
struct Isolate {
    numbering: EdgeNumbering,
    /// Joins per second it sees.
    rate: u64,
    /// It dies (its memory gone, nothing reported) at this step, if ever.
    dies_at: Option<u64>,
    /// Whether its `waitUntil` reports get through.
    idle_reports: bool,
    /// Its sub-blocks: start → (len, until, reported in time).
    subs: BTreeMap<Seq, (u64, UnixMillis, bool)>,
    leases_by_second: BTreeMap<u64, u32>,
    first_lease: Option<u64>,
}

struct Outcome {
    /// (arrival, seq) of every fan numbered.
    fans: Vec<(UnixMillis, Seq)>,
    /// Numbers of sub-blocks never reported in time, which may read as fans who left.
    unreported: BTreeSet<Seq>,
    pulled: Vec<Seq>,
    stalls: Vec<u64>,
    isolates: Vec<Isolate>,
}

fn deliver(isolate: &mut Isolate, reports: &[EdgeReport], now: UnixMillis) {
    for r in reports {
        if let Some((_, until, in_time)) = isolate.subs.get_mut(&r.start) {
            *in_time = now < until.plus_millis(EDGE_REPORT_BOUND_MS);
        }
    }
}

/// Isolates join at their rates for `seconds`, some dying; shards lend and close on alarms; at
/// the end the coordinator hands out everyone.
fn simulate(
    shard_count: u32,
    mut isolates: Vec<Isolate>,
    direct_every: u64,
    seconds: u64,
    step_ms: u64,
) -> Outcome {
    let mut c = sale(shard_count);
    let mut shards = vec![ArrivalShard::default(); shard_count as usize];
    let mut block_leases: BTreeMap<Seq, UnixMillis> = BTreeMap::new();
    let mut fans = Vec::new();
    let mut stalls = Vec::new();
    let steps = seconds * 1000 / step_ms;
    for step in 0..steps {
        let now = T0.plus_millis(step * step_ms);
        alarms(&mut c, &mut shards, now);
        for (i, iso) in isolates.iter_mut().enumerate() {
            if iso.dies_at.is_some_and(|d| step >= d) {
                continue;
            }
            // Joins due this step: rate × elapsed, spread evenly.
            let due = (step + 1) * step_ms * iso.rate / 1000 - step * step_ms * iso.rate / 1000;
            for _ in 0..due {
                loop {
                    match iso.numbering.join(now) {
                        EdgeStep::Joined(_, seq) => {
                            fans.push((now, seq));
                            break;
                        }
                        EdgeStep::Wait => panic!("no lease is in flight in the simulation"),
                        EdgeStep::Lease(request) => {
                            let k = request.shard;
                            deliver(iso, &request.reports, now);
                            let lease = lend(
                                &mut c,
                                &mut shards[k as usize],
                                k,
                                &request,
                                now,
                                &mut block_leases,
                            );
                            iso.subs.insert(
                                lease.start,
                                (lease.len, now.plus_millis(lease.ttl_ms), false),
                            );
                            *iso.leases_by_second.entry(now.0 / 1000).or_default() += 1;
                            iso.first_lease.get_or_insert(now.0 / 1000);
                            iso.numbering.install(&request, lease, now);
                        }
                    }
                }
            }
            // `waitUntil` a moment after the sub-block's end, if no join reported it.
            if let Some((start, until)) = iso.numbering.until() {
                if iso.idle_reports && now >= until.plus_millis(50) {
                    let reports = iso.numbering.take_due_report(start, now);
                    let k = iso.numbering.shard() as usize;
                    shards[k].report_alone(&reports, now);
                    deliver(iso, &reports, now);
                }
            }
            // The shards' own joins (proof of work, members) from the same blocks.
            if direct_every > 0 && (step + i as u64).is_multiple_of(direct_every) {
                let k = (step as usize + i) % shards.len();
                loop {
                    match shards[k].handle(now) {
                        crate::machines::shard::ShardStep::Joined(j) => {
                            fans.push((now, j.seq));
                            break;
                        }
                        crate::machines::shard::ShardStep::Lease(request) => {
                            let reply = lease_block(&mut c, k as u32, &request, now);
                            if let Reply::Lease(lease) = &reply {
                                block_leases.insert(lease.start, now);
                            }
                            shards[k].supply(&request, Ok(reply), now).unwrap();
                        }
                        other => panic!("a fan's join asks nothing else: {other:?}"),
                    }
                }
            }
        }
        // How long the oldest open block has held the line.
        if let Some(start) = c.first_pending() {
            stalls.push(block_leases[&start].millis_until(now));
        }
        c.check_invariants().unwrap();
    }
    // Everything settles: the bound passes, every shard's alarm closes what it holds.
    let end = T0.plus_millis(seconds * 1000 + BLOCK_TTL_MS + EDGE_REPORT_BOUND_MS + 100);
    alarms(&mut c, &mut shards, end);
    assert_eq!(c.first_pending(), None, "every block closed");
    let pulled = c.pull_everyone(end);
    c.check_invariants().unwrap();
    let unreported = isolates
        .iter()
        .flat_map(|iso| iso.subs.iter())
        .filter(|(_, (_, _, in_time))| !in_time)
        .flat_map(|(start, (len, _, _))| *start..start + len)
        .collect();
    Outcome {
        fans,
        unreported,
        pulled,
        stalls,
        isolates,
    }
}

fn isolate(shard: u32, rate: u64, dies_at: Option<u64>, idle_reports: bool) -> Isolate {
    Isolate {
        numbering: EdgeNumbering::new(shard),
        rate,
        dies_at,
        idle_reports,
        subs: BTreeMap::new(),
        leases_by_second: BTreeMap::new(),
        first_lease: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any isolates at any rates, some dying mid-block, some never reporting when idle, with
    /// shards numbering their own joins from the same blocks: no number is given twice; a fan
    /// is passed only by fans who arrived less than a second after them; every fan is handed
    /// out, and of the numbers no fan holds only those of sub-blocks never reported in time
    /// (read as fans who left) are, the rest are skipped; no block holds the line longer than
    /// its life and the report bound.
    #[test]
    fn edge_numbering_keeps_every_promise(
        shard_count in 1u32..4,
        spec in prop::collection::vec((0u32..4, 1u64..400, prop::option::of(0u64..400), any::<bool>()), 1..6),
        direct_every in prop_oneof![Just(0u64), 3u64..40],
    ) {
        let isolates = spec
            .into_iter()
            .map(|(k, rate, dies, idle)| isolate(k % shard_count, rate, dies, idle))
            .collect();
        let out = simulate(shard_count, isolates, direct_every, 4, 10);
        // No number twice.
        let given: BTreeSet<Seq> = out.fans.iter().map(|(_, s)| *s).collect();
        prop_assert_eq!(given.len(), out.fans.len(), "a number given twice");
        // Ordering bound: every fan with a lower number arrived less than a second later.
        let mut by_seq = out.fans.clone();
        by_seq.sort_by_key(|(_, s)| *s);
        let mut latest = UnixMillis(0);
        for (t, s) in &by_seq {
            prop_assert!(latest < t.plus_millis(BLOCK_TTL_MS), "fan {s} at {t:?} passed by one at {latest:?}");
            latest = latest.max(*t);
        }
        // Every fan handed out, in number order; unused numbers skipped unless never reported.
        let pulled: BTreeSet<Seq> = out.pulled.iter().copied().collect();
        prop_assert!(out.pulled.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(given.is_subset(&pulled), "a fan lost: {:?}", given.difference(&pulled).collect::<Vec<_>>());
        for seq in pulled.difference(&given) {
            prop_assert!(out.unreported.contains(seq), "unused number {} handed out", seq);
        }
        // Stall bound.
        let bound = BLOCK_TTL_MS + EDGE_REPORT_BOUND_MS + 20 + 10;
        prop_assert!(out.stalls.iter().all(|s| *s <= bound), "stalled {:?}", out.stalls.iter().max());
    }

    /// At a steady rate an isolate leases at most once per second of the shard's clock once its
    /// sub-blocks have grown (after its first two seconds), up to about `MAX_SUB_BLOCK` / 1.5
    /// joins a second.
    #[test]
    fn an_isolate_leases_about_once_a_second(
        rates in prop::collection::vec(1u64..1_300, 1..5),
        shard_count in 1u32..3,
    ) {
        let isolates = rates
            .iter()
            .enumerate()
            .map(|(i, rate)| isolate(i as u32 % shard_count, *rate, None, true))
            .collect();
        let out = simulate(shard_count, isolates, 0, 6, 1);
        for iso in &out.isolates {
            let first = iso.first_lease.unwrap();
            for (second, n) in &iso.leases_by_second {
                if *second >= first + 2 {
                    prop_assert!(*n <= 1, "{} leases in second {} at {}/s", n, second - first, iso.rate);
                }
            }
        }
    }
}
