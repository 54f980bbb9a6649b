//! The sale's line objects (`lines=K`, [`waitroom_core::queue::split`]): `K` real queues under
//! one block numbering, what each serves and writes, and the pulls that admit by rate across
//! them. With `lines=1` the one queue is the coordinator as before (it admits by its own rate).

use super::*;
use waitroom_core::queue::split::{
    ahead_in, merged_ahead, plan_pull, BlockNumbering, PULL_ROUNDS_A_SECOND,
};
use waitroom_core::queue::{MAX_BLOCK, MAX_PULL};
use waitroom_core::WindowId;

/// What one line object served, wrote and held.
#[derive(Default, Clone)]
pub(crate) struct LineCounts {
    pub(crate) requests: BTreeMap<&'static str, u64>,
    pub(crate) rows: u64,
    /// Requests at the last whole second, the most in one second, and at the opening.
    /// Requests at each of the last whole seconds (up to 6), and the most a second over 5 s.
    pub(crate) last_seconds: std::collections::VecDeque<u64>,
    pub(crate) peak_per_s: u64,
    pub(crate) at_opening: Option<u64>,
    pub(crate) max_in_memory: usize,
    pub(crate) max_snapshot_bytes: usize,
}

impl LineCounts {
    pub(crate) fn total(&self) -> u64 {
        self.requests.values().sum()
    }
}

pub(crate) struct Lines {
    pub(crate) queues: Vec<Queue>,
    pub(crate) numbering: BlockNumbering,
    pub(crate) counts: Vec<LineCounts>,
    /// Requests the sale's coordinator serves once the line is split: a block's numbers for each
    /// block a shard leases, the pre-queue's end told to each line object.
    pub(crate) coordinator_requests: u64,
    /// Places the rate owes (split lines only: the pulls admit by rate).
    owed: f64,
    /// The highest position handed out by an earlier pull, and positions handed below it.
    max_handed: u64,
    pub(crate) handed_out_of_order: u64,
    pub(crate) pull_rounds: u64,
    pub(crate) pulled: u64,
    /// Presence batches sent through the arrival shards (`presence_shards=1`): their count.
    pub(crate) presence_via_shards: Option<u32>,
}

impl Lines {
    pub(crate) fn new(queues: Vec<Queue>) -> Self {
        let k = queues.len();
        Self {
            numbering: BlockNumbering::new(k as u32),
            counts: vec![LineCounts::default(); k],
            queues,
            coordinator_requests: 0,
            owed: 0.0,
            max_handed: 0,
            handed_out_of_order: 0,
            pull_rounds: 0,
            pulled: 0,
            presence_via_shards: None,
        }
    }

    pub(crate) fn split(&self) -> bool {
        self.queues.len() > 1
    }

    /// Line object `k` served `n` requests of `kind` (counted in `total` too, as the
    /// coordinator's).
    pub(crate) fn served(&mut self, total: &mut Counts, k: usize, kind: &'static str, n: u64) {
        *total.coordinator.entry(kind).or_default() += n;
        *self.counts[k].requests.entry(kind).or_default() += n;
    }

    /// The line object that owns number `seq`.
    pub(crate) fn owner(&self, seq: Seq) -> usize {
        if self.split() {
            self.numbering.line_of(seq).expect("a number handed out") as usize
        } else {
            0
        }
    }

    /// A shard closes a block: at the line object that owns it.
    pub(crate) fn close_block(
        &mut self,
        total: &mut Counts,
        now: UnixMillis,
        shard: u32,
        start: Seq,
        used: u64,
        gaps: &[waitroom_core::SeqRange],
    ) {
        let k = self.owner(start);
        self.served(total, k, "close_block", 1);
        self.queues[k].close_block_with_gaps(now, shard, start, used, gaps);
    }

    /// A shard leases its next block: the sale's numbering names its numbers and line object
    /// (`b mod K`); the shard's closing block is closed at its own line object.
    pub(crate) fn lease_block(
        &mut self,
        total: &mut Counts,
        now: UnixMillis,
        shard: u32,
        block: &waitroom_core::machines::shard::LeaseRequest,
    ) -> waitroom_core::queue::BlockLease {
        let numbered = self.numbering.allocate(block.want.clamp(1, MAX_BLOCK));
        let k = numbered.line as usize;
        let (mut closing, mut closing_gaps) = (block.closing, &block.closing_gaps[..]);
        if self.split() {
            self.coordinator_requests += 1;
            if let Some(used) = closing.filter(|used| self.owner(used.start) != k) {
                self.close_block(total, now, shard, used.start, used.len, closing_gaps);
                (closing, closing_gaps) = (None, &[]);
            }
            self.queues[k].skip_to(now, numbered.start);
        }
        self.served(total, k, "lease_block", 1);
        let lease = self.queues[k]
            .lease_block_keeping(
                now,
                shard,
                closing,
                closing_gaps,
                &block.keep_open,
                numbered.len,
            )
            .expect("the sale takes fans");
        assert_eq!(lease.start, numbered.start, "one numbering");
        lease
    }

    /// The pre-queue closes: each line object is told where the sale's range ends, so that they
    /// all draw the same range.
    pub(crate) fn end_prequeue(&mut self, before_opening: UnixMillis) {
        if !self.split() {
            return;
        }
        let end = self.numbering.next_seq();
        for q in self.queues.iter_mut() {
            q.skip_to(before_opening, end);
        }
        self.coordinator_requests += self.queues.len() as u64;
    }

    /// The first block still pending anywhere.
    pub(crate) fn first_pending(&self) -> Option<Seq> {
        self.queues.iter().filter_map(Queue::first_pending).min()
    }

    /// The rate's pulls (split lines only), right after the line objects' snapshots: the places
    /// owed are spread by [`plan_pull`]; what each round hands out is checked to come after every
    /// earlier round's. Returns the numbers handed out, in position order.
    pub(crate) fn pull_by_rate(
        &mut self,
        total: &mut Counts,
        now: UnixMillis,
        per_minute: u32,
    ) -> Vec<Seq> {
        let second = f64::from(per_minute) / 60.0;
        self.owed = (self.owed + second).min(second);
        let window = WindowId::parse("rate").unwrap();
        let mut handed: Vec<Seq> = Vec::new();
        // A round plans with fans who left still counted as waiting (their line object skips
        // them), so it may hand out fewer than owed: the places it could not fill are asked
        // again in the same second, each round after the last ([`PULL_ROUNDS_A_SECOND`]).
        for _ in 0..PULL_ROUNDS_A_SECOND {
            let n = (self.owed.floor() as u64).saturating_sub(handed.len() as u64);
            if n == 0 {
                break;
            }
            // Each line object tells its next `n` waiting positions (one request each).
            let mut lists = Vec::with_capacity(self.queues.len());
            for k in 0..self.queues.len() {
                self.served(total, k, "next_waiting", 1);
                lists.push(self.queues[k].next_waiting(n as usize));
            }
            let plan = plan_pull(&lists, n);
            let before_round = handed.len();
            for (k, count) in plan.asks {
                let mut left = count;
                while left > 0 {
                    let ask = left.min(u64::from(MAX_PULL)) as u32;
                    self.served(total, k, "pull", 1);
                    let pulled = self.queues[k]
                        .pull_before(now, window.clone(), ask, plan.before, None)
                        .expect("a pull of 1 to 100");
                    handed.extend(pulled.assignments.iter().map(|a| a.seq));
                    left -= u64::from(ask);
                    if pulled.assignments.len() < ask as usize {
                        break;
                    }
                }
            }
            self.pull_rounds += 1;
            if handed.len() == before_round {
                break;
            }
        }
        self.owed -= handed.len() as f64;
        self.pulled += handed.len() as u64;
        let position = |seq: Seq| self.queues[0].position_of(seq).0;
        handed.sort_unstable_by_key(|seq| position(*seq));
        for seq in &handed {
            let at = position(*seq);
            self.handed_out_of_order += u64::from(at <= self.max_handed);
        }
        if let Some(last) = handed.last() {
            self.max_handed = self.max_handed.max(position(*last));
        }
        handed
    }

    /// Each line object's snapshot, as the data centres read them.
    pub(crate) fn snapshots(&self, now: UnixMillis) -> Vec<Snapshot> {
        self.queues.iter().map(|q| q.snapshot(now)).collect()
    }

    /// A fan's `ahead` range at the edge: its own line object's if there is one, else merged.
    pub(crate) fn ahead(snaps: &[Snapshot], position: Position) -> (u64, u64) {
        match snaps {
            [one] => one.ahead_bounds(position),
            _ => merged_ahead(snaps, position),
        }
    }

    /// Whether the fan at `position` (of line object `k`) may be in its line object's presence
    /// zone, by the edge's count.
    pub(crate) fn in_zone(snaps: &[Snapshot], k: usize, position: Position) -> bool {
        ahead_in(&snaps[k], position).0 < snaps[k].presence_zone
    }

    /// The sale's counts, over its line objects.
    pub(crate) fn stats(&self, now: UnixMillis) -> waitroom_core::queue::Stats {
        let mut sum = waitroom_core::queue::Stats::default();
        for s in self.queues.iter().map(|q| q.stats(now)) {
            sum.joined += s.joined;
            sum.waiting += s.waiting;
            sum.assigned += s.assigned;
            sum.completed += s.completed;
            sum.lapsed += s.lapsed;
            sum.left += s.left;
        }
        sum
    }

    pub(crate) fn gaps_ahead(&self) -> usize {
        self.queues.iter().map(Queue::gaps_ahead).sum()
    }

    pub(crate) fn minutes(&self) -> u64 {
        self.queues.iter().map(|q| q.minutes().count() as u64).sum()
    }

    /// Each second: every line object's requests in the second just past.
    pub(crate) fn second_passed(&mut self, opened: bool) {
        for (k, c) in self.counts.iter_mut().enumerate() {
            // Presence batches are counted 5 s at a time: the peak is of 5 s means.
            let now_total = c.total();
            c.last_seconds.push_back(now_total);
            if c.last_seconds.len() > 6 {
                c.last_seconds.pop_front();
            }
            if c.last_seconds.len() == 6 {
                c.peak_per_s = c.peak_per_s.max((now_total - c.last_seconds[0]) / 5);
            }
            if opened && c.at_opening.is_none() {
                c.at_opening = Some(now_total);
            }
            c.max_in_memory = c.max_in_memory.max(self.queues[k].assignments_in_memory());
        }
    }

    /// Rows written since the last call, counted per line object and in `total`.
    pub(crate) fn take_changes(&mut self, total: &mut Counts) {
        for (q, c) in self.queues.iter_mut().zip(self.counts.iter_mut()) {
            let rows = q.take_changes().len() as u64;
            c.rows += rows;
            total.coordinator_rows += rows;
        }
    }

    /// Each line object's snapshot bytes, noted at its largest; their sum.
    pub(crate) fn note_snapshot_bytes(&mut self, snaps: &[Snapshot]) -> usize {
        let mut sum = 0;
        for (c, s) in self.counts.iter_mut().zip(snaps) {
            let bytes = serde_json::to_string(s).unwrap().len();
            c.max_snapshot_bytes = c.max_snapshot_bytes.max(bytes);
            sum += bytes;
        }
        sum
    }

    /// What each line object served, wrote and held (a markdown table).
    pub(crate) fn print_per_object(&self, admitting_s: f64) {
        println!();
        println!(
            "## Per line object ({} line object{}; memory estimated at ~300 B per assignment in memory and ~40 B per gap)",
            self.queues.len(),
            if self.split() { "s" } else { "" }
        );
        println!();
        println!("| line object | requests | peak req/s (5 s mean) | req/s while admitting | rows written | assignments in memory (peak) | gaps at the end | memory (est.) | largest snapshot bytes | requests by kind |");
        println!("|---|---|---|---|---|---|---|---|---|---|");
        for (k, (c, q)) in self.counts.iter().zip(&self.queues).enumerate() {
            let admitting = (c.total() - c.at_opening.unwrap_or(0)) as f64 / admitting_s.max(1.0);
            let memory_mib = (c.max_in_memory * 300 + q.gaps_ahead() * 40) as f64 / 1048576.0;
            let kinds: Vec<String> = c.requests.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!(
                "| {k} | {} | {} | {admitting:.0} | {} | {} | {} | {memory_mib:.0} MiB | {} | {} |",
                c.total(),
                c.peak_per_s,
                c.rows,
                c.max_in_memory,
                q.gaps_ahead(),
                c.max_snapshot_bytes,
                kinds.join(", ")
            );
        }
        if self.split() {
            println!();
            println!(
                "| the sale's coordinator (blocks numbered, pre-queue end told) | {} requests |",
                self.coordinator_requests
            );
            println!("|---|---|");
            println!("| rate pulls: rounds / fans handed out / handed below an earlier round's (must be 0) | {} / {} / {} |", self.pull_rounds, self.pulled, self.handed_out_of_order);
        }
    }
}

/// Presence, every 5 s: fans who may be in their line object's zone (by the edge's count) and
/// are still there say so, to their line object; one in ten holds a socket instead.
#[allow(clippy::too_many_arguments)]
pub(crate) fn presence_round(
    lines: &mut Lines,
    total: &mut Counts,
    snaps: &[Snapshot],
    fans: &Fans,
    seq_at: &dyn Fn(u64) -> Seq,
    t: u64,
    now: UnixMillis,
    sockets: &mut HashSet<Seq>,
    isolate_count: usize,
) {
    let (line_head, line_end) = (
        snaps.iter().map(|s| s.head.0).min().unwrap(),
        snaps.iter().map(|s| s.next_seq).max().unwrap(),
    );
    let k_count = snaps.len();
    let mut reported_isolates = vec![HashSet::new(); k_count];
    let mut done = vec![false; k_count];
    let mut position = line_head;
    while position < line_end {
        if (position - line_head).is_multiple_of(256) {
            for (k, s) in snaps.iter().enumerate() {
                done[k] |= position >= s.next_seq || !Lines::in_zone(snaps, k, Position(position));
            }
            if done.iter().all(|d| *d) {
                break;
            }
        }
        let seq = seq_at(position);
        if let Some(fan) = fans.at(seq) {
            let k = lines.owner(seq);
            if !Lines::in_zone(snaps, k, Position(position)) {
                done[k] = true;
                if done.iter().all(|d| *d) {
                    break;
                }
            } else if !fan.gone_by(t) {
                // A socket refused (the object full, or not near the front by its
                // exact count) leaves the page polling, and polls say it is there.
                let held = seq.is_multiple_of(SOCKET_EVERY)
                    && (sockets.contains(&seq) || {
                        lines.served(total, k, "socket", 1);
                        lines.queues[k].connect(now, seq).is_ok() && sockets.insert(seq)
                    });
                if !held {
                    reported_isolates[k].insert(seq % isolate_count as u64);
                    lines.queues[k].present_at(now, Position(position));
                }
            } else if sockets.remove(&seq) {
                lines.queues[k].disconnect(now, seq);
            }
        }
        position += 1;
    }
    // Each isolate batches its fans' presence once a second, to each line object
    // it has fans of: 5 s of batches.
    // With `presence_shards=1` an isolate sends its batch to its arrival shard instead, and each
    // shard forwards one batch a second to each line object it has fans of.
    match lines.presence_via_shards {
        None => {
            for (k, isolates_k) in reported_isolates.iter().enumerate() {
                let batches = (isolates_k.len() as u64 * 5).min(isolate_count as u64 * 5);
                lines.served(total, k, "present", batches);
            }
        }
        Some(shards) => {
            let mut isolates = HashSet::new();
            for (k, isolates_k) in reported_isolates.iter().enumerate() {
                let via: HashSet<u64> = isolates_k.iter().map(|i| i % u64::from(shards)).collect();
                lines.served(total, k, "present", via.len() as u64 * 5);
                isolates.extend(isolates_k.iter().copied());
            }
            *total.shard.entry("presence").or_default() += isolates.len() as u64 * 5;
        }
    }
}

impl Lines {
    /// Fans admitted earlier claim their turn when due; purchases due complete (reported
    /// `complete_batch` to a request); alarms that are due ring. All at each fan's line object.
    /// Returns the purchases completed.
    pub(crate) fn claims_and_completions(
        &mut self,
        total: &mut Counts,
        now: UnixMillis,
        to_claim: &mut Vec<(UnixMillis, Seq)>,
        to_complete: &mut Vec<(UnixMillis, usize, FanId)>,
        complete_batch: u64,
    ) -> u64 {
        let mut completed = 0;
        let mut i = 0;
        while i < to_claim.len() {
            if to_claim[i].0 <= now {
                let (_, seq) = to_claim.swap_remove(i);
                let k = self.owner(seq);
                self.served(total, k, "claim", 1);
                if let Ok(Claim::Turn { assignment, .. }) = self.queues[k].claim(now, seq) {
                    to_complete.push((now.plus_millis(PURCHASE_MS), k, assignment.fan_id));
                }
            } else {
                i += 1;
            }
        }
        let mut due = vec![0u64; self.queues.len()];
        to_complete.retain(|(at, k, fan_id)| {
            if *at > now {
                return true;
            }
            due[*k] += 1;
            self.queues[*k]
                .complete(now, fan_id)
                .expect("claimed fans complete once");
            completed += 1;
            false
        });
        for (k, n) in due.into_iter().enumerate() {
            self.served(total, k, "complete", n.div_ceil(complete_batch));
        }
        for k in 0..self.queues.len() {
            if self.queues[k].next_deadline().is_some_and(|at| at <= now) {
                self.served(total, k, "alarm", 1);
                self.queues[k].sweep(now);
            }
        }
        completed
    }
}
