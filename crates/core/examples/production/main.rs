//! The pure core at production shape: one sale served by every data centre at once, each with
//! several isolates, for hours, with a pre-queue of millions; virtual time, the real code.
//!
//! - `dcs` data centres × `isolates` isolates each (default 300 × 4 = 1,200) number the fans
//!   who join through them ([`EdgeNumbering`]), from sub-blocks their arrival shard
//!   ([`ArrivalShard`], `shards` of them) lends out of blocks the coordinator ([`Queue`]) leases;
//!   each isolate reports a sub-block's use with its next lease or when idle, as the worker does.
//! - Fans arrive as on-sales do: the pre-queue (`prequeue`, default 2,000,000) over its half
//!   hour, growing towards the opening; at the opening second a burst (5 % of the rest), then a
//!   long tail (density ∝ 1 / (1 + t / 2 min)) until `fans` (default 10,000,000) have come within
//!   `hours` (default 2) of virtual time. The pre-queue is drawn at the opening.
//! - The sale admits by rate (`rate`, default 60,000 a minute). 10 % of fans leave before their
//!   turn; fans in the presence zone (by the edge's own count, [`Snapshot::ahead_bounds`]) say they
//!   are there every 5 s, one in ten by a socket instead; 10 % of admitted fans let their turn
//!   lapse, the rest claim it and complete 30 s later.
//!
//! Checked all along (a non-zero exit if any breaks): no fan served out of order beyond the
//! bound (a block's lifetime plus the edge report bound), nobody handed out twice, no present fan
//! skipped, the edge's `ahead` range holding the true count (sampled against a Fenwick tree), and
//! the coordinator's invariants (sampled: it walks every assignment).
//!
//! Reported every ~10 virtual minutes (a markdown table): the snapshot's bytes and gaps (and what
//! the snapshot listing every gap would weigh), requests per second at each object, rows written
//! and stored, memory, and the edge's work per poll. Then the totals the cost model in
//! docs/capacity.md is built from.
//!
//! `cargo run --release -p waitroom-core --example production -- [fans=N] [dcs=N] [isolates=N]
//! [prequeue=N] [hours=N] [shards=N] [rate=N]`

mod parts;

use parts::*;
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;
use waitroom_core::machines::edge_block::{
    EdgeLeaseRequest, EdgeNumbering, EdgeStep, EDGE_REPORT_BOUND_MS,
};
use waitroom_core::machines::shard::ArrivalShard;
use waitroom_core::queue::draw::{DrawKey, Permutation};
use waitroom_core::queue::snapshot::{ahead, poll_after_ms, Snapshot};
use waitroom_core::queue::{Claim, BLOCK_TTL_MS};
use waitroom_core::sale::admission::Admission;
use waitroom_core::sale::{Phase, SaleSettings, SaleSettingsInput};
use waitroom_core::{
    AssignmentState, FanId, Position, PositionRange, Queue, SaleId, Seq, UnixMillis,
};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);
const TICK_MS: u64 = 100;
const PREQUEUE_MS: u64 = 30 * 60_000;
const LEAVE_SHARE: f64 = 0.10;
const LAPSE_SHARE: f64 = 0.10;
const SOCKET_EVERY: u64 = 10;
const PRESENCE_TTL_S: u64 = 30;
const PRESENCE_EVERY_MS: u64 = 5_000;
const PURCHASE_MS: u64 = 30_000;
const REPORT_EVERY_MS: u64 = 10 * 60_000;
const INVARIANTS_EVERY_MS: u64 = 10 * 60_000;
/// A fan may be passed by one who arrived up to this much later: a shard block's lifetime, and
/// the bound within which an isolate reports a sub-block.
const ORDER_BOUND_MS: u64 = BLOCK_TTL_MS + EDGE_REPORT_BOUND_MS;

fn main() {
    let a = args();
    let started = Instant::now();
    let isolate_count = (a.dcs * a.isolates) as usize;
    let sale_ms = (a.hours * 3_600_000.0) as u64;
    let opens_at = T0.plus_millis(if a.prequeue > 0 { PREQUEUE_MS } else { 0 });
    let end_at = T0.plus_millis(sale_ms.max(PREQUEUE_MS + 60_000));
    let after_opening = end_at.0 - opens_at.0;
    let mut settings = SaleSettings::parse(SaleSettingsInput {
        prequeue_opens_at: (a.prequeue > 0).then(|| T0.to_rfc3339()),
        name: "Production-shaped tour".into(),
        purchase_url: "https://tickets.example/buy".into(),
        opens_at: (a.prequeue > 0).then(|| opens_at.to_rfc3339()),
        claim_ttl_s: Some(60),
        pass_ttl_s: Some(600),
        shards: Some(a.shards),
        presence_ttl_s: Some(PRESENCE_TTL_S),
        ..SaleSettingsInput::default()
    })
    .expect("valid settings");
    settings.admission = Admission::Rate { per_minute: a.rate };
    let mut c = Queue::create(
        SaleId::parse("prod").unwrap(),
        settings,
        "prod-salt-0123456789".into(),
        Some(DrawKey::from_bytes([0x5a; 32])),
        T0,
    )
    .unwrap();
    if a.prequeue == 0 {
        c.open(T0).unwrap();
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut shards = vec![ArrivalShard::default(); a.shards as usize];
    let mut isolates: Vec<EdgeNumbering> = (0..isolate_count)
        .map(|i| EdgeNumbering::new((i as u32) % a.shards))
        .collect();
    let mut fans: Vec<Option<Fan>> = Vec::with_capacity(a.fans as usize * 11 / 10 + 16);
    let mut waiting = Fenwick::new();
    let mut drawn: Option<Permutation> = None;
    let mut seq_by_position: Vec<u32> = Vec::new();
    let mut draw_ms = 0.0;
    let mut joined = 0u64;
    let mut total = Counts::default();
    let mut at_last_report = Counts::default();
    let mut now = T0;
    let mut last_head = 1u64;
    let mut max_served_position = 0u64;
    let mut latest_prequeue_done = false;
    let mut latest_arrival_served = 0u32;
    let (mut order_violations, mut false_skips, mut right_skips, mut twice) =
        (0u64, 0u64, 0u64, 0u64);
    let (mut ahead_checks, mut ahead_outside) = (0u64, 0u64);
    let mut handed_positions: HashSet<u64> = HashSet::new();
    let mut to_claim: Vec<(UnixMillis, Seq)> = Vec::new();
    let mut to_complete: Vec<(UnixMillis, FanId)> = Vec::new();
    let (mut lapsed_on_purpose, mut completed) = (0u64, 0u64);
    let mut sockets: HashSet<Seq> = HashSet::new();
    let mut max_shard_state = 0usize;
    let mut max_snapshot = (0usize, 0usize, 0usize, 0usize);
    let (mut poll_ns_new, mut poll_ns_old, mut poll_samples) = (0f64, 0f64, 0u64);
    let mut worst_ahead_span = 0u64;
    let mut invariant_checks = 0u64;
    let mut snap: Option<Snapshot> = None;

    println!(
        "# Production-shaped simulation: {} fans ({} in the pre-queue), {} data centres × {} isolates, {} shards, admitted at {} a minute, {} h",
        a.fans, a.prequeue, a.dcs, a.isolates, a.shards, a.rate, a.hours
    );
    println!();
    println!("| virtual time | joined | waiting | admitted | line gaps | snapshot bytes (listed / ranges) | snapshot bytes listing every gap | coordinator req/s | shard req/s (all shards) | registry req/s | coordinator rows written/s | rows stored (coordinator) | edge polls/s (est.) | edge ns per `ahead`: bounded / linear | peak RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");

    while now < end_at {
        now = now.plus_millis(TICK_MS);
        let t = T0.millis_until(now);
        // Arrivals due by now, each through a random isolate.
        let due = if now <= opens_at {
            arrived_in_prequeue(a.prequeue, t)
        } else {
            a.prequeue
                + arrived_after_opening(
                    a.fans - a.prequeue,
                    now.0 - opens_at.0,
                    after_opening.saturating_sub(60_000).max(1_000),
                )
        };
        while joined < due.min(a.fans) {
            let i = (rng.next() % isolate_count as u64) as usize;
            let seq = loop {
                match isolates[i].join(now) {
                    EdgeStep::Joined(_, seq) => break seq,
                    EdgeStep::Wait => unreachable!("no lease is in flight here"),
                    EdgeStep::Lease(request) => {
                        let lease = lend(&mut c, &mut shards, &request, now, &mut total);
                        isolates[i].install(&request, lease, now);
                    }
                }
            };
            total.joins += 1;
            let slot = seq as usize;
            if fans.len() <= slot {
                fans.resize(slot + 1, None);
            }
            let leaves_ms = if rng.fraction() < LEAVE_SHARE {
                (t + rng.next() % 1_800_000) as u32
            } else {
                u32::MAX
            };
            fans[slot] = Some(Fan {
                joined_ms: t as u32,
                leaves_ms,
            });
            // Counted waiting at its line position: its number once the draw is past (fans
            // before it are counted at the draw, at their drawn positions or numbers).
            if drawn.is_some() || a.prequeue == 0 {
                waiting.add(slot, 1);
            }
            joined += 1;
        }
        // Idle isolates report their sub-block a moment after it ends (`waitUntil`).
        for iso in isolates.iter_mut() {
            if let Some((start, until)) = iso.until() {
                if now >= until.plus_millis(50) {
                    let reports = iso.take_due_report(start, now);
                    if !reports.is_empty() {
                        *total.shard.entry("edge_report").or_default() += 1;
                        total.shard_rows += 1;
                        shards[iso.shard() as usize].report_alone(&reports, now);
                    }
                }
            }
        }
        // Shard alarms close what they may.
        for (k, shard) in shards.iter_mut().enumerate() {
            while let Some(close) = shard.closable(now) {
                let served = shard.served();
                *total.coordinator.entry("close_block").or_default() += 1;
                *total.shard.entry("alarm").or_default() += 1;
                total.shard_rows += 1;
                c.close_block_with_gaps(now, k as u32, close.start, close.used, &close.gaps);
                shard.closed_with(close.start, served);
            }
            if now.0.is_multiple_of(1000) {
                max_shard_state = max_shard_state.max(serde_json::to_string(shard).unwrap().len());
            }
        }
        // The draw, from the published key, as the edge and any verifier do.
        if drawn.is_none() && a.prequeue > 0 && now >= opens_at {
            let t0 = Instant::now();
            c.sweep(now);
            let draw = c.snapshot(now).draw.expect("a pre-queue sale has a draw");
            let key = draw.key.expect("drawn at the opening");
            let permutation = Permutation::new(&key, draw.end);
            seq_by_position = vec![0; draw.end as usize + 1];
            for seq in 1..=draw.end {
                let position = permutation.position_of(seq);
                seq_by_position[position as usize] = seq as u32;
                if fans.get(seq as usize).copied().flatten().is_some() {
                    waiting.add(position as usize, 1);
                }
            }
            // Fans numbered after the pre-queue before this tick's draw: at their numbers.
            for (seq, fan) in fans.iter().enumerate().skip(draw.end as usize + 1) {
                if fan.is_some() {
                    waiting.add(seq, 1);
                }
            }
            draw_ms = t0.elapsed().as_secs_f64() * 1000.0;
            drawn = Some(permutation);
        }
        let pre_end = drawn.as_ref().map_or(0, Permutation::end);
        let seq_at = |position: u64| {
            seq_by_position
                .get(position as usize)
                .map(|s| u64::from(*s))
                .filter(|s| *s > 0)
                .unwrap_or(position)
        };
        let whole_second = now.0.is_multiple_of(1000);
        let open = c.phase_at(now) == Phase::Open;
        if whole_second && now >= opens_at {
            // One snapshot a second per data centre from the coordinator; isolates read the
            // Cache API.
            *total.coordinator.entry("snapshot").or_default() += a.dcs;
            total.cache_reads += isolate_count as u64;
            c.sweep(now);
            let s = c.snapshot(now);
            let (listed, ranges) = s.gap_count();
            // Presence: every 5 s, fans who may be in the zone (by the edge's count) and still
            // there say so; one in ten holds a socket instead.
            if open && now.0.is_multiple_of(PRESENCE_EVERY_MS) {
                let zone = s.presence_zone;
                let mut position = s.head.0;
                let mut reported_isolates = HashSet::new();
                while position < s.next_seq {
                    let (at_least, _) = s.ahead_bounds(Position(position));
                    if at_least >= zone {
                        break;
                    }
                    let seq = seq_at(position);
                    if let Some(fan) = fans.get(seq as usize).copied().flatten() {
                        if u64::from(fan.leaves_ms) > t {
                            // A socket refused (the object full, or not near the front by its
                            // exact count) leaves the page polling, and polls say it is there.
                            let held = seq % SOCKET_EVERY == 0
                                && (sockets.contains(&seq) || {
                                    *total.coordinator.entry("socket").or_default() += 1;
                                    c.connect(now, seq).is_ok() && sockets.insert(seq)
                                });
                            if !held {
                                reported_isolates.insert(seq % isolate_count as u64);
                                c.present_at(now, Position(position));
                            }
                        } else if sockets.remove(&seq) {
                            c.disconnect(now, seq);
                        }
                    }
                    position += 1;
                }
                // Each isolate batches its fans' presence once a second: 5 s of batches.
                *total.coordinator.entry("present").or_default() +=
                    (reported_isolates.len() as u64 * 5).min(isolate_count as u64 * 5);
            }
            // Sampled polls: `ahead` holds the truth; the poll interval; the edge's work.
            let span = s.next_seq.saturating_sub(s.head.0).max(1);
            let mut interval_rate = 0.0;
            let mut sampled = 0u64;
            let all_gaps: Vec<PositionRange> = if now.0.is_multiple_of(60_000) {
                c.all_gaps()
            } else {
                Vec::new()
            };
            for _ in 0..200 {
                let position = s.head.0 + rng.next() % span;
                let seq = seq_at(position);
                if fans.get(seq as usize).copied().flatten().is_none() {
                    continue;
                }
                let (least, most) = s.ahead_bounds(Position(position));
                worst_ahead_span = worst_ahead_span.max(most - least);
                // Numbers leased but not reported yet count as fans until their block closes:
                // compare only below them, and not while a pre-queue block is still open.
                if c.first_pending()
                    .is_none_or(|p| p > pre_end && position < p)
                {
                    let truth =
                        waiting.prefix(position as usize) - waiting.prefix(s.head.0 as usize);
                    ahead_checks += 1;
                    let outside = !(least as i64 <= truth && truth <= most as i64);
                    if outside
                        && ahead_outside < 5
                        && std::env::var_os("PRODUCTION_DEBUG").is_some()
                    {
                        let exact = ahead(s.head, Position(position), c.all_gaps());
                        eprintln!("t {t} head {} position {position} least {least} most {most} truth {truth} exact {exact} pending {:?}", s.head.0, c.first_pending());
                    }
                    ahead_outside += u64::from(outside);
                }
                let eta = (s.admission_rate > 0.0).then(|| (most as f64 / s.admission_rate) as u64);
                interval_rate += 1000.0 / poll_after_ms(c.phase_at(now), most, eta) as f64;
                sampled += 1;
                if !all_gaps.is_empty() {
                    let t1 = Instant::now();
                    std::hint::black_box(s.ahead_bounds(std::hint::black_box(Position(position))));
                    poll_ns_new += t1.elapsed().as_nanos() as f64;
                    let t2 = Instant::now();
                    std::hint::black_box(ahead(
                        s.head,
                        Position(position),
                        all_gaps.iter().copied(),
                    ));
                    poll_ns_old += t2.elapsed().as_nanos() as f64;
                    poll_samples += 1;
                }
            }
            let waiting_now = c.stats(now).waiting as f64;
            if sampled > 0 {
                total.polls += waiting_now * interval_rate / sampled as f64;
            }
            if now.0.is_multiple_of(60_000) {
                let (bytes, old_bytes) = snapshot_sizes(&c, &s);
                max_snapshot = max_snapshot.max((bytes, old_bytes, listed, ranges));
            }
            snap = Some(s);
        } else if a.prequeue > 0 && now < opens_at && whole_second {
            // Pre-queue fans poll every 15 s; the edge reads the snapshot as in the line.
            *total.coordinator.entry("snapshot").or_default() += a.dcs;
            total.cache_reads += isolate_count as u64;
            total.polls += joined as f64 / 15.0;
        }
        // Fans admitted last tick claim their turn (or let it lapse); purchases complete.
        let mut i = 0;
        while i < to_claim.len() {
            if to_claim[i].0 <= now {
                let (_, seq) = to_claim.swap_remove(i);
                *total.coordinator.entry("claim").or_default() += 1;
                if let Ok(Claim::Turn { assignment, .. }) = c.claim(now, seq) {
                    to_complete.push((now.plus_millis(PURCHASE_MS), assignment.fan_id));
                }
            } else {
                i += 1;
            }
        }
        to_complete.retain(|(at, fan_id)| {
            if *at > now {
                return true;
            }
            *total.coordinator.entry("complete").or_default() += 1;
            c.complete(now, fan_id).expect("claimed fans complete once");
            completed += 1;
            false
        });
        if c.next_deadline().is_some_and(|at| at <= now) {
            *total.coordinator.entry("alarm").or_default() += 1;
            c.sweep(now);
        }
        // Every position the line passed this tick: handed out (once), or skipped as gone.
        let head = c.snapshot_head(now);
        for position in last_head..head {
            let seq = seq_at(position);
            let Some(fan) = fans.get(seq as usize).copied().flatten() else {
                continue;
            };
            waiting.add(position as usize, -1);
            if position <= max_served_position {
                order_violations += 1;
            }
            max_served_position = position;
            if seq <= pre_end {
                order_violations += u64::from(latest_prequeue_done);
            } else {
                latest_prequeue_done = true;
                if u64::from(fan.joined_ms) + ORDER_BOUND_MS < u64::from(latest_arrival_served) {
                    order_violations += 1;
                }
                latest_arrival_served = latest_arrival_served.max(fan.joined_ms);
            }
            let gone = u64::from(fan.leaves_ms) <= t;
            let state = c.assignment(&c.fan_id(seq)).map(|a| a.state);
            match state {
                Some(AssignmentState::Left) if gone => right_skips += 1,
                Some(AssignmentState::Left) | None => false_skips += u64::from(!gone),
                Some(_) => {
                    twice += u64::from(!handed_positions.insert(position));
                    if !gone && rng.fraction() >= LAPSE_SHARE {
                        to_claim.push((now.plus_millis(2_000), seq));
                    } else {
                        lapsed_on_purpose += 1;
                    }
                }
            }
        }
        last_head = head;
        total.coordinator_rows += c.take_changes().len() as u64;
        if (now.0 - T0.0).is_multiple_of(INVARIANTS_EVERY_MS) {
            c.check_invariants().expect("coordinator invariants");
            invariant_checks += 1;
        }
        if (now.0 - T0.0).is_multiple_of(REPORT_EVERY_MS) {
            let stats = c.stats(now);
            let secs = REPORT_EVERY_MS as f64 / 1000.0;
            let d = |x: u64, y: u64| (x - y) as f64 / secs;
            let (bytes, old_bytes, listed, ranges) = match &snap {
                Some(s) => {
                    let (b, o) = snapshot_sizes(&c, s);
                    let (l, r) = s.gap_count();
                    (b, o, l, r)
                }
                None => (0, 0, 0, 0),
            };
            println!(
                "| {} min | {} | {} | {} | {} | {} ({} / {}) | {} | {:.0} | {:.0} | 0 | {:.0} | {} | {:.0} | {:.0} / {:.0} | {:.0} |",
                t / 60_000,
                stats.joined,
                stats.waiting,
                handed_positions.len(),
                c.gaps_ahead(),
                bytes,
                listed,
                ranges,
                old_bytes,
                d(total.coordinator_total(), at_last_report.coordinator_total()),
                d(total.shard_total(), at_last_report.shard_total()),
                d(total.coordinator_rows, at_last_report.coordinator_rows),
                stats.assigned + stats.completed + stats.lapsed + stats.left + c.minutes().count() as u64,
                (total.polls - at_last_report.polls) / secs,
                poll_ns_new / poll_samples.max(1) as f64,
                poll_ns_old / poll_samples.max(1) as f64,
                peak_rss_mib(),
            );
            at_last_report = total.clone();
            (poll_ns_new, poll_ns_old, poll_samples) = (0.0, 0.0, 0);
        }
    }
    c.check_invariants()
        .expect("coordinator invariants at the end");
    invariant_checks += 1;
    let stats = c.stats(now);
    let elapsed = started.elapsed();
    let (bytes, old_bytes, listed, ranges) = max_snapshot;

    println!();
    println!("## Totals (what docs/capacity.md's cost model is built from)");
    println!();
    println!("| | |");
    println!("|---|---|");
    println!(
        "| wall time | {:.1} s (the pre-queue's draw, rebuilt as a table here: {draw_ms:.0} ms) |",
        elapsed.as_secs_f64()
    );
    println!(
        "| virtual time | {:.0} s |",
        T0.millis_until(now) as f64 / 1000.0
    );
    println!("| fans joined / admitted / completed / left (skipped) / lapsed | {} / {} / {completed} / {} / {} |", stats.joined, handed_positions.len(), stats.left, stats.lapsed);
    println!("| still waiting at the end | {} |", stats.waiting);
    println!("| edge: joins / polls (estimated from sampled intervals) / Cache API snapshot reads | {} / {:.0} / {} |", total.joins, total.polls, total.cache_reads);
    for (kind, n) in &total.coordinator {
        println!("| coordinator requests: {kind} | {n} |");
    }
    for (kind, n) in &total.shard {
        println!("| shard requests: {kind} | {n} |");
    }
    println!(
        "| coordinator requests, all | {} |",
        total.coordinator_total()
    );
    println!("| shard requests, all | {} |", total.shard_total());
    println!("| registry requests (the sale's fans never reach it) | 0 |");
    println!(
        "| rows written: coordinator / shards | {} / {} |",
        total.coordinator_rows, total.shard_rows
    );
    println!("| largest snapshot (sampled each minute): bytes / listing every gap | {bytes} / {old_bytes} ({listed} listed, {ranges} ranges) |");
    println!(
        "| line gaps ahead at the end / numbers taken per fan | {} / {:.2} |",
        c.gaps_ahead(),
        c.snapshot(now).next_seq as f64 / a.fans as f64
    );
    println!("| widest `ahead` range told a fan (at most one range's unused numbers) | {worst_ahead_span} |");
    println!("| largest shard state (one row) | {max_shard_state} bytes |");
    println!(
        "| peak memory of the whole simulation (VmHWM) | {:.0} MiB |",
        peak_rss_mib()
    );
    println!("| `ahead` checks against the true count (outside the range: must be 0) | {ahead_checks} ({ahead_outside}) |");
    println!("| order violations beyond {ORDER_BOUND_MS} ms (must be 0) | {order_violations} |");
    println!("| handed out twice (must be 0) | {twice} |");
    println!("| present fans skipped (must be 0) | {false_skips} |");
    println!("| fans who left, skipped | {right_skips} |");
    println!("| turns let lapse on purpose | {lapsed_on_purpose} |");
    println!("| coordinator invariant checks | {invariant_checks} |");
    let mut failed = Vec::new();
    if order_violations > 0 {
        failed.push("fans out of order beyond the bound");
    }
    if twice > 0 {
        failed.push("a fan handed out twice");
    }
    if false_skips > 0 {
        failed.push("a present fan skipped");
    }
    if ahead_outside > 0 {
        failed.push("`ahead` outside its range");
    }
    if stats.joined != a.fans {
        failed.push("not every fan joined");
    }
    if !failed.is_empty() {
        eprintln!("FAILED: {}", failed.join("; "));
        std::process::exit(1);
    }
}
