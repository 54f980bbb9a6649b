//! The pure core at scale: a sale of a million fans, simulated on the host with virtual time.
//!
//! Fans arrive through arrival shards, poll (fans near the front report presence), some leave
//! before their turn, windows pull, fans claim and complete. Every invariant is checked as it
//! runs: arrival order within the shard bound, nobody handed out twice or skipped while present,
//! and no number handed out that no fan holds (for every fan), `ahead` equal to the fans really ahead (200 sampled polls a second against a
//! brute-force count), and the coordinator's own invariants. That last check walks every
//! assignment in memory (~290,000 at a million fans), so it is sampled: every
//! 100 s of virtual time and once at the end (run every 10 s, it took ~70 % of the run time).
//!
//! With `rate=N` the sale admits by rate (`{"mode": "rate", "per_minute": N}`): no window pulls;
//! the coordinator admits when its alarm is due (its `next_deadline`), and the run also checks
//! that admissions over any 60 s stay within `N` plus one second's burst, and that the edge,
//! extrapolating each second's snapshot by the schedule, never tells a fan their turn before the
//! coordinator admitted them (and how often it tells it late).
//!
//!
//! With a pre-queue (the first `prequeue` arrivals, 500,000 by default, arrive between
//! `prequeue_opens_at` and `opens_at`): the pre-queue is drawn at `opens_at`, and the line,
//! `ahead` and the order checks work in line positions (drawn positions for pre-queue fans, the
//! arrival number for later ones). Checked besides: every fan arriving before `opens_at` holds a
//! pre-queue number and every later one does not, and no later fan is served before a pre-queue
//! fan. `0` for no pre-queue.
//!
//! `cargo run --release -p waitroom-core --example simulate -- [fans] [shards] [rate=N] [prequeue=N]`

use std::collections::{HashMap, VecDeque};
use std::time::Instant;
use waitroom_core::machines::shard::ArrivalShard;
use waitroom_core::queue::draw::{DrawKey, Permutation};
use waitroom_core::queue::snapshot::FanView;
use waitroom_core::queue::{Claim, BLOCK_TTL_MS};
use waitroom_core::sale::admission::{Admission, RateLimit};
use waitroom_core::sale::{SaleSettings, SaleSettingsInput};
use waitroom_core::{FanId, Position, Queue, SaleId, Seq, UnixMillis, WindowId};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);
const TICK_MS: u64 = 100;
const ARRIVALS_PER_S: u64 = 10_000;
const WINDOWS: usize = 16;
const PULL_MAX: u32 = 5;
const LEAVE_SHARE: f64 = 0.10;
const PRESENCE_TTL_S: u64 = 30;
const PURCHASE_MS: u64 = 30_000;
/// Edge isolates reporting presence, each at most once a second.
const ISOLATES: u64 = 8;
/// The coordinator's full invariant check is O(assignments in memory) (~290,000 here, a fan-id
/// HMAC each): it runs every this many ticks (100 s of virtual time) and at the end.
const INVARIANTS_EVERY_TICKS: u64 = 1_000;

/// xorshift64*: enough randomness for a simulation, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn fraction(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Counts of waiting fans by arrival number, for the true number ahead of anyone.
struct Fenwick(Vec<i64>);
impl Fenwick {
    fn add(&mut self, i: usize, v: i64) {
        let mut i = i + 1;
        while i < self.0.len() {
            self.0[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    fn prefix(&self, i: usize) -> i64 {
        let (mut i, mut s) = (i, 0);
        while i > 0 {
            s += self.0[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
}

#[derive(Clone, Copy)]
struct Fan {
    joined_at: UnixMillis,
    leaves_at: Option<UnixMillis>,
}

fn fan_at(fans: &[Option<Fan>], seq: Seq) -> Option<Fan> {
    fans.get(seq as usize).copied().flatten()
}

/// The machine's load average, to read the wall time against (the machine may be shared).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn peak_rss_mib() -> f64 {
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

fn main() {
    let mut args = std::env::args().skip(1);
    let fans_total: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let shard_count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let (mut per_minute, mut prequeue): (Option<u32>, Option<u64>) = (None, None);
    for arg in args {
        if let Some(n) = arg.strip_prefix("rate=") {
            per_minute = n.parse().ok();
        } else if let Some(n) = arg.strip_prefix("prequeue=") {
            prequeue = n.parse().ok();
        }
    }
    let prequeue = prequeue
        .unwrap_or(if per_minute.is_some() { 0 } else { 500_000 })
        .min(fans_total);
    // The pre-queue is open from T0 until about `prequeue` fans have arrived.
    let opens_at =
        (prequeue > 0).then(|| T0.plus_millis(prequeue * 1000 / ARRIVALS_PER_S + TICK_MS / 2));
    let started = Instant::now();
    let load_at_start = load_average();

    let mut settings = SaleSettings::parse(SaleSettingsInput {
        prequeue_opens_at: opens_at.map(|_| T0.to_rfc3339()),
        name: "Simulated tour".into(),
        purchase_url: "https://tickets.example/buy".into(),
        opens_at: opens_at.map(UnixMillis::to_rfc3339),
        claim_ttl_s: Some(60),
        pass_ttl_s: Some(600),
        shards: Some(shard_count as u32),
        presence_ttl_s: Some(PRESENCE_TTL_S),
        ..SaleSettingsInput::default()
    })
    .expect("valid settings");
    if let Some(per_minute) = per_minute {
        settings.admission = Admission::Rate { per_minute };
    }
    let mut c = Queue::create(
        SaleId::parse("sim").unwrap(),
        settings,
        "sim-salt-0123456789".into(),
        Some(DrawKey::from_bytes([0x5a; 32])),
        T0,
    )
    .unwrap();
    if opens_at.is_none() {
        c.open(T0).unwrap();
    }
    // Once drawn: the permutation of the pre-queue's numbers, as the edge computes it from the
    // snapshot; and the line positions of every fan counted waiting.
    let mut drawn: Option<Permutation> = None;
    // The sale's side of the draw, as a table: the arrival number at each drawn position (the
    // simulation's own bookkeeping; the edge computes one fan's position per poll).
    let mut seq_by_position: Vec<Seq> = Vec::new();
    let (mut prequeue_fans, mut wrong_side, mut late_before_prequeue) = (0u64, 0u64, 0u64);
    let mut late_served = false;
    let mut draw_ms = 0.0;
    let mut shards = vec![ArrivalShard::default(); shard_count];
    let windows: Vec<WindowId> = (0..WINDOWS)
        .map(|w| WindowId::parse(&format!("w{w}")).unwrap())
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    // Indexed by arrival number (numbers no fan got stay `None`).
    let mut fans: Vec<Option<Fan>> = Vec::with_capacity(fans_total as usize + 1);
    let mut waiting = Fenwick(vec![0; (fans_total as usize) * 2 + 16]);
    let mut requests: HashMap<&'static str, u64> = HashMap::new();
    let mut joined = 0u64;
    let mut now = T0;
    let mut last_head = 1;
    let mut max_pulled: Seq = 0;
    let mut latest_arrival_served = T0;
    let (mut order_violations, mut false_skips, mut right_skips, mut assigned_gone) =
        (0u64, 0u64, 0u64, 0u64);
    let (mut ahead_checks, mut ahead_errors) = (0u64, 0u64);
    let mut wrong_hand_outs = 0u64;
    let mut to_claim: Vec<Seq> = Vec::new();
    let mut to_complete: VecDeque<(UnixMillis, FanId)> = VecDeque::new();
    let (mut claimed, mut completed) = (0u64, 0u64);
    let mut invariant_checks = 0u64;
    let mut ticks = 0u64;
    let mut rows_written = 0u64;
    // Rate mode: admissions of the last 60 s by tick, the busiest minute, and the edge's view.
    let mut last_minute: VecDeque<(UnixMillis, u64)> = VecDeque::new();
    let (mut in_last_minute, mut busiest_minute) = (0u64, 0u64);
    let mut edge_snapshot: Option<waitroom_core::queue::snapshot::Snapshot> = None;
    let (mut edge_checks, mut edge_early, mut edge_late) = (0u64, 0u64, 0u64);
    let mut alarms = 0u64;

    loop {
        ticks += 1;
        now = now.plus_millis(TICK_MS);
        // Arrivals, each at a random shard.
        let arrivals = (ARRIVALS_PER_S * TICK_MS / 1000).min(fans_total - joined);
        for i in 0..arrivals {
            let at = now.plus_millis(i * TICK_MS / arrivals.max(1));
            let k = (rng.next() % shard_count as u64) as usize;
            let seq = loop {
                match shards[k].join(at) {
                    Ok((_, seq)) => break seq,
                    Err(request) => {
                        *requests.entry("lease_block").or_default() += 1;
                        let lease = c
                            .lease_block(at, k as u32, request.closing, request.want)
                            .expect("open sale");
                        shards[k].install(&request, lease, at);
                    }
                }
            };
            let leaves_at =
                (rng.fraction() < LEAVE_SHARE).then(|| at.plus_millis(rng.next() % 600_000));
            let slot = seq as usize;
            if fans.len() <= slot {
                fans.resize(slot + 1, None);
            }
            fans[slot] = Some(Fan {
                joined_at: at,
                leaves_at,
            });
            // Counted waiting at its line position: the number itself once the draw is past
            // (pre-queue fans are counted at the draw).
            if opens_at.is_none_or(|o| at >= o) {
                waiting.add(seq as usize, 1);
            } else {
                prequeue_fans += 1;
            }
            joined += 1;
        }
        // Shard alarms close blocks whose time is up.
        for (k, shard) in shards.iter_mut().enumerate() {
            if let Some(used) = shard.expired(now) {
                *requests.entry("close_block").or_default() += 1;
                c.close_block(now, k as u32, used.start, used.len);
                shard.closed(used.start);
            }
        }
        // The draw: from the snapshot's published key, as the edge and any verifier do.
        if drawn.is_none() && opens_at.is_some_and(|o| now >= o) {
            let draw_started = Instant::now();
            let draw = c.snapshot(now).draw.expect("a pre-queue sale has a draw");
            assert!(draw.key.is_some(), "the key is published at opens_at");
            let permutation = Permutation::of_draw(&draw).expect("a draw of a known version");
            seq_by_position = vec![0; draw.end as usize + 1];
            for seq in 1..=draw.end {
                let position = permutation.position_of(seq);
                seq_by_position[position as usize] = seq;
                if let Some(fan) = fan_at(&fans, seq) {
                    waiting.add(position as usize, 1);
                    wrong_side += u64::from(opens_at.is_some_and(|o| fan.joined_at >= o));
                }
            }
            for fan in fans.iter().skip(draw.end as usize + 1).flatten() {
                wrong_side += u64::from(opens_at.is_some_and(|o| fan.joined_at < o));
            }
            draw_ms = draw_started.elapsed().as_secs_f64() * 1000.0;
            drawn = Some(permutation);
        }
        let pre_end = drawn.as_ref().map_or(0, Permutation::end);
        let position_of = |seq: Seq| drawn.as_ref().map_or(seq, |p| p.position_of(seq));
        let seq_at = |pos: Seq| {
            seq_by_position
                .get(pos as usize)
                .copied()
                .filter(|s| *s > 0)
                .unwrap_or(pos)
        };
        let whole_second =
            ticks.is_multiple_of(1000 / TICK_MS) && opens_at.is_none_or(|o| now >= o);
        if whole_second {
            // Each isolate fetches a snapshot and reports the fans near the front that polled.
            *requests.entry("snapshot").or_default() += ISOLATES;
            *requests.entry("present").or_default() += ISOLATES;
            // The object answers a snapshot request after its sweep (which admits what is due).
            c.sweep(now);
            let snap = c.snapshot(now);
            // Positions as plain numbers, as the simulation's tables keep them.
            let zone_end = snap.head.0 + snap.presence_zone;
            for position in snap.head.0..zone_end.min(snap.next_seq) {
                let seq = seq_at(position);
                if let Some(fan) = fan_at(&fans, seq) {
                    if fan.leaves_at.is_none_or(|t| t > now) {
                        // The edge reports a drawn fan by line position, others by number.
                        if seq == position {
                            c.present(now, seq);
                        } else {
                            c.present_at(now, Position(position));
                        }
                    }
                }
            }
            // Sampled polls far back: `ahead` must count exactly the fans ahead.
            for _ in 0..200 {
                let span = snap.next_seq.saturating_sub(snap.head.0).max(1);
                let position = snap.head.0 + rng.next() % span;
                let seq = seq_at(position);
                // Numbers leased but not yet reported count as fans until their block closes
                // (within a second): compare only below them (and not while a pre-queue block
                // is still open, the moment after the draw).
                if fan_at(&fans, seq).is_some()
                    && c.first_pending()
                        .is_none_or(|p| p > pre_end && position < p)
                {
                    if let FanView::Waiting { ahead, .. } = snap.fan_view(seq, now) {
                        let truth = waiting.prefix(position as usize)
                            - waiting.prefix(snap.head.0 as usize);
                        ahead_checks += 1;
                        ahead_errors += u64::from(ahead as i64 != truth);
                    }
                }
            }
        }
        // Fans assigned last tick claim their turn (if they are still there); purchases finish.
        for seq in to_claim.drain(..) {
            *requests.entry("claim").or_default() += 1;
            if let Ok(Claim::Turn { assignment, .. }) = c.claim(now, seq) {
                claimed += 1;
                to_complete.push_back((now.plus_millis(PURCHASE_MS), assignment.fan_id));
            }
        }
        while to_complete.front().is_some_and(|(at, _)| *at <= now) {
            let (_, fan_id) = to_complete.pop_front().unwrap();
            *requests.entry("complete").or_default() += 1;
            c.complete(now, &fan_id)
                .expect("assigned fans complete once");
            completed += 1;
        }
        // Windows pull (or, by rate, the coordinator admits when its alarm is due); then every
        // number the line passed this tick is accounted for, in order.
        let mut handed: Vec<Seq> = Vec::new();
        if per_minute.is_none() {
            for window in &windows {
                *requests.entry("pull").or_default() += 1;
                let pulled = c.pull(now, window.clone(), PULL_MAX, None).expect("pull");
                handed.extend(pulled.assignments.iter().map(|a| a.seq));
            }
        } else if c.next_deadline().is_some_and(|at| at <= now) {
            alarms += 1;
            c.sweep(now);
        }
        // Rate mode, half a second after each snapshot: the edge, extrapolating it by the
        // schedule, against the coordinator. A fan told their turn claims it, and the claim's
        // sweep admits whoever the schedule has due by then: so, after that sweep, sampled fans
        // just behind the snapshot's front and far back.
        let mut edge_view: Vec<(Seq, bool)> = Vec::new();
        if let Some(snap) = edge_snapshot
            .as_ref()
            .filter(|_| ticks % (1000 / TICK_MS) == 5)
        {
            c.sweep(now);
            let span = snap.next_seq.saturating_sub(snap.head.0).max(1);
            for k in 0..200u64 {
                let position = snap.head.0
                    + if k < 100 {
                        k * 50 % span
                    } else {
                        rng.next() % span
                    };
                let seq = seq_at(position);
                if fan_at(&fans, seq).is_some()
                    && c.first_pending()
                        .is_none_or(|p| p > pre_end && position < p)
                {
                    edge_view.push((
                        position,
                        matches!(snap.fan_view(seq, now), FanView::Reached),
                    ));
                }
            }
        }
        let head = c.snapshot(now).head.0;
        for (position, reached) in edge_view {
            edge_checks += 1;
            edge_early += u64::from(reached && position >= head);
            edge_late += u64::from(!reached && position < head);
        }
        if per_minute.is_some() {
            // The coordinator's own admissions this tick (every number the line passed this
            // tick got its assignment this tick): those not skipped for leaving.
            handed.extend((last_head..head).map(seq_at).filter(|&seq| {
                c.assignment(&c.fan_id(seq))
                    .is_some_and(|a| a.state != waitroom_core::AssignmentState::Left)
            }));
        }
        // In line positions from here on.
        let mut handed: Vec<Seq> = handed.into_iter().map(position_of).collect();
        handed.sort_unstable();
        let handed_count = handed.len();
        handed.dedup();
        // Handed out twice, a number no fan holds, or a number the line had passed before.
        wrong_hand_outs += (handed_count - handed.len()) as u64;
        wrong_hand_outs += handed
            .iter()
            .filter(|&&pos| {
                !(last_head..head).contains(&pos) || fan_at(&fans, seq_at(pos)).is_none()
            })
            .count() as u64;
        for position in last_head..head {
            let seq = seq_at(position);
            let Some(fan) = fan_at(&fans, seq) else {
                continue;
            };
            waiting.add(position as usize, -1);
            if position <= max_pulled {
                order_violations += 1;
            }
            max_pulled = position;
            if seq <= pre_end {
                // A pre-queue fan (drawn order): never after a fan who came later.
                late_before_prequeue += u64::from(late_served);
            } else {
                late_served = true;
                // Served in number order: nobody served later may have arrived over a block's
                // lifetime before someone served earlier.
                if fan.joined_at.plus_millis(BLOCK_TTL_MS) < latest_arrival_served {
                    order_violations += 1;
                }
                latest_arrival_served = latest_arrival_served.max(fan.joined_at);
            }
            let gone = fan.leaves_at.is_some_and(|t| t <= now);
            if handed.binary_search(&position).is_ok() {
                if gone {
                    assigned_gone += 1;
                } else {
                    to_claim.push(seq);
                }
            } else if gone {
                right_skips += 1;
            } else {
                false_skips += 1;
            }
        }
        last_head = head;
        if let Some(per_minute) = per_minute {
            let admitted = handed.len() as u64;
            last_minute.push_back((now, admitted));
            in_last_minute += admitted;
            while last_minute
                .front()
                .is_some_and(|(at, _)| at.plus_millis(60_000) <= now)
            {
                in_last_minute -= last_minute.pop_front().map_or(0, |(_, n)| n);
            }
            busiest_minute = busiest_minute.max(in_last_minute);
            assert!(
                in_last_minute <= u64::from(per_minute) + RateLimit::new(per_minute).burst(),
                "{in_last_minute} admitted within 60 s at {per_minute} a minute"
            );
            if whole_second {
                edge_snapshot = Some(c.snapshot(now));
            }
        }
        // What the Durable Object would write, as rows.
        rows_written += c.take_changes().len() as u64;
        if ticks.is_multiple_of(INVARIANTS_EVERY_TICKS) {
            c.check_invariants().expect("coordinator invariants");
            invariant_checks += 1;
        }
        let stats = c.stats(now);
        if joined == fans_total
            && stats.waiting == 0
            && stats.pending == 0
            && to_complete.is_empty()
            && to_claim.is_empty()
        {
            break;
        }
    }
    c.check_invariants()
        .expect("coordinator invariants at the end");
    invariant_checks += 1;
    let stats = c.stats(now);
    let elapsed = started.elapsed();
    let coordinator_total: u64 = requests.values().sum();
    let mut kinds: Vec<_> = requests.iter().collect();
    kinds.sort();

    match per_minute {
        None => println!("# Core simulation: {fans_total} fans, {shard_count} arrival shards"),
        Some(n) => println!(
            "# Core simulation: {fans_total} fans, {shard_count} arrival shards, admission by rate ({n} a minute)"
        ),
    }
    println!();
    println!("| | |");
    println!("|---|---|");
    println!(
        "| virtual sale length | {:.0} s |",
        T0.millis_until(now) as f64 / 1000.0
    );
    println!("| wall time | {:.2} s |", elapsed.as_secs_f64());
    println!(
        "| load average (1, 5, 15 min) at start / end | {load_at_start} / {} ({} CPUs) |",
        load_average(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| peak memory (VmHWM) | {:.0} MiB |", peak_rss_mib());
    println!(
        "| joined / completed / left (skipped) / lapsed | {} / {} / {} / {} |",
        stats.joined, stats.completed, stats.left, stats.lapsed
    );
    println!("| claimed | {claimed} (completed {completed}) |");
    println!(
        "| coordinator requests | {coordinator_total} ({:.1} per 1,000 fans) |",
        coordinator_total as f64 * 1000.0 / fans_total as f64
    );
    println!(
        "| block leases + closes per 1,000 joins | {:.2} |",
        (requests.get("lease_block").unwrap_or(&0) + requests.get("close_block").unwrap_or(&0))
            as f64
            * 1000.0
            / fans_total as f64
    );
    for (kind, n) in kinds {
        println!("| requests: {kind} | {n} |");
    }
    println!("| `ahead` checks (errors) | {ahead_checks} ({ahead_errors}) |");
    println!(
        "| pre-queue: fans / numbers drawn / time to rebuild the true line at the draw | {prequeue_fans} / {} / {draw_ms:.0} ms |",
        drawn.as_ref().map_or(0, Permutation::end)
    );
    println!("| fans on the wrong side of the draw (must be 0) | {wrong_side} |");
    println!("| pre-queue fans served after a later fan (must be 0) | {late_before_prequeue} |");
    println!("| order violations beyond the {BLOCK_TTL_MS} ms bound | {order_violations} |");
    println!("| present fans skipped (must be 0) | {false_skips} |");
    println!("| fans handed out twice, numbers no fan holds or already passed, handed out (must be 0) | {wrong_hand_outs} |");
    println!("| fans who left, skipped / still assigned (left within {PRESENCE_TTL_S} s of their turn) | {right_skips} / {assigned_gone} |");
    println!(
        "| coordinator invariant checks (full O(n) walk, sampled) | {invariant_checks}: every {} s of virtual time and at the end |",
        INVARIANTS_EVERY_TICKS * TICK_MS / 1000
    );
    println!(
        "| storage rows written | {rows_written} ({:.2} per fan) |",
        rows_written as f64 / fans_total as f64
    );
    if let Some(n) = per_minute {
        let admitting_s = stats.completed.max(1) as f64 * 60.0 / f64::from(n);
        println!(
            "| rate: target / busiest 60 s (bound: rate + {} burst) | {n} / {busiest_minute} |",
            RateLimit::new(n).burst()
        );
        println!(
            "| rate: alarms that found fans due (admissions otherwise rode on the requests of each tick) | {alarms} ({:.1} a second of admitting) |",
            alarms as f64 / admitting_s
        );
        println!("| rate: edge turn checks half a second after the snapshot: told early (must be 0) / late (a fan who left was skipped) | {edge_checks}: {edge_early} / {edge_late} |");
        assert_eq!(
            edge_early, 0,
            "the edge told a fan their turn before the coordinator"
        );
    }
    assert_eq!(stats.joined, fans_total);
    assert_eq!(order_violations, 0, "arrival order broken");
    assert_eq!(false_skips, 0, "a present fan was skipped");
    assert_eq!(
        wrong_hand_outs, 0,
        "a fan handed out twice or a wrong number handed out"
    );
    assert_eq!(ahead_errors, 0, "`ahead` miscounted");
    assert_eq!(wrong_side, 0, "a fan on the wrong side of the draw");
    assert_eq!(
        late_before_prequeue, 0,
        "a later fan served before a pre-queue fan"
    );
}
