//! A bound place's claim and move: the hand first (a moved place's old hand is refused whatever
//! proof it brings, before any record is read), then the proof for that purpose, and only a proof
//! of the new hand's own device once the place moved.

use super::super::memory_store::{test_signing, MemoryStore};
use super::super::*;
use crate::ids::{SaleId, WindowId};
use crate::keys::device::tests::{proof, signing_key, thumbprint_of};
use crate::machines::protocol::DeviceClaim;
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

fn move_of(seq: Seq, hand: u8, device: DeviceClaim) -> Command {
    Command::MoveBound { seq, hand, device }
}

#[test]
fn a_bound_move_needs_a_move_proof_from_the_bound_device() {
    let (mut core, mut store) = line_of(2);
    let (phone, thief) = (signing_key(7), signing_key(8));
    // No proof, another key's proof (named as the bound key or as its own), a claim's proof, or
    // another place's: refused, and the place did not move.
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
            store.run(&mut core, move_of(1, 0, refused), T0),
            Err(QueueError::DeviceProofInvalid)
        );
        assert_eq!(core.queue().unwrap().check_hand(1, 0), Ok(()));
    }
    let moved = store.run(
        &mut core,
        move_of(1, 0, device(&phone, made(&phone, 1, "move"))),
        T0,
    );
    assert!(
        matches!(moved, Ok(Reply::Moved(ref m)) if m.hand == 1),
        "{moved:?}"
    );
    assert_eq!(
        core.queue().unwrap().check_hand(1, 0),
        Err(QueueError::PlaceMoved)
    );
}

#[test]
fn the_hand_is_checked_before_the_proof_and_before_any_record() {
    let (mut core, mut store) = line_of(2);
    let (phone, laptop) = (signing_key(7), signing_key(9));
    let to_laptop = move_of(1, 0, device(&phone, made(&phone, 1, "move")));
    store.run(&mut core, to_laptop.clone(), T0).unwrap();
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
        to_laptop,
    ] {
        assert_eq!(
            core.handle(old, T0),
            Step::Reply(Err(QueueError::PlaceMoved))
        );
    }
    // The new hand with the old device's proof (the token names the new device's key), or with
    // no proof: the proof is refused.
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
    assert_eq!(
        core.queue().unwrap().assignment(&fan).unwrap().claimed_at,
        None
    );
    // The new hand with the new device's proof: the turn.
    let answer = store.run(
        &mut core,
        claim(1, 1, device(&laptop, made(&laptop, 1, "claim"))),
        T0,
    );
    let Ok(Reply::Claim(Claim::Turn { pass: Some(_), .. })) = answer else {
        panic!("{answer:?}")
    };
}
