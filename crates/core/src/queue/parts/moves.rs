//! Places moved to another device ("continue on another device", docs/api.md, "Move my place"):
//! the hand each moved place is in now. A token names the hand it was issued for (`h`, 0 for the
//! device that took the place); only the token of the current hand is the place's. A place never
//! moved is in hand 0 and is not kept here.

use crate::ids::Seq;
use std::collections::BTreeMap;

/// Most times one place can move: each move is a new hand, so a place is never in more than
/// `MAX_MOVES + 1` hands over its life, and a shared link cannot keep it wandering.
pub const MAX_MOVES: u8 = 3;

#[derive(Clone, Debug, Default)]
pub(crate) struct Moves {
    hands: BTreeMap<Seq, u8>,
}

impl Moves {
    pub(crate) fn restore(moved: impl IntoIterator<Item = (Seq, u8)>) -> Self {
        Self {
            hands: moved.into_iter().collect(),
        }
    }

    /// The hand fan `seq`'s place is in (0: never moved).
    pub(crate) fn hand(&self, seq: Seq) -> u8 {
        self.hands.get(&seq).copied().unwrap_or(0)
    }

    /// Records that `seq`'s place is now in `hand`.
    pub(crate) fn set(&mut self, seq: Seq, hand: u8) {
        self.hands.insert(seq, hand);
    }

    /// The moved places among `seqs` (an inclusive lower bound on numbers still of interest),
    /// in number order.
    pub(crate) fn from(&self, first: Seq) -> impl Iterator<Item = (Seq, u8)> + '_ {
        self.hands.range(first..).map(|(s, h)| (*s, *h))
    }
}
