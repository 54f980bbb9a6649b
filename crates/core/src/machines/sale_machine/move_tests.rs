//! Moving a place to another device: one hand at a time, each link once, at most `MAX_MOVES`
//! times, never after the turn's pass is out; the old hand's claim and socket are refused, and
//! the moves outlive a restart.

use super::memory_store::{test_signing, MemoryStore};
use super::*;
use crate::queue::socket::Refusal;
use crate::queue::Claim;
use crate::queue::MAX_MOVES;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn line_of(fans: u64) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore {
        signing: Some(test_signing()),
        ..MemoryStore::default()
    };
    store.open_tour(&mut core, T0);
    store.join_new_fans(&mut core, fans, T0);
    (core, store)
}

fn moved(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq, hand: u8) -> Answer {
    store.run(core, Command::Move { seq, hand }, T0)
}

/// A move's answer for fan `seq`: `hand`, and the fan's id (the place's, whatever the hand).
fn moved_to(seq: Seq, hand: u8) -> Answer {
    Ok(Reply::Moved(crate::machines::protocol::Moved {
        hand,
        fan_id: crate::queue::Queue::opened(crate::sale::SaleSettingsInput::tour(), T0).fan_id(seq),
    }))
}

fn claim(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq, hand: u8) -> Answer {
    store.run(core, Command::Claim { seq, hand }, T0)
}

fn pull(core: &mut SaleMachine, store: &mut MemoryStore, max: u32) {
    let pull = Command::Pull {
        window: crate::ids::WindowId::parse("a").unwrap(),
        max,
        request_id: None,
    };
    store.run(core, pull, T0).unwrap();
}

fn snapshot(core: &mut SaleMachine, store: &mut MemoryStore) -> crate::queue::snapshot::Snapshot {
    match store.run(core, Command::Snapshot, T0) {
        Ok(Reply::Snapshot(s)) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_place_moves_hand_to_hand_once_per_link_and_at_most_max_moves_times() {
    let (mut core, mut store) = line_of(3);
    assert_eq!(moved(&mut core, &mut store, 2, 0), moved_to(2, 1));
    // The same link again (it names hand 0): the place is no longer there.
    assert_eq!(
        moved(&mut core, &mut store, 2, 0),
        Err(QueueError::PlaceMoved)
    );
    assert_eq!(moved(&mut core, &mut store, 2, 1), moved_to(2, 2));
    assert_eq!(moved(&mut core, &mut store, 2, 2), moved_to(2, 3));
    assert_eq!(
        moved(&mut core, &mut store, 2, MAX_MOVES),
        Err(QueueError::MovesUsedUp { max: MAX_MOVES })
    );
    assert_eq!(
        moved(&mut core, &mut store, 9, 0),
        Err(QueueError::AssignmentNotFound)
    );
    // The edge learns it from the snapshot: only the moved place, with its hand.
    let snap = snapshot(&mut core, &mut store);
    assert_eq!(snap.moved, vec![(2, 3)]);
    assert_eq!((snap.hand_of(2), snap.hand_of(1)), (3, 0));
}

#[test]
fn the_old_hand_cannot_claim_or_hold_a_socket_and_the_new_one_can() {
    let (mut core, mut store) = line_of(2);
    assert_eq!(moved(&mut core, &mut store, 1, 0), moved_to(1, 1));
    let open = OpenSockets {
        from_address: 0,
        own: 0,
    };
    assert_eq!(core.connect(1, 0, open, T0), Err(Refusal::Moved));
    assert_eq!(core.connect(1, 1, open, T0), Ok(()));
    core.disconnect(1, T0);
    pull(&mut core, &mut store, 2);
    assert_eq!(
        claim(&mut core, &mut store, 1, 0),
        Err(QueueError::PlaceMoved)
    );
    // Reached but not claimed: the place may still move, and the newest hand claims it.
    assert_eq!(moved(&mut core, &mut store, 1, 1), moved_to(1, 2));
    assert_eq!(
        claim(&mut core, &mut store, 1, 1),
        Err(QueueError::PlaceMoved)
    );
    let Ok(Reply::Claim(Claim::Turn { pass: Some(_), .. })) = claim(&mut core, &mut store, 1, 2)
    else {
        panic!("the new hand gets the turn");
    };
    // The pass is out: the place moves no more, and the snapshot no longer names it.
    assert_eq!(
        moved(&mut core, &mut store, 1, 2),
        Err(QueueError::TurnTaken)
    );
    assert!(snapshot(&mut core, &mut store).moved.is_empty());
    // A place never moved claims with hand 0 as before.
    assert!(matches!(
        claim(&mut core, &mut store, 2, 0),
        Ok(Reply::Claim(Claim::Turn { .. }))
    ));
}

#[test]
fn moves_outlive_a_restart() {
    let (mut core, mut store) = line_of(2);
    moved(&mut core, &mut store, 2, 0).unwrap();
    let (sale, restored) = store.restored(None).unwrap();
    let mut core = SaleMachine::restore(Some((sale, restored)), Default::default());
    assert_eq!(
        moved(&mut core, &mut store, 2, 0),
        Err(QueueError::PlaceMoved)
    );
    assert_eq!(snapshot(&mut core, &mut store).moved, vec![(2, 1)]);
}
