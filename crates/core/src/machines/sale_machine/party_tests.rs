//! Coming as a party: a party is bounded by `party_max`, a member is in one party at most and
//! gives up their own place, a member may leave while the party waits, and a party is admitted
//! together (one pass per member, one party id), counted as its size and never split by a pull;
//! parties outlive a restart.

use super::memory_store::{test_signing, MemoryStore};
use super::*;
use crate::ids::WindowId;
use crate::keys::pass::PassClaims;
use crate::queue::{member_hand, AssignmentState, Claim, Joiner, PartySeat, Pulled, GIVEN_UP_HAND};
use base64::Engine;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

/// Sale `tour` with `party_max` and `fans` in line.
fn line_of(party_max: u8, fans: u64) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore {
        signing: Some(test_signing()),
        ..MemoryStore::default()
    };
    let upsert = Command::Upsert {
        id: crate::SaleId::parse("tour").unwrap(),
        settings: crate::sale::SaleSettings::parse(crate::sale::SaleSettingsInput {
            party_max: Some(party_max),
            ..crate::sale::SaleSettingsInput::tour()
        })
        .unwrap(),
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    };
    store.run(&mut core, upsert, T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.join_new_fans(&mut core, fans, T0);
    (core, store)
}

fn join(
    core: &mut SaleMachine,
    store: &mut MemoryStore,
    leader: Seq,
    joiner: Joiner,
) -> Result<u8, QueueError> {
    let member = match joiner {
        Joiner::New => None,
        Joiner::Token { seq, hand } => Some((seq, hand)),
    };
    let command = Command::JoinParty {
        leader,
        leader_hand: 0,
        member,
    };
    match store.run(core, command, T0)? {
        Reply::Moved(m) => Ok(m.hand),
        other => panic!("{other:?}"),
    }
}

fn pull(core: &mut SaleMachine, store: &mut MemoryStore, max: u32) -> Pulled {
    let pull = Command::Pull {
        window: WindowId::parse("a").unwrap(),
        max,
        request_id: None,
    };
    match store.run(core, pull, T0) {
        Ok(Reply::Pulled(p)) => p,
        other => panic!("{other:?}"),
    }
}

fn claim(core: &mut SaleMachine, store: &mut MemoryStore, seq: Seq, hand: u8) -> Answer {
    store.run(core, Command::Claim { seq, hand }, T0)
}

/// The claims of the pass a claim handed out.
fn pass_of(answer: Answer) -> PassClaims {
    let Ok(Reply::Claim(Claim::Turn {
        pass: Some(pass), ..
    })) = answer
    else {
        panic!("{answer:?}");
    };
    let payload = pass.split('.').nth(1).unwrap();
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}

#[test]
fn a_party_of_three_is_admitted_together_counted_as_three_and_never_split() {
    // Fan 1 leads; fan 3 gives up their own place to join; a friend with no place joins too.
    let (mut core, mut store) = line_of(3, 4);
    let friend = join(&mut core, &mut store, 1, Joiner::New).unwrap();
    let three = join(&mut core, &mut store, 1, Joiner::Token { seq: 3, hand: 0 }).unwrap();
    assert_eq!((friend, three), (member_hand(1), member_hand(2)));

    // A window of 2 cannot take the party of 3: nobody is admitted, and the answer says why.
    let small = pull(&mut core, &mut store, 2);
    assert!(small.assignments.is_empty());
    assert_eq!(small.party_waiting, Some(3));

    // A window of 4 takes the party (3) and fan 2 (1); fan 3's given-up place is skipped as left.
    let big = pull(&mut core, &mut store, 4);
    let seqs: Vec<Seq> = big.assignments.iter().map(|a| a.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert_eq!(big.party_waiting, None);
    let party = big.assignments[0].party().unwrap();
    assert_eq!((party.size, big.assignments[0].party_seat), (3, 0));
    assert_eq!(big.assignments[1].party(), None);
    // Fan 4 is next; fan 3's place was given up (left), not admitted.
    let next = pull(&mut core, &mut store, 4);
    assert_eq!(
        next.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![4]
    );
    assert_eq!(store.assignments[&3].state, AssignmentState::Left);

    // One pass per member: each its own subject and jti, all the same party id.
    let leader = pass_of(claim(&mut core, &mut store, 1, 0));
    let a = pass_of(claim(&mut core, &mut store, 1, friend));
    let b = pass_of(claim(&mut core, &mut store, 1, three));
    let id = party.id.to_string();
    for p in [&leader, &a, &b] {
        assert_eq!(p.party.as_deref(), Some(id.as_str()));
        assert_eq!(p.seq, 1);
    }
    assert_eq!(leader.sub, id);
    let subs: std::collections::BTreeSet<_> = [&leader, &a, &b].map(|p| p.sub.clone()).into();
    let jtis: std::collections::BTreeSet<_> = [&leader, &a, &b].map(|p| p.jti.clone()).into();
    assert_eq!((subs.len(), jtis.len()), (3, 3));
    // A member's pass is the same when asked again.
    assert_eq!(pass_of(claim(&mut core, &mut store, 1, friend)), a);
    // Fan 2, alone, has a pass with no party.
    assert_eq!(pass_of(claim(&mut core, &mut store, 2, 0)).party, None);
    // The minute's admissions count people: 3 + 1 + 1.
    let admitted: u64 = store.minutes.values().map(|m| m.admissions).sum();
    assert_eq!(admitted, 5);
}

#[test]
fn a_party_is_bounded_and_a_member_is_in_one_party_once() {
    let (mut core, mut store) = line_of(3, 6);
    let m1 = join(&mut core, &mut store, 1, Joiner::New).unwrap();
    join(&mut core, &mut store, 1, Joiner::Token { seq: 4, hand: 0 }).unwrap();
    // Full: the leader and two members.
    assert_eq!(
        join(&mut core, &mut store, 1, Joiner::New),
        Err(QueueError::PartyFull)
    );
    // A member cannot join another party (nor the same one again).
    let member = Joiner::Token { seq: 1, hand: m1 };
    assert_eq!(
        join(&mut core, &mut store, 2, member),
        Err(QueueError::InAParty)
    );
    // A leader cannot join a party; a place cannot join its own.
    assert_eq!(
        join(&mut core, &mut store, 2, Joiner::Token { seq: 1, hand: 0 }),
        Err(QueueError::InAParty)
    );
    assert_eq!(
        join(&mut core, &mut store, 2, Joiner::Token { seq: 2, hand: 0 }),
        Err(QueueError::InAParty)
    );
    // A place given up cannot be given again, nor claimed, nor join anything: its hand is gone.
    assert_eq!(
        join(&mut core, &mut store, 2, Joiner::Token { seq: 4, hand: 0 }),
        Err(QueueError::PlaceMoved)
    );
    assert_eq!(
        claim(&mut core, &mut store, 4, 0),
        Err(QueueError::PlaceMoved)
    );
    let snap = match store.run(&mut core, Command::Snapshot, T0) {
        Ok(Reply::Snapshot(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(snap.hand_of(4), GIVEN_UP_HAND);
    // A member who leaves frees room, not their seat: their token holds nothing any more.
    let leave = Command::LeaveParty {
        leader: 1,
        hand: m1,
    };
    store.run(&mut core, leave.clone(), T0).unwrap();
    assert_eq!(store.run(&mut core, leave, T0), Err(QueueError::PlaceMoved));
    assert_eq!(
        claim(&mut core, &mut store, 1, m1),
        Err(QueueError::PlaceMoved)
    );
    let again = join(&mut core, &mut store, 1, Joiner::New).unwrap();
    assert_eq!(again, member_hand(3));
    // A member's place cannot move (they can leave and join again) and holds no socket.
    assert_eq!(
        store.run(
            &mut core,
            Command::Move {
                seq: 1,
                hand: again
            },
            T0
        ),
        Err(QueueError::MovesUsedUp {
            max: crate::queue::MAX_MOVES
        })
    );
    assert_eq!(
        core.connect(1, again, Default::default(), T0),
        Err(crate::queue::socket::Refusal::PartyMember)
    );
    // The party view: the leader and members still in.
    let view = store.run(
        &mut core,
        Command::Party {
            leader: 1,
            hand: again,
        },
        T0,
    );
    let Ok(Reply::Party(view)) = view else {
        panic!("{view:?}")
    };
    assert_eq!(
        (view.size, view.max, view.seats, view.your_seat),
        (3, 3, vec![2, 3], 3)
    );
    // Once admitted, nobody joins or leaves.
    pull(&mut core, &mut store, 3);
    assert_eq!(
        join(&mut core, &mut store, 1, Joiner::New),
        Err(QueueError::TurnTaken)
    );
    let leave = Command::LeaveParty {
        leader: 1,
        hand: again,
    };
    assert_eq!(store.run(&mut core, leave, T0), Err(QueueError::TurnTaken));
    // A place already reached cannot be given up to a party.
    assert_eq!(
        join(&mut core, &mut store, 5, Joiner::Token { seq: 1, hand: 0 }),
        Err(QueueError::InAParty)
    );
}

#[test]
fn a_link_of_a_hand_that_moved_on_is_refused_and_sales_without_parties_refuse() {
    let (mut core, mut store) = line_of(2, 2);
    store
        .run(&mut core, Command::Move { seq: 1, hand: 0 }, T0)
        .unwrap();
    // The link was made by hand 0; the place is in hand 1 now.
    assert_eq!(
        join(&mut core, &mut store, 1, Joiner::New),
        Err(QueueError::PlaceMoved)
    );
    let (mut core, mut store) = line_of(0, 2);
    assert_eq!(
        join(&mut core, &mut store, 1, Joiner::New),
        Err(QueueError::PartyOff)
    );
    let view = Command::Party { leader: 1, hand: 0 };
    assert_eq!(store.run(&mut core, view, T0), Err(QueueError::PartyOff));
}

#[test]
fn parties_outlive_a_restart() {
    let (mut core, mut store) = line_of(3, 3);
    let m = join(&mut core, &mut store, 1, Joiner::Token { seq: 2, hand: 0 }).unwrap();
    let (sale, restored) = store.restored(None).unwrap();
    let mut core = SaleMachine::restore(Some((sale, restored)), Default::default());
    assert_eq!(
        claim(&mut core, &mut store, 2, 0),
        Err(QueueError::PlaceMoved)
    );
    let pulled = pull(&mut core, &mut store, 3);
    assert_eq!(
        pulled.assignments[0].party().map(|p: PartySeat| p.size),
        Some(2)
    );
    assert_eq!(
        pulled.assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![1, 3]
    );
    assert!(pass_of(claim(&mut core, &mut store, 1, m)).party.is_some());
}

#[derive(Clone, Debug)]
enum Op {
    Join,
    /// A friend (with no place) joins the party of the fan at this index of the line so far.
    Friend(usize),
    /// The fan at this index gives up their place to join the party of the fan at the other.
    GiveUp(usize, usize),
    /// The member who joined this many joins ago leaves.
    Leave(usize),
    Pull(u32),
    Restart,
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        3 => Just(Op::Join),
        2 => (0usize..20).prop_map(Op::Friend),
        1 => (0usize..20, 0usize..20).prop_map(|(a, b)| Op::GiveUp(a, b)),
        1 => (0usize..8).prop_map(Op::Leave),
        2 => (1u32..6).prop_map(Op::Pull),
        1 => Just(Op::Restart),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Whatever fans join, invite, give up and leave, and whatever windows pull: no pull takes
    /// more fans than its `max` (a party counts as its size), a party is one assignment of the
    /// size its members were when it was admitted, never more than `party_max`, a pull stops at
    /// a party that does not fit (and says so), places are admitted in arrival order, and a
    /// given-up place is never admitted. Restarts rebuild the same parties.
    #[test]
    fn parties_keep_their_promises(ops in proptest::collection::vec(op(), 1..80)) {
        use proptest::prelude::*;
        let max_party = 3u8;
        let (mut core, mut store) = line_of(max_party, 0);
        let mut fans: Vec<Seq> = Vec::new();
        let mut members: Vec<(Seq, u8)> = Vec::new();
        let mut last_admitted: Seq = 0;
        for op in ops {
            match op {
                Op::Join => {
                    let Ok(Reply::Joined(j)) = store.run(&mut core, Command::Join { existing: None, pow: None }, T0) else {
                        return Err(TestCaseError::fail("join"));
                    };
                    fans.push(j.seq);
                }
                Op::Friend(i) if i < fans.len() => {
                    if let Ok(hand) = join(&mut core, &mut store, fans[i], Joiner::New) {
                        members.push((fans[i], hand));
                    }
                }
                Op::GiveUp(i, j) if i < fans.len() && j < fans.len() => {
                    if let Ok(hand) = join(&mut core, &mut store, fans[j], Joiner::Token { seq: fans[i], hand: 0 }) {
                        members.push((fans[j], hand));
                    }
                }
                Op::Leave(k) if k < members.len() => {
                    let (leader, hand) = members[members.len() - 1 - k];
                    let _ = store.run(&mut core, Command::LeaveParty { leader, hand }, T0);
                }
                Op::Pull(max) => {
                    let sizes: std::collections::BTreeMap<Seq, u8> = fans
                        .iter()
                        .map(|s| (*s, core.queue().unwrap().party(*s, 0).map_or(1, |v| v.size)))
                        .collect();
                    let p = pull(&mut core, &mut store, max);
                    let mut seats = 0u32;
                    for a in &p.assignments {
                        let size = a.party().map_or(1, |p| p.size);
                        prop_assert!(size <= max_party);
                        prop_assert_eq!(size, sizes[&a.seq]);
                        prop_assert!(a.seq > last_admitted, "in order");
                        prop_assert!(store.moves.get(&a.seq) != Some(&GIVEN_UP_HAND), "a given-up place admitted");
                        last_admitted = a.seq;
                        seats += u32::from(size);
                    }
                    prop_assert!(seats <= max);
                    if let Some(waiting) = p.party_waiting {
                        prop_assert!(seats + u32::from(waiting) > max, "a party that fits was left");
                    }
                }
                Op::Restart => {
                    let (sale, restored) = store.restored(None).unwrap();
                    let before: Vec<_> = fans.iter().map(|s| core.queue().unwrap().party(*s, 0).ok()).collect();
                    core = SaleMachine::restore(Some((sale, restored)), Default::default());
                    let after: Vec<_> = fans.iter().map(|s| core.queue().unwrap().party(*s, 0).ok()).collect();
                    prop_assert_eq!(before, after);
                }
                _ => {}
            }
        }
        prop_assert!(core.queue().unwrap().check_invariants().is_ok());
    }
}
