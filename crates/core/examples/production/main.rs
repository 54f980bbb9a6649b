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
//! `lines=K` (default 1) splits the sale's line over `K` line objects
//! ([`waitroom_core::queue::split`]): `K` real queues under one block numbering (block `b` to line
//! object `b mod K`), the shards' blocks closed at their owner, claims, completions, presence and
//! sockets sent to the fan's line object, one snapshot per line object per data centre a second
//! (merged at the edge), and admission by rate through pulls cut so the merged line leaves in
//! order (checked each round). `complete_batch=N` (default 1) reports completions N to a request;
//! `presence_shards=1` sends presence batches through the arrival shards (one a second from each
//! shard to each line object, instead of one from each isolate).
//! Either way a table per line object ends the report: requests (peak and while admitting), rows
//! written, memory, snapshot bytes.
//!
//! `cargo run --release -p waitroom-core --example production -- [fans=N] [dcs=N] [isolates=N]
//! [prequeue=N] [hours=N] [shards=N] [rate=N] [lines=K] [complete_batch=N] [presence_shards=1]`

#[path = "../common/mod.rs"]
mod common;
mod lines;
mod parts;

use common::{peak_rss_mib, DrawnLine, Fan, Fans, Fenwick, OrderCheck, Rng};
use lines::{presence_round, Lines};
use parts::*;
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;
use waitroom_core::machines::edge_block::{
    EdgeLeaseRequest, EdgeNumbering, EdgeStep, EDGE_REPORT_BOUND_MS,
};
use waitroom_core::machines::shard::ArrivalShard;
use waitroom_core::queue::draw::{DrawKey, Permutation};
use waitroom_core::queue::gap_index::compress;
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
    // Split, the line objects admit nobody by themselves: the rate's pulls do, in order.
    settings.admission = if a.lines > 1 {
        Admission::Pull
    } else {
        Admission::Rate { per_minute: a.rate }
    };
    let mut lines = Lines::new(
        (0..a.lines)
            .map(|_| {
                let mut q = Queue::create(
                    SaleId::parse("prod").unwrap(),
                    settings.clone(),
                    "prod-salt-0123456789".into(),
                    Some(DrawKey::from_bytes([0x5a; 32])),
                    T0,
                )
                .unwrap();
                if a.prequeue == 0 {
                    q.open(T0).unwrap();
                }
                q
            })
            .collect(),
    );
    lines.presence_via_shards = a.presence_shards.then_some(a.shards);
    let split = lines.split();
    let mut prequeue_ended = false;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut shards = vec![ArrivalShard::default(); a.shards as usize];
    let mut isolates: Vec<EdgeNumbering> = (0..isolate_count)
        .map(|i| EdgeNumbering::new((i as u32) % a.shards))
        .collect();
    let mut fans = Fans::with_capacity(a.fans as usize * 11 / 10 + 16);
    let mut waiting = Fenwick::new();
    let mut drawn: Option<Permutation> = None;
    let mut drawn_line = DrawnLine::default();
    let mut draw_ms = 0.0;
    let mut joined = 0u64;
    let mut total = Counts::default();
    let mut at_last_report = Counts::default();
    let mut now = T0;
    let mut last_heads = vec![1u64; a.lines as usize];
    let mut order = OrderCheck::new(ORDER_BOUND_MS);
    let (mut false_skips, mut right_skips, mut twice) = (0u64, 0u64, 0u64);
    let (mut ahead_checks, mut ahead_outside) = (0u64, 0u64);
    let mut handed_positions: HashSet<u64> = HashSet::new();
    let mut to_claim: Vec<(UnixMillis, Seq)> = Vec::new();
    let mut to_complete: Vec<(UnixMillis, usize, FanId)> = Vec::new();
    let (mut lapsed_on_purpose, mut completed) = (0u64, 0u64);
    let mut sockets: HashSet<Seq> = HashSet::new();
    let mut max_shard_state = 0usize;
    let mut max_snapshot = (0usize, 0usize, 0usize, 0usize);
    let (mut poll_ns_new, mut poll_ns_old, mut poll_samples) = (0f64, 0f64, 0u64);
    // The coordinator's own work per snapshot: from its gap index, and (each minute) the walk of
    // every gap it made before (`gap_index::compress` over the whole list).
    let (mut snap_ns, mut snap_ns_linear, mut snaps_linear) = (Vec::new(), 0f64, 0u64);
    let (mut worst_ahead_span, mut invariant_checks) = (0u64, 0u64);
    let mut snap: Option<Vec<Snapshot>> = None;

    println!(
        "# Production-shaped simulation: {} fans ({} in the pre-queue), {} data centres × {} isolates, {} shards, admitted at {} a minute, {} h",
        a.fans, a.prequeue, a.dcs, a.isolates, a.shards, a.rate, a.hours
    );
    print_split_note(&a);
    println!();
    println!("| virtual time | joined | waiting | admitted | line gaps | snapshot bytes (listed / ranges) | snapshot bytes listing every gap | coordinator req/s | shard req/s (all shards) | registry req/s | coordinator rows written/s | rows stored (coordinator) | edge polls/s (est.) | edge ns per `ahead`: bounded / linear | coordinator µs per snapshot: indexed (median) / walking every gap | peak RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");

    while now < end_at {
        now = now.plus_millis(TICK_MS);
        let t = T0.millis_until(now);
        if !prequeue_ended && a.prequeue > 0 && now >= opens_at {
            lines.end_prequeue(UnixMillis(opens_at.0 - 1));
            prequeue_ended = true;
        }
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
                        let lease = lend(&mut lines, &mut shards, &request, now, &mut total);
                        isolates[i].install(&request, lease, now);
                    }
                }
            };
            total.joins += 1;
            let leaves_ms = if rng.fraction() < LEAVE_SHARE {
                (t + rng.next() % 1_800_000) as u32
            } else {
                u32::MAX
            };
            fans.insert(
                seq,
                Fan {
                    joined_ms: t as u32,
                    leaves_ms,
                },
            );
            // Counted waiting at its line position: its number once the draw is past (fans
            // before it are counted at the draw, at their drawn positions or numbers).
            if drawn.is_some() || a.prequeue == 0 {
                waiting.add(seq as usize, 1);
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
                *total.shard.entry("alarm").or_default() += 1;
                total.shard_rows += 1;
                lines.close_block(
                    &mut total,
                    now,
                    k as u32,
                    close.start,
                    close.used,
                    &close.gaps,
                );
                shard.closed_with(close.start, served);
            }
            if now.0.is_multiple_of(1000) {
                max_shard_state = max_shard_state.max(serde_json::to_string(shard).unwrap().len());
            }
        }
        // The draw, from the published key, as the edge and any verifier do.
        if drawn.is_none() && a.prequeue > 0 && now >= opens_at {
            let t0 = Instant::now();
            for q in lines.queues.iter_mut() {
                q.sweep(now);
            }
            let draw = lines.queues[0]
                .snapshot(now)
                .draw
                .expect("a pre-queue sale has a draw");
            for q in &lines.queues {
                assert_eq!(
                    q.draw_info().map(|d| d.end),
                    Some(draw.end),
                    "one range drawn"
                );
            }
            let key = draw.key.expect("drawn at the opening");
            let permutation = Permutation::new(&key, draw.end);
            drawn_line = DrawnLine::build(&permutation, &fans, &mut waiting);
            // Fans numbered after the pre-queue before this tick's draw: at their numbers.
            for (seq, _) in fans.after(draw.end) {
                waiting.add(seq as usize, 1);
            }
            draw_ms = t0.elapsed().as_secs_f64() * 1000.0;
            drawn = Some(permutation);
        }
        let pre_end = drawn.as_ref().map_or(0, Permutation::end);
        let seq_at = |position: u64| drawn_line.seq_at(position);
        let whole_second = now.0.is_multiple_of(1000);
        let open = lines.queues[0].phase_at(now) == Phase::Open;
        if whole_second {
            lines.second_passed(now > opens_at);
        }
        if whole_second && now >= opens_at {
            // One snapshot a second per data centre from each line object (the coordinator
            // when the line is not split); isolates read the Cache API.
            for k in 0..lines.queues.len() {
                lines.served(&mut total, k, "snapshot", a.dcs);
            }
            total.cache_reads += isolate_count as u64 * u64::from(a.lines);
            for q in lines.queues.iter_mut() {
                q.sweep(now);
            }
            let t_snap = Instant::now();
            let snaps = lines.snapshots(now);
            snap_ns.push(t_snap.elapsed().as_nanos() as f64 / snaps.len() as f64);
            let (listed, ranges) = snaps.iter().fold((0, 0), |(l, r), s| {
                let (sl, sr) = s.gap_count();
                (l + sl, r + sr)
            });
            let line_head = snaps.iter().map(|s| s.head.0).min().unwrap();
            let line_end = snaps.iter().map(|s| s.next_seq).max().unwrap();
            // Presence: every 5 s, fans who may be in their line object's zone (by the edge's
            // count) and still there say so; one in ten holds a socket instead.
            if open && now.0.is_multiple_of(PRESENCE_EVERY_MS) {
                presence_round(
                    &mut lines,
                    &mut total,
                    &snaps,
                    &fans,
                    &seq_at,
                    t,
                    now,
                    &mut sockets,
                    isolate_count,
                );
            }
            // Sampled polls: `ahead` holds the truth; the poll interval; the edge's work.
            let span = line_end.saturating_sub(line_head).max(1);
            let mut interval_rate = 0.0;
            let mut sampled = 0u64;
            let all_gaps: Vec<PositionRange> = if now.0.is_multiple_of(60_000) && !split {
                lines.queues[0].all_gaps()
            } else {
                Vec::new()
            };
            if !all_gaps.is_empty() {
                let t_linear = Instant::now();
                std::hint::black_box(compress(
                    Position(snaps[0].next_seq),
                    all_gaps.iter().copied(),
                ));
                snap_ns_linear += t_linear.elapsed().as_nanos() as f64;
                snaps_linear += 1;
            }
            let rate: f64 = snaps.iter().map(|s| s.admission_rate).sum();
            let first_pending = lines.first_pending();
            for _ in 0..200 {
                let position = line_head + rng.next() % span;
                let seq = seq_at(position);
                if fans.at(seq).is_none() {
                    continue;
                }
                let (least, most) = Lines::ahead(&snaps, Position(position));
                worst_ahead_span = worst_ahead_span.max(most - least);
                // Numbers leased but not reported yet count as fans until their block closes:
                // compare only below them, and not while a pre-queue block is still open.
                if first_pending.is_none_or(|p| p > pre_end && position < p) {
                    let truth = waiting.between(line_head, position);
                    ahead_checks += 1;
                    let outside = !(least as i64 <= truth && truth <= most as i64);
                    if outside
                        && ahead_outside < 5
                        && std::env::var_os("PRODUCTION_DEBUG").is_some()
                    {
                        eprintln!("t {t} head {line_head} position {position} least {least} most {most} truth {truth} pending {first_pending:?}");
                    }
                    ahead_outside += u64::from(outside);
                }
                let eta = (rate > 0.0).then(|| (most as f64 / rate) as u64);
                interval_rate +=
                    1000.0 / poll_after_ms(lines.queues[0].phase_at(now), most, eta) as f64;
                sampled += 1;
                if now.0.is_multiple_of(60_000) {
                    let t1 = Instant::now();
                    std::hint::black_box(Lines::ahead(
                        &snaps,
                        std::hint::black_box(Position(position)),
                    ));
                    poll_ns_new += t1.elapsed().as_nanos() as f64;
                    if !all_gaps.is_empty() {
                        let t2 = Instant::now();
                        std::hint::black_box(ahead(
                            snaps[0].head,
                            Position(position),
                            all_gaps.iter().copied(),
                        ));
                        poll_ns_old += t2.elapsed().as_nanos() as f64;
                    }
                    poll_samples += 1;
                }
            }
            let waiting_now = lines.stats(now).waiting as f64;
            if sampled > 0 {
                total.polls += waiting_now * interval_rate / sampled as f64;
            }
            if now.0.is_multiple_of(60_000) {
                let sum = lines.note_snapshot_bytes(&snaps);
                let (bytes, old_bytes) = if split {
                    (sum, 0)
                } else {
                    snapshot_sizes(&lines.queues[0], &snaps[0])
                };
                max_snapshot = max_snapshot.max((bytes, old_bytes, listed, ranges));
            }
            // Split, the rate admits through pulls cut so the merged line leaves in order.
            if split && open {
                for seq in lines.pull_by_rate(&mut total, now, a.rate) {
                    let position = lines.queues[0].position_of(seq).0;
                    let fan = fans.at(seq).expect("a fan handed out");
                    order.passed(position, seq, pre_end, &fan);
                }
            }
            snap = Some(snaps);
        } else if a.prequeue > 0 && now < opens_at && whole_second {
            // Pre-queue fans poll every 15 s; the edge reads the snapshot as in the line.
            for k in 0..lines.queues.len() {
                lines.served(&mut total, k, "snapshot", a.dcs);
            }
            total.cache_reads += isolate_count as u64 * u64::from(a.lines);
            total.polls += joined as f64 / 15.0;
        }
        // Fans admitted last tick claim their turn (or let it lapse); purchases complete, at
        // each fan's line object (reported `complete_batch` to a request).
        completed += lines.claims_and_completions(
            &mut total,
            now,
            &mut to_claim,
            &mut to_complete,
            a.complete_batch,
        );
        // Every position each line object passed this tick: handed out (once), or skipped as
        // gone. (Split, the order is checked as the pulls hand fans out.)
        for (k, last_head) in last_heads.iter_mut().enumerate() {
            let head = lines.queues[k].snapshot_head(now);
            for position in *last_head..head {
                let seq = seq_at(position);
                let Some(fan) = fans.at(seq) else {
                    continue;
                };
                if split && lines.owner(seq) != k {
                    continue;
                }
                waiting.add(position as usize, -1);
                if !split {
                    order.passed(position, seq, pre_end, &fan);
                }
                let gone = fan.gone_by(t);
                let q = &lines.queues[k];
                let state = q.assignment(&q.fan_id(seq)).map(|a| a.state);
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
            *last_head = head;
        }
        lines.take_changes(&mut total);
        if (now.0 - T0.0).is_multiple_of(INVARIANTS_EVERY_MS) {
            for q in &lines.queues {
                q.check_invariants().expect("line object invariants");
            }
            invariant_checks += 1;
        }
        if (now.0 - T0.0).is_multiple_of(REPORT_EVERY_MS) {
            let stats = lines.stats(now);
            let secs = REPORT_EVERY_MS as f64 / 1000.0;
            let d = |x: u64, y: u64| (x - y) as f64 / secs;
            let (bytes, old_bytes, listed, ranges) = match &snap {
                Some(snaps) if !split => {
                    let (b, o) = snapshot_sizes(&lines.queues[0], &snaps[0]);
                    let (l, r) = snaps[0].gap_count();
                    (b, o, l, r)
                }
                Some(snaps) => snaps.iter().fold((0, 0, 0, 0), |(b, o, l, r), s| {
                    let (sl, sr) = s.gap_count();
                    (
                        b + serde_json::to_string(s).unwrap().len(),
                        o,
                        l + sl,
                        r + sr,
                    )
                }),
                None => (0, 0, 0, 0),
            };
            println!(
                "| {} min | {} | {} | {} | {} | {} ({} / {}) | {} | {:.0} | {:.0} | 0 | {:.0} | {} | {:.0} | {:.0} / {:.0} | {:.1} / {:.1} | {:.0} |",
                t / 60_000,
                stats.joined,
                stats.waiting,
                handed_positions.len(),
                lines.gaps_ahead(),
                bytes,
                listed,
                ranges,
                old_bytes,
                d(total.coordinator_total(), at_last_report.coordinator_total()),
                d(total.shard_total(), at_last_report.shard_total()),
                d(total.coordinator_rows, at_last_report.coordinator_rows),
                stats.assigned + stats.completed + stats.lapsed + stats.left + lines.minutes(),
                (total.polls - at_last_report.polls) / secs,
                poll_ns_new / poll_samples.max(1) as f64,
                poll_ns_old / poll_samples.max(1) as f64,
                median(&mut snap_ns) / 1000.0,
                snap_ns_linear / snaps_linear.max(1) as f64 / 1000.0,
                peak_rss_mib(),
            );
            at_last_report = total.clone();
            (poll_ns_new, poll_ns_old, poll_samples) = (0.0, 0.0, 0);
            (snap_ns, snap_ns_linear, snaps_linear) = (Vec::new(), 0.0, 0);
        }
    }
    for q in &lines.queues {
        q.check_invariants()
            .expect("line object invariants at the end");
    }
    invariant_checks += 1;
    let stats = lines.stats(now);
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
        lines.gaps_ahead(),
        lines.numbering.next_seq() as f64 / a.fans as f64
    );
    println!("| widest `ahead` range told a fan (at most one range's unused numbers) | {worst_ahead_span} |");
    println!("| largest shard state (one row) | {max_shard_state} bytes |");
    println!(
        "| peak memory of the whole simulation (VmHWM) | {:.0} MiB |",
        peak_rss_mib()
    );
    println!("| `ahead` checks against the true count (outside the range: must be 0) | {ahead_checks} ({ahead_outside}) |");
    println!(
        "| order violations beyond {ORDER_BOUND_MS} ms / pre-queue fans served after a later fan (must be 0) | {} / {} |",
        order.out_of_order, order.prequeue_after_later
    );
    println!("| handed out twice (must be 0) | {twice} |");
    println!("| present fans skipped (must be 0) | {false_skips} |");
    println!("| fans who left, skipped | {right_skips} |");
    println!("| turns let lapse on purpose | {lapsed_on_purpose} |");
    println!("| coordinator invariant checks | {invariant_checks} |");
    let mut failed = Vec::new();
    if order.out_of_order + order.prequeue_after_later > 0 {
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
    if lines.handed_out_of_order > 0 {
        failed.push("a pull handed out a fan below an earlier pull's");
    }
    lines.print_per_object(end_at.0.saturating_sub(opens_at.0) as f64 / 1000.0);
    if !failed.is_empty() {
        eprintln!("FAILED: {}", failed.join("; "));
        std::process::exit(1);
    }
}
