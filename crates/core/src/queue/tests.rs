use super::*;
use crate::machines::sale_machine::memory_store::MemoryStore;
use crate::sale::{SaleSettings, SaleSettingsInput};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn settings(opens_at: Option<&str>) -> SaleSettings {
    SaleSettings::parse(SaleSettingsInput {
        opens_at: opens_at.map(str::to_owned),
        ..SaleSettingsInput::tour()
    })
    .unwrap()
}

fn open_sale() -> Queue {
    Queue::opened(SaleSettingsInput::tour(), T0)
}

fn w(name: &str) -> WindowId {
    WindowId::parse(name).unwrap()
}

fn rid(name: &str) -> Option<RequestId> {
    Some(RequestId::parse(name).unwrap())
}

fn join_n(c: &mut Queue, n: u64, now: UnixMillis) -> Vec<Joined> {
    (0..n).map(|_| c.join(now, None).unwrap()).collect()
}

#[test]
fn joins_get_consecutive_places() {
    let mut c = open_sale();
    let joined = join_n(&mut c, 3, T0);
    assert_eq!(
        joined
            .iter()
            .map(|j| (j.seq, j.position, j.ahead))
            .collect::<Vec<_>>(),
        vec![(1, 1, 0), (2, 2, 1), (3, 3, 2)]
    );
    assert!(joined.iter().all(|j| j.created));
    assert_ne!(joined[0].fan_id, joined[1].fan_id);
}

#[test]
fn pulls_hand_out_fans_in_arrival_order_once() {
    let mut c = open_sale();
    join_n(&mut c, 10, T0);
    let a = c.pull(T0, w("a"), 4, None).unwrap();
    let b = c.pull(T0, w("b"), 4, None).unwrap();
    let rest = c.pull(T0, w("a"), 100, None).unwrap();
    let seqs: Vec<Seq> = [a, b, rest]
        .iter()
        .flat_map(|p| p.assignments.iter().map(|x| x.seq))
        .collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
    assert!(c.pull(T0, w("b"), 5, None).unwrap().assignments.is_empty());
    c.check_invariants().unwrap();
}

#[test]
fn a_rejoin_with_a_held_place_keeps_it() {
    let mut c = open_sale();
    join_n(&mut c, 3, T0);
    let again = c.join(T0, Some(2)).unwrap();
    assert_eq!((again.seq, again.created, again.position), (2, false, 2));
    assert_eq!(c.stats(T0).joined, 3);
    // A place that was never handed out is not honoured.
    assert!(c.join(T0, Some(99)).unwrap().created);
}

#[test]
fn pull_retries_are_idempotent() {
    let mut c = open_sale();
    join_n(&mut c, 5, T0);
    let first = c.pull(T0, w("a"), 2, rid("r1")).unwrap();
    let retry = c.pull(T0.plus_secs(1), w("a"), 2, rid("r1")).unwrap();
    assert_eq!(first.assignments, retry.assignments);
    assert!(retry.replayed);
    assert_eq!(c.stats(T0).waiting, 3);
    assert_eq!(
        c.pull(T0, w("b"), 2, rid("r1")),
        Err(QueueError::RequestIdReused)
    );
    assert_eq!(
        c.pull(T0, w("a"), 3, rid("r1")),
        Err(QueueError::RequestIdReused)
    );
}

#[test]
fn request_ids_are_forgotten_after_a_while() {
    let mut c = open_sale();
    join_n(&mut c, 5, T0);
    c.pull(T0, w("a"), 1, rid("r1")).unwrap();
    let later = T0.plus_millis(PULL_REPLAY_TTL_MS + 1);
    let fresh = c.pull(later, w("a"), 1, rid("r1")).unwrap();
    assert!(!fresh.replayed);
    assert_eq!(fresh.assignments[0].seq, 2);
}

#[test]
fn pull_size_is_bounded() {
    let mut c = open_sale();
    assert_eq!(
        c.pull(T0, w("a"), 0, None),
        Err(QueueError::BadPullSize { max: 0 })
    );
    assert_eq!(
        c.pull(T0, w("a"), MAX_PULL + 1, None),
        Err(QueueError::BadPullSize { max: MAX_PULL + 1 })
    );
}

#[test]
fn unclaimed_assignments_lapse_and_the_fan_may_rejoin() {
    let mut c = open_sale();
    join_n(&mut c, 2, T0);
    let pulled = c.pull(T0, w("a"), 2, None).unwrap().assignments;
    assert_eq!(c.next_deadline(), Some(T0.plus_secs(60)));
    // Fan 2 claims in time; fan 1 never does.
    assert!(matches!(
        c.claim(T0.plus_secs(59), 2).unwrap(),
        Claim::Turn { .. }
    ));
    let late = T0.plus_secs(60);
    c.sweep(late);
    assert!(matches!(c.claim(late, 1).unwrap(), Claim::Lapsed { .. }));
    let stats = c.stats(late);
    assert_eq!((stats.lapsed, stats.assigned, stats.claimed), (1, 1, 1));
    assert_eq!(
        c.complete(late, &pulled[0].fan_id),
        Err(QueueError::AssignmentFinished {
            state: AssignmentState::Lapsed
        })
    );
    let lapsed = c.assignment(&pulled[0].fan_id).expect("fan 1's assignment");
    assert_eq!(
        (lapsed.seq, lapsed.state, &lapsed.window),
        (1, AssignmentState::Lapsed, &w("a"))
    );
    let back = c.join(late, Some(1)).unwrap();
    assert!(back.created);
    assert_eq!(back.seq, 3);
    // The lapsed place is spent: presenting it again finds the same new place, however often.
    for _ in 0..3 {
        let again = c.join(late, Some(1)).unwrap();
        assert_eq!((again.seq, again.created), (3, false));
        assert_eq!(again.fan_id, back.fan_id);
    }
    let recorded = c.assignment(&pulled[0].fan_id).expect("fan 1's assignment");
    assert_eq!(
        recorded.rejoined_as,
        Some(Rejoined {
            seq: 3,
            fan_id: back.fan_id.clone()
        })
    );
    assert_eq!(c.stats(late).joined, 3, "one new place, not four");
    // The new place's own token is a place like any other: held while it waits.
    assert_eq!(
        c.join(late, Some(3)).unwrap(),
        Joined {
            created: false,
            ..back
        }
    );
    c.check_invariants().unwrap();
}

#[test]
fn a_place_taken_again_is_recorded_with_the_change_that_took_it() {
    let mut c = open_sale();
    join_n(&mut c, 1, T0);
    c.pull(T0, w("a"), 1, None).unwrap();
    let late = T0.plus_secs(61);
    c.sweep(late);
    c.take_changes();
    let back = c.join(late, Some(1)).unwrap();
    let written: Vec<Assignment> = c
        .take_changes()
        .into_iter()
        .filter_map(|change| match change {
            Change::Assignment(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0].seq, 1);
    assert_eq!(
        written[0].rejoined_as.as_ref().map(|r| r.seq),
        Some(back.seq)
    );
}

#[test]
fn claims_return_the_same_pass_window_until_it_expires() {
    let mut c = open_sale();
    join_n(&mut c, 1, T0);
    c.pull(T0, w("a"), 1, None).unwrap();
    let Claim::Turn {
        assignment: first,
        pass_ttl_s,
        ..
    } = c.claim(T0.plus_secs(5), 1).unwrap()
    else {
        panic!()
    };
    let Claim::Turn {
        assignment: again, ..
    } = c.claim(T0.plus_secs(9), 1).unwrap()
    else {
        panic!()
    };
    assert_eq!(first, again);
    assert_eq!(first.claimed_at, Some(T0.plus_secs(5)));
    assert!(matches!(
        c.claim(T0.plus_secs(5 + pass_ttl_s), 1).unwrap(),
        Claim::Lapsed { .. }
    ));
}

#[test]
fn complete_and_release_happen_once() {
    let mut c = open_sale();
    join_n(&mut c, 2, T0);
    let p = c.pull(T0, w("a"), 2, None).unwrap().assignments;
    assert_eq!(
        c.complete(T0, &p[0].fan_id).unwrap().state,
        AssignmentState::Completed
    );
    assert_eq!(
        c.complete(T0, &p[0].fan_id),
        Err(QueueError::AssignmentFinished {
            state: AssignmentState::Completed
        })
    );
    assert_eq!(
        c.release(T0, &p[1].fan_id).unwrap().state,
        AssignmentState::Released
    );
    assert!(c.release(T0, &p[1].fan_id).is_err());
    assert_eq!(
        c.complete(T0, &FanId::from_bytes([1; 10])),
        Err(QueueError::AssignmentNotFound)
    );
    let s = c.stats(T0);
    assert_eq!(
        (s.completed, s.released, s.assigned, s.waiting),
        (1, 1, 0, 0)
    );
    // A released fan starts over; a completed one keeps their place.
    assert!(c.join(T0, Some(2)).unwrap().created);
    assert!(!c.join(T0, Some(1)).unwrap().created);
}

#[test]
fn phase_rules() {
    let mut c = Queue::create(
        SaleId::parse("tour").unwrap(),
        settings(Some("2027-01-15T10:00:00Z")),
        "salt-0123456789".into(),
        None,
        T0,
    )
    .unwrap();
    let opens = UnixMillis::parse_rfc3339("2027-01-15T10:00:00Z").unwrap();
    let before = UnixMillis(opens.0 - 1);
    assert_eq!(
        c.join(before, None),
        Err(QueueError::NotOpen {
            opens_at: Some(opens)
        })
    );
    assert_eq!(
        c.pause(before),
        Err(QueueError::NotOpen {
            opens_at: Some(opens)
        })
    );
    // It opens by itself at opens_at, with nobody calling open.
    assert_eq!(c.join(opens, None).unwrap().seq, 1);
    c.pause(opens).unwrap();
    assert_eq!(c.phase_at(opens), Phase::Paused);
    assert_eq!(
        c.join(opens, None).unwrap().seq,
        2,
        "paused sales still take joins"
    );
    let paused = c.pull(opens, w("a"), 5, None).unwrap();
    assert!(paused.assignments.is_empty());
    assert_eq!(paused.phase, Phase::Paused);
    c.open(opens).unwrap();
    assert_eq!(c.pull(opens, w("a"), 5, None).unwrap().assignments.len(), 2);
    c.close(opens);
    assert_eq!(c.join(opens, None), Err(QueueError::Closed));
    assert_eq!(c.open(opens), Err(QueueError::AlreadyClosed));
    assert_eq!(c.pull(opens, w("a"), 5, None).unwrap().phase, Phase::Closed);
}

#[test]
fn restored_state_is_the_same_state() {
    let mut c = open_sale();
    let mut store = MemoryStore::default();
    join_n(&mut c, 20, T0);
    c.pull(T0, w("a"), 5, rid("r1")).unwrap();
    c.claim(T0.plus_secs(1), 2).unwrap();
    c.complete(T0.plus_secs(2), &c.fan_id(3)).unwrap();
    c.sweep(T0.plus_secs(120));
    store.apply(c.take_changes());
    let r = store.restore();
    r.check_invariants().unwrap();
    let now = T0.plus_secs(121);
    assert_eq!(r.stats(now), c.stats(now));
    assert_eq!(r.snapshot(now), c.snapshot(now));
    let mut r = r;
    assert_eq!(
        r.pull(now, w("a"), 5, rid("r1")).unwrap(),
        c.pull(now, w("a"), 5, rid("r1")).unwrap()
    );
}

fn with_presence(ttl_s: u64) -> Queue {
    let mut s = settings(None);
    s.presence_ttl_s = ttl_s;
    let mut c = Queue::create(
        SaleId::parse("tour").unwrap(),
        s,
        "salt-0123456789".into(),
        None,
        T0,
    )
    .unwrap();
    c.open(T0).unwrap();
    c
}

#[test]
fn fans_who_left_are_skipped_at_the_front() {
    let mut c = with_presence(30);
    join_n(&mut c, 100, T0);
    c.sweep(T0);
    assert_eq!(c.presence_zone(T0), MIN_PRESENCE_ZONE);
    // Fans 1..=20 are near the front from the start; only odd ones keep polling.
    for t in (0..=40).step_by(5) {
        let now = T0.plus_secs(t);
        c.sweep(now);
        for seq in (1..=20).step_by(2) {
            c.present(now, seq);
        }
    }
    let now = T0.plus_secs(41);
    let pulled = c.pull(now, w("a"), 10, None).unwrap().assignments;
    let seqs: Vec<Seq> = pulled.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs,
        vec![1, 3, 5, 7, 9, 11, 13, 15, 17, 19],
        "the even ones left"
    );
    let s = c.stats(now);
    assert_eq!(
        (s.left, s.assigned),
        (9, 10),
        "2, 4, ..., 18 were skipped; 20 is not reached yet"
    );
    // Fans further back just came near the front: they have their full grace period.
    let next = c.pull(now, w("a"), 5, None).unwrap().assignments;
    assert_eq!(
        next.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![21, 22, 23, 24, 25]
    );
    // A skipped fan who comes back is told, and may join again.
    assert!(
        matches!(c.claim(now, 2).unwrap(), Claim::Lapsed { assignment } if assignment.state == AssignmentState::Left)
    );
    assert!(c.join(now, Some(2)).unwrap().created);
    c.check_invariants().unwrap();
}

#[test]
fn presence_can_be_switched_off() {
    let mut c = with_presence(0);
    join_n(&mut c, 5, T0);
    c.sweep(T0);
    let later = T0.plus_secs(3_600);
    assert_eq!(c.pull(later, w("a"), 5, None).unwrap().assignments.len(), 5);
}

#[test]
fn the_keyed_fan_id_is_the_one_shards_derive() {
    let mut c = open_sale();
    let salt = FanSalt::from("salt-0123456789");
    let ids: Vec<FanId> = [1, 2, 1, 4_096, u64::MAX].map(|s| c.fan_id(s)).into();
    for (id, seq) in ids.iter().zip([1, 2, 1, 4_096, u64::MAX]) {
        assert_eq!(*id, fan_id_for(&salt, seq));
    }
    assert_eq!(ids[0], ids[2]);
    assert_ne!(ids[0], ids[1]);
    // An update keeps the salt, and so the key.
    c.update_settings(settings(None), None, T0).unwrap();
    assert_eq!(c.sale().fan_salt, salt);
    assert_eq!(c.fan_id(4_096), fan_id_for(&salt, 4_096));
}

#[test]
fn an_invitation_only_sales_shards_are_fixed_once_fans_joined() {
    let with = |access: Option<&str>, shards: u32| SaleSettings {
        access: access.map_or(Default::default(), |a| {
            crate::fairness::invitation::Access::parse(a).unwrap()
        }),
        shards,
        ..settings(None)
    };
    let mut c = open_sale();
    // Before anyone joined, anything goes (one live change of shards at a time: see below).
    let settled = |n: u64| T0.plus_millis(n * crate::queue::snapshot::SHARDS_CHANGE_SETTLES_MS);
    c.update_settings(with(Some("invite"), 1), None, T0)
        .unwrap();
    c.update_settings(with(Some("invite"), 4), None, settled(1))
        .unwrap();
    c.update_settings(with(Some("invite"), 1), None, settled(2))
        .unwrap();
    let now = settled(3);
    c.join(now, None).unwrap();
    // Members' places are kept per shard: the count stays, becoming invite-only or not.
    for (access, shards) in [(Some("invite"), 2), (None, 2), (Some("open"), 3)] {
        assert_eq!(
            c.update_settings(with(access, shards), None, now),
            Err(QueueError::ShardsFixed),
            "{access:?} {shards}"
        );
    }
    assert_eq!(c.sale().settings.shards, 1, "a refusal changes nothing");
    c.update_settings(with(None, 1), None, now).unwrap();
    // An open sale's shards may change at any time, once every SHARDS_CHANGE_SETTLES_MS.
    c.update_settings(with(None, 8), None, now).unwrap();
}

#[test]
fn a_live_change_of_shards_is_recorded_and_the_next_waits_until_it_settled() {
    let with = |shards: u32| SaleSettings {
        shards,
        ..settings(None)
    };
    // Also before the sale opens (challenges are handed out then): one change at a time.
    let mut c = Queue::create(
        SaleId::parse("tour").unwrap(),
        with(1),
        FanSalt::from("salt"),
        None,
        T0,
    )
    .unwrap();
    c.update_settings(with(2), None, T0).unwrap();
    let settled = T0.plus_millis(crate::queue::snapshot::SHARDS_CHANGE_SETTLES_MS);
    assert_eq!(
        c.update_settings(with(4), None, T0),
        Err(QueueError::ShardsChanging { until: settled })
    );
    c.open(T0).unwrap();
    assert_eq!(
        c.update_settings(with(8), None, T0.plus_secs(10)),
        Err(QueueError::ShardsChanging { until: settled })
    );
    let at = settled;
    c.update_settings(with(8), None, at).unwrap();
    assert_eq!(
        c.sale().shards_changed,
        Some(crate::sale::ShardsChange { from: 2, at })
    );
    let until = at.plus_millis(crate::queue::snapshot::SHARDS_CHANGE_SETTLES_MS);
    assert_eq!(
        c.update_settings(with(4), None, UnixMillis(until.0 - 1)),
        Err(QueueError::ShardsChanging { until })
    );
    assert_eq!(c.sale().settings.shards, 8, "a refusal changes nothing");
    // Other settings change meanwhile; then shards again.
    c.update_settings(with(8), None, at.plus_secs(1)).unwrap();
    c.update_settings(with(4), None, until).unwrap();
    assert_eq!(c.sale().shards_changed.map(|s| s.from), Some(8));
}

/// The presence zone is counted in fans, not numbers: with nine unused numbers after every fan
/// (sub-blocks the edge returned mostly unused), the 20th fan from the front is in a zone of 20
/// from the start, at the coordinator (its silence is counted, so it is skipped, not handed a
/// turn that lapses) and at the edge (it reports presence and may hold a socket), and the 21st
/// is not. Before, the coordinator counted the zone as the next 20 numbers: two fans.
#[test]
fn the_presence_zone_is_counted_in_fans_not_numbers() {
    let mut s = settings(None);
    s.presence_ttl_s = 30;
    s.shards = 4;
    let mut c = Queue::create(
        SaleId::parse("tour").unwrap(),
        s,
        "salt-0123456789".into(),
        None,
        T0,
    )
    .unwrap();
    c.open(T0).unwrap();
    // 400 fans at numbers 1, 11, 21, ...: 400 gaps, more than the snapshot lists one by one.
    let lease = c.lease_block(T0, 0, None, 4_000).unwrap();
    assert_eq!((lease.start, lease.len), (1, 4_000));
    let gaps: Vec<SeqRange> = (0..400u64).map(|k| SeqRange::new(2 + 10 * k, 9)).collect();
    c.close_block_with_gaps(T0, 0, 1, 4_000, &gaps);
    c.sweep(T0);
    let zone = c.presence_zone(T0);
    assert_eq!(zone, MIN_PRESENCE_ZONE);
    let fan = |k: u64| 1 + 10 * k;
    // The edge: by the fewest fans who may be ahead, exact here.
    let snap = c.snapshot(T0);
    assert!(snap.unused.is_some(), "some gaps counted in ranges");
    for k in 0..400 {
        let view = snap.fan_view(fan(k), T0);
        assert_eq!(view.in_zone(zone), k < zone, "fan {k} from the front");
        assert!(matches!(c.claim(T0, fan(k)).unwrap(), Claim::Waiting { ahead, .. } if ahead == k));
    }
    // The coordinator: everyone in the zone but the 20th fan says they are there; 31 s later
    // the front reaches the 20th, who is skipped; the 21st entered the zone only as the line
    // moved, so has their full grace period.
    for t in (0..=40).step_by(5) {
        let now = T0.plus_secs(t);
        c.sweep(now);
        for k in 0..zone - 1 {
            c.present(now, fan(k));
        }
    }
    let now = T0.plus_secs(41);
    let pulled: Vec<Seq> = c
        .pull(now, w("a"), 20, None)
        .unwrap()
        .assignments
        .iter()
        .map(|a| a.seq)
        .collect();
    let want: Vec<Seq> = (0..zone - 1).chain([zone]).map(fan).collect();
    assert_eq!(
        pulled, want,
        "the silent 20th fan skipped, the 21st handed out"
    );
    assert!(matches!(
        c.claim(now, fan(zone - 1)).unwrap(),
        Claim::Lapsed { assignment } if assignment.state == AssignmentState::Left
    ));
    c.check_invariants().unwrap();
}
