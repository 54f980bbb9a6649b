//! The line itself: the range of arrival numbers `head..next_seq`, and the numbers in it that no
//! fan holds (the unused ends of closed blocks).
//!
//! Every fan below `head` has an assignment; every number from `head` to `next_seq` is a fan
//! waiting, a gap, or part of a block whose shard has not reported yet. `head` and the gaps are
//! line positions ([`Position`]: a pre-queue fan's is their drawn one); `next_seq` is the next
//! arrival number, and, positions sharing the numbers' range, the end of the positions too.

use crate::ids::{Position, PositionRange, Seq};
use crate::queue::gap_index::ahead;
use crate::queue::records::Change;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub(crate) struct Line {
    head: Position,
    next_seq: Seq,
    /// Unused numbers at or after `head` (start, length). Before the draw a pre-queue's unused
    /// numbers are kept at their own numbers (positions not drawn yet).
    gaps: BTreeMap<Position, u64>,
    /// Unused numbers ever, behind `head` or not.
    gap_total: u64,
}

impl Line {
    pub(crate) fn new(next_seq: Seq, head: Position, gap_total: u64) -> Self {
        Self {
            head: head.max(Position(1)),
            next_seq: next_seq.max(1),
            gaps: BTreeMap::new(),
            gap_total,
        }
    }

    pub(crate) fn head(&self) -> Position {
        self.head
    }

    pub(crate) fn next_seq(&self) -> Seq {
        self.next_seq
    }

    /// The position after the last one taken: `next_seq`'s.
    pub(crate) fn end(&self) -> Position {
        Position(self.next_seq)
    }

    /// Whether `position` is waiting (or a gap, or pending) in the line now.
    pub(crate) fn contains(&self, position: Position) -> bool {
        (self.head..self.end()).contains(&position)
    }

    /// Whether `seq` was ever handed out as a number.
    pub(crate) fn issued(&self, seq: Seq) -> bool {
        (1..self.next_seq).contains(&seq)
    }

    /// Takes the next `len` numbers at the back; returns the first.
    pub(crate) fn take(&mut self, len: u64) -> Seq {
        let start = self.next_seq;
        self.next_seq += len;
        start
    }

    /// Positions `gap` will never hold a fan.
    pub(crate) fn add_gap(&mut self, gap: PositionRange) {
        self.gaps.insert(gap.start, gap.len);
        self.gap_total += gap.len;
    }

    /// Unused pre-queue numbers read back from storage before their places are drawn: kept
    /// whatever `head` is (their drawn positions decide, [`Line::take_gaps_through`]).
    pub(crate) fn restore_prequeue_gap(&mut self, gap: PositionRange) {
        self.gaps.insert(gap.start, gap.len);
    }

    /// Takes out the gaps that start at or before `end` (the pre-queue's numbers, about to be
    /// drawn); `gap_total` still counts them.
    pub(crate) fn take_gaps_through(&mut self, end: Position) -> Vec<PositionRange> {
        let later = self.gaps.split_off(&(end + 1));
        let taken = std::mem::replace(&mut self.gaps, later);
        taken
            .into_iter()
            .map(|(start, len)| PositionRange::new(start, len))
            .collect()
    }

    /// Single unused numbers at these (drawn) positions.
    pub(crate) fn add_scattered_gaps(&mut self, positions: &[Position]) {
        for position in positions {
            self.gaps.insert(*position, 1);
        }
        self.gap_total += positions.len() as u64;
    }

    /// A gap read back from storage: already counted in `gap_total`.
    pub(crate) fn restore_gap(&mut self, gap: PositionRange) {
        if gap.end() > self.head {
            self.gaps.insert(gap.start, gap.len);
        }
    }

    /// Fans ahead of `position`.
    pub(crate) fn ahead(&self, position: Position) -> u64 {
        ahead(
            self.head,
            position,
            self.gaps
                .range(..position)
                .map(|(start, len)| PositionRange::new(*start, *len)),
        )
    }

    /// `(position, ahead)` of the fan at `position`: the counts a fan is told.
    pub(crate) fn place(&self, position: Position) -> (u64, u64) {
        let ahead = self.ahead(position);
        (ahead + 1, ahead)
    }

    /// Moves `head` past a gap that starts there; whether there was one.
    pub(crate) fn skip_gap(&mut self) -> bool {
        match self.gaps.remove(&self.head) {
            Some(len) => {
                self.head += len;
                true
            }
            None => false,
        }
    }

    /// The fan at `head` was handed out.
    pub(crate) fn advance(&mut self) {
        self.head += 1;
    }

    /// Unused numbers at or after `head`.
    pub(crate) fn gaps_ahead(&self) -> u64 {
        self.gaps.values().sum()
    }

    /// Unused numbers behind `head`.
    pub(crate) fn gaps_behind(&self) -> u64 {
        self.gap_total - self.gaps_ahead()
    }

    /// Numbers ever taken, gaps and pending blocks included.
    pub(crate) fn taken(&self) -> u64 {
        self.next_seq - 1
    }

    pub(crate) fn gap_total(&self) -> u64 {
        self.gap_total
    }

    #[cfg(test)]
    pub(crate) fn gaps(&self) -> Vec<PositionRange> {
        self.gaps_iter().collect()
    }

    /// How many gaps are at or after `head`.
    pub(crate) fn gap_count(&self) -> usize {
        self.gaps.len()
    }

    /// The gaps at or after `head`, in order.
    pub(crate) fn gaps_iter(&self) -> impl Iterator<Item = PositionRange> + '_ {
        self.gaps
            .iter()
            .map(|(start, len)| PositionRange::new(*start, *len))
    }

    /// The record to write after the line moved.
    pub(crate) fn change(&self) -> Change {
        Change::Line {
            next_seq: self.next_seq,
            head: self.head,
            gap_total: self.gap_total,
        }
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if !(Position(1) <= self.head && self.head <= self.end()) {
            return Err(format!("head {} outside 1..={}", self.head, self.next_seq));
        }
        if self.gaps.range(..self.head).next().is_some() {
            return Err("a gap behind head".into());
        }
        let mut end = self.head;
        for (start, len) in &self.gaps {
            if *start < end {
                return Err(format!("gap at {start} overlaps"));
            }
            end = *start + *len;
        }
        if end > self.end() {
            return Err("a gap past next_seq".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_takes_numbers_and_skips_gaps() {
        let mut line = Line::new(1, Position(1), 0);
        assert_eq!(line.take(1), 1);
        assert_eq!(line.take(4), 2);
        assert_eq!(line.next_seq(), 6);
        line.add_gap(PositionRange::new(Position(3), 3));
        assert_eq!((line.gap_total(), line.gaps_ahead()), (3, 3));
        assert_eq!(line.place(Position(2)), (2, 1));
        assert_eq!(line.ahead(Position(6)), 2);
        assert!(!line.skip_gap());
        line.advance();
        line.advance();
        assert_eq!(line.head(), Position(3));
        assert!(line.skip_gap());
        assert_eq!((line.head(), line.gaps_behind()), (Position(6), 3));
        assert!(line.check().is_ok());
        assert_eq!(
            line.change(),
            Change::Line {
                next_seq: 6,
                head: Position(6),
                gap_total: 3
            }
        );
    }

    #[test]
    fn restored_gaps_behind_head_are_dropped() {
        let mut line = Line::new(20, Position(10), 4);
        line.restore_gap(PositionRange::new(Position(2), 3));
        line.restore_gap(PositionRange::new(Position(12), 4));
        assert_eq!(line.gaps(), vec![PositionRange::new(Position(12), 4)]);
        assert_eq!(line.gaps_behind(), 0);
        assert!(line.check().is_ok());
    }
}
