//! A bound place's claim and move: the hand first (a moved place's old hand is refused whatever
//! proof it brings, before any record is read), then the proof for that purpose, and only a proof
//! of the new hand's own device once the place moved.

use super::super::memory_store::{test_signing, MemoryStore};
use super::super::*;
use crate::ids::{SaleId, WindowId};
use crate::keys::device::tests::{proof, signing_key, thumbprint_of};
use crate::machines::protocol::{DeviceClaim, Proven};
use crate::queue::Claim;
use crate::sale::{SaleSettings, SaleSettingsInput};
use p256::ecdsa::SigningKey;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn line_of(fans: u64) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore {
        signing: Some(test_signing()),
        ..MemoryStore::default()
    };
    let upsert = Command::Upsert {
        id: SaleId::parse("tour").unwrap(),
        settings: SaleSettings::parse(SaleSettingsInput::tour()).unwrap(),
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    };
    store.run(&mut core, upsert, T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.join_new_fans(&mut core, fans, T0);
    (core, store)
}

fn made(key: &SigningKey, seq: Seq, purpose: &str) -> String {
    let claims =
        serde_json::json!({"sale": "tour", "seq": seq, "purpose": purpose, "iat": T0.as_secs()});
    proof(key, &claims)
}

fn device(key: &SigningKey, proof: String) -> DeviceClaim {
    DeviceClaim {
        key: thumbprint_of(key),
        proof,
    }
}

fn claim(seq: Seq, hand: u8, device: DeviceClaim) -> Command {
    Command::ClaimBound { seq, hand, device }
}

fn prove_move(seq: Seq, hand: u8, device: DeviceClaim) -> Command {
    Command::ProveMove { seq, hand, device }
}

fn moved(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq, hand: u8) -> Answer {
    store.run(core, Command::Move { seq, hand }, T0)
}

#[test]
fn a_bound_move_link_needs_a_move_proof_from_the_bound_device_and_changes_nothing() {
    let (mut core, mut store) = line_of(2);
    let (phone, thief) = (signing_key(7), signing_key(8));
    // No proof, another key's proof (named as the bound key), a claim's proof, or another
    // place's: refused.
    for refused in [
        device(&phone, String::new()),
        DeviceClaim {
            key: thumbprint_of(&phone),
            proof: made(&thief, 1, "move"),
        },
        device(&phone, made(&phone, 1, "claim")),
        device(&phone, made(&phone, 2, "move")),
    ] {
        assert_eq!(
            store.run(&mut core, prove_move(1, 0, refused), T0),
            Err(QueueError::DeviceProofInvalid)
        );
    }
    // The device's own move proof: proven, and the place still in its hand (the move is the
    // link's, later).
    let proven = prove_move(1, 0, device(&phone, made(&phone, 1, "move")));
    assert_eq!(
        store.run(&mut core, proven.clone(), T0),
        Ok(Reply::Proven(Proven { seq: 1, hand: 0 }))
    );
    assert!(core.take_changes().is_empty());
    assert_eq!(core.queue().unwrap().check_hand(1, 0), Ok(()));
    // Once the place moved on, the old hand's valid proof is refused for the hand, first.
    assert!(moved(&mut core, &mut store, 1, 0).is_ok());
    assert_eq!(
        core.handle(proven, T0),
        Step::Reply(Err(QueueError::PlaceMoved))
    );
}

#[test]
fn the_hand_is_checked_before_the_proof_and_before_any_record() {
    let (mut core, mut store) = line_of(2);
    let (phone, laptop) = (signing_key(7), signing_key(9));
    // The place moves to the laptop (its token is then bound to the laptop's key, at the edge).
    moved(&mut core, &mut store, 1, 0).unwrap();
    store
        .run(
            &mut core,
            Command::Pull {
                window: WindowId::parse("a").unwrap(),
                max: 2,
                request_id: None,
            },
            T0,
        )
        .unwrap();
    // The old hand, with its own device's valid proof or with none: the place moved, answered
    // at once (no record asked for), the proof never looked at.
    for old in [
        claim(1, 0, device(&phone, made(&phone, 1, "claim"))),
        claim(1, 0, device(&phone, String::new())),
    ] {
        assert_eq!(
            core.handle(old, T0),
            Step::Reply(Err(QueueError::PlaceMoved))
        );
    }
    // The new hand with the old device's proof (its token names the laptop's key), or with no
    // proof: the proof is refused, nothing claimed.
    for refused in [
        DeviceClaim {
            key: thumbprint_of(&laptop),
            proof: made(&phone, 1, "claim"),
        },
        device(&laptop, String::new()),
    ] {
        assert_eq!(
            core.handle(claim(1, 1, refused), T0),
            Step::Reply(Err(QueueError::DeviceProofInvalid))
        );
    }
    let fan = core.queue().unwrap().fan_id(1);
    let claimed = |core: &SaleMachine| core.queue().unwrap().assignment(&fan).unwrap().claimed_at;
    assert_eq!(claimed(&core), None);
    // The new hand with the laptop's proof: the turn.
    let answer = store.run(
        &mut core,
        claim(1, 1, device(&laptop, made(&laptop, 1, "claim"))),
        T0,
    );
    let Ok(Reply::Claim(Claim::Turn { pass: Some(_), .. })) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(claimed(&core), Some(T0));
}
