//! The shard's lent sub-blocks, stored one row each ([`LentRow`]): tracked however many isolates
//! lend from one shard, through the adapter's storage (a state row and a table, here a map).

use super::tests::{sale, T0};
use super::*;
use crate::machines::edge_block::{EdgeReport, Lent, EDGE_REPORT_BOUND_MS};
use crate::queue::Queue;
use std::collections::BTreeMap;

/// The shard adapter's storage: the state row (JSON) and the table `lent` by sub-block start.
#[derive(Default)]
struct Storage {
    row: String,
    lent: BTreeMap<Seq, (Seq, Lent)>,
    /// Rows written or deleted by the last save.
    last_writes: usize,
}

impl Storage {
    /// What the adapter's save does: the state row, then the changes to the table.
    fn save(&mut self, shard: &mut ArrivalShard) {
        self.row = serde_json::to_string(shard).unwrap();
        let rows = shard.take_lent_rows();
        self.last_writes = rows.len();
        for row in rows {
            match row {
                LentRow::Put { block, lent } => {
                    self.lent.insert(lent.start, (block, lent));
                }
                LentRow::DeleteBlock(block) => self.lent.retain(|_, (b, _)| *b != block),
            }
        }
    }

    /// What the adapter's load does on a cold start: the state row, then the table, in order.
    fn load(&self) -> ArrivalShard {
        let mut shard: ArrivalShard = serde_json::from_str(&self.row).unwrap();
        shard.restore_lent(self.lent.values().cloned());
        shard
    }
}

fn lend(c: &mut Queue, shard: &mut ArrivalShard, now: UnixMillis, want: u64) -> EdgeLease {
    loop {
        match shard.lend(now, want) {
            Ok(lease) => return lease,
            Err(request) => {
                let lease = c
                    .lease_block_keeping(
                        now,
                        0,
                        request.closing,
                        &request.closing_gaps,
                        &request.keep_open,
                        request.want,
                    )
                    .unwrap();
                assert_eq!(
                    shard.supply(&request, Ok(Reply::Lease(lease)), now),
                    Ok(true)
                );
            }
        }
    }
}

/// 1,000 isolates lease a sub-block each from one shard within a second (the shard stored and
/// read back cold every 100 leases), and report from none to all of its 8 numbers used: every
/// sub-block is tracked, each lease writes the small state row and one row of its own, the
/// blocks close at their end with every unused number a gap, and the coordinator hands out
/// exactly the numbers fans took: none is read as an absent fan. The table is empty after.
#[test]
fn a_thousand_lenders_on_one_shard_leave_every_unused_number_a_gap() {
    let mut c = sale(2);
    let mut storage = Storage::default();
    let mut shard = ArrivalShard::default();
    let mut lent = Vec::new();
    for i in 0..1_000u64 {
        let now = T0.plus_millis(i / 2);
        lent.push(lend(&mut c, &mut shard, now, 8));
        storage.save(&mut shard);
        assert!(
            storage.last_writes == 1 && storage.lent.contains_key(&lent[i as usize].start),
            "the sub-block has its row"
        );
        assert!(storage.row.len() <= 2_048, "{} bytes", storage.row.len());
        if i % 100 == 99 {
            shard = storage.load();
            assert_eq!(shard.take_lent_rows(), Vec::new(), "nothing to move");
        }
    }
    assert_eq!(shard.lent_counts(), (1_000, 0), "every sub-block tracked");
    assert_eq!(storage.lent.len(), 1_000);
    let used = |i: usize| (i % 9) as u64;
    let reports: Vec<EdgeReport> = lent
        .iter()
        .enumerate()
        .map(|(i, l)| EdgeReport {
            start: l.start,
            used: used(i),
        })
        .collect();
    let now = T0.plus_millis(600);
    for chunk in reports.chunks(50) {
        assert!(shard.report(chunk, now));
        storage.save(&mut shard);
        assert_eq!(storage.last_writes, chunk.len(), "one row per report");
    }
    shard = storage.load();
    let until = shard.block_until().unwrap();
    let mut gaps = Vec::new();
    while let Some(close) = shard.closable(until) {
        gaps.extend(close.gaps.iter().copied());
        c.close_block_with_gaps(until, 0, close.start, close.used, &close.gaps);
        shard.closed(close.start);
        storage.save(&mut shard);
    }
    assert_eq!(shard.lent_counts(), (0, 0));
    assert!(storage.lent.is_empty(), "closed blocks' rows deleted");
    let unused: u64 = (0..1_000).map(|i| 8 - used(i)).sum();
    assert_eq!(gaps.iter().map(|g| g.len).sum::<u64>(), unused);
    assert_eq!(
        gaps.len(),
        (0..1_000).filter(|i| used(*i) < 8).count(),
        "one gap per sub-block with unused numbers"
    );
    let handed = c.pull_everyone(until.plus_millis(EDGE_REPORT_BOUND_MS));
    let unique: std::collections::BTreeSet<Seq> = handed.iter().copied().collect();
    assert_eq!(unique.len(), handed.len(), "nobody handed out twice");
    assert!(handed.windows(2).all(|w| w[0] < w[1]), "in order");
    let taken: u64 = (0..1_000).map(used).sum();
    assert_eq!(handed.len() as u64, taken, "no unused number read as a fan");
    c.check_invariants().unwrap();
}

/// A state row written before the rows existed, its sub-blocks in it, is read: they are kept,
/// moved to rows of their own by the next write, and close the block with their gaps.
#[test]
fn a_state_row_with_its_sub_blocks_inline_is_still_read() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let a = lend(&mut c, &mut shard, T0, 4);
    let b = lend(&mut c, &mut shard, T0, 4);
    shard.report(
        &[EdgeReport {
            start: a.start,
            used: 3,
        }],
        T0,
    );
    // As the version before wrote it: the sub-blocks inside the block.
    let inline = shard.block.as_ref().unwrap().lent.clone();
    let mut old = serde_json::to_value(&shard).unwrap();
    assert!(old["block"].get("lent").is_none(), "no longer in the row");
    old["block"]["lent"] = serde_json::to_value(&inline).unwrap();
    let mut storage = Storage {
        row: old.to_string(),
        ..Storage::default()
    };
    let mut read = storage.load();
    assert_eq!(read.lent_counts(), (2, 0));
    storage.save(&mut read);
    assert_eq!(storage.lent.len(), 2, "moved to rows");
    assert!(!storage.row.contains("\"lent\""));
    let mut read = storage.load();
    assert_eq!(read.take_lent_rows(), Vec::new());
    read.report(
        &[EdgeReport {
            start: b.start,
            used: 4,
        }],
        T0,
    );
    let until = read.block_until().unwrap();
    let close = read.closable(until).unwrap();
    assert_eq!(close.gaps, vec![SeqRange::new(a.start + 3, 1)]);
    read.closed(close.start);
    storage.save(&mut read);
    assert!(storage.lent.is_empty());
}

/// Rows of a block the state no longer holds (a state that could not be read and was replaced,
/// or a block closed by a version that kept no rows) are deleted; a row and the state row both
/// holding a sub-block: the state row's, the newer, is kept.
#[test]
fn rows_of_blocks_not_held_are_deleted_and_inline_wins() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let a = lend(&mut c, &mut shard, T0, 8);
    let block = shard.current_start().unwrap();
    let stale = Lent {
        start: 999_999,
        len: 8,
        until: T0,
        reported: None,
    };
    let mut replaced = ArrivalShard::replacing_unreadable();
    replaced.restore_lent([(block, shard.block.as_ref().unwrap().lent[0].clone())]);
    assert_eq!(replaced.take_lent_rows(), vec![LentRow::DeleteBlock(block)]);
    // The state row says reported (3 used); an older row says not reported.
    shard.report(
        &[EdgeReport {
            start: a.start,
            used: 3,
        }],
        T0,
    );
    shard.take_lent_rows();
    let unreported = Lent {
        reported: None,
        ..shard.block.as_ref().unwrap().lent[0].clone()
    };
    shard.restore_lent([(block, unreported), (77, stale)]);
    let rows = shard.take_lent_rows();
    assert_eq!(rows[0], LentRow::DeleteBlock(77));
    assert!(matches!(&rows[1], LentRow::Put { lent, .. } if lent.reported == Some(3)));
    assert_eq!(shard.lent_counts(), (1, 0));
}
