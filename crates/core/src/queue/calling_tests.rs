//! Called back by Web Push: who may subscribe, the pushes near the front and at the turn, the
//! held turn, and presence that does not skip a called fan.

use super::*;
use crate::keys::push_subscription::{PushSubscription, SubscriptionInput};
use crate::sale::{CallBackInput, SaleSettingsInput};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);
const KEY: &str =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

fn sub(n: u32) -> PushSubscription {
    PushSubscription::parse(
        SubscriptionInput {
            endpoint: format!("https://fcm.googleapis.com/fcm/send/{n}"),
            p256dh: KEY.into(),
            auth: "BTBZMqHH6r4Tts7J_aSIgg".into(),
        },
        false,
    )
    .unwrap()
}

/// A pull sale calling back at 3 ahead with a 300 s window, claim time 60 s, presence 30 s, and
/// `n` fans in line.
fn line(n: u64, push: bool) -> Queue {
    let mut c = Queue::opened(
        SaleSettingsInput {
            presence_ttl_s: Some(30),
            claim_ttl_s: Some(60),
            push: push.then_some(CallBackInput {
                near_front: Some(3),
                return_window_s: Some(300),
            }),
            ..SaleSettingsInput::tour()
        },
        T0,
    );
    for _ in 0..n {
        c.join(T0, None).unwrap();
    }
    c.sweep(T0);
    c
}

fn w() -> WindowId {
    WindowId::parse("w1").unwrap()
}

#[test]
fn only_a_waiting_place_of_a_calling_sale_subscribes_within_bounds() {
    assert_eq!(
        line(5, false).subscribe(T0, 2, 0, sub(1)),
        Err(CallRefusal::Off.into())
    );
    let mut c = line(10, true);
    let s = c.subscribe(T0, 9, 0, sub(1)).unwrap();
    assert_eq!(
        (s.subscriptions, s.near_front, s.return_window_s),
        (1, 3, 300)
    );
    // The same endpoint again replaces it; three devices at most.
    assert_eq!(c.subscribe(T0, 9, 0, sub(1)).unwrap().subscriptions, 1);
    c.subscribe(T0, 9, 0, sub(2)).unwrap();
    c.subscribe(T0, 9, 0, sub(3)).unwrap();
    assert_eq!(
        c.subscribe(T0, 9, 0, sub(4)),
        Err(CallRefusal::Full { max: 3 }.into())
    );
    assert_eq!(
        c.subscribe(T0, 11, 0, sub(1)),
        Err(QueueError::AssignmentNotFound.into()),
        "a number never handed out"
    );
    assert_eq!(
        c.subscribe(T0, 9, 1, sub(1)),
        Err(QueueError::PlaceMoved.into())
    );
    c.pull(T0, w(), 1, None).unwrap();
    assert_eq!(
        c.subscribe(T0, 1, 0, sub(1)),
        Err(CallRefusal::TooLate.into())
    );
    assert_eq!(
        c.unsubscribe(T0, 9, 0, Some(&sub(2).endpoint))
            .unwrap()
            .subscriptions,
        2
    );
    assert_eq!(c.unsubscribe(T0, 9, 0, None).unwrap().subscriptions, 0);
    assert_eq!(c.callers(), 0);
    c.close(T0);
    assert_eq!(
        c.subscribe(T0, 8, 0, sub(1)),
        Err(QueueError::Closed.into())
    );
}

#[test]
fn a_called_fan_is_pushed_near_the_front_once_and_at_their_turn() {
    let mut c = line(10, true);
    c.subscribe(T0, 8, 0, sub(1)).unwrap();
    c.subscribe(T0, 8, 0, sub(2)).unwrap();
    assert!(c.take_calls().is_empty());
    c.pull(T0, w(), 3, None).unwrap();
    assert!(c.take_calls().is_empty(), "4 ahead of 8: not near yet");
    c.pull(T0, w(), 1, None).unwrap();
    let calls = c.take_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].seq, 8);
    assert_eq!(calls[0].kind, CallKind::NearFront { ahead: 3 });
    assert_eq!(calls[0].subscriptions, vec![sub(1), sub(2)]);
    c.pull(T0, w(), 2, None).unwrap();
    assert!(c.take_calls().is_empty(), "told once");
    c.pull(T0, w(), 2, None).unwrap();
    let calls = c.take_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].kind,
        CallKind::Turn {
            claim_by: T0.plus_secs(300)
        }
    );
    assert_eq!(c.callers(), 0, "the place leaves the callers at its turn");
    // A fan near the front already when asking is not told it again.
    let mut c = line(10, true);
    c.subscribe(T0, 3, 0, sub(1)).unwrap();
    c.pull(T0, w(), 1, None).unwrap();
    assert!(c.take_calls().is_empty());
}

#[test]
fn a_called_fans_turn_is_held_the_return_window_and_presence_does_not_skip_them() {
    let mut c = line(4, true);
    c.subscribe(T0, 2, 0, sub(1)).unwrap();
    // Long after the presence TTL, nobody polled: 1 and 3 are skipped, 2 is not.
    let later = T0.plus_secs(120);
    let pulled = c.pull(later, w(), 2, None).unwrap();
    let seqs: Vec<_> = pulled.assignments.iter().map(|a| a.seq).collect();
    assert_eq!(seqs, vec![2], "silent fans left; the called one did not");
    let a = c.assignment(&c.fan_id(2)).unwrap().clone();
    assert_eq!(
        a.claim_by,
        later.plus_secs(300),
        "held the return window, not 60 s"
    );
    // Within the window the turn is still theirs...
    assert!(matches!(
        c.claim(later.plus_secs(299), 2).unwrap(),
        Claim::Turn { .. }
    ));
    // ...and a fan who never comes back lapses after it.
    let mut c = line(4, true);
    c.subscribe(T0, 1, 0, sub(1)).unwrap();
    c.pull(T0, w(), 1, None).unwrap();
    c.sweep(T0.plus_secs(299));
    assert_eq!(
        c.assignment(&c.fan_id(1)).unwrap().state,
        AssignmentState::Assigned
    );
    c.sweep(T0.plus_secs(301));
    assert_eq!(
        c.assignment(&c.fan_id(1)).unwrap().state,
        AssignmentState::Lapsed
    );
    assert!(matches!(
        c.claim(T0.plus_secs(301), 1),
        Ok(Claim::Lapsed { .. })
    ));
}

#[test]
fn a_gone_subscription_is_forgotten_and_a_moved_place_is_not_called() {
    let mut c = line(10, true);
    c.subscribe(T0, 6, 0, sub(1)).unwrap();
    c.subscribe(T0, 6, 0, sub(2)).unwrap();
    c.endpoint_gone(6, &sub(1).endpoint);
    c.pull(T0, w(), 3, None).unwrap();
    let calls = c.take_calls();
    assert_eq!(calls[0].subscriptions, vec![sub(2)]);
    c.endpoint_gone(6, &sub(2).endpoint);
    assert_eq!(c.callers(), 0);
    c.subscribe(T0, 9, 0, sub(1)).unwrap();
    c.move_place(T0, 9, 0).unwrap();
    assert_eq!(c.callers(), 0, "the old device is not called");
}
