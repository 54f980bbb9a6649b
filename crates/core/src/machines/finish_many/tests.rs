//! A batch finishes each item exactly as the single request would, in order, through the
//! coordinator's one entry point: the same answers, the same stored records and changes (so the
//! same events), one request counted, one storage step for assignments no longer in memory, and
//! nothing changed twice.

use super::*;
use crate::ids::{SaleId, WindowId};
use crate::machines::protocol::{Command, Reply};
use crate::machines::sale_machine::memory_store::MemoryStore;
use crate::machines::sale_machine::{Input, Need, SaleMachine, Step, MAX_STEPS};
use crate::queue::{AssignmentState, Change, RETAIN_FINISHED_MS};
use crate::sale::admission::Admission;
use crate::sale::{SaleSettings, SaleSettingsInput};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn upsert(admission: Option<Admission>) -> Command {
    let mut settings = SaleSettings::parse(SaleSettingsInput {
        presence_ttl_s: Some(0),
        ..SaleSettingsInput::tour()
    })
    .unwrap();
    if let Some(admission) = admission {
        settings.admission = admission;
    }
    Command::Upsert {
        id: SaleId::parse("tour").unwrap(),
        settings,
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    }
}

/// An open pull-mode sale with `fans` joined and all of them pulled into window `w`.
fn pulled(fans: u64) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    store.run(&mut core, upsert(None), T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.join_new_fans(&mut core, fans, T0);
    let pull = Command::Pull {
        window: WindowId::parse("w").unwrap(),
        max: fans as u32,
        request_id: None,
    };
    store.run(&mut core, pull, T0).unwrap();
    (core, store)
}

/// The object's loop, keeping every change written (what events are made of).
fn run(
    core: &mut SaleMachine,
    store: &mut MemoryStore,
    input: impl Into<Input>,
    now: UnixMillis,
) -> (Result<Reply, QueueError>, Vec<Change>) {
    let mut written = Vec::new();
    let mut step = core.handle(input, now);
    for _ in 0..MAX_STEPS {
        let changes = core.take_changes();
        written.extend(changes.iter().cloned());
        store.apply(changes);
        match step {
            Step::Reply(answer) => return (answer, written),
            Step::Need(need) => step = core.supply(store.answer(&need), now),
        }
    }
    panic!("no answer within {MAX_STEPS} steps");
}

fn assignment_changes(changes: &[Change]) -> Vec<Assignment> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Assignment(a) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

fn batch(outcome: Outcome, items: Vec<AssignmentRef>) -> Input {
    Input::FinishMany(FinishMany::new(outcome, items).unwrap())
}

fn finished(answer: Result<Reply, QueueError>) -> Vec<Result<Assignment, QueueError>> {
    match answer {
        Ok(Reply::FinishedMany(f)) => f.results,
        other => panic!("not a batch's answer: {other:?}"),
    }
}

fn fan(core: &SaleMachine, seq: Seq) -> AssignmentRef {
    AssignmentRef::Fan(core.queue().unwrap().fan_id(seq))
}

/// The single command an item is the same as.
fn single(outcome: Outcome, item: &AssignmentRef) -> Command {
    match (outcome, item.clone()) {
        (Outcome::Complete, AssignmentRef::Fan(fan_id)) => Command::Complete { fan_id },
        (Outcome::Release, AssignmentRef::Fan(fan_id)) => Command::Release { fan_id },
        (Outcome::Complete, AssignmentRef::Seq(seq)) => Command::CompleteSeq { seq },
        (Outcome::Release, AssignmentRef::Seq(seq)) => Command::ReleaseSeq { seq },
    }
}

#[test]
fn a_batch_answers_and_changes_exactly_what_the_same_single_requests_would() {
    // Two equal sales of 8 fans pulled, fan 6 completed before.
    let sale = || {
        let (mut core, mut store) = pulled(8);
        run(&mut core, &mut store, Command::CompleteSeq { seq: 6 }, T0)
            .0
            .unwrap();
        (core, store)
    };
    let t1 = T0.plus_secs(1);
    let a = sale().0;
    let unknown = AssignmentRef::Fan(FanId::parse("fan_0123456789abcdef0123").unwrap());
    let items = vec![
        fan(&a, 1),
        AssignmentRef::Seq(2),
        unknown,
        AssignmentRef::Seq(99),
        fan(&a, 3),
        // Named twice: by fan id, then by its number.
        AssignmentRef::Seq(1),
        fan(&a, 6),
        AssignmentRef::Seq(4),
    ];
    for outcome in [Outcome::Complete, Outcome::Release] {
        let (mut a, mut store_a) = sale();
        let (mut b, mut store_b) = sale();
        let mut singles = Vec::new();
        let mut single_changes = Vec::new();
        for item in &items {
            let (answer, changes) = run(&mut a, &mut store_a, single(outcome, item), t1);
            singles.push(answer.map(|reply| match reply {
                Reply::Assignment(a) => a,
                other => panic!("{other:?}"),
            }));
            single_changes.extend(assignment_changes(&changes));
        }
        let (answer, changes) = run(&mut b, &mut store_b, batch(outcome, items.clone()), t1);
        let results = finished(answer);
        assert_eq!(results, singles, "{outcome:?}");
        assert_eq!(assignment_changes(&changes), single_changes, "{outcome:?}");
        assert_eq!(store_b.assignments, store_a.assignments, "{outcome:?}");
        let state = match outcome {
            Outcome::Complete => AssignmentState::Completed,
            Outcome::Release => AssignmentState::Released,
        };
        // What the items came to: 1, 2, 3 and 4 finished once each, the rest refused alone.
        let codes: Vec<Result<Seq, QueueError>> =
            results.iter().map(|r| r.clone().map(|a| a.seq)).collect();
        assert_eq!(
            codes,
            vec![
                Ok(1),
                Ok(2),
                Err(QueueError::AssignmentNotFound),
                Err(QueueError::AssignmentNotFound),
                Ok(3),
                Err(QueueError::AssignmentFinished { state }),
                Err(QueueError::AssignmentFinished {
                    state: AssignmentState::Completed
                }),
                Ok(4),
            ]
        );
        assert_eq!(single_changes.len(), 4, "one change (one event) per finish");
        // Fan 5 was not named: untouched.
        assert_eq!(store_b.assignments[&5].state, AssignmentState::Assigned);
    }
}

#[test]
fn a_batch_is_one_request_and_its_replay_changes_nothing() {
    let (mut core, mut store) = pulled(50);
    let items: Vec<AssignmentRef> = (1..=50).map(|seq| fan(&core, seq)).collect();
    let count = |core: &SaleMachine, kind: &str| core.requests().get(kind).copied();
    let before = count(&core, "complete");
    let t1 = T0.plus_secs(1);
    let (answer, changes) = run(
        &mut core,
        &mut store,
        batch(Outcome::Complete, items.clone()),
        t1,
    );
    assert!(finished(answer).iter().all(Result::is_ok));
    assert_eq!(assignment_changes(&changes).len(), 50);
    assert_eq!(count(&core, "complete_many"), Some(1));
    assert_eq!(count(&core, "complete"), before);
    // The same batch again (an origin retrying after a lost answer): every item answers
    // already completed, and nothing is written that would make an event.
    let stored = store.assignments.clone();
    let (answer, changes) = run(&mut core, &mut store, batch(Outcome::Complete, items), t1);
    assert!(finished(answer).iter().all(|r| *r
        == Err(QueueError::AssignmentFinished {
            state: AssignmentState::Completed
        })));
    assert!(assignment_changes(&changes).is_empty(), "{changes:?}");
    assert_eq!(store.assignments, stored);
    assert_eq!(count(&core, "complete_many"), Some(2));
}

#[test]
fn finished_assignments_gone_from_memory_are_read_back_in_one_step() {
    let (mut core, mut store) = pulled(6);
    let items: Vec<AssignmentRef> = (1..=3).map(|seq| fan(&core, seq)).collect();
    let (answer, _) = run(&mut core, &mut store, batch(Outcome::Release, items), T0);
    assert!(finished(answer).iter().all(Result::is_ok));
    // Long after: the finished ones left memory. Two fans come and are pulled; a batch names
    // the three finished and the two new.
    let later = T0.plus_millis(RETAIN_FINISHED_MS + 1_000);
    store.join_new_fans(&mut core, 2, later);
    let pull = Command::Pull {
        window: WindowId::parse("w").unwrap(),
        max: 2,
        request_id: None,
    };
    store.run(&mut core, pull, later).unwrap();
    let mut items: Vec<AssignmentRef> = [1, 2, 3, 7, 8].map(|seq| fan(&core, seq)).to_vec();
    items.push(AssignmentRef::Seq(2));
    store.lookups.clear();
    let (answer, _) = run(
        &mut core,
        &mut store,
        batch(Outcome::Complete, items),
        later,
    );
    let released = Err(QueueError::AssignmentFinished {
        state: AssignmentState::Released,
    });
    let results = finished(answer);
    assert_eq!(results[..3], [released.clone(), released.clone(), released]);
    assert!(results[3..5].iter().all(Result::is_ok), "{results:?}");
    let lookups: Vec<&Need> = store
        .lookups
        .iter()
        .filter(|n| matches!(n, Need::AssignmentsOfFans(_)))
        .collect();
    assert_eq!(lookups.len(), 1, "{:?}", store.lookups);
    assert!(matches!(lookups[0], Need::AssignmentsOfFans(fans) if fans.len() == 3));
    assert_eq!(store.assignments[&1].state, AssignmentState::Released);
    assert_eq!(store.assignments[&7].state, AssignmentState::Completed);
}

#[test]
fn in_capacity_mode_each_finish_in_a_batch_admits_the_next_fan() {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    let capacity = Admission::Capacity {
        active: 3,
        session_s: 30,
    };
    store.run(&mut core, upsert(Some(capacity)), T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.join_new_fans(&mut core, 10, T0);
    let held = |core: &SaleMachine| core.queue().unwrap().held();
    let admitted = |store: &MemoryStore| store.assignments.len();
    assert_eq!((admitted(&store), held(&core)), (3, 3));
    let items = vec![
        AssignmentRef::Seq(1),
        AssignmentRef::Seq(9),
        fan(&core, 2),
        AssignmentRef::Seq(1),
    ];
    let (answer, _) = run(
        &mut core,
        &mut store,
        batch(Outcome::Complete, items),
        T0.plus_secs(1),
    );
    let results = finished(answer);
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        2,
        "{results:?}"
    );
    // Two ended, two more came in: never more than the cap.
    assert_eq!((admitted(&store), held(&core)), (5, 3));
}

#[test]
fn a_batch_is_one_to_a_hundred_assignments_in_code_and_on_the_wire() {
    let item = || AssignmentRef::Seq(1);
    assert_eq!(
        FinishMany::new(Outcome::Complete, vec![]),
        Err(FinishManyError::Empty)
    );
    assert_eq!(
        FinishMany::new(Outcome::Complete, vec![item(); MAX_FINISH_MANY + 1]),
        Err(FinishManyError::TooMany {
            n: MAX_FINISH_MANY + 1
        })
    );
    let most = FinishMany::new(Outcome::Release, vec![item(); MAX_FINISH_MANY]).unwrap();
    let json = serde_json::to_string(&most).unwrap();
    assert_eq!(serde_json::from_str::<FinishMany>(&json).unwrap(), most);
    let small = FinishMany::new(
        Outcome::Complete,
        vec![
            AssignmentRef::Seq(7),
            AssignmentRef::Fan(FanId::parse("fan_0123456789abcdef0123").unwrap()),
        ],
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&small).unwrap(),
        r#"{"outcome":"complete","assignments":[{"seq":7},{"fan":"fan_0123456789abcdef0123"}]}"#
    );
    assert_eq!(small.kind(), "complete_many");
    // A batch made by hand is checked as it is read: nothing to run.
    for bad in [
        r#"{"outcome":"complete","assignments":[]}"#.to_owned(),
        format!(
            r#"{{"outcome":"complete","assignments":[{}]}}"#,
            vec![r#"{"seq":1}"#; MAX_FINISH_MANY + 1].join(",")
        ),
        r#"{"outcome":"buy","assignments":[{"seq":1}]}"#.to_owned(),
    ] {
        assert!(serde_json::from_str::<FinishMany>(&bad).is_err(), "{bad}");
    }
    // The answer reads back what the object writes, every kind of item.
    let answer: Result<Reply, QueueError> = Ok(Reply::FinishedMany(FinishedMany {
        results: vec![
            Err(QueueError::AssignmentNotFound),
            Err(QueueError::AssignmentFinished {
                state: AssignmentState::Lapsed,
            }),
        ],
    }));
    let json = serde_json::to_string(&answer).unwrap();
    assert_eq!(
        serde_json::from_str::<Result<Reply, QueueError>>(&json).unwrap(),
        answer
    );
}

#[test]
fn a_batch_for_a_sale_never_created_is_refused_and_counts_nothing() {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    let (answer, changes) = run(
        &mut core,
        &mut store,
        batch(Outcome::Complete, vec![AssignmentRef::Seq(1)]),
        T0,
    );
    assert_eq!(answer, Err(QueueError::SaleNotFound));
    assert!(changes.is_empty());
}
