//! The split line against one coordinator: `K` real queues under [`super`]'s rules hand out the
//! same fans in the same order, and count the same places, as one queue holding every block.

use super::*;
use crate::ids::{SaleId, WindowId};
use crate::queue::draw::DrawKey;
use crate::queue::Queue;
use crate::sale::{SaleSettings, SaleSettingsInput};
use crate::time::UnixMillis;
use proptest::prelude::*;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);
const OPENS: UnixMillis = UnixMillis(T0.0 + 60_000);

fn queue(prequeue: bool) -> Queue {
    let settings = SaleSettings::parse(SaleSettingsInput {
        prequeue_opens_at: prequeue.then(|| T0.to_rfc3339()),
        opens_at: prequeue.then(|| OPENS.to_rfc3339()),
        shards: Some(4),
        ..SaleSettingsInput::tour()
    })
    .unwrap();
    let key = prequeue.then(|| DrawKey::from_bytes([7; 32]));
    let id = SaleId::parse("split").unwrap();
    let mut q = Queue::create(id, settings, "salt-0123456789".into(), key, T0).unwrap();
    if !prequeue {
        q.open(T0).unwrap();
    }
    q
}

/// `K` line objects under one numbering, and one queue leased every block for reference.
struct Split {
    lines: Vec<Queue>,
    one: Queue,
    numbering: BlockNumbering,
    /// Blocks leased and not closed: the block, its shard, how many numbers it used.
    open: Vec<(SplitBlock, u32, u64)>,
}

impl Split {
    fn new(k: u32, prequeue: bool) -> Self {
        Self {
            lines: (0..k).map(|_| queue(prequeue)).collect(),
            one: queue(prequeue),
            numbering: BlockNumbering::new(k),
            open: Vec::new(),
        }
    }

    fn lease(&mut self, now: UnixMillis, shard: u32, len: u64, used: u64) {
        let block = self.numbering.allocate(len);
        let keep: Vec<Seq> = self
            .open
            .iter()
            .filter(|(_, s, _)| *s == shard)
            .map(|(b, _, _)| b.start)
            .collect();
        let line = &mut self.lines[block.line as usize];
        line.skip_to(now, block.start);
        let lease = line
            .lease_block_keeping(now, shard, None, &[], &keep, len)
            .unwrap();
        assert_eq!(lease.start, block.start);
        let lease = self
            .one
            .lease_block_keeping(now, shard, None, &[], &keep, len)
            .unwrap();
        assert_eq!(
            lease.start, block.start,
            "the split numbers as one queue does"
        );
        self.open.push((block, shard, used.min(len)));
    }

    fn close(&mut self, now: UnixMillis, i: usize) {
        let (block, shard, used) = self.open.remove(i % self.open.len());
        self.lines[block.line as usize].close_block(now, shard, block.start, used);
        self.one.close_block(now, shard, block.start, used);
    }

    /// One pull of up to `n` places, split; the same count from the one queue. Both numbers'
    /// lists, the split's in position order.
    fn pull(&mut self, now: UnixMillis, n: u64) -> (Vec<Seq>, Vec<Seq>) {
        let lists: Vec<NextWaiting> = self
            .lines
            .iter()
            .map(|q| q.next_waiting(n as usize))
            .collect();
        let plan = plan_pull(&lists, n);
        let window = WindowId::parse("w").unwrap();
        let mut handed: Vec<Seq> = Vec::new();
        for (k, count) in plan.asks {
            let mut left = count;
            while left > 0 {
                let ask = left.min(100) as u32;
                let pulled = self.lines[k]
                    .pull_before(now, window.clone(), ask, plan.before, None)
                    .unwrap();
                let got = pulled.assignments.len() as u64;
                handed.extend(pulled.assignments.iter().map(|a| a.seq));
                left -= ask as u64;
                if got < u64::from(ask) {
                    break;
                }
            }
        }
        assert!(
            handed.len() as u64 <= n,
            "a pull of {n} handed {}",
            handed.len()
        );
        let position = |seq: Seq| self.one.position_of(seq);
        handed.sort_by_key(|seq| position(*seq));
        let mut reference = Vec::new();
        while reference.len() < handed.len() {
            let ask = (handed.len() - reference.len()).min(100) as u32;
            let pulled = self.one.pull(now, window.clone(), ask, None).unwrap();
            assert!(
                !pulled.assignments.is_empty(),
                "the one queue ran out first"
            );
            reference.extend(pulled.assignments.iter().map(|a| a.seq));
        }
        (handed, reference)
    }

    fn check_places(&self, now: UnixMillis, probes: &[u64]) {
        let snapshots: Vec<Snapshot> = self.lines.iter().map(|q| q.snapshot(now)).collect();
        let one = self.one.snapshot(now);
        let span = one.next_seq.saturating_sub(one.head.0).max(1);
        for probe in probes {
            let position = Position(one.head.0 + probe % span);
            assert_eq!(
                merged_ahead(&snapshots, position),
                one.ahead_bounds(position),
                "fans ahead of {position:?}"
            );
        }
        // Every line object's next waiting positions, merged, are the one queue's.
        let lists: Vec<NextWaiting> = self.lines.iter().map(|q| q.next_waiting(10_000)).collect();
        let one_list = self.one.next_waiting(10_000);
        let limit = lists.iter().map(|l| l.until).min().unwrap();
        let mut merged: Vec<Position> = lists
            .iter()
            .flat_map(|l| l.positions.iter().copied())
            .filter(|p| *p < limit)
            .collect();
        merged.sort_unstable();
        assert_eq!(limit, one_list.until);
        assert_eq!(merged, one_list.positions);
        for q in self.lines.iter().chain([&self.one]) {
            q.check_invariants().unwrap();
        }
    }
}

#[test]
fn the_line_objects_needed_grow_with_the_admission_rate() {
    assert_eq!(lines_for_rate(0), 1);
    assert_eq!(lines_for_rate(12_000), 1, "200 a second");
    assert_eq!(lines_for_rate(12_001), 2);
    assert_eq!(lines_for_rate(60_000), 5, "1,000 a second");
    assert_eq!(lines_for_rate(u32::MAX), MAX_LINES);
}

#[test]
fn blocks_go_round_the_line_objects_and_numbers_stay_one_sequence() {
    let mut numbering = BlockNumbering::new(3);
    let blocks: Vec<SplitBlock> = [5, 1, 7, 2].map(|len| numbering.allocate(len)).into();
    assert_eq!(
        blocks.iter().map(|b| (b.line, b.start)).collect::<Vec<_>>(),
        vec![(0, 1), (1, 6), (2, 7), (0, 14)]
    );
    assert_eq!(numbering.next_seq(), 16);
    let owners: Vec<Option<u32>> = (1..=16).map(|seq| numbering.line_of(seq)).collect();
    assert_eq!(owners[..5], [Some(0); 5]);
    assert_eq!(owners[5], Some(1));
    assert_eq!(owners[6..13], [Some(2); 7]);
    assert_eq!(owners[13..15], [Some(0); 2]);
    assert_eq!(owners[15], None, "not handed out yet");
    assert_eq!(BlockNumbering::new(0).lines(), 1);
}

#[test]
fn the_next_pull_goes_to_the_lowest_waiting_line_and_never_past_a_pending_block() {
    let front = |head, end, pending: Option<u64>| LineFront {
        head: Position(head),
        end: Position(end),
        pending: pending.map(Position),
    };
    let fronts = [
        front(40, 40, None),
        front(12, 30, Some(25)),
        front(9, 20, None),
    ];
    assert_eq!(next_line(&fronts), Some(2), "line 0 holds nobody");
    assert_eq!(merged_head(&fronts), Position(9));
    assert_eq!(pull_limit(&fronts), Position(25));
    let empty = [front(7, 7, None), front(12, 12, None)];
    assert_eq!(next_line(&empty), None);
    assert_eq!(merged_head(&empty), Position(12));
}

#[test]
fn a_split_line_hands_out_what_one_coordinator_would_with_a_block_pending() {
    let mut split = Split::new(3, false);
    for (shard, len, used) in [(0, 4, 4), (1, 3, 1), (2, 5, 5), (3, 2, 2), (0, 6, 6)] {
        split.lease(T0, shard, len, used);
    }
    // Blocks 0-2 and 4 reported; block 3 (numbers 13-14, line object 0) still pending.
    for i in [0, 0, 0, 1] {
        split.close(T0, i);
    }
    split.check_places(T0, &[0, 3, 7, 11, 17, 19]);
    let (handed, reference) = split.pull(T0, 100);
    assert_eq!(handed, reference);
    assert_eq!(handed, vec![1, 2, 3, 4, 5, 8, 9, 10, 11, 12], "stops at 13");
    split.close(T0, 0);
    let (handed, reference) = split.pull(T0, 3);
    assert_eq!(
        (handed.clone(), reference),
        (vec![13, 14, 15], vec![13, 14, 15])
    );
}

#[test]
fn a_pull_is_cut_at_the_n_plus_first_waiting_position_and_before_any_pending_block() {
    let list = |positions: &[u64], until: u64| NextWaiting {
        positions: positions.iter().copied().map(Position).collect(),
        until: Position(until),
    };
    let lines = [
        list(&[3, 4, 9], u64::MAX),
        list(&[1, 7, 8, 12], 30),
        list(&[], u64::MAX),
    ];
    let plan = plan_pull(&lines, 4);
    assert_eq!(plan.before, Position(8), "1, 3, 4, 7 fit; 8 is the fifth");
    assert_eq!(
        plan.asks,
        vec![(1, 2), (0, 2)],
        "the lowest next waiting first"
    );
    // A block pending at 6 in line object 2: nobody at 6 or after, whatever n.
    let lines = [
        list(&[3, 4, 9], u64::MAX),
        list(&[1, 7], u64::MAX),
        list(&[], 6),
    ];
    let plan = plan_pull(&lines, 100);
    assert_eq!(
        (plan.before, plan.asks),
        (Position(6), vec![(1, 1), (0, 2)])
    );
    // A list cut at its length: nobody past what it listed.
    let lines = [list(&[3, 4], 5), list(&[1, 7], u64::MAX)];
    assert_eq!(plan_pull(&lines, 100).before, Position(5));
    assert!(plan_pull(&lines, 0).asks.is_empty());
}

fn steps() -> impl Strategy<Value = Vec<(u8, u32, u64, u64)>> {
    prop::collection::vec((0u8..4, 0u32..4, 1u64..12, 0u64..13), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn split_lines_count_and_hand_out_as_one_queue(
        k in 1u32..5, steps in steps(), probes in prop::collection::vec(0u64..1_000, 4),
    ) {
        let mut split = Split::new(k, false);
        let mut now = T0;
        for (what, shard, len, n) in steps {
            now = now.plus_millis(10);
            match what {
                0 | 1 => split.lease(now, shard, len, n),
                2 if !split.open.is_empty() => split.close(now, n as usize),
                _ => {
                    let (handed, reference) = split.pull(now, n);
                    prop_assert_eq!(handed, reference);
                }
            }
            split.check_places(now, &probes);
        }
        while !split.open.is_empty() {
            split.close(now, 0);
        }
        let (handed, reference) = split.pull(now, 1_000);
        prop_assert_eq!(handed, reference);
        prop_assert_eq!(split.one.stats(now).waiting, 0);
        prop_assert_eq!(split.pull(now, 1_000).0.len(), 0);
    }

    #[test]
    fn every_line_object_draws_the_one_coordinators_prequeue(
        k in 1u32..5, blocks in prop::collection::vec((0u32..4, 1u64..12, 0u64..13), 1..16),
        pulls in prop::collection::vec(1u64..30, 1..6), probes in prop::collection::vec(0u64..1_000, 4),
        late_block: bool,
    ) {
        let mut split = Split::new(k, true);
        let before = UnixMillis(T0.0 + 1_000);
        for (shard, len, used) in blocks {
            split.lease(before, shard, len, used);
        }
        // One block may still be pending at the draw: its fans sit anywhere among the drawn
        // positions, and nobody after the first of them leaves before it closes.
        let kept = usize::from(late_block);
        while split.open.len() > kept {
            split.close(before, 0);
        }
        // The pre-queue closes: each line object is told where the sale's range ends.
        let end = split.numbering.next_seq();
        for line in split.lines.iter_mut() {
            line.skip_to(UnixMillis(OPENS.0 - 1), end);
        }
        for q in split.lines.iter_mut().chain([&mut split.one]) {
            q.sweep(OPENS);
        }
        for seq in 1..end {
            let line = split.numbering.line_of(seq).unwrap() as usize;
            prop_assert_eq!(split.lines[line].position_of(seq), split.one.position_of(seq));
        }
        split.check_places(OPENS, &probes);
        for n in pulls {
            let (handed, reference) = split.pull(OPENS, n);
            prop_assert_eq!(handed, reference);
            if !split.open.is_empty() {
                split.close(OPENS, 0);
            }
        }
        let (handed, reference) = split.pull(OPENS, 1_000);
        prop_assert_eq!(handed, reference);
    }
}
