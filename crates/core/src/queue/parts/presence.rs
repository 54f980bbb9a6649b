//! Who is still there near the front. Kept in memory only: after a restart everyone near the
//! front gets a fresh grace period, so nobody is skipped for the restart.
//!
//! A fan says they are there by polling, or by holding a socket open (see [`crate::queue::socket`]): an
//! open socket is presence for as long as it is open, and its close counts as the fan's last sign,
//! so a fan whose socket closes has `presence_ttl_s` from then to come back (by a poll or a new
//! socket) before their turn would skip them. The object that holds the sockets tells the core of
//! each one opened and closed, and after a restart counts the ones still open again.

use crate::ids::Position;
use crate::queue::limits::MIN_PRESENCE_ZONE;
use crate::time::UnixMillis;
use std::collections::{BTreeMap, VecDeque};

/// Fans expected to be admitted within this long count as near the front.
const PRESENCE_HORIZON_S: f64 = 60.0;

/// How many fans from the front count as "near the front" at this admission rate: those expected
/// to be admitted within a minute, and at least [`MIN_PRESENCE_ZONE`].
pub(crate) fn zone_size(admission_rate: f64) -> u64 {
    let by_rate = (admission_rate * PRESENCE_HORIZON_S).ceil() as u64;
    by_rate.max(MIN_PRESENCE_ZONE)
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Presence {
    /// When each fan near the front last said they were there.
    last_seen: BTreeMap<Position, UnixMillis>,
    /// When the front zone first reached each bound: (bound, at), bounds increasing.
    zone: VecDeque<(Position, UnixMillis)>,
    frontier: Position,
    /// Open sockets per fan (a fan may have several tabs), and their total.
    sockets: BTreeMap<Position, u32>,
    socket_total: u64,
}

impl Presence {
    pub(crate) fn starting_at(head: Position) -> Self {
        Self {
            frontier: head,
            ..Self::default()
        }
    }

    /// The fan at `position` (in line) polled.
    pub(crate) fn seen(&mut self, position: Position, now: UnixMillis) {
        self.last_seen.insert(position, now);
    }

    /// Notes when the front zone reached `zone_end`, and forgets zone bounds the line passed.
    pub(crate) fn track(&mut self, head: Position, zone_end: Position, now: UnixMillis) {
        if zone_end > self.frontier {
            self.zone.push_back((zone_end, now));
            self.frontier = zone_end;
        }
        while self.zone.front().is_some_and(|(bound, _)| *bound <= head) {
            self.zone.pop_front();
        }
    }

    /// Forgets the fans the line passed (their sockets too: the object closes them once it has
    /// pushed their turn).
    pub(crate) fn passed(&mut self, head: Position) {
        self.last_seen = self.last_seen.split_off(&head);
        let kept = self.sockets.split_off(&head);
        let dropped: u64 = self.sockets.values().map(|n| u64::from(*n)).sum();
        self.socket_total -= dropped;
        self.sockets = kept;
    }

    /// The fan at `position` (in line) opened a socket: present while it is open.
    pub(crate) fn socket_opened(&mut self, position: Position, now: UnixMillis) {
        *self.sockets.entry(position).or_default() += 1;
        self.socket_total += 1;
        self.seen(position, now);
    }

    /// One of the sockets of the fan at `position` closed: they were there until `now`. A socket the core does
    /// not count (the line passed the fan, or it was counted before a restart and not again)
    /// changes nothing but that.
    pub(crate) fn socket_closed(&mut self, position: Position, now: UnixMillis) {
        if let Some(n) = self.sockets.get_mut(&position) {
            *n -= 1;
            self.socket_total -= 1;
            if *n == 0 {
                self.sockets.remove(&position);
            }
            self.seen(position, now);
        }
    }

    /// Whether the fan at `position` holds an open socket.
    pub(crate) fn holds_socket(&self, position: Position) -> bool {
        self.sockets.contains_key(&position)
    }

    /// Open sockets counted, over all fans.
    pub(crate) fn sockets(&self) -> u64 {
        self.socket_total
    }

    /// Whether the fan at `position`, at the front now, stopped polling: no sign of them for `ttl_s` since
    /// they came near the front (or since they last said they were there). `ttl_s` 0: never.
    /// A fan holding an open socket is there.
    pub(crate) fn lapsed(&self, position: Position, now: UnixMillis, ttl_s: u64) -> bool {
        if ttl_s == 0 || self.holds_socket(position) {
            return false;
        }
        let Some(&(_, entered)) = self.zone.iter().find(|(bound, _)| *bound > position) else {
            return false;
        };
        let seen = self
            .last_seen
            .get(&position)
            .copied()
            .unwrap_or(entered)
            .max(entered);
        seen.plus_secs(ttl_s) < now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_grows_with_the_rate() {
        assert_eq!(zone_size(0.0), MIN_PRESENCE_ZONE);
        assert_eq!(zone_size(2.0), 120);
        assert_eq!(zone_size(0.01), MIN_PRESENCE_ZONE);
    }

    #[test]
    fn silent_fans_lapse_after_the_ttl_from_entering_the_zone() {
        let t0 = UnixMillis(1_000_000);
        let mut p = Presence::starting_at(Position(1));
        p.track(Position(1), Position(21), t0);
        // Not in any zone bound yet: never lapsed.
        assert!(!p.lapsed(Position(30), t0.plus_secs(100), 30));
        assert!(!p.lapsed(Position(5), t0.plus_secs(30), 30));
        assert!(p.lapsed(Position(5), t0.plus_secs(31), 30));
        p.seen(Position(5), t0.plus_secs(20));
        assert!(!p.lapsed(Position(5), t0.plus_secs(50), 30));
        assert!(p.lapsed(Position(5), t0.plus_secs(51), 30));
        assert!(
            !p.lapsed(Position(5), t0.plus_secs(1_000), 0),
            "0 switches it off"
        );
        // The zone moves on: fans beyond the old bound enter later.
        p.track(Position(1), Position(41), t0.plus_secs(40));
        assert!(!p.lapsed(Position(30), t0.plus_secs(70), 30));
        assert!(p.lapsed(Position(30), t0.plus_secs(71), 30));
        p.seen(Position(25), t0.plus_secs(60));
        assert!(!p.lapsed(Position(25), t0.plus_secs(80), 30));
        // Bounds the line passed are forgotten, and so are the passed fans' polls.
        p.track(Position(21), Position(41), t0.plus_secs(80));
        p.passed(Position(26));
        assert!(p.lapsed(Position(25), t0.plus_secs(80), 30));
    }

    #[test]
    fn an_open_socket_is_presence_and_its_close_is_the_last_sign() {
        let t0 = UnixMillis(1_000_000);
        let mut p = Presence::starting_at(Position(1));
        p.track(Position(1), Position(21), t0);
        p.socket_opened(Position(5), t0.plus_secs(1));
        p.socket_opened(Position(5), t0.plus_secs(2));
        assert_eq!(p.sockets(), 2);
        assert!(
            !p.lapsed(Position(5), t0.plus_secs(1_000), 30),
            "open: never silent"
        );
        p.socket_closed(Position(5), t0.plus_secs(100));
        assert!(
            !p.lapsed(Position(5), t0.plus_secs(1_000), 30),
            "a second tab still open"
        );
        p.socket_closed(Position(5), t0.plus_secs(200));
        assert_eq!(p.sockets(), 0);
        assert!(!p.lapsed(Position(5), t0.plus_secs(230), 30));
        assert!(
            p.lapsed(Position(5), t0.plus_secs(231), 30),
            "ttl from the close"
        );
        // A close the core never counted changes nothing.
        p.socket_closed(Position(6), t0.plus_secs(300));
        assert_eq!(p.sockets(), 0);
        // Passed fans' sockets are no longer counted.
        p.socket_opened(Position(7), t0);
        p.socket_opened(Position(9), t0);
        p.passed(Position(8));
        assert_eq!(p.sockets(), 1);
        assert!(!p.holds_socket(Position(7)) && p.holds_socket(Position(9)));
    }
}
