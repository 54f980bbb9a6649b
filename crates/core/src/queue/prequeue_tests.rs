//! The pre-queue and its draw, through the coordinator and its arrival shards.

use super::*;
use crate::machines::sale_machine::memory_store::MemoryStore;
use crate::machines::shard::{ring_alarms, ArrivalShard, ShardStep, MAX_LEASE_ATTEMPTS};
use crate::queue::draw::Permutation;
use crate::queue::snapshot::FanView;
use crate::sale::{SaleSettings, SaleSettingsInput};
use proptest::prelude::*;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);
/// The pre-queue opens at T0 and the sale at T0 + 4 s.
const OPENS: UnixMillis = UnixMillis(T0.0 + 4_000);

fn key() -> DrawKey {
    DrawKey::from_bytes([9; 32])
}

fn settings(shards: u32, opens_at: UnixMillis) -> SaleSettings {
    SaleSettings::parse(SaleSettingsInput {
        prequeue_opens_at: Some(T0.to_rfc3339()),
        opens_at: Some(opens_at.to_rfc3339()),
        claim_ttl_s: Some(600),
        shards: Some(shards),
        pass_ttl_s: None,
        ..SaleSettingsInput::tour()
    })
    .unwrap()
}

fn sale(shards: u32) -> Queue {
    Queue::create(
        SaleId::parse("tour").unwrap(),
        settings(shards, OPENS),
        "salt-0123456789".into(),
        Some(key()),
        UnixMillis(T0.0 - 1_000),
    )
    .unwrap()
}

/// A join at shard `k` (or at the coordinator with one shard), leasing as the adapters do.
fn join(c: &mut Queue, shards: &mut [ArrivalShard], k: usize, now: UnixMillis) -> Seq {
    c.sweep(now);
    if shards.len() == 1 {
        return c.join(now, None).unwrap().seq;
    }
    for _ in 0..MAX_LEASE_ATTEMPTS {
        match shards[k].handle(now) {
            ShardStep::Joined(joined) => return joined.seq,
            ShardStep::Lease(request) => {
                let answer = c
                    .lease_block(now, k as u32, request.closing, request.want)
                    .map(crate::machines::protocol::Reply::Lease);
                shards[k].supply(&request, answer, now).unwrap();
            }
            other => panic!("a fan's join asks nothing else: {other:?}"),
        }
    }
    panic!("no number after {MAX_LEASE_ATTEMPTS} leases");
}

fn pull(c: &mut Queue, now: UnixMillis, max: u32) -> Vec<Seq> {
    c.pull(now, WindowId::parse("w").unwrap(), max, None)
        .unwrap()
        .assignments
        .iter()
        .map(|a| a.seq)
        .collect()
}

#[test]
fn the_key_is_committed_then_revealed_and_the_window_is_fixed() {
    let mut c = sale(1);
    let before = T0.plus_millis(0);
    let info = c.snapshot(UnixMillis(T0.0 - 1)).draw.unwrap();
    assert_eq!(
        (info.commitment.as_str(), info.key.as_ref(), info.end),
        (key().commitment().as_str(), None, 0)
    );
    // The pre-queue is open: fans join, the order is not drawn, the window is fixed.
    assert_eq!(c.phase_at(before), Phase::Prequeue);
    assert_eq!(c.open(before), Err(QueueError::PrequeueFixed));
    assert_eq!(c.pause(before), Err(QueueError::PrequeueFixed));
    let later = settings(1, OPENS.plus_millis(60_000));
    assert_eq!(
        c.update_settings(later, None, before),
        Err(QueueError::PrequeueFixed)
    );
    c.update_settings(settings(1, OPENS), None, before).unwrap();
    for _ in 0..3 {
        c.join(before, None).unwrap();
    }
    let snap = c.snapshot(before);
    assert_eq!(
        snap.draw.as_ref().map(|d| (d.end, d.key.is_none())),
        Some((3, true))
    );
    assert!(!serde_json::to_string(&snap)
        .unwrap()
        .contains(&key().to_hex()));
    assert!(matches!(
        snap.fan_view(2, before),
        FanView::Prequeue {
            draw_at: Some(OPENS),
            ..
        }
    ));
    // At opens_at: drawn, the key is published and matches; nothing moves the window now.
    c.sweep(OPENS);
    let info = c.snapshot(OPENS).draw.unwrap();
    assert_eq!(info.key, Some(key()));
    assert_eq!(info.key_matches(), Some(true));
    assert_eq!(
        c.update_settings(settings(1, OPENS.plus_millis(1)), None, OPENS),
        Err(QueueError::PrequeueFixed)
    );
    // A fan after the draw follows the pre-queue.
    let late = c.join(OPENS, None).unwrap();
    assert_eq!((late.seq, late.position), (4, 4));
    let drawn: Vec<Position> = (1..=3).map(|s| c.position_of(s)).collect();
    let mut sorted = drawn.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![Position(1), Position(2), Position(3)]);
    let order = pull(&mut c, OPENS, 10);
    let mut by_position = vec![1, 2, 3];
    by_position.sort_by_key(|s| c.position_of(*s));
    by_position.push(4);
    assert_eq!(order, by_position);
    c.check_invariants().unwrap();
}

#[test]
fn a_sale_without_a_key_gets_no_prequeue() {
    let made = Queue::create(
        SaleId::parse("tour").unwrap(),
        settings(1, OPENS),
        "salt".into(),
        None,
        T0,
    );
    assert_eq!(made.err(), Some(QueueError::Busy));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Fans arriving through random shards before and after `opens_at` (blocks leased before
    /// it straddle it), windows pulling after it: every pre-queue fan is handed out before any
    /// later fan, in drawn order; the edge's position for every waiting fan equals a brute-force
    /// count of waiting fans drawn ahead of them (unused numbers skipped); and a restart draws the
    /// same order.
    #[test]
    fn the_draw_orders_the_prequeue_and_late_fans_follow(
        shard_count in 1u32..4,
        mut arrivals in prop::collection::vec((0u64..8_000, 0usize..4), 1..120),
        pulls in prop::collection::vec((4_000u64..9_000, 1u32..6), 0..12),
        stop_at in 0usize..60,
    ) {
        arrivals.sort_unstable();
        let mut c = sale(shard_count);
        let mut shards = vec![ArrivalShard::default(); shard_count as usize];
        let mut events: Vec<(u64, Option<usize>, u32)> = arrivals
            .iter()
            .map(|(t, k)| (*t, Some(k % shard_count as usize), 0))
            .chain(pulls.iter().map(|(t, max)| (*t, None, *max)))
            .collect();
        events.sort_unstable();
        let mut fans: Vec<(Seq, UnixMillis)> = Vec::new();
        let mut pulled: Vec<Seq> = Vec::new();
        for (t, who, max) in events {
            let now = T0.plus_millis(t);
            ring_alarms(&mut c, &mut shards, now);
            match who {
                Some(k) => fans.push((join(&mut c, &mut shards, k, now), now)),
                None => pulled.extend(pull(&mut c, now, max)),
            }
            c.check_invariants().map_err(TestCaseError::fail)?;
        }
        // Every block reported, then some fans pulled.
        let end_time = T0.plus_millis(20_000);
        ring_alarms(&mut c, &mut shards, end_time);
        c.sweep(end_time);
        pulled.extend(pull(&mut c, end_time, (stop_at as u32).clamp(1, 100)));
        c.check_invariants().map_err(TestCaseError::fail)?;

        let snap = c.snapshot(end_time);
        let draw = snap.draw.clone().unwrap();
        prop_assert_eq!(draw.key.clone(), Some(key()));
        let perm = Permutation::new(&key(), draw.end);
        for (seq, at) in &fans {
            prop_assert_eq!(*seq <= draw.end, *at < OPENS, "fan {} at {}", seq, at);
        }
        // Waiting fans, brute force: ordered by drawn position.
        let mut waiting: Vec<Seq> = fans
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| !pulled.contains(s))
            .collect();
        waiting.sort_by_key(|s| perm.position_of(*s));
        for (rank, seq) in waiting.iter().enumerate() {
            match snap.fan_view(*seq, end_time) {
                FanView::Waiting { position, .. } => {
                    prop_assert_eq!(position, rank as u64 + 1, "fan {}", seq)
                }
                other => prop_assert!(false, "fan {} sees {:?}", seq, other),
            }
        }
        // A restart rebuilds the same line.
        let mut store = MemoryStore::default();
        store.apply(c.take_changes());
        let mut restored = store.restore();
        restored.draw_if_due(end_time);
        restored.check_invariants().map_err(TestCaseError::fail)?;
        prop_assert_eq!(restored.snapshot(end_time), snap);
        // Everyone, in order: the pre-queue in drawn order, then the others by arrival.
        pulled.extend(pull(&mut c, end_time, 100));
        pulled.extend(pull(&mut c, end_time, 100));
        let mut expected: Vec<Seq> = fans.iter().map(|(s, _)| *s).collect();
        expected.sort_by_key(|s| perm.position_of(*s));
        prop_assert_eq!(&pulled, &expected);
        let last_prequeue = pulled.iter().rposition(|s| *s <= draw.end);
        let first_late = pulled.iter().position(|s| *s > draw.end);
        if let (Some(a), Some(b)) = (last_prequeue, first_late) {
            prop_assert!(a < b, "a late fan was handed out before a pre-queue fan");
        }
    }
}

/// The front zone starts at the draw: fans who waited in a long pre-queue (with no place to
/// poll for) are not taken for gone the moment they reach the front.
#[test]
fn presence_starts_counting_at_the_draw() {
    let opens = T0.plus_millis(120_000);
    let mut s = settings(1, opens);
    s.presence_ttl_s = 30;
    let mut c = Queue::create(
        SaleId::parse("tour").unwrap(),
        s,
        "salt".into(),
        Some(key()),
        T0,
    )
    .unwrap();
    for _ in 0..5 {
        c.join(T0, None).unwrap();
    }
    for t in (0..120_000).step_by(10_000) {
        c.sweep(T0.plus_millis(t));
    }
    let pulled = c
        .pull(opens, WindowId::parse("w").unwrap(), 5, None)
        .unwrap();
    assert!(
        pulled
            .assignments
            .iter()
            .all(|a| a.state == AssignmentState::Assigned),
        "{pulled:?}"
    );
    assert_eq!(pulled.assignments.len(), 5);
}
