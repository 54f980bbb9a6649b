//! Blocks of arrival numbers leased to arrival shards and not reported yet.

use crate::ids::{Position, Seq, SeqRange};
use crate::queue::limits::BLOCK_ABANDON_MS;
use crate::queue::records::BlockRecord;
use crate::time::UnixMillis;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub(crate) struct OpenBlocks {
    by_start: BTreeMap<Seq, BlockRecord>,
}

impl OpenBlocks {
    pub(crate) fn insert(&mut self, block: BlockRecord) {
        self.by_start.insert(block.start, block);
    }

    /// Whether an open block starts at `seq`: its shard has not said yet how many of its numbers
    /// went to fans.
    #[cfg(test)]
    pub(crate) fn starts_at(&self, seq: Seq) -> bool {
        self.by_start.contains_key(&seq)
    }

    /// Whether number `seq` is in an open block.
    pub(crate) fn holds(&self, seq: Seq) -> bool {
        self.by_start
            .range(..=seq)
            .next_back()
            .is_some_and(|(start, b)| seq < start + b.len)
    }

    /// Takes the open block of `shard` starting at `start`, if there is one.
    pub(crate) fn take(&mut self, shard: u32, start: Seq) -> Option<BlockRecord> {
        if self.by_start.get(&start)?.shard != shard {
            return None;
        }
        self.by_start.remove(&start)
    }

    /// The blocks `shard` holds open.
    pub(crate) fn held_by(&self, shard: u32) -> Vec<SeqRange> {
        self.by_start
            .values()
            .filter(|b| b.shard == shard)
            .map(|b| SeqRange::new(b.start, b.len))
            .collect()
    }

    /// The blocks (and their shards) never reported within [`BLOCK_ABANDON_MS`] of the end
    /// of their use (a pre-queue block is used until the draw).
    pub(crate) fn abandoned(&self, now: UnixMillis) -> Vec<(u32, SeqRange)> {
        self.by_start
            .values()
            .filter(|b| {
                b.leased_at
                    .max(b.use_before.unwrap_or_default())
                    .plus_millis(BLOCK_ABANDON_MS)
                    <= now
            })
            .map(|b| (b.shard, SeqRange::new(b.start, b.len)))
            .collect()
    }

    /// Numbers in open blocks.
    pub(crate) fn pending(&self) -> u64 {
        self.by_start.values().map(|b| b.len).sum()
    }

    pub(crate) fn first(&self) -> Option<Seq> {
        self.by_start.keys().next().copied()
    }

    /// No open block's number is behind `head` (a line position): numbers up to
    /// `permuted_end` are at `position(seq)`, the others at their own.
    pub(crate) fn check(
        &self,
        head: Position,
        permuted_end: Seq,
        position: impl Fn(Seq) -> Position,
    ) -> Result<(), String> {
        for b in self.by_start.values() {
            let behind = if b.start > permuted_end {
                Position(b.start) < head
            } else {
                (b.start..b.start + b.len).any(|seq| position(seq) < head)
            };
            if behind {
                return Err("an open block behind head".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(start: Seq, len: u64, shard: u32, leased_at: u64) -> BlockRecord {
        BlockRecord {
            start,
            len,
            shard,
            leased_at: UnixMillis(leased_at),
            used: None,
            use_before: None,
            gaps: Vec::new(),
        }
    }

    #[test]
    fn only_the_owner_closes_a_block() {
        let mut open = OpenBlocks::default();
        open.insert(block(1, 8, 0, 0));
        open.insert(block(9, 4, 1, 0));
        assert_eq!((open.pending(), open.first()), (12, Some(1)));
        assert!(open.take(1, 1).is_none());
        assert_eq!(open.held_by(1), vec![SeqRange::new(9, 4)]);
        assert_eq!(open.take(0, 1).map(|b| b.len), Some(8));
        assert!(open.take(0, 1).is_none(), "closing twice changes nothing");
        assert!(!open.starts_at(1) && open.starts_at(9));
        let unmoved = |s| Position(s);
        assert!(
            open.check(Position(9), 0, unmoved).is_ok()
                && open.check(Position(10), 0, unmoved).is_err()
        );
        assert!(open.holds(12) && !open.holds(13) && !open.holds(0));
    }

    #[test]
    fn blocks_are_abandoned_after_a_while() {
        let mut open = OpenBlocks::default();
        open.insert(block(1, 8, 0, 0));
        open.insert(block(9, 4, 1, 5_000));
        assert!(open.abandoned(UnixMillis(BLOCK_ABANDON_MS - 1)).is_empty());
        assert_eq!(
            open.abandoned(UnixMillis(BLOCK_ABANDON_MS)),
            vec![(0, SeqRange::new(1, 8))]
        );
    }
}
