//! The public report as the machine builds it: waits from joining to admission, totals, the end,
//! and who may see it.

use super::memory_store::MemoryStore;
use super::*;
use crate::ids::WindowId;
use crate::machines::public_report::{PublicReport, MIN_WAITS_SHOWN};
use crate::sale::{Phase, ReportVisibility};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);

fn open_sale() -> (SaleMachine, MemoryStore) {
    let mut core = SaleMachine::default();
    let mut store = MemoryStore::default();
    store.open_tour(&mut core, T0);
    (core, store)
}

fn pull(core: &mut SaleMachine, store: &mut MemoryStore, max: u32, now: UnixMillis) {
    let pull = Command::Pull {
        window: WindowId::parse("a").unwrap(),
        max,
        request_id: None,
    };
    store.run(core, pull, now).unwrap();
}

fn report(core: &mut SaleMachine, store: &mut MemoryStore, now: UnixMillis) -> SaleReport {
    match store.run(core, Command::Report, now) {
        Ok(Reply::Report(report)) => *report,
        other => panic!("report: {other:?}"),
    }
}

#[test]
fn waits_are_join_to_admission_and_survive_a_restart() {
    let (mut core, mut store) = open_sale();
    // Fan i joins at T0 + i s (i = 0..20) and all are let in at T0 + 100 s: waits 81..=100 s.
    for i in 0..20 {
        store.join_new_fans(&mut core, 1, T0.plus_secs(i));
    }
    pull(&mut core, &mut store, 10, T0.plus_secs(100));
    // A restart in between: the waits counted so far are kept. The arrival clock is rebuilt
    // from the blocks read back; numbers the coordinator handed out itself (no block, as here)
    // have no mark after it, and their waits are not counted (docs/api.md, "The public report").
    let mut core = store.load(T0.plus_secs(100));
    let before = report(&mut core, &mut store, T0.plus_secs(100));
    assert_eq!(before.waits.count(), 10);
    pull(&mut core, &mut store, 10, T0.plus_secs(100));
    let r = report(&mut core, &mut store, T0.plus_secs(100));
    let public = PublicReport::preview(&r);
    assert_eq!((public.fans_in_line, public.admitted), (20, 20));
    assert_eq!(public.waits.counted, 10);
    // The first ten fans waited 91..=100 s: median ~95 s (within 1/16).
    let median = PublicReport::preview(&before).waits.median_s.unwrap();
    assert!((89..=101).contains(&median), "{median}");
}

#[test]
fn wait_quantiles_match_a_known_line_and_hide_small_counts() {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, MIN_WAITS_SHOWN - 1, T0);
    pull(&mut core, &mut store, 100, T0.plus_secs(7));
    let few = PublicReport::preview(&report(&mut core, &mut store, T0.plus_secs(7)));
    assert_eq!(few.waits.counted, MIN_WAITS_SHOWN - 1);
    assert_eq!((few.waits.median_s, few.waits.p90_s), (None, None));
    // 91 more fans at T0 + 10 s, let in one a second from T0 + 11 s: waits 1..=91 s.
    store.join_new_fans(&mut core, 91, T0.plus_secs(10));
    for i in 1..=91 {
        pull(&mut core, &mut store, 1, T0.plus_secs(10 + i));
    }
    let r = PublicReport::preview(&report(&mut core, &mut store, T0.plus_secs(200)));
    assert_eq!(
        (r.fans_in_line, r.admitted, r.waits.counted),
        (100, 100, 100)
    );
    // 9 waits of 7 s and 1..=91: the 50th is 41 s, the 90th 81 s (both within 1/16).
    let (median, p90) = (r.waits.median_s.unwrap(), r.waits.p90_s.unwrap());
    assert!(median.abs_diff(41) <= 41 / 16 + 1, "{median}");
    assert!(p90.abs_diff(81) <= 81 / 16 + 1, "{p90}");
}

#[test]
fn the_public_sees_the_report_after_close_or_when_published_never_when_hidden() {
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 3, T0);
    let open = report(&mut core, &mut store, T0);
    assert_eq!(open.report_visibility, ReportVisibility::AfterClose);
    assert!(PublicReport::of(&open).is_none(), "not before the close");
    let show = |v| Command::ShowReport { visibility: v };
    store
        .run(&mut core, show(ReportVisibility::Published), T0)
        .unwrap();
    let published = report(&mut core, &mut store, T0);
    let public = PublicReport::of(&published).expect("published early");
    assert!(!public.is_final && public.ended_at.is_none());
    store
        .run(&mut core, show(ReportVisibility::Hidden), T0)
        .unwrap();
    store
        .run(&mut core, Command::Close, T0.plus_secs(60))
        .unwrap();
    let hidden = report(&mut core, &mut store, T0.plus_secs(60));
    assert_eq!(hidden.phase, Phase::Closed);
    assert!(PublicReport::of(&hidden).is_none(), "hidden stays hidden");
    store
        .run(
            &mut core,
            show(ReportVisibility::AfterClose),
            T0.plus_secs(61),
        )
        .unwrap();
    // Kept across a restart: the close time and the promoter's word are in the sale's record.
    let mut core = store.load(T0.plus_secs(62));
    let closed = PublicReport::of(&report(&mut core, &mut store, T0.plus_secs(62))).unwrap();
    assert!(closed.is_final);
    assert_eq!(closed.ended_at, Some(T0.plus_secs(60)));
    assert_eq!(closed.fans_in_line, 3);
}

#[test]
fn refusals_add_up_by_defence_and_are_no_requests() {
    use crate::fairness::refusals::{Defence, RefusedCounts};
    let (mut core, mut store) = open_sale();
    let mut counts = RefusedCounts::default();
    counts.add(Defence::Rate, 7);
    counts.add(Defence::ProofOfWork, 2);
    for _ in 0..3 {
        store
            .run(&mut core, Command::Refused { counts }, T0)
            .unwrap();
    }
    let r = report(&mut core, &mut store, T0);
    assert_eq!((r.refused.rate, r.refused.proof_of_work), (21, 6));
    assert_eq!(
        r.refused.turnstile + r.refused.invitation + r.refused.socket,
        0
    );
    assert!(
        r.coordinator_requests_by_kind
            .keys()
            .all(|k| !k.starts_with("refused:")),
        "{:?}",
        r.coordinator_requests_by_kind
    );
    // Kept with the request counts (written within a minute, at the alarm): they survive a
    // restart.
    store
        .run(&mut core, Input::Alarm, T0.plus_secs(61))
        .unwrap();
    let mut core = store.load(T0.plus_secs(120));
    let r = report(&mut core, &mut store, T0.plus_secs(120));
    assert_eq!(r.refused.rate, 21);
    // Past the bound of sockets per address, counted under `socket`.
    let (mut core, mut store) = open_sale();
    store.join_new_fans(&mut core, 1, T0);
    let full = OpenSockets {
        from_address: crate::queue::socket::MAX_SOCKETS_PER_ADDRESS,
        own: 0,
    };
    assert!(core.connect(1, 0, full, T0).is_err());
    let r = report(&mut core, &mut store, T0);
    assert_eq!(r.refused.socket, 1);
    let _ = PublicReport::preview(&r);
}
