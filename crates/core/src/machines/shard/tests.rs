use super::*;
use crate::ids::Position;
use crate::ids::SaleId;
use crate::machines::protocol::{Command, Reply, ShardJoined};
use crate::queue::snapshot::FanView;
use crate::queue::{Queue, BLOCK_ABANDON_MS};
use crate::sale::SaleSettingsInput;
use proptest::prelude::*;

pub(super) const T0: UnixMillis = UnixMillis(1_800_000_000_000);

/// A sale opened at [`T0`] with `shards` arrival shards (also the lent-rows tests').
pub(super) fn sale(shards: u32) -> Queue {
    Queue::opened(
        SaleSettingsInput {
            claim_ttl_s: Some(600),
            pass_ttl_s: None,
            shards: Some(shards),
            ..SaleSettingsInput::tour()
        },
        T0,
    )
}

/// The shard and coordinator adapters, minus the network: a join, leasing when needed.
fn join(
    c: &mut Queue,
    shards: &mut [ArrivalShard],
    k: usize,
    now: UnixMillis,
    leases: &mut u64,
) -> Seq {
    for _ in 0..MAX_LEASE_ATTEMPTS {
        match shards[k].handle(now) {
            ShardStep::Joined(ShardJoined { fan_id, seq, .. }) => {
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
                assert_eq!(shards[k].supply(&request, answer, now), Ok(true));
            }
            other => panic!("a fan's join asks nothing else: {other:?}"),
        }
    }
    panic!("no number after {MAX_LEASE_ATTEMPTS} leases");
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
            closing_gaps: Vec::new(),
            keep_open: Vec::new(),
            served: Default::default(),
        }
    );
    let lease = c.lease_block(T0, 0, request.closing, request.want).unwrap();
    assert_eq!(
        shard.supply(&request, Ok(Reply::Lease(lease.clone())), T0),
        Ok(true)
    );
    assert_eq!(
        shard.next_deadline(),
        Some(T0.plus_millis(BLOCK_TTL_MS + 20))
    );
    // The same block again, or an older one arriving late: nothing to install.
    assert_eq!(
        shard.supply(&request, Ok(Reply::Lease(lease.clone())), T0),
        Ok(false)
    );
    let older = BlockLease {
        start: lease.start - 1,
        ..lease.clone()
    };
    assert_eq!(
        shard.supply(&request, Ok(Reply::Lease(older)), T0),
        Ok(false)
    );
    assert_eq!(shard.current_start(), Some(lease.start));
    assert!(matches!(
        shard.handle(T0),
        ShardStep::Joined(ShardJoined { seq: 1, .. })
    ));
    assert_eq!(
        shard.supply(&request, Err(QueueError::Closed), T0),
        Err(LeaseFailed::Refused(QueueError::Closed))
    );
    assert!(matches!(
        shard.supply(&request, Ok(Reply::Done), T0),
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
        shard.supply(&request, Ok(Reply::Lease(lease)), arrived),
        Ok(true)
    );
    assert!(matches!(
        shard.handle(arrived.plus_millis(BLOCK_TTL_MS - 1)),
        ShardStep::Joined(ShardJoined { seq: 1, .. })
    ));
    assert_eq!(shard.block_until(), Some(arrived.plus_millis(BLOCK_TTL_MS)));
    assert_eq!(
        shard.expired(arrived.plus_millis(BLOCK_TTL_MS)),
        Some(SeqRange::new(1, 1))
    );
    assert!(matches!(
        shard.handle(arrived.plus_millis(BLOCK_TTL_MS)),
        ShardStep::Lease(LeaseRequest {
            closing: Some(SeqRange { start: 1, len: 1 }),
            ..
        })
    ));
}

#[test]
fn state_stored_before_lifetimes_loads_and_closes_its_block() {
    // A block as stored by the version whose lease carried the coordinator's `until`.
    let old = r#"{"block":{"lease":{"start":9,"len":8,"leased_at":5,"until":1005,"fan_salt":"salt-0123456789"},"used":3},"want":8}"#;
    let mut shard: ArrivalShard = serde_json::from_str(old).unwrap();
    assert_eq!(shard.expired(T0), Some(SeqRange::new(9, 3)));
    let ShardStep::Lease(request) = shard.handle(T0) else {
        panic!("the old block is used up")
    };
    assert_eq!(request.closing, Some(SeqRange::new(9, 3)));
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
    shard.supply(&request, Ok(Reply::Lease(lease)), T0).unwrap();
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
            ring_alarms(&mut c, &mut shards, now);
        }
    }
    assert!(
        leases * 1000 / 10_000 <= 10,
        "{leases} leases for 10,000 joins"
    );
    ring_alarms(&mut c, &mut shards, now.plus_millis(BLOCK_TTL_MS));
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
    ring_alarms(&mut c, &mut shards, T0.plus_millis(BLOCK_TTL_MS));
    assert!(c.pull_everyone(T0.plus_millis(BLOCK_TTL_MS)).is_empty());
    // ...but not forever: an abandoned block counts as fully used.
    let later = T0.plus_millis(BLOCK_ABANDON_MS + BLOCK_TTL_MS);
    ring_alarms(&mut c, &mut shards, later);
    let pulled = c.pull_everyone(later);
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
            ring_alarms(&mut c, &mut shards, now);
            let seq = join(&mut c, &mut shards, shard % shard_count, now, &mut leases);
            fans.push((now, seq));
            if i % pull_every == 0 {
                pulled.extend(c.pull_everyone(now));
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
        ring_alarms(&mut c, &mut shards, now);
        let snapshot = c.snapshot(now);
        let mut waiting: Vec<Seq> = fans.iter().map(|(_, s)| *s).filter(|s| Position(*s) >= snapshot.head).collect();
        waiting.sort_unstable();
        for (i, seq) in waiting.iter().enumerate() {
            match snapshot.fan_view(*seq, now) {
                FanView::Waiting { ahead, .. } => prop_assert_eq!(ahead, i as u64),
                other => prop_assert!(false, "{other:?}"),
            }
        }
        // Everyone is handed out exactly once, in number order, and nothing stalls.
        pulled.extend(c.pull_everyone(now));
        let mut expected: Vec<Seq> = fans.iter().map(|(_, s)| *s).collect();
        expected.sort_unstable();
        prop_assert_eq!(&pulled, &expected);
        let stats = c.stats(now);
        prop_assert_eq!((stats.waiting, stats.pending, stats.joined), (0, 0, fans.len() as u64));
    }
}

/// A shard's members' places as a map (the Durable Object keeps them in SQLite).
#[derive(Default)]
struct Book(std::collections::BTreeMap<String, ShardJoined>);

impl Book {
    /// A member's join as the object drives it, with nothing between the look-up, the numbering
    /// and the record: the member's place, or the lease to ask for first.
    fn join(&mut self, shard: &mut ArrivalShard, member_key: &str, now: UnixMillis) -> ShardStep {
        let mut step = shard.handle_member(member_key, now);
        loop {
            step = match step {
                ShardStep::Need(need) => {
                    let MemberNeed::PlaceOf(key) = &need;
                    let found = self.0.get(key).cloned();
                    shard.supply_member(need, found, now)
                }
                ShardStep::Record(MemberPlace { member_key, place }) => {
                    self.0.insert(member_key, place.clone());
                    return ShardStep::Joined(place);
                }
                other => return other,
            }
        }
    }
}

/// A join in flight: ready to run at its shard, or waiting for the lease it asked for.
enum InFlight {
    Ready,
    Leasing(LeaseRequest, Box<crate::machines::protocol::Answer>),
}

#[test]
fn a_member_who_joins_again_gets_the_same_place() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let mut book = Book::default();
    // Two devices of one member join while the shard has no block: both ask for a lease.
    let (ShardStep::Lease(a), ShardStep::Lease(b)) = (
        book.join(&mut shard, "m1", T0),
        book.join(&mut shard, "m1", T0),
    ) else {
        panic!("no block yet")
    };
    let lease_a = c.lease_block(T0, 0, a.closing, a.want).map(Reply::Lease);
    let lease_b = c.lease_block(T0, 0, b.closing, b.want).map(Reply::Lease);
    assert_eq!(shard.supply(&b, lease_b, T0), Ok(true));
    let ShardStep::Joined(first) = book.join(&mut shard, "m1", T0) else {
        panic!("a block is installed")
    };
    assert_eq!(shard.supply(&a, lease_a, T0), Ok(false), "an older lease");
    let ShardStep::Joined(second) = book.join(&mut shard, "m1", T0) else {
        panic!("the member's place")
    };
    assert!(!first.again && second.again);
    assert_eq!((first.seq, &first.fan_id), (second.seq, &second.fan_id));
    // Another member gets the next place; the first member still has theirs, even after the
    // block they were numbered from is gone.
    let ShardStep::Joined(other) = book.join(&mut shard, "m2", T0) else {
        panic!("the block has room")
    };
    assert_ne!(other.seq, first.seq);
    let later = T0.plus_millis(BLOCK_TTL_MS * 10);
    assert!(matches!(shard.handle(later), ShardStep::Lease(_)));
    let ShardStep::Joined(again) = book.join(&mut shard, "m1", later) else {
        panic!("a known member needs no block")
    };
    assert_eq!(again.seq, first.seq);
}

#[test]
fn a_members_place_found_in_storage_is_answered_again_without_numbering() {
    let mut c = sale(1);
    let mut shard = ArrivalShard::default();
    let ShardStep::Lease(request) = shard.handle(T0) else {
        panic!("a new shard has no block")
    };
    let lease = c
        .lease_block(T0, 0, request.closing, request.want)
        .map(Reply::Lease);
    assert_eq!(shard.supply(&request, lease, T0), Ok(true));
    let need = match shard.handle_member("m1", T0) {
        ShardStep::Need(need) => need,
        other => panic!("a member's join asks for their place first: {other:?}"),
    };
    assert_eq!(need, MemberNeed::PlaceOf("m1".to_owned()));
    let stored = ShardJoined {
        fan_id: c.fan_id(3),
        seq: 3,
        again: false,
    };
    let before = shard.clone();
    assert_eq!(
        shard.supply_member(need, Some(stored.clone()), T0),
        ShardStep::Joined(ShardJoined {
            again: true,
            ..stored
        })
    );
    assert_eq!(shard, before, "nothing numbered, nothing counted");
    // With nothing stored, the member is numbered from the block, and the place is to be
    // recorded.
    let ShardStep::Need(need) = shard.handle_member("m2", T0) else {
        panic!("a member's join asks for their place first")
    };
    let ShardStep::Record(MemberPlace { member_key, place }) = shard.supply_member(need, None, T0)
    else {
        panic!("the block has room")
    };
    assert_eq!(member_key, "m2");
    assert_eq!(
        shard.handle(T0),
        ShardStep::Joined(ShardJoined {
            fan_id: c.fan_id(place.seq + 1),
            seq: place.seq + 1,
            again: false,
        })
    );
    assert!(!place.again);
}

proptest! {
    /// Joins of a few members over several shards, with leases overtaking each other and blocks
    /// running out: every join of one member ends in the same place, members never share one.
    #[test]
    fn concurrent_joins_of_one_member_end_in_one_place(
        ops in prop::collection::vec((0usize..6, 0usize..8, 0u64..400), 1..120),
        shard_count in 1u32..4,
    ) {
        use crate::fairness::invitation::{member_key, member_shard, MemberId};
        let sale_id = SaleId::parse("tour").unwrap();
        let mut c = sale(shard_count);
        let mut shards = vec![ArrivalShard::default(); shard_count as usize];
        let mut books: Vec<Book> = (0..shard_count).map(|_| Book::default()).collect();
        let keys: Vec<String> = (0..6)
            .map(|m| member_key(&sale_id, &MemberId::parse(&format!("member-{m}")).unwrap()))
            .collect();
        let mut in_flight: Vec<(usize, InFlight)> = Vec::new();
        let mut places: Vec<(usize, ShardJoined)> = Vec::new();
        let mut now = T0;
        let step = |c: &mut Queue,
                        shards: &mut [ArrivalShard],
                        books: &mut [Book],
                        member: usize,
                        state: InFlight,
                        now: UnixMillis|
         -> Result<ShardJoined, InFlight> {
            let k = member_shard(&keys[member], shard_count) as usize;
            match state {
                InFlight::Leasing(request, answer) => {
                    shards[k].supply(&request, *answer, now).unwrap();
                    Err(InFlight::Ready)
                }
                InFlight::Ready => match books[k].join(&mut shards[k], &keys[member], now) {
                    ShardStep::Joined(place) => Ok(place),
                    ShardStep::Lease(request) => {
                        let answer = c
                            .lease_block(now, k as u32, request.closing, request.want)
                            .map(Reply::Lease);
                        Err(InFlight::Leasing(request, Box::new(answer)))
                    }
                    other => panic!("a member's join ends in a place or a lease: {other:?}"),
                },
            }
        };
        for (member, pick, dt) in ops {
            now = now.plus_millis(dt);
            if pick < 3 || in_flight.is_empty() {
                in_flight.push((member, InFlight::Ready));
                continue;
            }
            let (m, state) = in_flight.remove(pick % in_flight.len());
            match step(&mut c, &mut shards, &mut books, m, state, now) {
                Ok(place) => places.push((m, place)),
                Err(state) => in_flight.push((m, state)),
            }
        }
        // Let every join in flight finish.
        while let Some((m, state)) = in_flight.pop() {
            match step(&mut c, &mut shards, &mut books, m, state, now) {
                Ok(place) => places.push((m, place)),
                Err(state) => in_flight.insert(0, (m, state)),
            }
        }
        let mut seq_of = std::collections::BTreeMap::new();
        for (m, place) in &places {
            let (seq, fan) = seq_of.entry(*m).or_insert((place.seq, place.fan_id.clone()));
            prop_assert_eq!((*seq, &*fan), (place.seq, &place.fan_id), "member {}", m);
            prop_assert_eq!(place.fan_id.clone(), c.fan_id(place.seq));
        }
        for m in seq_of.keys() {
            let first = places.iter().filter(|(x, p)| x == m && !p.again).count();
            prop_assert_eq!(first, 1, "member {} was numbered once", m);
        }
        let seqs: std::collections::BTreeSet<_> = seq_of.values().map(|(s, _)| *s).collect();
        prop_assert_eq!(seqs.len(), seq_of.len(), "members never share a place");
    }
}
