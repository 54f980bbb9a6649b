//! Coming as a party (docs/api.md, "Come as a party"): a fan waiting in line invites friends
//! with a party link; each joins the leader's place (not a place of their own), up to the sale's
//! `party_max` in all, and the party is admitted together, counted as its size by the window
//! that takes it ([`super::admission::admit`]). A member is in one party at most: a member's
//! token cannot join another, and a place that leads a party cannot join one. A member who had a
//! place gives it up on joining: its old token is answered as a moved place's, and the line
//! skips it ([`given_up`]). A member may leave while the party waits; their seat is not given
//! to anyone else.

use crate::ids::Seq;
use crate::queue::error::QueueError;
use crate::queue::parts::parties::{
    member_hand, seat_of_hand, PartyMember, GIVEN_UP_HAND, MEMBER_HAND,
};
use crate::queue::records::{Change, PartyView};
use crate::queue::rules::moving::{self, MAX_MOVED_IN_LINE};
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;

/// Who joins a party: what the joiner's own token (if any) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Joiner {
    /// No token of this sale: a friend arriving by the link.
    New,
    /// A token of a place: fan `seq`'s, held by `hand` (a member's hand: already in a party).
    Token { seq: Seq, hand: u8 },
}

/// The leader's place must still be waiting, in a sale with parties, and `hand` (the link's, or
/// a member's token's) must be one that holds it.
fn waiting_party(q: &QueueState, now: UnixMillis, leader: Seq) -> Result<u8, QueueError> {
    let max = q.sale.settings.party_max;
    if max == 0 {
        return Err(QueueError::PartyOff);
    }
    if q.phase_at(now) == Phase::Closed {
        return Err(QueueError::Closed);
    }
    if !q.line.issued(leader) {
        return Err(QueueError::AssignmentNotFound);
    }
    if q.position_of(leader) < q.line.head() {
        return Err(QueueError::TurnTaken);
    }
    Ok(max)
}

/// `joiner` joins the party of the place `leader` (held by `leader_hand`, the hand the link was
/// made by): the member's hand is returned (their token is one of the leader's number with it).
pub(crate) fn join(
    q: &mut QueueState,
    now: UnixMillis,
    leader: Seq,
    leader_hand: u8,
    joiner: Joiner,
) -> Result<u8, QueueError> {
    let max = waiting_party(q, now, leader)?;
    if leader_hand >= MEMBER_HAND {
        return Err(QueueError::InAParty);
    }
    moving::check_hand(q, leader, leader_hand)?;
    let gave_up = match joiner {
        Joiner::New => None,
        Joiner::Token { hand, .. } if hand >= MEMBER_HAND => return Err(QueueError::InAParty),
        Joiner::Token { seq, .. } if seq == leader => return Err(QueueError::InAParty),
        Joiner::Token { seq, hand } => {
            moving::check_hand(q, seq, hand)?;
            if q.parties.leads(seq) {
                return Err(QueueError::InAParty);
            }
            if q.position_of(seq) < q.line.head() {
                return Err(QueueError::TurnTaken);
            }
            if moving::moved_in_line(q).count() >= MAX_MOVED_IN_LINE {
                return Err(QueueError::Busy);
            }
            Some(seq)
        }
    };
    if q.parties.size(leader) >= max {
        return Err(QueueError::PartyFull);
    }
    let seat = q.parties.next_seat(leader).ok_or(QueueError::PartyFull)?;
    let member = PartyMember {
        leader,
        seat,
        gave_up,
        joined_at: now,
        left_at: None,
    };
    q.parties.insert(member.clone());
    q.changes.push(Change::PartyMember(member));
    if let Some(own) = gave_up {
        q.moves.set(own, GIVEN_UP_HAND);
        q.changes.push(Change::Moved {
            seq: own,
            hand: GIVEN_UP_HAND,
        });
    }
    Ok(member_hand(seat))
}

/// The member of `leader`'s party holding `hand` leaves it, while the party waits (their own
/// earlier place stays given up: they may take a new one).
pub(crate) fn leave(
    q: &mut QueueState,
    now: UnixMillis,
    leader: Seq,
    hand: u8,
) -> Result<(), QueueError> {
    let seat = seat_of_hand(hand).ok_or(QueueError::NotAMember)?;
    check_member(q, leader, hand)?;
    waiting_party(q, now, leader)?;
    let mut member = q
        .parties
        .member(leader, seat)
        .cloned()
        .ok_or(QueueError::NotAMember)?;
    member.left_at = Some(now);
    q.parties.insert(member.clone());
    q.changes.push(Change::PartyMember(member));
    Ok(())
}

/// Whether a member's `hand` holds a seat in `leader`'s party now (refused as a moved place's
/// once they left: their token holds nothing).
pub(crate) fn check_member(q: &QueueState, leader: Seq, hand: u8) -> Result<(), QueueError> {
    let seat = seat_of_hand(hand).ok_or(QueueError::PlaceMoved)?;
    match q.parties.member(leader, seat) {
        Some(m) if m.left_at.is_none() => Ok(()),
        _ => Err(QueueError::PlaceMoved),
    }
}

/// The party of the place `leader`, as its leader (`hand` holds the place) or a member (`hand`
/// is their seat's) sees it.
pub(crate) fn view(q: &QueueState, leader: Seq, hand: u8) -> Result<PartyView, QueueError> {
    if q.sale.settings.party_max == 0 {
        return Err(QueueError::PartyOff);
    }
    if !q.line.issued(leader) {
        return Err(QueueError::AssignmentNotFound);
    }
    moving::check_hand(q, leader, hand)?;
    Ok(PartyView {
        party_id: q.fan_id(leader),
        size: q.parties.size(leader),
        max: q.sale.settings.party_max,
        seats: q.parties.current(leader).map(|m| m.seat).collect(),
        your_seat: seat_of_hand(hand).unwrap_or(0),
    })
}

/// How many fans the place at the front admits together: its party's size (1 for a fan alone).
pub(crate) fn size_at_front(q: &QueueState, seq: Seq) -> u8 {
    if q.sale.settings.party_max == 0 {
        return 1;
    }
    q.parties.size(seq)
}

/// Whether `seq`'s place was given up to join a party: the line skips it as a fan who left.
pub(crate) fn given_up(q: &QueueState, seq: Seq) -> bool {
    q.parties.given_up(seq)
}
