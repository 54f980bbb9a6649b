//! The pre-queue: its draw key, the range of arrival numbers its fans hold, and, once drawn, the
//! permutation that turns their arrival numbers into places in line.
//!
//! The line works in *line positions*: a pre-queue fan's position is
//! [`Permutation::position_of`] their arrival number (a number in `1..=end` again), every later
//! fan's position is their arrival number. So the line's `head`, its gaps and presence are
//! positions, and `head..next_seq` is still the set of waiting numbers; before the draw every
//! position is the arrival number (nobody is pulled in the pre-queue).

use crate::ids::{Position, Seq};
use crate::queue::draw::{DrawInfo, Permutation};
use crate::queue::records::{Change, DrawRecord};

#[derive(Clone, Debug)]
pub(crate) struct PreQueue {
    record: DrawRecord,
    /// The permutation, once the draw has happened (kept in memory only: it follows from the
    /// record and the clock).
    drawn: Option<Permutation>,
}

impl PreQueue {
    pub(crate) fn new(record: DrawRecord) -> Self {
        Self {
            record,
            drawn: None,
        }
    }

    pub(crate) fn change(&self) -> Change {
        Change::Draw(self.record.clone())
    }

    pub(crate) fn end(&self) -> Seq {
        self.record.end
    }

    /// Whether `seq` is one of the pre-queue's numbers.
    pub(crate) fn covers(&self, seq: Seq) -> bool {
        (1..=self.record.end).contains(&seq)
    }

    /// Numbers up to `last` were taken during the pre-queue.
    pub(crate) fn took_until(&mut self, last: Seq) -> Option<Change> {
        (last > self.record.end).then(|| {
            self.record.end = last;
            self.change()
        })
    }

    pub(crate) fn is_drawn(&self) -> bool {
        self.drawn.is_some()
    }

    /// Draws: from now on pre-queue numbers have their drawn positions.
    pub(crate) fn draw(&mut self) -> &Permutation {
        self.drawn.get_or_insert_with(|| {
            Permutation::with_version(self.record.version, &self.record.key, self.record.end)
        })
    }

    pub(crate) fn permutation(&self) -> Option<&Permutation> {
        self.drawn.as_ref()
    }

    /// The line position of arrival number `seq` (the permutation works on plain numbers; before
    /// the draw a number is its own position).
    pub(crate) fn position_of(&self, seq: Seq) -> Position {
        Position(self.drawn.as_ref().map_or(seq, |p| p.position_of(seq)))
    }

    /// The arrival number at line position `position`.
    pub(crate) fn seq_at(&self, position: Position) -> Seq {
        self.drawn
            .as_ref()
            .map_or(position.0, |p| p.seq_at(position.0))
    }

    /// What anyone may know: the key only once drawn.
    pub(crate) fn info(&self) -> DrawInfo {
        DrawInfo {
            algorithm: self.record.version.algorithm().to_owned(),
            commitment: self.record.key.commitment(),
            key: self.drawn.as_ref().map(|_| self.record.key.clone()),
            end: self.record.end,
        }
    }
}
