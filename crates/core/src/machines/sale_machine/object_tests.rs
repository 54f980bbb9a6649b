//! What the object only carries out, decided here: the pass a turn carries (signed with the keys
//! the machine asks for), the turns to push as messages, whether a socket is taken, and whether
//! a proof of work was spent before.

use super::memory_store::{test_signing, MemoryStore};
use super::*;
use crate::fairness::pow::{SolutionId, Verified};
use crate::ids::SaleId;
use crate::queue::socket::{Message, MAX_SOCKETS_PER_ADDRESS};
use crate::queue::Claim;
use crate::sale::{SaleSettings, SaleSettingsInput};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn upsert() -> Command {
    Command::Upsert {
        id: SaleId::parse("tour").unwrap(),
        settings: SaleSettings::parse(SaleSettingsInput::tour()).unwrap(),
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    }
}

/// An open sale whose first fan joined, with storage that supplies `signing`.
fn one_fan(signing: Option<PassSigning>) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore {
        signing,
        ..MemoryStore::default()
    };
    store.run(&mut core, upsert(), T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.join_new_fans(&mut core, 1, T0);
    (core, store)
}

fn pull_one() -> Command {
    Command::Pull {
        window: crate::ids::WindowId::parse("a").unwrap(),
        max: 1,
        request_id: None,
    }
}

fn claim(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq) -> Claim {
    match store.run(core, Command::Claim { seq, hand: 0 }, T0) {
        Ok(Reply::Claim(claim)) => claim,
        other => panic!("claim of {seq}: {other:?}"),
    }
}

fn asked_for_keys(store: &MemoryStore) -> usize {
    store
        .lookups
        .iter()
        .filter(|need| **need == Need::PassSigning)
        .count()
}

#[test]
fn a_turn_carries_its_pass_signed_with_the_keys_the_machine_asked_for_once() {
    let (mut core, mut store) = one_fan(Some(test_signing()));
    store.run(&mut core, pull_one(), T0).unwrap();
    let Claim::Turn {
        assignment,
        pass_ttl_s,
        pass: Some(pass),
    } = claim(&mut core, &mut store, 1)
    else {
        panic!("no signed turn");
    };
    let sale = core.queue().unwrap().sale().clone();
    assert_eq!(pass, test_signing().sign(&sale.id, &assignment, pass_ttl_s));
    // Asked again: the same pass (deterministic), and the keys are not asked for twice.
    assert!(matches!(
        claim(&mut core, &mut store, 1),
        Claim::Turn { pass: Some(again), .. } if again == pass
    ));
    assert_eq!(asked_for_keys(&store), 1);
}

#[test]
fn without_keys_a_turn_goes_out_unsigned_and_the_next_one_asks_again() {
    let (mut core, mut store) = one_fan(None);
    store.run(&mut core, pull_one(), T0).unwrap();
    assert!(matches!(
        claim(&mut core, &mut store, 1),
        Claim::Turn { pass: None, .. }
    ));
    store.signing = Some(test_signing());
    assert!(matches!(
        claim(&mut core, &mut store, 1),
        Claim::Turn { pass: Some(_), .. }
    ));
    assert_eq!(asked_for_keys(&store), 2);
}

#[test]
fn a_turn_for_a_fan_holding_a_socket_comes_out_as_the_message_to_push() {
    let (mut core, mut store) = one_fan(Some(test_signing()));
    assert_eq!(core.connect(1, 0, OpenSockets::default(), T0), Ok(()));
    store.run(&mut core, pull_one(), T0).unwrap();
    let pushes = core.take_pushes();
    let [Push {
        seq: 1,
        message: Message::YourTurn {
            pass, purchase_url, ..
        },
    }] = pushes.as_slice()
    else {
        panic!("one push for fan 1: {pushes:?}");
    };
    assert!(
        purchase_url.contains(&format!("pass={pass}")),
        "{purchase_url}"
    );
    assert!(core.take_pushes().is_empty(), "each turn is pushed once");
}

#[test]
fn a_socket_past_its_address_bound_is_refused_but_a_fans_own_are_replaced() {
    let (mut core, _store) = one_fan(None);
    let full = OpenSockets {
        from_address: MAX_SOCKETS_PER_ADDRESS,
        own: 0,
    };
    assert_eq!(core.connect(1, 0, full, T0), Err(Refusal::AddressFull));
    // The fan's own two older sockets at that address are replaced, so they do not count.
    let own = OpenSockets {
        from_address: MAX_SOCKETS_PER_ADDRESS,
        own: 2,
    };
    assert_eq!(core.connect(1, 0, own, T0), Ok(()));
}

#[test]
fn a_proof_of_work_pays_for_one_join_and_a_refused_join_gives_it_back() {
    let (mut core, mut store) = one_fan(None);
    let paid = Verified {
        id: SolutionId([9; 16]),
        expires_at: T0.plus_millis(60_000),
    };
    let join = || Command::Join {
        existing: None,
        pow: Some(paid),
    };
    assert!(store.run(&mut core, join(), T0).is_ok());
    assert!(
        store.run(&mut core, join(), T0).is_err(),
        "the same solution twice"
    );

    // A join the sale refuses (not open yet) buys nothing: the solution can pay again.
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    store.run(&mut core, upsert(), T0).unwrap();
    assert!(store.run(&mut core, join(), T0).is_err());
    store.run(&mut core, Command::Open, T0).unwrap();
    assert!(store.run(&mut core, join(), T0).is_ok());
}

#[test]
fn the_solutions_spent_survive_the_machine_rebuilt_after_a_storage_failure() {
    let (mut core, mut store) = one_fan(None);
    let paid = Verified {
        id: SolutionId([5; 16]),
        expires_at: T0.plus_millis(60_000),
    };
    let join = Command::Join {
        existing: None,
        pow: Some(paid),
    };
    store.run(&mut core, join.clone(), T0).unwrap();
    let mut rebuilt = store.load(T0);
    rebuilt.keep_spent(core.into_spent());
    assert!(store.run(&mut rebuilt, join, T0).is_err());
}
