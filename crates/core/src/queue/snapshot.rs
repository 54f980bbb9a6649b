//! The edge's view of a sale: a snapshot of the coordinator, cached for about a second, from which
//! the edge answers polls without asking the coordinator.

use crate::fairness::pow;
use crate::ids::{Position, Seq};
use crate::queue::draw::{DrawInfo, Permutation};
pub use crate::queue::gap_index::{ahead, ExactGaps, UnusedCounts};
use crate::sale::admission::RateLimit;
use crate::sale::{Phase, SaleView, ShardsChange};
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};

/// The coordinator's line as of `taken_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub sale: SaleView,
    /// The front of the line, the next position to be pulled: every fan before it has been handed
    /// to a window.
    pub head: Position,
    /// The arrival number the next fan will get.
    pub next_seq: Seq,
    /// Positions at or after `head` that no fan holds (start, length), in order: the first
    /// [`crate::queue::gap_index::MAX_EXACT_GAPS`] of them (all of them from an older
    /// coordinator); the rest are counted in `unused`.
    #[serde(default)]
    pub gaps: ExactGaps,
    /// Beyond `gaps`, the unused positions counted per range of positions (see
    /// [`crate::queue::gap_index`] for the bound). An older edge ignores it and counts those
    /// fans as further back than they are, never further forward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused: Option<UnusedCounts>,
    /// Fans this close to the front say they are still there when they poll.
    #[serde(default)]
    pub presence_zone: u64,
    /// Fans admitted per second recently.
    pub admission_rate: f64,
    /// A sale with a pre-queue: its draw (the key once drawn). Gaps and `head` are then line
    /// positions: a pre-queue fan's is their drawn position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<Box<DrawInfo>>,
    pub taken_at: UnixMillis,
    /// In `rate` mode, when the schedule is next due (in the past if nobody was waiting: then
    /// up to one second's burst is due at once): from it the edge counts the admissions made
    /// since the snapshot ([`Snapshot::scheduled_since`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission_next_at: Option<UnixMillis>,
    /// A protected sale's safety net is down (see [`crate::protect::net`]): a fan without a
    /// session passes straight through with one. Absent (no net, the net up, or a coordinator of
    /// an older release): fans queue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub net_down: bool,
    /// Places still in line that moved to another device, `(seq, hand)` in number order
    /// (bounded: [`crate::queue::MAX_MOVED_IN_LINE`]): a token of an older hand
    /// is answered "moved" at the edge, without asking the coordinator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<(Seq, u8)>,
    /// Fans granted the assisted lane so far (the edge refuses asking past the cap without a
    /// word to the coordinator; the coordinator holds the cap exactly).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub assisted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where a fan stands, as far as the snapshot can tell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FanView {
    Waiting {
        position: u64,
        /// Fans ahead, as far as the snapshot can tell: exact near the front; further back at
        /// most one range's unused positions more than the truth ([`crate::queue::gap_index`]).
        ahead: u64,
        /// The fewest fans who may be ahead: `ahead` wherever the snapshot lists the gaps. What
        /// the presence zone and sockets go by ([`FanView::in_zone`]), so no fan who may be in
        /// the zone is left out of it.
        ahead_at_least: u64,
        eta_s: Option<u64>,
        poll_after_ms: u64,
    },
    /// The fan's number has been reached: only the coordinator knows the rest.
    Reached,
    /// In the pre-queue, or past it with a snapshot taken before the draw: the order is drawn
    /// at `draw_at`.
    Prequeue {
        draw_at: Option<UnixMillis>,
        poll_after_ms: u64,
    },
    Closed,
}

/// The oldest snapshot an edge answers with (while its refresh is slow or failing): what a rule
/// that must hold at every edge, whatever snapshot it has, counts on ([`home_shard`]).
pub const MAX_STALE_MS: u64 = 60_000;

/// How long after a live change of `shards` the count before it still decides where older
/// solutions are spent, and so how long before `shards` may change again: a snapshot as old as an
/// edge may answer with ([`MAX_STALE_MS`]), then a challenge's whole life (two
/// windows).
pub const SHARDS_CHANGE_SETTLES_MS: u64 = MAX_STALE_MS + 2 * pow::WINDOW_MS;

/// The arrival shard (of `shards` now, last changed by `changed`) that numbers a fan paid with
/// `solution`, and so keeps it spent; `None`: the coordinator, which numbers the fans of a sale
/// with one shard itself. The same for every copy of the solution at every edge,
/// whatever snapshot that edge holds. A solution whose challenge's window began before the
/// change had settled into every edge's snapshot ([`MAX_STALE_MS`] after it)
/// goes by the count before the change; any later one by the count now. An edge that has not
/// seen the change yet can only be holding such an older solution, and it too sends it by the
/// old count; and since `shards` cannot change again within [`SHARDS_CHANGE_SETTLES_MS`], one
/// change back is all an edge needs to know.
pub fn home_shard(
    solution: &pow::Verified,
    shards: u32,
    changed: Option<ShardsChange>,
) -> Option<u32> {
    let issued_from = solution
        .expires_at
        .0
        .saturating_add(1)
        .saturating_sub(2 * pow::WINDOW_MS);
    let count = match changed {
        Some(change) if issued_from < change.at.0.saturating_add(MAX_STALE_MS) => change.from,
        _ => shards,
    };
    (count > 1).then(|| solution.id.spread(count))
}

/// Polling intervals, in milliseconds.
pub const POLL_MIN_MS: u64 = 1_000;
pub const POLL_MAX_MS: u64 = 15_000;
pub const POLL_PAUSED_MS: u64 = 5_000;
/// Fans this close to the front poll at the fastest rate.
const NEAR_FRONT: u64 = 50;

impl Snapshot {
    /// The hand fan `seq`'s place is in, as far as this snapshot knows (0: never moved).
    pub fn hand_of(&self, seq: Seq) -> u8 {
        self.moved
            .binary_search_by_key(&seq, |(s, _)| *s)
            .map_or(0, |i| self.moved[i].1)
    }

    pub fn phase_at(&self, now: UnixMillis) -> Phase {
        self.sale.phase_at(now)
    }

    /// Where fan `seq` stands at `now`. A stale snapshot can only under-state progress, never skip a
    /// fan: `head` never moves backwards.
    pub fn fan_view(&self, seq: Seq, now: UnixMillis) -> FanView {
        let phase = self.phase_at(now);
        if phase == Phase::Closed {
            return FanView::Closed;
        }
        let Some(position) = self.position_of(seq, phase) else {
            return FanView::Prequeue {
                draw_at: self.sale.opens_at,
                poll_after_ms: prequeue_poll_after_ms(self.sale.opens_at, now),
            };
        };
        if position < self.head {
            return FanView::Reached;
        }
        let (least_at_snapshot, ahead_at_snapshot) = self.ahead_bounds(position);
        let admitted_since = self.scheduled_since(now);
        if ahead_at_snapshot < admitted_since {
            return FanView::Reached;
        }
        let ahead = ahead_at_snapshot - admitted_since;
        let ahead_at_least = least_at_snapshot.saturating_sub(admitted_since);
        let eta_s = self.eta_s(ahead_at_snapshot, now);
        let poll_after_ms = poll_after_ms(phase, ahead, eta_s);
        FanView::Waiting {
            position: ahead + 1,
            ahead,
            ahead_at_least,
            eta_s,
            poll_after_ms,
        }
    }

    /// Fans ahead of `position` at the snapshot: `(at_least, at_most)`, equal wherever the
    /// snapshot lists the gaps (see [`crate::queue::gap_index`] for the bound beyond). Two
    /// binary searches, whatever the number of gaps.
    pub fn ahead_bounds(&self, position: Position) -> (u64, u64) {
        let span = position.0.saturating_sub(self.head.0);
        let listed = self.gaps.unused_before(position);
        let (least, most) = self
            .unused
            .as_ref()
            .map_or((0, 0), |counts| counts.unused_before(position));
        (
            span.saturating_sub(listed + most),
            span.saturating_sub(listed + least),
        )
    }

    /// Gaps ahead of the front the snapshot stands for: listed, and counted in ranges.
    pub fn gap_count(&self) -> (usize, usize) {
        (
            self.gaps.len(),
            self.unused.as_ref().map_or(0, UnusedCounts::ranges),
        )
    }
}

impl FanView {
    /// Whether a waiting fan may be in the presence zone `zone` (fans expected to be admitted
    /// within a minute): then they say they are there, and may hold a socket. Goes by the fewest
    /// fans who may be ahead, so a fan the snapshot cannot place exactly errs into the zone.
    pub fn in_zone(&self, zone: u64) -> bool {
        matches!(self, FanView::Waiting { ahead_at_least, .. } if crate::queue::socket::admits(*ahead_at_least, zone))
    }
}

impl Snapshot {
    /// In `rate` mode while open, the schedule and when it admits its next fan.
    fn schedule(&self, now: UnixMillis) -> Option<(RateLimit, UnixMillis)> {
        let rate = self.sale.admission.rate()?;
        let next_at = self.admission_next_at?;
        (self.phase_at(now) == Phase::Open).then_some((rate, next_at))
    }

    /// In `rate` mode while open, the fans the schedule has admitted since the snapshot was
    /// taken (if fans kept waiting): the coordinator admits them by its clock, so the edge counts
    /// them without asking. Fans who left are skipped without using the rate, and unused numbers
    /// are skipped too, so the line moves at least this fast; only an arrival shard's block not
    /// yet reported can hold it back for a moment (the fan's claim is then answered "waiting").
    pub fn scheduled_since(&self, now: UnixMillis) -> u64 {
        self.schedule(now)
            .map_or(0, |(rate, next_at)| rate.admitted_by(next_at, now))
    }

    /// The wait of a fan with `ahead_at_snapshot` fans ahead at the snapshot: by the schedule in
    /// `rate` mode, else from the admission rate measured recently.
    fn eta_s(&self, ahead_at_snapshot: u64, now: UnixMillis) -> Option<u64> {
        if let Some((rate, next_at)) = self.schedule(now) {
            let turn = rate.time_of(next_at, now, ahead_at_snapshot);
            return Some(now.millis_until(turn).div_ceil(1000));
        }
        (self.admission_rate > 0.0)
            .then(|| (ahead_at_snapshot as f64 / self.admission_rate).ceil() as u64)
    }

    /// Fan `seq`'s line position: their drawn position if they were in the pre-queue, else
    /// `seq`. `None` while the order is not drawn: in the pre-queue, or after it with a snapshot
    /// taken before the draw (no key yet).
    pub fn position_of(&self, seq: Seq, phase: Phase) -> Option<Position> {
        let Some(draw) = &self.draw else {
            return Some(Position(seq));
        };
        if phase == Phase::Prequeue {
            return None;
        }
        match &draw.key {
            // A draw this code cannot compute (a newer version): not placed yet.
            Some(_) => Permutation::of_draw(draw).map(|p| Position(p.position_of(seq))),
            None if phase == Phase::Scheduled => Some(Position(seq)),
            None => None,
        }
    }
}

/// How often a fan in the pre-queue polls: every 15 s, then every second near the draw.
fn prequeue_poll_after_ms(draw_at: Option<UnixMillis>, now: UnixMillis) -> u64 {
    let until = draw_at.map_or(0, |at| now.millis_until(at));
    until.clamp(POLL_MIN_MS, POLL_MAX_MS)
}

/// How long a waiting fan should wait before polling again: fast near the front, slower far back,
/// so the whole crowd's polling stays roughly proportional to the admission rate.
pub fn poll_after_ms(phase: Phase, ahead: u64, eta_s: Option<u64>) -> u64 {
    if phase != Phase::Open {
        return POLL_PAUSED_MS;
    }
    if ahead < NEAR_FRONT {
        return POLL_MIN_MS;
    }
    match eta_s {
        Some(eta) => (eta * 1000 / 4).clamp(POLL_MIN_MS, POLL_MAX_MS),
        None => POLL_PAUSED_MS,
    }
}

/// A wait estimate in words, as the waiting page shows it (with and without JavaScript).
pub fn wait_words(eta_s: Option<u64>) -> String {
    match eta_s {
        None => "–".into(),
        Some(s) if s < 60 => "< 1 min".into(),
        Some(s) if s < 3600 => format!("{} min", s.div_ceil(60)),
        Some(s) => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fairness::pow::PowBits;
    use crate::ids::{PositionRange, SaleId};
    use crate::sale::admission::Admission;
    use crate::sale::ShardsChange;
    use crate::sale::{BrandingView, Control};

    /// A solution's home is the same at every edge, before and after a live change of `shards`:
    /// what an edge that has not seen the change yet and one that has both compute.
    #[test]
    fn a_solution_has_one_home_through_a_live_change_of_shards() {
        let change_at = UnixMillis(10 * pow::WINDOW_MS + 30_000);
        let change = ShardsChange {
            from: 4,
            at: change_at,
        };
        for b in 0..=255u8 {
            let id = pow::SolutionId([
                b,
                b.wrapping_mul(7),
                3,
                b ^ 0x5a,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
            ]);
            // Challenges of every window from well before the change to well after it.
            for window in 6..16u64 {
                let v = pow::Verified {
                    id,
                    expires_at: pow::issue(
                        &crate::keys::pow_key::PowKey::new([1; 32]),
                        &SaleId::parse("s").unwrap(),
                        PowBits::OFF,
                        UnixMillis(window * pow::WINDOW_MS),
                        [0; 9],
                    )
                    .expires_at,
                };
                let issued = window * pow::WINDOW_MS;
                let after = home_shard(&v, 8, Some(change));
                // An edge that has not seen the change (a snapshot at most MAX_STALE_MS old, so
                // at a time before `change_at + MAX_STALE_MS`) holds only challenges issued
                // before then, and sends them by the old count: the same home.
                if issued < change_at.0 + MAX_STALE_MS {
                    assert_eq!(after, home_shard(&v, 4, None), "window {window}");
                }
                assert!(after.is_some_and(|s| s < 8));
            }
        }
        // One shard before: the coordinator spent it, and still does.
        let v = pow::Verified {
            id: pow::SolutionId([9; 16]),
            expires_at: pow::issue(
                &crate::keys::pow_key::PowKey::new([1; 32]),
                &SaleId::parse("s").unwrap(),
                PowBits::OFF,
                UnixMillis(10 * pow::WINDOW_MS),
                [0; 9],
            )
            .expires_at,
        };
        let from_one = ShardsChange {
            from: 1,
            at: change_at,
        };
        assert_eq!(home_shard(&v, 4, Some(from_one)), None);
        assert_eq!(home_shard(&v, 1, None), None);
        assert_eq!(home_shard(&v, 4, None), Some(v.id.spread(4)));
        const { assert!(SHARDS_CHANGE_SETTLES_MS >= MAX_STALE_MS + 2 * pow::WINDOW_MS) };
    }

    fn snapshot(head: u64, rate: f64) -> Snapshot {
        Snapshot {
            sale: SaleView {
                id: SaleId::parse("s").unwrap(),
                name: "S".into(),
                control: Control::Open,
                opens_at: None,
                prequeue_opens_at: None,
                purchase_url: serde_json::from_str(r#""https://x.example/""#).unwrap(),
                claim_ttl_s: 60,
                pass_ttl_s: 600,
                branding: BrandingView::from(&crate::sale::Branding::default()),
                shards: 1,
                presence_ttl_s: 30,
                webhook_url: None,
                admission: Admission::Pull,
                turnstile_site_key: None,
                pass_delivery: Default::default(),
                pow_bits: PowBits::OFF,
                rate_limit_per_min: None,
                over_budget: Default::default(),
                shards_changed: None,
                access: Default::default(),
                invite_jwks: None,
                device_binding: false,
                assist: None,
                party_max: 0,
                push: None,
            },
            head: Position(head),
            next_seq: 1_000,
            gaps: Default::default(),
            unused: None,
            presence_zone: 20,
            admission_rate: rate,
            draw: None,
            taken_at: UnixMillis(0),
            admission_next_at: None,
            assisted: 0,
            moved: Vec::new(),
            net_down: false,
        }
    }

    #[test]
    fn ahead_counts_fans_not_numbers() {
        let gap = |start, len| PositionRange::new(Position(start), len);
        assert_eq!(ahead(Position(10), Position(10), []), 0);
        assert_eq!(ahead(Position(10), Position(15), []), 5);
        // Numbers 12..14 are unused: fan 15 has 10, 11 and 14 ahead.
        assert_eq!(ahead(Position(10), Position(15), [gap(12, 2)]), 3);
        // A gap that starts at or after the fan does not count.
        assert_eq!(
            ahead(Position(10), Position(12), [gap(12, 2), gap(20, 5)]),
            2
        );
        // Inside a gap only the part before the number counts.
        assert_eq!(ahead(Position(10), Position(13), [gap(12, 2)]), 2);
        // Behind the front: nobody ahead.
        assert_eq!(ahead(Position(10), Position(3), [gap(12, 2)]), 0);
    }

    #[test]
    fn front_of_line_is_position_one() {
        let s = snapshot(10, 2.0);
        assert_eq!(
            s.fan_view(10, UnixMillis(0)),
            FanView::Waiting {
                position: 1,
                ahead: 0,
                ahead_at_least: 0,
                eta_s: Some(0),
                poll_after_ms: POLL_MIN_MS
            }
        );
        assert_eq!(s.fan_view(9, UnixMillis(0)), FanView::Reached);
    }

    #[test]
    fn far_back_polls_slowly_with_an_estimate() {
        match snapshot(1, 2.0).fan_view(401, UnixMillis(0)) {
            FanView::Waiting {
                ahead: 400,
                eta_s: Some(200),
                poll_after_ms,
                ..
            } => {
                assert_eq!(poll_after_ms, POLL_MAX_MS)
            }
            other => panic!("{other:?}"),
        }
        match snapshot(1, 0.0).fan_view(401, UnixMillis(0)) {
            FanView::Waiting {
                eta_s: None,
                poll_after_ms: POLL_PAUSED_MS,
                ..
            } => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn closed_wins() {
        let mut s = snapshot(10, 1.0);
        s.sale.control = Control::Closed;
        assert_eq!(s.fan_view(3, UnixMillis(0)), FanView::Closed);
        assert_eq!(s.fan_view(30, UnixMillis(0)), FanView::Closed);
    }

    #[test]
    fn wait_words_round_minutes_up() {
        let cases = [
            (None, "–"),
            (Some(0), "< 1 min"),
            (Some(59), "< 1 min"),
            (Some(60), "1 min"),
            (Some(61), "2 min"),
            (Some(120), "2 min"),
            (Some(121), "3 min"),
            (Some(3_599), "60 min"),
            (Some(3_600), "1 h 0 min"),
            (Some(5_430), "1 h 30 min"),
            (Some(90_000), "25 h 0 min"),
        ];
        for (eta_s, words) in cases {
            assert_eq!(wait_words(eta_s), words, "{eta_s:?}");
        }
    }
}
