//! Admission modes through the object's one entry point: `rate` by the clock (the alarm), what
//! the edge extrapolates from a snapshot, `capacity` ended by the origin, by the session and by
//! lapses, and pulls refused outside `pull` mode.

use super::memory_store::MemoryStore;
use super::*;
use crate::ids::{RequestId, SaleId, WindowId};
use crate::queue::snapshot::FanView;
use crate::queue::{Assignment, AssignmentState, Claim};
use crate::sale::admission::Admission;
use crate::sale::{SaleSettings, SaleSettingsInput};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn upsert(admission: Admission, presence_ttl_s: u64) -> Command {
    let mut settings = SaleSettings::parse(SaleSettingsInput {
        presence_ttl_s: Some(presence_ttl_s),
        ..SaleSettingsInput::tour()
    })
    .unwrap();
    settings.admission = admission;
    Command::Upsert {
        id: SaleId::parse("tour").unwrap(),
        settings,
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    }
}

/// An open sale in `admission` mode with `fans` in line, joined at `T0` while it was paused.
fn sale_with(admission: Admission, fans: u64) -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    store.run(&mut core, upsert(admission, 0), T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.run(&mut core, Command::Pause, T0).unwrap();
    store.join_new_fans(&mut core, fans, T0);
    store.run(&mut core, Command::Open, T0).unwrap();
    (core, store)
}

fn admitted(store: &MemoryStore) -> Vec<&Assignment> {
    store
        .assignments
        .values()
        .filter(|a| a.state != AssignmentState::Left)
        .collect()
}

/// Runs the alarm at every deadline up to `until`, then once at `until`.
fn run_alarms(core: &mut SaleMachine, store: &mut MemoryStore, until: UnixMillis) {
    while let Some(at) = core.next_deadline().filter(|at| *at < until) {
        store.run(core, Input::Alarm, at).unwrap();
    }
    store.run(core, Input::Alarm, until).unwrap();
}

#[test]
fn rate_mode_admits_at_its_rate_by_the_clock_and_the_edge_counts_along() {
    let (mut core, mut store) = sale_with(Admission::Rate { per_minute: 600 }, 3_000);
    // Opening admits one second's burst at once.
    assert_eq!(admitted(&store).len(), 10);
    assert!(admitted(&store).iter().all(|a| a.window.as_str() == "rate"));
    let opening = core.queue().unwrap().snapshot(T0);
    assert_eq!(opening.admission_next_at, Some(T0.plus_millis(100)));
    run_alarms(&mut core, &mut store, T0.plus_secs(59));
    let snapshot = core.queue().unwrap().snapshot(T0.plus_secs(59));
    run_alarms(&mut core, &mut store, T0.plus_secs(60));
    let in_a_minute = admitted(&store)
        .iter()
        .filter(|a| a.assigned_at <= T0.plus_secs(60))
        .count();
    assert_eq!(
        in_a_minute,
        600 + 10,
        "the rate plus the opening burst: the bound, exactly"
    );
    // The edge, from the snapshot a second old, counts the admissions the schedule made since;
    // from one a minute old it under-states (one second's burst), never over.
    assert_eq!(opening.scheduled_since(T0.plus_secs(60)), 10);
    // No pre-queue: the head's position is a number.
    let head = core.queue().unwrap().snapshot(T0.plus_secs(60)).head.0;
    for seq in [head - 1, head, head + 1] {
        let reached = matches!(snapshot.fan_view(seq, T0.plus_secs(60)), FanView::Reached);
        assert_eq!(reached, seq < head, "fan {seq}, head {head}");
    }
    // And it tells fans further back when their turn comes, by the schedule.
    let FanView::Waiting { ahead, eta_s, .. } = snapshot.fan_view(head + 599, T0.plus_secs(60))
    else {
        panic!("waiting")
    };
    assert_eq!((ahead, eta_s), (599, Some(60)));
    let report = core.queue().unwrap().stats(T0.plus_secs(60));
    assert_eq!(report.admission_target_rate, Some(10.0));
    // The alarm wakes the object for a quarter of a second's burst (two fans), not for each fan.
    assert_eq!(
        core.next_deadline(),
        Some(T0.plus_secs(60).plus_millis(200))
    );
}

#[test]
fn fans_who_left_do_not_use_up_the_rate() {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    store
        .run(&mut core, upsert(Admission::Pull, 10), T0)
        .unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    store.join_new_fans(&mut core, 6, T0);
    // Fans 1 to 3 stop polling; 4 to 6 say they are there.
    let later = T0.plus_secs(11);
    store
        .run(
            &mut core,
            Command::Present {
                seqs: vec![4, 5, 6],
                positions: Vec::new(),
            },
            later,
        )
        .unwrap();
    store
        .run(
            &mut core,
            upsert(Admission::Rate { per_minute: 60 }, 10),
            later,
        )
        .unwrap();
    let states: Vec<(Seq, AssignmentState)> = store
        .assignments
        .values()
        .map(|a| (a.seq, a.state))
        .collect();
    assert_eq!(
        states,
        vec![
            (1, AssignmentState::Left),
            (2, AssignmentState::Left),
            (3, AssignmentState::Left),
            (4, AssignmentState::Assigned)
        ],
        "one a second: the three who left are skipped, and fan 4 is admitted"
    );
}

#[test]
fn pulls_are_refused_outside_pull_mode_naming_it_and_replays_still_answer() {
    let (mut core, mut store) = sale_with(Admission::Pull, 3);
    let pull = |id: &str| Command::Pull {
        window: WindowId::parse("w").unwrap(),
        max: 1,
        request_id: Some(RequestId::parse(id).unwrap()),
    };
    let Ok(Reply::Pulled(first)) = store.run(&mut core, pull("r1"), T0) else {
        panic!("pull")
    };
    let rate = Admission::Rate { per_minute: 1 };
    store.run(&mut core, upsert(rate, 0), T0).unwrap();
    assert_eq!(
        store.run(&mut core, pull("r2"), T0),
        Err(QueueError::NotPullMode { admission: rate })
    );
    let Ok(Reply::Pulled(again)) = store.run(&mut core, pull("r1"), T0) else {
        panic!("replay")
    };
    assert!(again.replayed);
    assert_eq!(again.assignments, first.assignments);
}

#[test]
fn capacity_mode_admits_as_admissions_end_by_the_origin_the_session_or_a_lapse() {
    let capacity = Admission::Capacity {
        active: 3,
        session_s: 30,
    };
    let (mut core, mut store) = sale_with(capacity, 10);
    let held = |core: &SaleMachine| core.queue().unwrap().held();
    assert_eq!((admitted(&store).len(), held(&core)), (3, 3));
    // The origin completes fan 1 by its pass's jti (`tour.1`): fan 4 is admitted at once.
    let t1 = T0.plus_secs(1);
    let Ok(Reply::Assignment(done)) = store.run(&mut core, Command::CompleteSeq { seq: 1 }, t1)
    else {
        panic!("complete by seq")
    };
    assert_eq!(done.state, AssignmentState::Completed);
    assert_eq!((admitted(&store).len(), held(&core)), (4, 3));
    // Fan 2 claims: the pass (and the admission) lasts the session, 30 s.
    let Ok(Reply::Claim(Claim::Turn { pass_ttl_s, .. })) =
        store.run(&mut core, Command::Claim { seq: 2, hand: 0 }, t1)
    else {
        panic!("claim")
    };
    assert_eq!(pass_ttl_s, 30);
    // Fan 3 releases by jti; fan 5 comes in.
    store
        .run(&mut core, Command::ReleaseSeq { seq: 3 }, t1)
        .unwrap();
    assert_eq!((admitted(&store).len(), held(&core)), (5, 3));
    // 30 s after the claim, fan 2's session ends by the alarm alone: fan 6 comes in.
    assert_eq!(core.next_deadline(), Some(t1.plus_secs(30)));
    run_alarms(&mut core, &mut store, t1.plus_secs(30));
    assert_eq!(store.assignments[&2].state, AssignmentState::Expired);
    assert_eq!((admitted(&store).len(), held(&core)), (6, 3));
    // Fans 4 and 5 never claim: they lapse at claim_ttl (60 s) and two more come in.
    run_alarms(&mut core, &mut store, t1.plus_secs(61));
    assert_eq!(store.assignments[&4].state, AssignmentState::Lapsed);
    assert_eq!(held(&core), 3);
    assert_eq!(admitted(&store).len(), 8);
    assert!(admitted(&store)
        .iter()
        .all(|a| a.window.as_str() == "capacity"));
    // Numbers never handed out, or of another kind, name no assignment.
    assert_eq!(
        store.run(
            &mut core,
            Command::CompleteSeq { seq: 99 },
            t1.plus_secs(61)
        ),
        Err(QueueError::AssignmentNotFound)
    );
    // A lower cap admits nobody until enough admissions end; pausing admits nobody.
    store
        .run(
            &mut core,
            upsert(
                Admission::Capacity {
                    active: 1,
                    session_s: 30,
                },
                0,
            ),
            t1.plus_secs(61),
        )
        .unwrap();
    assert_eq!(admitted(&store).len(), 8);
    store
        .run(&mut core, Command::Pause, t1.plus_secs(61))
        .unwrap();
    run_alarms(&mut core, &mut store, t1.plus_secs(200));
    assert_eq!((admitted(&store).len(), held(&core)), (8, 0));
    store
        .run(&mut core, Command::Open, t1.plus_secs(200))
        .unwrap();
    assert_eq!((admitted(&store).len(), held(&core)), (9, 1));
}
