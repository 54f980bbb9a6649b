use super::*;
use crate::coordinator::{Coordinator, BLOCK_ABANDON_MS};
use crate::ids::{SaleId, WindowId};
use crate::protocol::{Command, Reply, ShardJoined};
use crate::sale::{SaleSettings, SaleSettingsInput};
use crate::snapshot::FanView;
use proptest::prelude::*;

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn sale(shards: u32) -> Coordinator {
    let settings = SaleSettings::parse(SaleSettingsInput {
        name: "Tour".into(),
        admission: None,
        purchase_url: "https://tickets.example/buy".into(),
        opens_at: None,
        claim_ttl_s: Some(600),
        pass_ttl_s: None,
        branding: None,
        shards: Some(shards),
        presence_ttl_s: Some(0),
        webhook_url: None,
        turnstile_site_key: None,
        pass_delivery: None,
        pow_bits: None,
        rate_limit_per_min: None,
    })
    .unwrap();
    let mut c = Coordinator::create(
        SaleId::parse("tour").unwrap(),
        settings,
        "salt-0123456789".into(),
        T0,
    );
    c.open(T0).unwrap();
    c
}

/// The shard and coordinator adapters, minus the network: a join, leasing when needed.
fn join(
    c: &mut Coordinator,
    shards: &mut [ArrivalShard],
    k: usize,
    now: UnixMillis,
    leases: &mut u64,
) -> Seq {
    for _ in 0..MAX_LEASE_ATTEMPTS {
        match shards[k].handle(now) {
            ShardStep::Joined(ShardJoined { fan_id, seq }) => {
                assert_eq!(
                    fan_id,
                    c.fan_id(seq),
                    "shards derive the coordinator's fan ids"
                );
                return seq;
            }
            ShardStep::Lease(request) => {
                *leases += 1;
                let answer = c
                    .lease_block(now, k as u32, request.closing, request.want)
                    .map(Reply::Lease);
                assert_eq!(shards[k].supply(request, answer, now), Ok(true));
            }
        }
    }
    panic!("no number after {MAX_LEASE_ATTEMPTS} leases");
}

/// What each shard's alarm does once its block's time is up.
fn alarms(c: &mut Coordinator, shards: &mut [ArrivalShard], now: UnixMillis) {
    for (k, shard) in shards.iter_mut().enumerate() {
        if let Some((start, used)) = shard.expired(now) {
            c.close_block(now, k as u32, start, used);
            shard.closed(start);
        }
    }
}

fn drain(c: &mut Coordinator, now: UnixMillis) -> Vec<Seq> {
    let mut seqs = Vec::new();
    loop {
        let p = c
            .pull(now, WindowId::parse("w").unwrap(), 100, None)
            .unwrap();
        if p.assignments.is_empty() {
            return seqs;
        }
        seqs.extend(p.assignments.iter().map(|a| a.seq));
    }
}

#[test]
fn a_lease_already_installed_refusals_and_odd_replies_are_told_apart() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let ShardStep::Lease(request) = shard.handle(T0) else {
        panic!("a new shard has no block")
    };
    assert_eq!(
        request.command(0),
        Command::LeaseBlock {
            shard: 0,
            closing: None,
            want: MIN_BLOCK,
            replaced_unreadable: false,
        }
    );
    let lease = c.lease_block(T0, 0, request.closing, request.want).unwrap();
    assert_eq!(
        shard.supply(request, Ok(Reply::Lease(lease.clone())), T0),
        Ok(true)
    );
    assert_eq!(
        shard.next_deadline(),
        Some(T0.plus_millis(BLOCK_TTL_MS + 20))
    );
    // The same block again, or an older one arriving late: nothing to install.
    assert_eq!(
        shard.supply(request, Ok(Reply::Lease(lease.clone())), T0),
        Ok(false)
    );
    let older = BlockLease {
        start: lease.start - 1,
        ..lease.clone()
    };
    assert_eq!(
        shard.supply(request, Ok(Reply::Lease(older)), T0),
        Ok(false)
    );
    assert_eq!(shard.current_start(), Some(lease.start));
    assert!(matches!(
        shard.handle(T0),
        ShardStep::Joined(ShardJoined { seq: 1, .. })
    ));
    assert_eq!(
        shard.supply(request, Err(QueueError::Closed), T0),
        Err(LeaseFailed::Refused(QueueError::Closed))
    );
    assert!(matches!(
        shard.supply(request, Ok(Reply::Done), T0),
        Err(LeaseFailed::Unexpected(_))
    ));
}

#[test]
fn a_lease_lives_from_its_arrival_by_the_shards_clock() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let ShardStep::Lease(request) = shard.handle(T0) else {
        panic!("no block yet")
    };
    let lease = c.lease_block(T0, 0, request.closing, request.want).unwrap();
    assert_eq!(lease.ttl_ms, BLOCK_TTL_MS);
    // The answer took three seconds to come back (a queued coordinator): still usable.
    let arrived = T0.plus_secs(3);
    assert_eq!(
        shard.supply(request, Ok(Reply::Lease(lease)), arrived),
        Ok(true)
    );
    assert!(matches!(
        shard.handle(arrived.plus_millis(BLOCK_TTL_MS - 1)),
        ShardStep::Joined(ShardJoined { seq: 1, .. })
    ));
    assert_eq!(shard.block_until(), Some(arrived.plus_millis(BLOCK_TTL_MS)));
    assert_eq!(
        shard.expired(arrived.plus_millis(BLOCK_TTL_MS)),
        Some((1, 1))
    );
    assert!(matches!(
        shard.handle(arrived.plus_millis(BLOCK_TTL_MS)),
        ShardStep::Lease(LeaseRequest {
            closing: Some((1, 1)),
            ..
        })
    ));
}

#[test]
fn state_stored_before_lifetimes_loads_and_closes_its_block() {
    // A block as stored by the version whose lease carried the coordinator's `until`.
    let old = r#"{"block":{"lease":{"start":9,"len":8,"leased_at":5,"until":1005,"fan_salt":"salt-0123456789"},"used":3},"want":8}"#;
    let mut shard: ArrivalShard = serde_json::from_str(old).unwrap();
    assert_eq!(shard.expired(T0), Some((9, 3)));
    let ShardStep::Lease(request) = shard.handle(T0) else {
        panic!("the old block is used up")
    };
    assert_eq!(request.closing, Some((9, 3)));
}

#[test]
fn a_replaced_unreadable_state_says_so_in_its_next_lease_only() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::replacing_unreadable();
    let ShardStep::Lease(request) = shard.handle(T0) else {
        panic!("no block yet")
    };
    assert!(matches!(
        request.command(0),
        Command::LeaseBlock {
            replaced_unreadable: true,
            ..
        }
    ));
    let lease = c.lease_block(T0, 0, request.closing, request.want).unwrap();
    shard.supply(request, Ok(Reply::Lease(lease)), T0).unwrap();
    assert!(!shard.lease_request(T0).replaced_unreadable);
}

#[test]
fn blocks_grow_with_the_rate_and_leases_stay_rare() {
    // 1,000 joins a second over 4 shards for 10 seconds.
    let mut c = sale(4);
    let mut shards = vec![ArrivalShard::default(); 4];
    let mut leases = 0;
    let mut now = T0;
    for i in 0..10_000u64 {
        now = T0.plus_millis(i);
        join(&mut c, &mut shards, (i % 4) as usize, now, &mut leases);
        if i % 100 == 0 {
            alarms(&mut c, &mut shards, now);
        }
    }
    assert!(
        leases * 1000 / 10_000 <= 10,
        "{leases} leases for 10,000 joins"
    );
    alarms(&mut c, &mut shards, now.plus_millis(BLOCK_TTL_MS));
    assert_eq!(c.stats(now).joined, 10_000);
    c.check_invariants().unwrap();
}

#[test]
fn an_unreported_block_never_stalls_the_line() {
    let mut c = sale(2);
    let mut shards = vec![ArrivalShard::default(); 2];
    let mut leases = 0;
    let a = join(&mut c, &mut shards, 0, T0, &mut leases);
    let b = join(&mut c, &mut shards, 1, T0, &mut leases);
    assert!(a < b);
    // Shard 0 loses its state before reporting; shard 1 reports. The line waits for shard 0...
    shards[0] = ArrivalShard::default();
    alarms(&mut c, &mut shards, T0.plus_millis(BLOCK_TTL_MS));
    assert!(drain(&mut c, T0.plus_millis(BLOCK_TTL_MS)).is_empty());
    // ...but not forever: an abandoned block counts as fully used.
    let later = T0.plus_millis(BLOCK_ABANDON_MS + BLOCK_TTL_MS);
    alarms(&mut c, &mut shards, later);
    let pulled = drain(&mut c, later);
    assert!(pulled.contains(&a) && pulled.contains(&b), "{pulled:?}");
    c.check_invariants().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With any number of shards and any arrival pattern: a fan is passed only by fans who
    /// arrived less than BLOCK_TTL_MS after them; every fan is handed out exactly once, in
    /// number order; unused numbers neither stall the line nor count as fans ahead.
    #[test]
    fn shards_keep_order_within_the_bound(
        shard_count in 1usize..6,
        arrivals in prop::collection::vec((0u64..700, 0usize..6), 1..150),
        pull_every in 1usize..50,
    ) {
        let mut c = sale(shard_count as u32);
        let mut shards = vec![ArrivalShard::default(); shard_count];
        let mut leases = 0;
        let mut now = T0;
        let mut fans: Vec<(UnixMillis, Seq)> = Vec::new();
        let mut pulled: Vec<Seq> = Vec::new();
        for (i, (gap_ms, shard)) in arrivals.into_iter().enumerate() {
            now = now.plus_millis(gap_ms);
            alarms(&mut c, &mut shards, now);
            let seq = join(&mut c, &mut shards, shard % shard_count, now, &mut leases);
            fans.push((now, seq));
            if i % pull_every == 0 {
                pulled.extend(drain(&mut c, now));
            }
            c.check_invariants().map_err(TestCaseError::fail)?;
        }
        // Ordering bound.
        for (ta, sa) in &fans {
            for (tb, sb) in &fans {
                if ta.plus_millis(BLOCK_TTL_MS) <= *tb {
                    prop_assert!(sa < sb, "fan {sa} at {ta:?} behind fan {sb} at {tb:?}");
                }
            }
        }
        // `ahead` counts fans, not numbers, once blocks are reported.
        now = now.plus_millis(BLOCK_TTL_MS);
        alarms(&mut c, &mut shards, now);
        let snapshot = c.snapshot(now);
        let mut waiting: Vec<Seq> = fans.iter().map(|(_, s)| *s).filter(|s| *s >= snapshot.head).collect();
        waiting.sort_unstable();
        for (i, seq) in waiting.iter().enumerate() {
            match snapshot.fan_view(*seq, now) {
                FanView::Waiting { ahead, .. } => prop_assert_eq!(ahead, i as u64),
                other => prop_assert!(false, "{other:?}"),
            }
        }
        // Everyone is handed out exactly once, in number order, and nothing stalls.
        pulled.extend(drain(&mut c, now));
        let mut expected: Vec<Seq> = fans.iter().map(|(_, s)| *s).collect();
        expected.sort_unstable();
        prop_assert_eq!(&pulled, &expected);
        let stats = c.stats(now);
        prop_assert_eq!((stats.waiting, stats.pending, stats.joined), (0, 0, fans.len() as u64));
    }
}
