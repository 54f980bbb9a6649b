//! The sub-blocks a shard lent, stored one row each: the rule that tells the shard's adapter
//! which rows to write and delete (the core asks, the adapter does the I/O).
//!
//! The shard's own state is one row rewritten on every lease; its lent sub-blocks are not in it
//! (they would make it grow with the number of isolates leasing from the shard): each is a row
//! of its own (the shard's table `lent`; a map in tests), written when it is lent and when its
//! isolate reports it, and deleted with its block once the block is closed. So every sub-block
//! is tracked, however many isolates lend from one shard, and a lease writes the small state row
//! and one row for the sub-block.
//!
//! The changes pile up in the state as [`LentRow`]s until the adapter takes them
//! ([`ArrivalShard::take_lent_rows`]) and applies them in the same step as it writes the state
//! row. On load it hands the rows back ([`ArrivalShard::restore_lent`]). A state row written by
//! a version that kept the sub-blocks in it is still read: those sub-blocks are kept and moved to
//! rows of their own by the next write.

use super::ArrivalShard;
use crate::ids::Seq;
use crate::machines::edge_block::Lent;

/// A change to the stored sub-blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LentRow {
    /// Write (insert or replace, by its start) the row of sub-block `lent` of block `block`.
    Put { block: Seq, lent: Lent },
    /// Delete the rows of every sub-block of block `block`: it is closed (or was lost).
    DeleteBlock(Seq),
}

impl ArrivalShard {
    /// The rows to write and delete since they were last taken, in order: the adapter applies
    /// them in the same step as it writes the state row.
    pub fn take_lent_rows(&mut self) -> Vec<LentRow> {
        std::mem::take(&mut self.lent_rows)
    }

    /// Takes the stored rows back after the state row was read: `(block, sub-block)`. Each joins
    /// its block's sub-blocks; the rows of a block the state does not hold (closed, or lost with
    /// a state that could not be read) are to be deleted. Sub-blocks the state row itself held
    /// (written by a version before the rows) are kept and are to be written as rows; one also
    /// in a row is taken from the state row, the newer of the two.
    pub fn restore_lent(&mut self, rows: impl IntoIterator<Item = (Seq, Lent)>) {
        let mut stale: Vec<Seq> = Vec::new();
        let mut blocks: Vec<_> = self
            .block
            .iter_mut()
            .chain(self.retired.iter_mut())
            .collect();
        let inline: Vec<Vec<Seq>> = blocks
            .iter()
            .map(|b| b.lent.iter().map(|l| l.start).collect())
            .collect();
        for (block, lent) in rows {
            match blocks.iter().position(|b| b.lease.start == block) {
                Some(i) if !inline[i].contains(&lent.start) => blocks[i].lent.push(lent),
                Some(_) => {}
                None if !stale.contains(&block) => stale.push(block),
                None => {}
            }
        }
        let mut puts = Vec::new();
        for (b, inline) in blocks.iter_mut().zip(&inline) {
            b.lent.sort_by_key(|l| l.start);
            puts.extend(
                b.lent
                    .iter()
                    .filter(|l| inline.contains(&l.start))
                    .map(|l| LentRow::Put {
                        block: b.lease.start,
                        lent: l.clone(),
                    }),
            );
        }
        self.lent_rows
            .extend(stale.into_iter().map(LentRow::DeleteBlock));
        self.lent_rows.extend(puts);
    }
}
