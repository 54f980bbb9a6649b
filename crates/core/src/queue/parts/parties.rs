//! Parties ("come as a party", docs/api.md): friends who queue on a leader's place and are
//! admitted together. A party is the leader's place (an arrival number) and its members, each
//! in a seat numbered from 1 that is never given to anyone else (so a member who left cannot
//! come back through another's seat). A member holds a token of the leader's number whose hand
//! is [`member_hand`] of their seat; a member who had a place of their own gave it up on
//! joining (it is kept here, and skipped when the line reaches it).

use crate::ids::Seq;
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest `party_max` a sale may set: a party is admitted whole, so it must fit any window.
pub const MAX_PARTY: u8 = 10;

/// Most seats a party hands out over its life (members who left keep theirs): joining and
/// leaving cannot churn a party's records without end.
pub const MAX_SEATS: u8 = 40;

/// A member's hand is this plus their seat: above every hand a moved place can have
/// ([`crate::queue::MAX_MOVES`]), so the edge's "an older hand moved away" never takes a
/// member for an old device, and the coordinator tells members apart by it.
pub const MEMBER_HAND: u8 = 64;

/// The hand a given-up place is set to (docs/api.md, "Come as a party"): above every token's,
/// so the edge answers that place's old token as it answers a moved one, from the snapshot.
pub const GIVEN_UP_HAND: u8 = u8::MAX;

/// The hand of a member in `seat`.
pub fn member_hand(seat: u8) -> u8 {
    MEMBER_HAND + seat
}

/// The seat a hand names, if it is a member's.
pub fn seat_of_hand(hand: u8) -> Option<u8> {
    (MEMBER_HAND < hand && hand <= MEMBER_HAND + MAX_SEATS).then(|| hand - MEMBER_HAND)
}

/// One member of a party, as stored (one row each).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyMember {
    /// The leader's arrival number: the party's place.
    pub leader: Seq,
    pub seat: u8,
    /// The member's own earlier place, given up on joining.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gave_up: Option<Seq>,
    pub joined_at: UnixMillis,
    /// When the member left the party (their seat stays taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<UnixMillis>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Parties {
    /// Every member ever, by leader then seat.
    members: BTreeMap<Seq, BTreeMap<u8, PartyMember>>,
    /// The places given up on joining, and the leader each member went to.
    given_up: BTreeMap<Seq, Seq>,
}

impl Parties {
    pub(crate) fn restore(members: impl IntoIterator<Item = PartyMember>) -> Self {
        let mut p = Self::default();
        for m in members {
            p.insert(m);
        }
        p
    }

    pub(crate) fn insert(&mut self, m: PartyMember) {
        if let Some(own) = m.gave_up {
            self.given_up.insert(own, m.leader);
        }
        self.members.entry(m.leader).or_default().insert(m.seat, m);
    }

    /// The member in `seat` of `leader`'s party, if that seat was ever taken.
    pub(crate) fn member(&self, leader: Seq, seat: u8) -> Option<&PartyMember> {
        self.members.get(&leader)?.get(&seat)
    }

    /// The members still in `leader`'s party, by seat.
    pub(crate) fn current(&self, leader: Seq) -> impl Iterator<Item = &PartyMember> + '_ {
        self.members
            .get(&leader)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|m| m.left_at.is_none())
    }

    /// How many fans `leader`'s place admits: the leader and the members still in.
    pub(crate) fn size(&self, leader: Seq) -> u8 {
        1 + self.current(leader).count() as u8
    }

    /// The next free seat of `leader`'s party (seats are never reused), if any is left.
    pub(crate) fn next_seat(&self, leader: Seq) -> Option<u8> {
        let last = self
            .members
            .get(&leader)
            .and_then(|m| m.keys().next_back().copied())
            .unwrap_or(0);
        (last < MAX_SEATS).then_some(last + 1)
    }

    /// Whether `seq`'s place was given up to join a party.
    pub(crate) fn given_up(&self, seq: Seq) -> bool {
        self.given_up.contains_key(&seq)
    }

    /// Whether `seq`'s place has members (it leads a party), past or present.
    pub(crate) fn leads(&self, seq: Seq) -> bool {
        self.current(seq).next().is_some()
    }
}
