//! The assisted lane as the machine runs it: granted while waiting, once per place, up to the
//! cap; an assisted fan's claim and pass time is exactly the multiplier times the sale's, and
//! what was granted survives a restart.

use super::memory_store::MemoryStore;
use super::*;
use crate::ids::{SaleId, WindowId};
use crate::keys::pass::PassClaims;
use crate::queue::{AssignmentState, Assisted, Claim};
use crate::sale::{AssistInput, SaleSettings, SaleSettingsInput};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

/// An open sale (claims 60 s, passes 300 s) with an assisted lane ×3 for 2 places.
fn open_sale(assist: Option<AssistInput>) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    let upsert = Command::Upsert {
        id: SaleId::parse("tour").unwrap(),
        settings: SaleSettings::parse(SaleSettingsInput {
            assist,
            ..SaleSettingsInput::tour()
        })
        .unwrap(),
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    };
    store.run(&mut core, upsert, T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    (core, store)
}

fn lane() -> Option<AssistInput> {
    Some(AssistInput {
        multiplier: Some(3),
        max_places: Some(2),
    })
}

fn ask(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq, now: UnixMillis) -> Answer {
    store.run(core, Command::Assist { seq }, now)
}

fn pull(core: &mut SaleMachine, store: &mut MemoryStore, max: u32, now: UnixMillis) {
    let pull = Command::Pull {
        window: WindowId::parse("a").unwrap(),
        max,
        request_id: None,
    };
    store.run(core, pull, now).unwrap();
}

fn claim(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq, now: UnixMillis) -> Claim {
    match store.run(core, Command::Claim { seq, hand: 0 }, now) {
        Ok(Reply::Claim(claim)) => claim,
        other => panic!("claim {seq}: {other:?}"),
    }
}

#[test]
fn the_lane_is_granted_once_per_place_up_to_its_cap() {
    let (mut core, mut store) = open_sale(lane());
    store.join_new_fans(&mut core, 4, T0);
    let granted = |seq, places_left| {
        Ok(Reply::Assisted(Assisted {
            seq,
            multiplier: 3,
            places_left,
        }))
    };
    assert_eq!(ask(&mut core, &mut store, 1, T0), granted(1, 1));
    // Asking again counts nothing.
    assert_eq!(ask(&mut core, &mut store, 1, T0), granted(1, 1));
    assert_eq!(ask(&mut core, &mut store, 3, T0), granted(3, 0));
    assert_eq!(
        ask(&mut core, &mut store, 2, T0),
        Err(QueueError::AssistFull { max_places: 2 })
    );
    // A number never handed out, and a fan whose turn came, are refused.
    assert_eq!(
        ask(&mut core, &mut store, 99, T0),
        Err(QueueError::AssignmentNotFound)
    );
    pull(&mut core, &mut store, 2, T0);
    assert_eq!(
        ask(&mut core, &mut store, 2, T0),
        Err(QueueError::AssistTooLate)
    );
    // Kept over a restart: still full, fan 3 still assisted.
    let mut core = store.load(T0);
    assert_eq!(core.queue().unwrap().assisted(), 2);
    assert_eq!(
        ask(&mut core, &mut store, 4, T0),
        Err(QueueError::AssistFull { max_places: 2 })
    );
    assert_eq!(ask(&mut core, &mut store, 3, T0), granted(3, 0));
    // A sale without the lane refuses it.
    let (mut plain, mut plain_store) = open_sale(None);
    plain_store.join_new_fans(&mut plain, 1, T0);
    assert_eq!(
        ask(&mut plain, &mut plain_store, 1, T0),
        Err(QueueError::AssistUnavailable)
    );
}

#[test]
fn an_assisted_fan_has_exactly_the_multiplier_of_claim_and_pass_time() {
    let (mut core, mut store) = open_sale(lane());
    store.join_new_fans(&mut core, 2, T0);
    ask(&mut core, &mut store, 2, T0).unwrap();
    pull(&mut core, &mut store, 2, T0);
    let queue = core.queue().unwrap();
    let fan = |seq| queue.assignment(&queue.fan_id(seq)).unwrap().clone();
    assert_eq!(fan(1).claim_by, T0.plus_secs(60));
    assert_eq!(fan(2).claim_by, T0.plus_secs(180));
    // At 60 s the plain fan lapsed; the assisted one may still claim until 180 s.
    let at = T0.plus_secs(179);
    match claim(&mut core, &mut store, 1, at) {
        Claim::Lapsed { assignment } => assert_eq!(assignment.state, AssignmentState::Lapsed),
        other => panic!("{other:?}"),
    }
    let Claim::Turn {
        assignment,
        pass_ttl_s,
        ..
    } = claim(&mut core, &mut store, 2, at)
    else {
        panic!("fan 2's turn")
    };
    assert_eq!(pass_ttl_s, 900, "3 × 300 s");
    assert!(assignment.assisted);
    let pass = PassClaims::for_assignment(
        "iss",
        &SaleId::parse("tour").unwrap(),
        &assignment,
        pass_ttl_s,
    );
    assert!(pass.assist);
    assert_eq!(pass.exp - pass.iat, 900);
    // The pass ends at 900 s, not 300 s.
    store
        .run(&mut core, Input::Alarm, at.plus_secs(899))
        .unwrap();
    let state = |core: &SaleMachine| {
        let q = core.queue().unwrap();
        q.assignment(&q.fan_id(2)).unwrap().state
    };
    assert_eq!(state(&core), AssignmentState::Assigned);
    assert_eq!(core.next_deadline(), Some(at.plus_secs(900)));
    store
        .run(&mut core, Input::Alarm, at.plus_secs(900))
        .unwrap();
    assert_eq!(state(&core), AssignmentState::Expired);
}
