//! The turn, pushed: who may hold a socket, a socket as presence, and the turn claimed at admission.

use super::*;
use crate::queue::socket::{Refusal, MAX_SOCKETS};
use crate::sale::SaleSettingsInput;
use proptest::prelude::*;
use std::collections::BTreeMap;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn sale(presence_ttl_s: u64) -> Queue {
    Queue::opened(
        SaleSettingsInput {
            presence_ttl_s: Some(presence_ttl_s),
            ..SaleSettingsInput::tour()
        },
        T0,
    )
}

fn w() -> WindowId {
    WindowId::parse("w1").unwrap()
}

fn joined(n: u64, presence_ttl_s: u64) -> Queue {
    let mut c = sale(presence_ttl_s);
    for _ in 0..n {
        c.join(T0, None).unwrap();
    }
    c.sweep(T0);
    c
}

#[test]
fn only_fans_in_line_near_the_front_may_hold_a_socket() {
    let mut c = joined(50, 30);
    assert_eq!(c.presence_zone(T0), MIN_PRESENCE_ZONE);
    assert_eq!(c.connect(T0, 1), Ok(()));
    assert_eq!(c.connect(T0, 20), Ok(()), "19 ahead: in the zone of 20");
    assert_eq!(
        c.connect(T0, 21),
        Err(Refusal::NotNearFront {
            ahead: 20,
            zone: 20
        })
    );
    assert_eq!(c.connect(T0, 51), Err(Refusal::NotInLine));
    assert_eq!(c.connect(T0, 0), Err(Refusal::NotInLine));
    c.pull(T0, w(), 3, None).unwrap();
    assert_eq!(c.connect(T0, 2), Err(Refusal::TurnReached));
    // The line moved: 21 is near the front now.
    assert_eq!(c.connect(T0, 21), Ok(()));
    c.close(T0);
    assert_eq!(c.connect(T0, 22), Err(Refusal::Closed));
}

#[test]
fn sockets_beyond_the_bound_are_refused_until_one_closes() {
    let mut c = joined(3, 30);
    for _ in 0..MAX_SOCKETS {
        c.connect(T0, 1).unwrap();
    }
    assert_eq!(c.sockets(), MAX_SOCKETS);
    assert_eq!(c.connect(T0, 2), Err(Refusal::Full));
    c.disconnect(T0, 1);
    assert_eq!(c.connect(T0, 2), Ok(()));
    // A fan's sockets stop counting once the line passes them.
    c.pull(T0, w(), 1, None).unwrap();
    assert_eq!(c.sockets(), 1);
}

#[test]
fn a_fan_holding_a_socket_is_present_without_polling() {
    let mut c = joined(5, 30);
    c.connect(T0, 1).unwrap();
    c.connect(T0, 2).unwrap();
    c.disconnect(T0.plus_secs(10), 2);
    // Fans 1..=5 never polled; at 60 s only the socket holder is still there.
    let now = T0.plus_secs(60);
    let pulled = c.pull(now, w(), 5, None).unwrap().assignments;
    assert_eq!(pulled.iter().map(|a| a.seq).collect::<Vec<_>>(), [1]);
    assert_eq!(
        c.stats(now).left,
        4,
        "2 closed its socket 50 s ago; 3..=5 never said a word"
    );
    c.check_invariants().unwrap();
}

#[test]
fn a_closed_socket_leaves_the_fan_the_presence_ttl_from_its_close() {
    let mut c = joined(5, 30);
    c.connect(T0, 1).unwrap();
    c.disconnect(T0.plus_secs(50), 1);
    let pulled = c.pull(T0.plus_secs(79), w(), 1, None).unwrap().assignments;
    assert_eq!(pulled[0].seq, 1, "29 s after the close: still there");
    let mut c = joined(5, 30);
    c.connect(T0, 1).unwrap();
    c.disconnect(T0.plus_secs(50), 1);
    c.present(T0.plus_secs(60), 2);
    let now = T0.plus_secs(81);
    let pulled = c.pull(now, w(), 1, None).unwrap().assignments;
    assert_eq!(pulled[0].seq, 2);
    assert_eq!(c.stats(now).left, 1, "31 s after the close: skipped");
}

#[test]
fn an_admitted_fan_holding_a_socket_has_the_turn_claimed_for_the_push() {
    let mut c = joined(4, 0);
    c.connect(T0, 2).unwrap();
    c.connect(T0, 2).unwrap();
    c.take_changes();
    let now = T0.plus_secs(5);
    let pulled = c.pull(now, w(), 3, None).unwrap().assignments;
    let turns = c.take_pushed_turns();
    assert_eq!(turns.len(), 1, "one turn per fan, however many tabs");
    let Claim::Turn {
        assignment,
        pass_ttl_s,
        ..
    } = &turns[0]
    else {
        panic!("not a turn: {turns:?}");
    };
    assert_eq!((assignment.seq, assignment.claimed_at), (2, Some(now)));
    assert_eq!(*pass_ttl_s, 300);
    // The window's answer shows it claimed; the others wait for their poll.
    assert_eq!(pulled[1], *assignment);
    assert!(pulled[0].claimed_at.is_none() && pulled[2].claimed_at.is_none());
    // The claim is written, and a later poll gets the same turn (the same pass expiry).
    assert!(c
        .take_changes()
        .iter()
        .any(|ch| matches!(ch, Change::Assignment(a) if a.seq == 2 && a.claimed_at == Some(now))));
    assert_eq!(
        c.claim(now.plus_secs(3), 2).unwrap(),
        Claim::Turn {
            assignment: assignment.clone(),
            pass_ttl_s: 300,
            pass: None,
        }
    );
    assert!(c.take_pushed_turns().is_empty(), "taken once");
    assert_eq!(c.sockets(), 0, "the line passed the fan");
}

#[test]
fn sockets_open_before_a_restart_are_counted_again_if_still_in_line() {
    let mut c = joined(5, 30);
    c.pull(T0, w(), 1, None).unwrap();
    assert!(!c.reconnect(T0, 1), "passed: the object closes it");
    assert!(c.reconnect(T0, 3));
    assert!(!c.reconnect(T0, 9));
    assert_eq!(c.sockets(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever fans connect, disconnect and get pulled, in any order: the count of open sockets
    /// never passes the bound, a fan holding a socket is never skipped as gone, and every fan
    /// admitted while holding one gets exactly one pushed turn.
    #[test]
    fn sockets_stay_bounded_and_their_holders_are_never_skipped(
        ops in proptest::collection::vec((0u8..3, 1u64..40, 0u64..90), 1..120)
    ) {
        let mut c = joined(40, 10);
        let mut open: BTreeMap<Seq, u32> = BTreeMap::new();
        let mut now = T0;
        for (op, seq, dt) in ops {
            now = now.plus_secs(dt);
            match op {
                0 => {
                    if c.connect(now, seq).is_ok() {
                        *open.entry(seq).or_default() += 1;
                    }
                }
                1 => {
                    c.disconnect(now, seq);
                    if let Some(n) = open.get_mut(&seq) {
                        *n -= 1;
                        if *n == 0 {
                            open.remove(&seq);
                        }
                    }
                }
                _ => {
                    let before = c.state.line.head().0;
                    let pulled = c.pull(now, w(), 3, None).unwrap().assignments;
                    let after = c.state.line.head().0;
                    let pushed: Vec<Seq> = c
                        .take_pushed_turns()
                        .iter()
                        .map(|t| match t {
                            Claim::Turn { assignment, .. } => assignment.seq,
                            other => panic!("not a turn: {other:?}"),
                        })
                        .collect();
                    let holders: Vec<Seq> = pulled
                        .iter()
                        .map(|a| a.seq)
                        .filter(|s| open.contains_key(s))
                        .collect();
                    prop_assert_eq!(pushed, holders);
                    for s in before..after {
                        if open.contains_key(&s) {
                            let state = c.state.assignments.get(s).map(|a| a.state);
                            prop_assert_eq!(state, Some(AssignmentState::Assigned), "fan {} held a socket", s);
                        }
                    }
                    open.retain(|s, _| *s >= after);
                }
            }
            prop_assert!(c.sockets() <= MAX_SOCKETS);
            prop_assert_eq!(c.sockets(), open.values().map(|n| u64::from(*n)).sum::<u64>());
        }
        c.check_invariants().map_err(TestCaseError::fail)?;
    }
}
