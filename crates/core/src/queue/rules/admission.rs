//! How fans leave the front of the line: handed to a window, one by one in order, skipping
//! unused numbers and fans who left; by the sale's admission mode (`rate`, `capacity`) the queue
//! admits by itself, on a schedule or up to a number held at once. A fan holding a socket has
//! their turn claimed as they are admitted, for the object to push.

use crate::ids::{Position, WindowId};
use crate::queue::parts::assignments::PassTime;
use crate::queue::records::{Assignment, AssignmentState, Change, Claim};
use crate::queue::rules::calling;
use crate::queue::rules::parties;
use crate::queue::state::QueueState;
use crate::sale::admission::{self as mode, Admission};
use crate::sale::{Control, Phase};
use crate::time::UnixMillis;

/// What one admission handed out.
#[derive(Debug, Default)]
pub(crate) struct Admitted {
    pub(crate) assignments: Vec<Assignment>,
    /// Fans admitted: each place counts as its party's size.
    pub(crate) seats: usize,
    /// The size of a party at the front that did not fit the rest of `max` (never split).
    pub(crate) party_waiting: Option<u8>,
}

/// Hands up to `max` fans from the front to `window`, skipping unused numbers, fans who left
/// and places given up to a party, and stopping at a block whose use is not reported yet. A
/// party counts as its size and is never split: the admission stops before a party that does
/// not fit the rest of `max` (it stays at the front, and says so in `party_waiting`).
pub(crate) fn admit(
    q: &mut QueueState,
    now: UnixMillis,
    window: &WindowId,
    max: usize,
) -> Admitted {
    let end = q.line.end();
    admit_before(q, now, window, max, end)
}

/// [`admit`], handing out no fan at line position `before` or after it: a line split over
/// several objects (see [`crate::queue::split`]) hands out each object's share below a common
/// cutoff, so that the merged line leaves the front in order.
pub(crate) fn admit_before(
    q: &mut QueueState,
    now: UnixMillis,
    window: &WindowId,
    max: usize,
    before: Position,
) -> Admitted {
    let head_before = q.line.head();
    let mut out = Admitted::default();
    while out.seats < max && q.line.head() < q.line.end().min(before) {
        if q.line.skip_gap() {
            continue;
        }
        let seq = q.seq_at(q.line.head());
        if q.blocks.holds(seq) {
            break;
        }
        let size = parties::size_at_front(q, seq);
        if out.seats + usize::from(size) > max {
            out.party_waiting = Some(size);
            break;
        }
        let a = assign_head(q, now, window, size);
        if a.state == AssignmentState::Assigned {
            out.seats += usize::from(size);
            out.assignments.push(on_admitted(q, now, a));
        }
    }
    if q.line.head() != head_before {
        q.presence.passed(q.line.head());
        q.changes.push(q.line.change());
        calling::tell_near_front(q);
    }
    if out.seats > 0 {
        q.minutes.admitted(now, out.seats as u64, &mut q.changes);
        q.changes.push(Change::Waits(q.waits.clone()));
    }
    out
}

/// Admits whoever the sale's admission mode lets in by `now`, while it is open: in `rate` mode
/// as many as the schedule has due (fans who left are skipped without using it), in `capacity`
/// mode until `active` fans hold an admission. In `pull` mode nobody: windows pull. Runs after
/// every command, and as the last step of the sweep.
pub(crate) fn admit_by_mode(q: &mut QueueState, now: UnixMillis) {
    if q.phase_at(now) != Phase::Open {
        return;
    }
    let admission = q.sale.settings.admission;
    let window = WindowId::of_mode(admission.mode());
    match admission {
        Admission::Pull => {}
        Admission::Rate { per_minute } => {
            let rate = mode::RateLimit::new(per_minute);
            let now_us = mode::micros(now);
            let due = rate.due(q.rate_tat_us, now_us);
            if due > 0 {
                let admitted = admit(q, now, &window, due as usize).seats as u64;
                if admitted > 0 {
                    q.rate_tat_us = rate.after(q.rate_tat_us, now_us, admitted);
                }
            }
        }
        Admission::Capacity { active, .. } => {
            let held = q.assignments.held();
            if held < u64::from(active) {
                admit(q, now, &window, (u64::from(active) - held) as usize);
            }
        }
    }
}

/// Whether the front of the line holds a fan the queue could admit now (not a block whose use is
/// not reported yet).
fn front_admittable(q: &QueueState) -> bool {
    q.line.head() < q.line.end() && !q.blocks.holds(q.seq_at(q.line.head()))
}

/// In `rate` mode, when the queue should wake to admit the next fans: when a quarter of a
/// second's burst is due (at most every quarter second, at least for the next fan). A sale that
/// opens by the clock with fans already in line wakes at `opens_at`.
pub(crate) fn next_admission(q: &QueueState) -> Option<UnixMillis> {
    let rate = q.sale.settings.admission.rate()?;
    if !front_admittable(q) {
        return None;
    }
    let batch = (rate.burst() / 4).max(1);
    let at_us = q.rate_tat_us + (batch - 1) * rate.interval_us();
    let at = UnixMillis(at_us.div_ceil(1_000));
    match (q.sale.control, q.sale.settings.opens_at) {
        (Control::Open, _) => Some(at),
        (Control::Scheduled, Some(opens_at)) => Some(at.max(opens_at)),
        _ => None,
    }
}

/// In `rate` mode while open, when the schedule is next due (rounded up to the millisecond: the
/// edge never counts a fan due before the coordinator does).
pub(crate) fn rate_next_at(q: &QueueState, now: UnixMillis) -> Option<UnixMillis> {
    q.sale.settings.admission.rate()?;
    (q.phase_at(now) == Phase::Open).then(|| UnixMillis(q.rate_tat_us.div_ceil(1_000)))
}

/// The `rate` schedule after a restart or a change of the rate, from the newest admission
/// (`newest`; fans who left used none): one interval after it. The schedule was at most that, so
/// the rate holds across restarts; at worst the next admission comes up to one interval late.
pub(crate) fn rate_schedule_after(admission: &Admission, newest: Option<UnixMillis>) -> u64 {
    match (admission.rate(), newest) {
        (Some(rate), Some(last)) => mode::micros(last) + rate.interval_us(),
        _ => 0,
    }
}

/// The fan at the front (with their party of `size`, if more than 1) gets an assignment: to
/// `window`, or as having left (their presence lapsed, or they gave the place up to join a
/// party).
fn assign_head(q: &mut QueueState, now: UnixMillis, window: &WindowId, size: u8) -> Assignment {
    let seq = q.seq_at(q.line.head());
    // Granted the assisted lane, while the sale has one.
    let assisted = q.sale.settings.assist.is_some() && q.assisted.contains(&seq);
    // A fan who asked to be called back is not expected to poll: never skipped for silence, and
    // their turn is held for them to come back (`rules::calling`).
    let called = calling::is_called(q, q.line.head());
    let left = parties::given_up(q, seq)
        || (!called
            && q.presence
                .lapsed(q.line.head(), now, q.sale.settings.presence_ttl_s));
    let claim_s = q.sale.settings.claim_ttl_s.saturating_mul(if assisted {
        q.assist_multiplier()
    } else {
        1
    });
    let claim_s = if called {
        calling::held_claim_s(q, claim_s)
    } else {
        claim_s
    };
    let a = Assignment {
        fan_id: q.fan_id(seq),
        seq,
        window: window.clone(),
        state: if left {
            AssignmentState::Left
        } else {
            AssignmentState::Assigned
        },
        assigned_at: now,
        claim_by: now.plus_secs(claim_s),
        claimed_at: None,
        finished_at: left.then_some(now),
        rejoined_as: None,
        assisted,
        party_size: if size > 1 && !left { size } else { 0 },
        party_seat: 0,
    };
    if !left {
        record_wait(q, seq, now);
    }
    if called && !left {
        calling::turn_came(q, q.line.head(), a.claim_by);
    }
    q.assignments.add(a.clone(), now);
    q.changes.push(Change::Assignment(a.clone()));
    q.line.advance();
    a
}

/// Fan `seq`'s wait, from joining to `now`, for the public report. A pre-queue fan's counts from
/// the opening (the draw), when their order was decided: before it nobody could be let in. A
/// number the arrival clock has no mark for (one the coordinator handed out itself before a
/// restart) is not counted.
fn record_wait(q: &mut QueueState, seq: crate::ids::Seq, now: UnixMillis) {
    let Some(taken) = q.arrivals.taken_at(seq) else {
        return;
    };
    let drawn = q.prequeue.as_ref().filter(|p| p.covers(seq));
    let joined = match (drawn, q.sale.settings.opens_at) {
        (Some(_), Some(opens_at)) => taken.max(opens_at),
        _ => taken,
    };
    q.waits.record(joined, now);
}

/// The hook every admission goes through (a window's pull, or the admission mode; any other way
/// of admitting a fan must call it too): a fan holding a socket has their turn claimed at once,
/// for the object to push with the pass ([`crate::queue::Queue::take_pushed_turns`]). The pass
/// then runs from the admission, and the window waits for nobody's next poll. Returns the
/// assignment as it now stands.
fn on_admitted(q: &mut QueueState, now: UnixMillis, a: Assignment) -> Assignment {
    if !q.presence.holds_socket(q.position_of(a.seq)) {
        return a;
    }
    let pass_time = PassTime {
        secs: q.sale.settings.pass_ttl_s,
        assist_multiplier: q.assist_multiplier(),
    };
    match q.assignments.claim(a.seq, now, pass_time) {
        Ok((claim, changed)) => {
            let Claim::Turn { assignment, .. } = &claim else {
                return a;
            };
            let assignment = assignment.clone();
            if changed {
                q.changes.push(Change::Assignment(assignment.clone()));
            }
            q.pushed_turns.push(claim);
            assignment
        }
        // Just added: cannot be missing. The fan claims by polling instead.
        Err(_) => a,
    }
}
