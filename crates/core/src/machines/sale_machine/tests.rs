use super::memory_store::MemoryStore;
use super::*;
use crate::ids::{FanId, RequestId, SaleId, WindowId};
use crate::queue::{
    Assignment, AssignmentState, Claim, Joined, PULL_REPLAY_TTL_MS, RETAIN_FINISHED_MS,
};
use crate::sale::admission::Admission;
use crate::sale::{Phase, SaleSettings, SaleSettingsInput};
use proptest::prelude::*;
use std::collections::HashMap;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn upsert() -> Command {
    Command::Upsert {
        id: SaleId::parse("tour").unwrap(),
        settings: SaleSettings::parse(SaleSettingsInput {
            ..SaleSettingsInput::tour()
        })
        .unwrap(),
        fan_salt: "salt-0123456789".into(),
        draw_key: None,
    }
}

fn w(name: &str) -> WindowId {
    WindowId::parse(name).unwrap()
}

/// An open sale, as the object runs it, with its storage.
fn open_sale() -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    store.run(&mut core, upsert(), T0).unwrap();
    store.run(&mut core, Command::Open, T0).unwrap();
    (core, store)
}

/// An open sale whose first two fans joined and were pulled by window `a` at `T0`.
fn two_fans_pulled() -> (SaleMachine, MemoryStore) {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 2, T0);
    store.run(&mut core, pull(2), T0).unwrap();
    (core, store)
}

fn fan_id(core: &SaleMachine, seq: Seq) -> FanId {
    core.queue().unwrap().fan_id(seq)
}

/// A join presenting fan `seq`'s token at `now`: what it answered.
fn join_again(
    core: &mut SaleMachine,
    store: &mut MemoryStore,
    seq: Seq,
    now: UnixMillis,
) -> Joined {
    let answer = store.run(
        core,
        Command::Join {
            existing: Some(seq),
            pow: None,
        },
        now,
    );
    let Ok(Reply::Joined(joined)) = answer else {
        panic!("join presenting {seq}: {answer:?}")
    };
    joined
}

fn pull(max: u32) -> Command {
    Command::Pull {
        window: w("a"),
        max,
        request_id: None,
    }
}

fn listing(state: Option<AssignmentState>) -> Command {
    Command::Assignments {
        window: None,
        state,
        limit: 10_000,
    }
}

#[test]
fn only_upsert_works_before_the_sale_exists_and_every_request_counts() {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    assert_eq!(
        store.run(&mut core, Command::Snapshot, T0),
        Err(QueueError::SaleNotFound)
    );
    assert_eq!(
        store.run(&mut core, listing(None), T0),
        Err(QueueError::SaleNotFound)
    );
    assert_eq!(store.run(&mut core, Input::Alarm, T0), Ok(Reply::Done));
    let Ok(Reply::Upserted { created, report }) = store.run(&mut core, upsert(), T0) else {
        panic!("upsert")
    };
    assert!(created);
    assert_eq!(report.phase, Phase::Scheduled);
    // The report counts the request it answers; alarms are not requests.
    assert_eq!(report.coordinator_requests, 3);
    let Ok(Reply::Upserted { created, report }) = store.run(&mut core, upsert(), T0) else {
        panic!("upsert")
    };
    assert!(!created);
    assert_eq!(report.coordinator_requests_by_kind["upsert"], 2);
    assert_eq!(&store.requests, core.requests());
    assert_eq!(store.sale.as_ref(), core.queue().map(|l| l.sale()));
}

#[test]
fn evicted_assignments_are_asked_for_and_read_back() {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 3, T0);
    store.run(&mut core, pull(3), T0).unwrap();
    let done = fan_id(&core, 1);
    store
        .run(
            &mut core,
            Command::Complete {
                fan_id: done.clone(),
            },
            T0,
        )
        .unwrap();
    // Fans 2 and 3 lapse; long after, all three left memory.
    store
        .run(&mut core, Input::Alarm, T0.plus_secs(61))
        .unwrap();
    let later = T0.plus_millis(RETAIN_FINISHED_MS + 120_000);
    store.run(&mut core, Input::Alarm, later).unwrap();
    assert!(store.lookups.is_empty());
    // A fan coming back after their turn: their assignment is read back.
    let Ok(Reply::Claim(Claim::Lapsed { assignment })) =
        store.run(&mut core, Command::Claim { seq: 2, hand: 0 }, later)
    else {
        panic!("claim")
    };
    assert_eq!(assignment.state, AssignmentState::Lapsed);
    assert_eq!(store.lookups, vec![Need::AssignmentBySeq(2)]);
    // A completed fan keeps their place.
    let joined = join_again(&mut core, &mut store, 1, later);
    assert!(!joined.created);
    // The origin's late report meets the finished assignment.
    assert_eq!(
        store.run(
            &mut core,
            Command::Release {
                fan_id: done.clone()
            },
            later
        ),
        Err(QueueError::AssignmentFinished {
            state: AssignmentState::Completed
        })
    );
    // The claim and the join were read-only: neither record came back into memory, so the
    // release looked fan 1 up again (by fan id), and only it came back.
    assert_eq!(
        store.lookups[1..],
        [
            Need::AssignmentBySeq(1),
            Need::AssignmentByFan(done.clone())
        ],
        "read-only lookups leave the records in storage"
    );
    // A fan id storage never saw.
    let stranger = FanId::from_bytes([7; 10]);
    assert_eq!(
        store.run(
            &mut core,
            Command::Complete {
                fan_id: stranger.clone()
            },
            later
        ),
        Err(QueueError::AssignmentNotFound)
    );
    assert_eq!(store.lookups[3..], [Need::AssignmentByFan(stranger)]);
    assert_eq!(
        core.requests()["claim"],
        1,
        "counted once across its two steps"
    );
    // Those requests wrote nothing else: their counts wait for the alarm.
    assert_ne!(&store.requests, core.requests());
    let due = later.plus_millis(REQUEST_COUNTS_EVERY_MS);
    assert_eq!(core.next_deadline(), Some(due));
    store.run(&mut core, Input::Alarm, due).unwrap();
    assert_eq!(&store.requests, core.requests());
    core.queue().unwrap().check_invariants().unwrap();
    // A claim of a finished fan does not keep the record in memory: asked again, it is looked up
    // again. Fan 1, brought back by the release, is not.
    let before = store.lookups.len();
    store
        .run(&mut core, Command::Claim { seq: 2, hand: 0 }, due)
        .unwrap();
    store
        .run(&mut core, Command::Claim { seq: 2, hand: 0 }, due)
        .unwrap();
    store
        .run(&mut core, Command::Claim { seq: 1, hand: 0 }, due)
        .unwrap();
    assert_eq!(
        store.lookups[before..],
        [Need::AssignmentBySeq(2), Need::AssignmentBySeq(2)]
    );
}

#[test]
fn the_listing_comes_from_storage_after_the_sweep_is_written() {
    let (mut core, mut store) = two_fans_pulled();
    // Nobody claimed: by now both lapsed, but no alarm ran.
    let later = T0.plus_secs(61);
    let Ok(Reply::Assignments { assignments }) =
        store.run(&mut core, listing(Some(AssignmentState::Lapsed)), later)
    else {
        panic!("listing")
    };
    assert_eq!(
        assignments.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(core.requests()["assignments"], 1);
}

#[test]
fn a_wrong_record_is_asked_for_again_and_a_new_command_starts_over() {
    let (mut core, _) = open_sale();
    let command = listing(None);
    assert!(matches!(
        core.handle(command.clone(), T0),
        Step::Need(Need::Assignments { .. })
    ));
    // The wrong kind of record: asked for again.
    assert!(matches!(
        core.supply(Record::Assignment(None), T0),
        Step::Need(Need::Assignments { .. })
    ));
    assert_eq!(
        core.supply(Record::Assignments(Vec::new()), T0),
        Step::Reply(Ok(Reply::Assignments {
            assignments: Vec::new()
        }))
    );
    // Abandoned half way, then another command: both counted, and a late record for the
    // abandoned one is refused, not taken as the answer to anything.
    assert!(matches!(core.handle(command.clone(), T0), Step::Need(_)));
    assert!(matches!(
        core.handle(Command::Snapshot, T0),
        Step::Reply(Ok(Reply::Snapshot(_)))
    ));
    assert_eq!(
        core.supply(Record::Assignments(Vec::new()), T0),
        Step::Reply(Err(QueueError::Busy))
    );
    // The same command again is a new request, counted again.
    assert!(matches!(core.handle(command, T0), Step::Need(_)));
    assert_eq!(
        (core.requests()["assignments"], core.requests()["snapshot"]),
        (3, 1)
    );
}

#[derive(Clone, Debug)]
enum Op {
    Join,
    Rejoin(u64),
    Pull {
        window: u8,
        max: u32,
        retry: Option<u8>,
    },
    Claim(u64),
    Complete(u64),
    Release(u64),
    /// Complete (`true`) or release by arrival number, as an origin naming a pass's `jti` does.
    FinishBySeq(u64, bool),
    List(Option<AssignmentState>),
    Wait(u64),
    Restart,
    /// Switch the admission mode live.
    Mode(Admission),
    Pause,
    Open,
}

fn admission() -> impl Strategy<Value = Admission> {
    prop_oneof![
        Just(Admission::Pull),
        prop_oneof![Just(1u32), Just(7), Just(60), Just(600), Just(5_000)]
            .prop_map(|per_minute| Admission::Rate { per_minute }),
        (1u32..6, prop_oneof![Just(10u64), Just(45), Just(400)])
            .prop_map(|(active, session_s)| Admission::Capacity { active, session_s }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Join),
        1 => (1u64..60).prop_map(Op::Rejoin),
        4 => (0u8..3, 1u32..8, prop::option::of(0u8..4)).prop_map(|(window, max, retry)| Op::Pull { window, max, retry }),
        3 => (1u64..60).prop_map(Op::Claim),
        2 => (1u64..60).prop_map(Op::Complete),
        1 => (1u64..60).prop_map(Op::Release),
        1 => (1u64..60, any::<bool>()).prop_map(|(seq, complete)| Op::FinishBySeq(seq, complete)),
        1 => prop::option::of(prop_oneof![Just(AssignmentState::Assigned), Just(AssignmentState::Lapsed), Just(AssignmentState::Expired)]).prop_map(Op::List),
        2 => (1u64..90_000).prop_map(Op::Wait),
        1 => (600_000u64..1_200_000).prop_map(Op::Wait),
        1 => Just(Op::Restart),
        1 => admission().prop_map(Op::Mode),
        1 => Just(Op::Pause),
        1 => Just(Op::Open),
    ]
}

/// `upsert()` with another admission mode.
fn upsert_with(admission: Admission) -> Command {
    let Command::Upsert {
        id,
        mut settings,
        fan_salt,
        ..
    } = upsert()
    else {
        unreachable!()
    };
    settings.admission = admission;
    Command::Upsert {
        id,
        settings,
        fan_salt,
        draw_key: None,
    }
}

/// The rate bound: admissions by the `rate` schedule (window `rate`) of one stretch of one
/// setting, over any 60 s, at most `per_minute` plus one second's burst.
fn check_rate(per_minute: u32, admitted: &[UnixMillis]) -> Result<(), TestCaseError> {
    let limit = u64::from(per_minute) + crate::sale::admission::RateLimit::new(per_minute).burst();
    let times: Vec<u64> = admitted.iter().map(|t| t.0).collect();
    let most = crate::sale::admission::tests::busiest_minute(&times);
    prop_assert!(
        most <= limit,
        "{} admitted within 60 s at {} a minute",
        most,
        per_minute
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Driven through the object's one entry point, with storage answering what the core asks
    /// for: every fan is handed out at most once, in arrival order, retries hand out nobody new,
    /// every request is counted once, and what storage kept rebuilds the same line. With the
    /// admission mode switched live (open or paused): in `capacity` mode no admission ever takes
    /// the fans holding one past `active`; in `rate` mode the schedule's admissions over any
    /// minute stay within the rate plus one second's burst; in `pull` mode nobody is admitted but
    /// by a window, and windows are refused in the other modes.
    #[test]
    fn the_line_keeps_its_promises(ops in prop::collection::vec(op(), 1..120)) {
        let (mut core, mut store) = open_sale();
        let mut now = T0;
        let mut by_request: HashMap<u8, (UnixMillis, Vec<Assignment>)> = HashMap::new();
        let mut requests = 2u64;
        let mut mode = Admission::Pull;
        // Admissions of the current stretch of `rate` mode, by time.
        let mut rate_admissions: Vec<UnixMillis> = Vec::new();
        // Each finished place presented again, and the one new place it was turned into.
        let mut rejoined: HashMap<Seq, Seq> = HashMap::new();
        for op in ops {
            let counted = !matches!(op, Op::Wait(_) | Op::Restart);
            let handed_before = store.assignments.len() as u64;
            let held_before = core.queue().unwrap().held();
            match op {
                Op::Join => {
                    let Ok(Reply::Joined(j)) = store.run(&mut core, Command::Join { existing: None, pow: None }, now) else {
                        return Err(TestCaseError::fail("join"));
                    };
                    prop_assert_eq!(j.seq, core.queue().unwrap().stats(now).joined);
                }
                Op::Rejoin(seq) => {
                    let issued = core.queue().unwrap().issued(seq);
                    let answer = store.run(&mut core, Command::Join { existing: Some(seq), pow: None }, now);
                    let Ok(Reply::Joined(j)) = answer else {
                        return Err(TestCaseError::fail(format!("rejoin: {answer:?}")));
                    };
                    // A place is turned into a new one at most once; a repeat finds that one.
                    match (issued, j.created, rejoined.get(&seq)) {
                        (true, true, None) => { rejoined.insert(seq, j.seq); }
                        (true, true, Some(before)) => {
                            return Err(TestCaseError::fail(format!("{seq} made a second place {} after {before}", j.seq)));
                        }
                        (true, false, Some(before)) => prop_assert_eq!(j.seq, *before),
                        _ => {}
                    }
                }
                Op::Pull { window, max, retry } => {
                    let command = Command::Pull {
                        window: w(&format!("w{window}")),
                        max,
                        request_id: retry.map(|r| RequestId::parse(&format!("req-{r}")).unwrap()),
                    };
                    match store.run(&mut core, command, now) {
                        Ok(Reply::Pulled(p)) if p.replayed => {
                            let (_, earlier) = &by_request[&retry.unwrap()];
                            let seqs: Vec<Seq> = p.assignments.iter().map(|a| a.seq).collect();
                            let earlier_seqs: Vec<Seq> = earlier.iter().map(|a| a.seq).collect();
                            prop_assert_eq!(seqs, earlier_seqs);
                        }
                        Ok(Reply::Pulled(p)) => {
                            prop_assert!(mode.is_pull() || p.assignments.is_empty());
                            for (i, a) in p.assignments.iter().enumerate() {
                                prop_assert_eq!(a.seq, handed_before + i as u64 + 1, "in arrival order");
                            }
                            if let Some(r) = retry { by_request.insert(r, (now, p.assignments)); }
                        }
                        Err(QueueError::RequestIdReused) => {}
                        Err(QueueError::NotPullMode { admission }) => {
                            prop_assert!(!mode.is_pull());
                            prop_assert_eq!(admission, mode);
                        }
                        other => prop_assert!(false, "pull failed: {:?}", other),
                    }
                }
                Op::Claim(seq) => {
                    let answer = store.run(&mut core, Command::Claim { seq, hand: 0 }, now);
                    prop_assert!(matches!(answer, Ok(Reply::Claim(_))), "{:?}", answer);
                }
                Op::Complete(seq) => {
                    let fan_id = fan_id(&core, seq);
                    let finished_before = store.assignments.get(&seq).is_some_and(|a| a.state != AssignmentState::Assigned);
                    match store.run(&mut core, Command::Complete { fan_id }, now) {
                        Err(QueueError::AssignmentFinished { .. }) => prop_assert!(finished_before),
                        Err(QueueError::AssignmentNotFound) => prop_assert!(!store.assignments.contains_key(&seq)),
                        Ok(_) => prop_assert!(!finished_before),
                        Err(e) => prop_assert!(false, "{e}"),
                    }
                }
                Op::Release(seq) => {
                    let fan_id = fan_id(&core, seq);
                    let _ = store.run(&mut core, Command::Release { fan_id }, now);
                }
                Op::FinishBySeq(seq, complete) => {
                    let command = if complete { Command::CompleteSeq { seq } } else { Command::ReleaseSeq { seq } };
                    match store.run(&mut core, command, now) {
                        Ok(Reply::Assignment(a)) => {
                            prop_assert_eq!(a.seq, seq);
                            prop_assert_eq!(a.state, if complete { AssignmentState::Completed } else { AssignmentState::Released });
                        }
                        Err(QueueError::AssignmentNotFound) => prop_assert!(!store.assignments.contains_key(&seq)),
                        Err(QueueError::AssignmentFinished { .. }) => {}
                        other => prop_assert!(false, "{:?}", other),
                    }
                }
                Op::List(state) => {
                    let Ok(Reply::Assignments { assignments }) = store.run(&mut core, listing(state), now) else {
                        return Err(TestCaseError::fail("listing"));
                    };
                    let s = core.queue().unwrap().stats(now);
                    let expected = match state {
                        None => s.assigned + s.completed + s.released + s.lapsed + s.left + s.expired,
                        Some(AssignmentState::Assigned) => s.assigned,
                        Some(AssignmentState::Expired) => s.expired,
                        Some(_) => s.lapsed,
                    };
                    prop_assert_eq!(assignments.len() as u64, expected);
                }
                Op::Wait(ms) => {
                    now = now.plus_millis(ms);
                    prop_assert_eq!(store.run(&mut core, Input::Alarm, now), Ok(Reply::Done));
                    // Request ids are forgotten after PULL_REPLAY_TTL_MS, then start a new pull.
                    by_request.retain(|_, (at, _)| at.plus_millis(PULL_REPLAY_TTL_MS) >= now);
                }
                Op::Restart => {
                    // Counts not written yet are lost with the memory: at most the last
                    // REQUEST_COUNTS_EVERY_MS of them.
                    core = store.load(now);
                    requests = store.requests.values().sum();
                }
                Op::Mode(admission) => {
                    let answer = store.run(&mut core, upsert_with(admission), now);
                    prop_assert!(matches!(answer, Ok(Reply::Upserted { created: false, .. })), "{:?}", answer);
                    if let Admission::Rate { per_minute } = mode {
                        check_rate(per_minute, &rate_admissions)?;
                    }
                    rate_admissions.clear();
                    mode = admission;
                }
                Op::Pause => {
                    let _ = store.run(&mut core, Command::Pause, now);
                }
                Op::Open => {
                    let _ = store.run(&mut core, Command::Open, now);
                }
            }
            requests += u64::from(counted);
            let line = core.queue().unwrap();
            line.check_invariants().map_err(TestCaseError::fail)?;
            // What this step admitted, and how: by a window in pull mode, by the mode otherwise.
            let new: Vec<&Assignment> = store.assignments.range(handed_before + 1..).map(|(_, a)| a).collect();
            for a in &new {
                prop_assert_eq!(a.window.as_str(), if mode.is_pull() { a.window.as_str() } else { mode.mode() });
                prop_assert!(mode.is_pull() == a.window.as_str().starts_with('w'), "{:?} admitted {:?}", mode, a);
            }
            if let Admission::Capacity { active, .. } = mode {
                let held = line.held();
                prop_assert!(held <= held_before.max(u64::from(active)), "{} held, cap {}", held, active);
                if !new.is_empty() {
                    prop_assert!(held <= u64::from(active), "admitted past the cap: {} held, cap {}", held, active);
                }
            }
            if let Admission::Rate { .. } = mode {
                rate_admissions.extend(new.iter().map(|a| a.assigned_at));
            }
            let s = line.stats(now);
            let handed_out = store.assignments.len() as u64;
            prop_assert_eq!(s.waiting + handed_out, s.joined);
            prop_assert_eq!(s.assigned + s.completed + s.released + s.lapsed + s.expired, handed_out);
            prop_assert!(core.next_deadline().is_none_or(|d| d > now));
            prop_assert_eq!(core.requests().values().sum::<u64>(), requests);
            // Storage lags behind memory, but never by longer than REQUEST_COUNTS_EVERY_MS: the
            // alarm is due by then.
            for (kind, n) in &store.requests {
                prop_assert!(core.requests()[kind] >= *n);
            }
            if &store.requests != core.requests() {
                prop_assert!(core.next_deadline().is_some_and(|d| d <= now.plus_millis(REQUEST_COUNTS_EVERY_MS)));
            }
        }
        if let Admission::Rate { per_minute } = mode {
            check_rate(per_minute, &rate_admissions)?;
        }
        let restored = store.restore();
        let line = core.queue().unwrap();
        prop_assert_eq!(restored.stats(now), line.stats(now));
        // The rate schedule is not stored: a restart derives it from the newest admission, at the
        // same time or later (never earlier: the rate holds across restarts).
        let (mut restored_snapshot, mut snapshot) = (restored.snapshot(now), line.snapshot(now));
        prop_assert!(restored_snapshot.admission_next_at >= snapshot.admission_next_at);
        restored_snapshot.admission_next_at = None;
        snapshot.admission_next_at = None;
        prop_assert_eq!(restored_snapshot, snapshot);
    }
}

#[test]
fn a_claimed_pass_that_runs_out_expires_and_the_fan_may_join_again() {
    let (mut core, mut store) = two_fans_pulled();
    let claimed_at = T0.plus_secs(10);
    let Ok(Reply::Claim(Claim::Turn { .. })) =
        store.run(&mut core, Command::Claim { seq: 1, hand: 0 }, claimed_at)
    else {
        panic!("turn")
    };
    // Fan 2 never claims: its assignment lapses at 60 s; fan 1's pass (300 s) ends later.
    assert_eq!(core.next_deadline(), Some(T0.plus_secs(60)));
    store
        .run(&mut core, Input::Alarm, T0.plus_secs(60))
        .unwrap();
    let pass_end = claimed_at.plus_secs(300);
    assert_eq!(
        core.next_deadline(),
        Some(pass_end),
        "the alarm includes the pass"
    );
    store
        .run(&mut core, Input::Alarm, UnixMillis(pass_end.0 - 1))
        .unwrap();
    assert_eq!(store.assignments[&1].state, AssignmentState::Assigned);
    store.run(&mut core, Input::Alarm, pass_end).unwrap();
    let stats = core.queue().unwrap().stats(pass_end);
    assert_eq!(
        (stats.assigned, stats.claimed, stats.lapsed, stats.expired),
        (0, 0, 1, 1)
    );
    assert_eq!(store.assignments[&1].state, AssignmentState::Expired);
    assert_eq!(store.assignments[&1].finished_at, Some(pass_end));
    // The fan sees it ended, with the reason.
    let Ok(Reply::Claim(Claim::Lapsed { assignment })) =
        store.run(&mut core, Command::Claim { seq: 1, hand: 0 }, pass_end)
    else {
        panic!("lapsed")
    };
    assert_eq!(assignment.state.as_str(), "expired");
    // The origin is too late.
    let fan_1 = fan_id(&core, 1);
    assert_eq!(
        store.run(&mut core, Command::Complete { fan_id: fan_1 }, pass_end),
        Err(QueueError::AssignmentFinished {
            state: AssignmentState::Expired
        })
    );
    // The window sees it in its list.
    let Ok(Reply::Assignments { assignments }) =
        store.run(&mut core, listing(Some(AssignmentState::Expired)), pass_end)
    else {
        panic!("listing")
    };
    assert_eq!(assignments.iter().map(|a| a.seq).collect::<Vec<_>>(), [1]);
    // Joining again gives a new place, not the same one.
    let joined = join_again(&mut core, &mut store, 1, pass_end);
    assert!(joined.created && joined.seq == 3);
    // Once: the same token again finds that place, from the record storage holds too.
    for at in [pass_end, pass_end.plus_millis(RETAIN_FINISHED_MS + 1)] {
        let again = join_again(&mut core, &mut store, 1, at);
        assert_eq!((again.seq, again.created), (3, false), "at {at:?}");
    }
    // And a restart on what storage kept (older data has no expired state) agrees.
    let restarted = store.load(pass_end);
    assert_eq!(
        restarted.queue().unwrap().stats(pass_end),
        core.queue().unwrap().stats(pass_end)
    );
    core.queue().unwrap().check_invariants().unwrap();
}

#[test]
fn an_unexpired_claim_left_over_from_before_expires_after_a_restart() {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 1, T0);
    store.run(&mut core, pull(1), T0).unwrap();
    store
        .run(&mut core, Command::Claim { seq: 1, hand: 0 }, T0)
        .unwrap();
    // Long after the pass ended, the object starts again: the first sweep ends it.
    let later = T0.plus_secs(3_600);
    let mut core = store.load(later);
    assert_eq!(core.next_deadline(), Some(T0.plus_secs(300)));
    store.run(&mut core, Input::Alarm, later).unwrap();
    assert_eq!(store.assignments[&1].state, AssignmentState::Expired);
    assert_eq!(core.queue().unwrap().stats(later).expired, 1);
}

#[test]
fn request_counts_are_written_with_real_changes_or_when_due_and_never_alone() {
    let (mut core, mut store) = open_sale();
    assert_eq!(&store.requests, core.requests(), "upsert and open wrote");
    let written = store.requests.clone();
    // Read-only requests write nothing.
    for _ in 0..5 {
        assert!(matches!(
            core.handle(Command::Snapshot, T0),
            Step::Reply(Ok(_))
        ));
        assert!(core.take_changes().is_empty());
        assert!(matches!(
            core.handle(Command::Report, T0.plus_secs(1)),
            Step::Reply(Ok(_))
        ));
        assert!(core.take_changes().is_empty());
    }
    assert_eq!(store.requests, written);
    assert_eq!(core.requests()["snapshot"], 5);
    let due = T0.plus_millis(REQUEST_COUNTS_EVERY_MS);
    assert_eq!(core.next_deadline(), Some(due));
    // A join writes the line: the counts come along.
    store
        .run(
            &mut core,
            Command::Join {
                existing: None,
                pow: None,
            },
            T0.plus_secs(2),
        )
        .unwrap();
    assert_eq!(&store.requests, core.requests());
    assert_eq!(core.next_deadline(), None);
    // A read-only request after a while: written once it is due, by the request or the alarm.
    core.handle(Command::Snapshot, T0.plus_secs(3));
    assert!(core.take_changes().is_empty());
    let due = T0.plus_secs(3).plus_millis(REQUEST_COUNTS_EVERY_MS);
    assert_eq!(core.next_deadline(), Some(due));
    store.run(&mut core, Input::Alarm, due).unwrap();
    assert_eq!(&store.requests, core.requests());
    assert_eq!(store.requests.values().sum::<u64>(), 2 + 5 * 2 + 1 + 1);
}

#[test]
fn a_sale_that_does_not_exist_never_writes_its_counts() {
    let mut core = SaleMachine::default();
    for _ in 0..3 {
        assert_eq!(
            core.handle(Command::Snapshot, T0),
            Step::Reply(Err(QueueError::SaleNotFound))
        );
        assert!(core.take_changes().is_empty());
    }
    assert_eq!(core.next_deadline(), None);
    core.handle(Input::Alarm, T0.plus_millis(REQUEST_COUNTS_EVERY_MS));
    assert!(core.take_changes().is_empty());
}

/// A place whose stored record is unreadable is spent once all the same: a stand-in record takes
/// its place, so the token is turned into one new place, never more.
#[test]
fn a_place_whose_record_is_lost_is_taken_again_once() {
    let (_, mut store) = two_fans_pulled();
    // Fan 1's record is lost (unreadable rows are skipped at load).
    store.assignments.remove(&1);
    let mut core2 = store.load(T0);
    let join = |core: &mut SaleMachine, store: &mut MemoryStore| join_again(core, store, 1, T0);
    let first = join(&mut core2, &mut store);
    assert!(first.created);
    for _ in 0..3 {
        let again = join(&mut core2, &mut store);
        assert_eq!((again.seq, again.created), (first.seq, false));
    }
    let stand_in = &store.assignments[&1];
    assert_eq!(stand_in.state, AssignmentState::Left);
    assert_eq!(
        stand_in.rejoined_as.as_ref().map(|r| r.seq),
        Some(first.seq)
    );
    // And after a restart, from storage.
    let mut restarted = store.load(T0.plus_secs(1));
    let again = join(&mut restarted, &mut store);
    assert_eq!((again.seq, again.created), (first.seq, false));
    assert_eq!(restarted.queue().unwrap().stats(T0).joined, 3);
}

#[test]
fn a_full_upsert_repairs_a_sale_whose_settings_cannot_be_read_keeping_every_place() {
    let (mut core, mut store) = two_fans_pulled();
    store.join_new_fans(&mut core, 3, T0);
    let (_, restored) = store.restored(Some(T0)).expect("stored");
    // The settings record is lost; the line is not.
    let mut broken = SaleMachine::unavailable(Some(restored));
    assert_eq!(
        broken.handle(Command::Snapshot, T0),
        Step::Reply(Err(QueueError::SaleUnavailable))
    );
    let Step::Reply(Ok(Reply::Upserted { created, report })) = broken.handle(upsert(), T0) else {
        panic!("repaired")
    };
    assert!(!created);
    assert_eq!(
        report.phase,
        Phase::Paused,
        "repaired paused: how it stood was lost"
    );
    assert_eq!((report.stats.joined, report.stats.waiting), (5, 3));
    let changes = broken.take_changes();
    assert!(
        matches!(changes.first(), Some(Change::Sale(_))),
        "{changes:?}"
    );
    store.apply(changes);
    // It answers again, and a restart on what was written agrees.
    assert!(matches!(
        broken.handle(Command::Snapshot, T0),
        Step::Reply(Ok(Reply::Snapshot(_)))
    ));
    let restarted = store.load(T0);
    assert_eq!(
        restarted.queue().unwrap().stats(T0),
        broken.queue().unwrap().stats(T0)
    );
    // Without a readable line, nothing can repair it.
    let mut lost = SaleMachine::unavailable(None);
    assert_eq!(
        lost.handle(upsert(), T0),
        Step::Reply(Err(QueueError::SaleUnavailable))
    );
}

#[test]
fn a_sale_whose_settings_cannot_be_read_refuses_everything_and_writes_nothing() {
    let mut core = SaleMachine::unavailable(None);
    for command in [
        Command::Snapshot,
        upsert(),
        Command::Join {
            existing: None,
            pow: None,
        },
    ] {
        assert_eq!(
            core.handle(command, T0),
            Step::Reply(Err(QueueError::SaleUnavailable))
        );
    }
    assert_eq!(core.handle(Input::Alarm, T0), Step::Reply(Ok(Reply::Done)));
    assert!(core.take_changes().is_empty());
    assert_eq!(core.next_deadline(), None);
}

#[test]
fn unreadable_records_are_counted_in_the_report() {
    let (mut core, mut store) = open_sale();
    core.count_bad_records(2);
    store
        .run(
            &mut core,
            Command::LeaseBlock {
                shard: 0,
                closing: None,
                want: 8,
                replaced_unreadable: true,
                closing_gaps: Vec::new(),
                keep_open: Vec::new(),
                served: Default::default(),
            },
            T0,
        )
        .unwrap();
    let Ok(Reply::Report(report)) = store.run(&mut core, Command::Report, T0) else {
        panic!("report")
    };
    assert_eq!(report.bad_records, 3);
}

#[test]
fn a_fan_whose_assignment_cannot_be_read_gets_a_new_place() {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 2, T0);
    store.run(&mut core, pull(1), T0).unwrap();
    // Fan 1's record was unreadable at the restart: skipped.
    let mut lost = store.clone();
    lost.assignments.remove(&1);
    let mut core = lost.load(T0);
    let again = join_again(&mut core, &mut lost, 1, T0);
    assert!(again.created && again.seq == 3, "{again:?}");
    // Fan 2, still waiting, keeps their place.
    let waiting = join_again(&mut core, &mut lost, 2, T0);
    assert!(!waiting.created && waiting.seq == 2);
}

#[test]
fn only_the_record_asked_for_answers_a_need() {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 2, T0);
    let Ok(Reply::Pulled(pulled)) = store.run(&mut core, pull(2), T0) else {
        panic!("a pull");
    };
    let (first, second) = (&pulled.assignments[0], &pulled.assignments[1]);
    let by_seq = Need::AssignmentBySeq(first.seq);
    let by_fan = Need::AssignmentByFan(first.fan_id.clone());
    for need in [&by_seq, &by_fan] {
        assert!(answers(need, &Record::Assignment(Some(first.clone()))));
        assert!(answers(need, &Record::Assignment(None)), "not found");
        assert!(!answers(need, &Record::Assignment(Some(second.clone()))));
        assert!(!answers(need, &Record::Assignments(Vec::new())));
    }
    let listing = Need::Assignments {
        window: None,
        state: None,
        limit: 10,
    };
    assert!(answers(&listing, &Record::Assignments(vec![first.clone()])));
    assert!(!answers(&listing, &Record::Assignment(None)));
}
