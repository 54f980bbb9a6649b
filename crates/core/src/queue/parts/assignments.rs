//! The assignments held in memory: every active one, and finished ones for
//! [`RETAIN_FINISHED_MS`] after they finished (or were read back). Older finished ones are only in
//! storage; the coordinator asks for them back when a fan or the origin comes back to them.

use crate::ids::{FanId, Position, Seq};
use crate::queue::error::QueueError;
use crate::queue::limits::RETAIN_FINISHED_MS;
use crate::queue::records::{Assignment, AssignmentState, Claim, Joined, Rejoined};
use crate::time::UnixMillis;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// How the origin finishes an assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finish {
    Completed,
    Released,
}

impl Finish {
    fn state(self) -> AssignmentState {
        match self {
            Finish::Completed => AssignmentState::Completed,
            Finish::Released => AssignmentState::Released,
        }
    }
}

/// How long a claimed admission (and its pass) lasts: the sale's time, times the assisted lane's
/// multiplier for an assisted fan's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PassTime {
    pub(crate) secs: u64,
    /// 1 without an assisted lane.
    pub(crate) assist_multiplier: u64,
}

impl PassTime {
    /// The sale's time for everyone (no assisted lane).
    #[cfg(test)]
    pub(crate) fn plain(secs: u64) -> Self {
        Self {
            secs,
            assist_multiplier: 1,
        }
    }

    /// How long `a`'s pass lasts.
    pub(crate) fn of(self, a: &Assignment) -> u64 {
        if a.assisted {
            self.secs.saturating_mul(self.assist_multiplier)
        } else {
            self.secs
        }
    }
}

/// Assignments by state, counting those only in storage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub completed: u64,
    pub released: u64,
    pub lapsed: u64,
    pub left: u64,
    /// Claimed passes that ran out before the origin finished them.
    pub expired: u64,
    /// Assigned and claimed, not finished.
    pub claimed_open: u64,
}

impl Counts {
    pub(crate) fn finished(&self) -> u64 {
        self.completed + self.released + self.lapsed + self.left + self.expired
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Assignments {
    by_seq: BTreeMap<Seq, Assignment>,
    by_fan: HashMap<FanId, Seq>,
    /// Claim deadlines of the assignments not claimed yet.
    unclaimed: BTreeSet<(UnixMillis, Seq)>,
    /// When the assignments claimed and not finished were claimed: each ends when its pass
    /// expires (`claimed_at` + the sale's `pass_ttl_s`).
    claimed: BTreeSet<(UnixMillis, Seq)>,
    /// The same, for assisted fans (their passes last longer: [`PassTime::of`]).
    claimed_assisted: BTreeSet<(UnixMillis, Seq)>,
    counts: Counts,
    /// Finished assignments in memory, oldest first, to drop after [`RETAIN_FINISHED_MS`].
    retired: VecDeque<(UnixMillis, Seq)>,
    /// Finished assignments kept only in storage.
    evicted: u64,
}

impl Assignments {
    /// What storage gave back: the assignments it returned, and (when it returned only some)
    /// how many there are in each state.
    pub(crate) fn restore(
        mut assignments: Vec<Assignment>,
        state_counts: Option<Vec<(AssignmentState, u64)>>,
    ) -> Self {
        let mut s = Self::default();
        assignments.sort_by_key(|a| a.finished_at);
        for a in assignments {
            if let Some(at) = a.finished_at {
                s.retired.push_back((at, a.seq));
            }
            s.insert(a);
        }
        if let Some(counts) = state_counts {
            let count = |state| {
                counts
                    .iter()
                    .find(|(s, _)| *s == state)
                    .map_or(0, |(_, n)| *n)
            };
            let in_memory = s.counts.finished();
            let c = &mut s.counts;
            c.completed = count(AssignmentState::Completed);
            c.released = count(AssignmentState::Released);
            c.lapsed = count(AssignmentState::Lapsed);
            c.left = count(AssignmentState::Left);
            c.expired = count(AssignmentState::Expired);
            s.evicted = c.finished().saturating_sub(in_memory);
        }
        s
    }

    fn insert(&mut self, a: Assignment) {
        self.by_fan.insert(a.fan_id.clone(), a.seq);
        match a.state {
            AssignmentState::Assigned if a.claimed_at.is_none() => {
                self.unclaimed.insert((a.claim_by, a.seq));
            }
            AssignmentState::Assigned => {
                if let Some(claimed_at) = a.claimed_at {
                    self.claimed_of(&a).insert((claimed_at, a.seq));
                }
                self.counts.claimed_open += 1;
            }
            AssignmentState::Completed => self.counts.completed += 1,
            AssignmentState::Released => self.counts.released += 1,
            AssignmentState::Lapsed => self.counts.lapsed += 1,
            AssignmentState::Left => self.counts.left += 1,
            AssignmentState::Expired => self.counts.expired += 1,
        }
        self.by_seq.insert(a.seq, a);
    }

    /// A new assignment, made at `now` (possibly already finished: a fan who left).
    pub(crate) fn add(&mut self, a: Assignment, now: UnixMillis) {
        if a.finished_at.is_some() {
            self.retired.push_back((now, a.seq));
        }
        self.insert(a);
    }

    /// Records that finished place `seq` was turned into `joined`: the assignment as it now
    /// stands, to write. `None` when `seq` has no finished assignment in memory (or one turned
    /// into a place already).
    pub(crate) fn rejoined(&mut self, seq: Seq, joined: &Joined) -> Option<Assignment> {
        let a = self.by_seq.get_mut(&seq)?;
        if a.finished_at.is_none() || a.rejoined_as.is_some() {
            return None;
        }
        a.rejoined_as = Some(Rejoined::of(joined));
        Some(a.clone())
    }

    /// The set of claimed assignments `a` belongs in.
    fn claimed_of(&mut self, a: &Assignment) -> &mut BTreeSet<(UnixMillis, Seq)> {
        if a.assisted {
            &mut self.claimed_assisted
        } else {
            &mut self.claimed
        }
    }

    pub(crate) fn get(&self, seq: Seq) -> Option<&Assignment> {
        self.by_seq.get(&seq)
    }

    pub(crate) fn of_fan(&self, fan_id: &FanId) -> Option<&Assignment> {
        self.by_fan.get(fan_id).and_then(|s| self.by_seq.get(s))
    }

    /// Fan `seq` (behind the front) asks for their turn: what they find, and whether this changed
    /// the assignment (the first claim, which starts the pass).
    pub(crate) fn claim(
        &mut self,
        seq: Seq,
        now: UnixMillis,
        pass_time: PassTime,
    ) -> Result<(Claim, bool), QueueError> {
        let a = self
            .by_seq
            .get_mut(&seq)
            .ok_or(QueueError::AssignmentNotFound)?;
        Ok(match (a.state, a.claimed_at) {
            (AssignmentState::Assigned, None) => {
                self.unclaimed.remove(&(a.claim_by, seq));
                a.claimed_at = Some(now);
                let a = a.clone();
                self.claimed_of(&a).insert((now, seq));
                self.counts.claimed_open += 1;
                let turn = Claim::Turn {
                    pass_ttl_s: pass_time.of(&a),
                    assignment: a,
                    pass: None,
                };
                (turn, true)
            }
            _ => (claimed_again(a, now, pass_time), false),
        })
    }

    /// The origin finishes the assignment of `fan_id`.
    pub(crate) fn finish(
        &mut self,
        fan_id: &FanId,
        outcome: Finish,
        now: UnixMillis,
    ) -> Result<Assignment, QueueError> {
        let a = self
            .by_fan
            .get(fan_id)
            .and_then(|seq| self.by_seq.get_mut(seq))
            .ok_or(QueueError::AssignmentNotFound)?;
        if a.state != AssignmentState::Assigned {
            return Err(QueueError::AssignmentFinished { state: a.state });
        }
        match a.claimed_at {
            None => {
                self.unclaimed.remove(&(a.claim_by, a.seq));
            }
            Some(claimed_at) => {
                self.claimed.remove(&(claimed_at, a.seq));
                self.claimed_assisted.remove(&(claimed_at, a.seq));
                self.counts.claimed_open -= 1;
            }
        }
        a.state = outcome.state();
        a.finished_at = Some(now);
        match outcome {
            Finish::Completed => self.counts.completed += 1,
            Finish::Released => self.counts.released += 1,
        }
        self.retired.push_back((now, a.seq));
        Ok(a.clone())
    }

    /// Lapses every assignment whose claim deadline passed; returns them.
    pub(crate) fn lapse_due(&mut self, now: UnixMillis) -> Vec<Assignment> {
        let mut lapsed = Vec::new();
        while let Some(&(claim_by, seq)) = self.unclaimed.first() {
            if claim_by > now {
                break;
            }
            self.unclaimed.pop_first();
            let Some(a) = self.by_seq.get_mut(&seq) else {
                continue;
            };
            a.state = AssignmentState::Lapsed;
            a.finished_at = Some(claim_by);
            self.counts.lapsed += 1;
            self.retired.push_back((now, seq));
            lapsed.push(a.clone());
        }
        lapsed
    }

    /// Ends every claimed assignment whose pass expired (claimed its [`PassTime`] ago or more)
    /// before the origin completed or released it; returns them.
    pub(crate) fn expire_due(&mut self, now: UnixMillis, pass_time: PassTime) -> Vec<Assignment> {
        let mut expired = self.expire_due_in(now, pass_time.secs, false);
        let assisted = pass_time.secs.saturating_mul(pass_time.assist_multiplier);
        expired.extend(self.expire_due_in(now, assisted, true));
        expired
    }

    fn expire_due_in(
        &mut self,
        now: UnixMillis,
        pass_ttl_s: u64,
        assisted: bool,
    ) -> Vec<Assignment> {
        let mut expired = Vec::new();
        loop {
            let set = if assisted {
                &mut self.claimed_assisted
            } else {
                &mut self.claimed
            };
            let Some(&(claimed_at, seq)) = set.first() else {
                break;
            };
            let pass_end = claimed_at.plus_secs(pass_ttl_s);
            if pass_end > now {
                break;
            }
            set.pop_first();
            let Some(a) = self.by_seq.get_mut(&seq) else {
                continue;
            };
            a.state = AssignmentState::Expired;
            a.finished_at = Some(pass_end);
            self.counts.claimed_open -= 1;
            self.counts.expired += 1;
            self.retired.push_back((now, seq));
            expired.push(a.clone());
        }
        expired
    }

    /// Drops from memory the assignments finished more than [`RETAIN_FINISHED_MS`] ago.
    pub(crate) fn evict(&mut self, now: UnixMillis) {
        while let Some(&(at, seq)) = self.retired.front() {
            if at.plus_millis(RETAIN_FINISHED_MS) > now {
                break;
            }
            self.retired.pop_front();
            if let Some(a) = self.by_seq.remove(&seq) {
                self.by_fan.remove(&a.fan_id);
                self.evicted += 1;
            }
        }
    }

    /// Whether an operation on fan `seq` (behind `head`) needs their finished assignment back
    /// from storage first.
    pub(crate) fn needs_record(&self, seq: Seq, behind_head: bool) -> bool {
        self.evicted > 0 && behind_head && !self.by_seq.contains_key(&seq)
    }

    /// Whether the assignment of `fan_id`, if there is one, is in memory.
    pub(crate) fn knows_fan(&self, fan_id: &FanId) -> bool {
        self.evicted == 0 || self.by_fan.contains_key(fan_id)
    }

    /// Takes back a finished assignment read from storage. It is dropped again
    /// [`RETAIN_FINISHED_MS`] after `now`.
    pub(crate) fn remember(&mut self, a: Assignment, behind_head: bool, now: UnixMillis) {
        if a.state == AssignmentState::Assigned || !behind_head || self.by_seq.contains_key(&a.seq)
        {
            return;
        }
        self.by_fan.insert(a.fan_id.clone(), a.seq);
        self.retired.push_back((now, a.seq));
        self.by_seq.insert(a.seq, a);
        self.evicted = self.evicted.saturating_sub(1);
    }

    /// When the next assignment would lapse, or the next claimed pass expire.
    pub(crate) fn next_deadline(&self, pass_time: PassTime) -> Option<UnixMillis> {
        let lapse = self.unclaimed.first().map(|(at, _)| *at);
        let expiry = self
            .claimed
            .first()
            .map(|(claimed_at, _)| claimed_at.plus_secs(pass_time.secs));
        let assisted = self.claimed_assisted.first().map(|(claimed_at, _)| {
            claimed_at.plus_secs(pass_time.secs.saturating_mul(pass_time.assist_multiplier))
        });
        lapse.into_iter().chain(expiry).chain(assisted).min()
    }

    /// When the newest admission in memory was made (fans who left were admitted nowhere).
    pub(crate) fn newest_admission(&self) -> Option<UnixMillis> {
        self.by_seq
            .values()
            .rev()
            .find(|a| a.state != AssignmentState::Left)
            .map(|a| a.assigned_at)
    }

    /// Assignments held now (not finished, claimed or not): what `capacity` mode caps.
    pub(crate) fn held(&self) -> u64 {
        self.unclaimed.len() as u64 + self.counts.claimed_open
    }

    pub(crate) fn counts(&self) -> Counts {
        self.counts
    }

    /// Assignments in memory now (active, and finished ones not yet dropped to storage).
    pub(crate) fn in_memory(&self) -> usize {
        self.by_seq.len()
    }

    /// Assignments ever made, in memory or not.
    pub(crate) fn handled(&self) -> u64 {
        self.by_seq.len() as u64 + self.evicted
    }

    pub(crate) fn check(
        &self,
        head: Position,
        fan_id: impl Fn(Seq) -> FanId,
        position: impl Fn(Seq) -> Position,
        gaps_behind: u64,
    ) -> Result<(), String> {
        if self.handled() + gaps_behind != head.0 - 1 {
            return Err(format!(
                "{} assignments, {} in storage only and {gaps_behind} unused numbers behind head {head}",
                self.by_seq.len(),
                self.evicted,
            ));
        }
        if self.by_seq.keys().any(|seq| position(*seq) >= head) {
            return Err("an assignment at or after head".into());
        }
        if self.by_fan.len() != self.by_seq.len() {
            return Err("a fan id indexes two assignments".into());
        }
        let mut unclaimed = 0;
        let mut claimed = 0;
        for (seq, a) in &self.by_seq {
            if a.seq != *seq || a.fan_id != fan_id(*seq) {
                return Err(format!("assignment {seq} has the wrong seq or fan id"));
            }
            if a.state == AssignmentState::Assigned && a.claimed_at.is_none() {
                unclaimed += 1;
                if !self.unclaimed.contains(&(a.claim_by, *seq)) {
                    return Err(format!("unclaimed assignment {seq} has no deadline"));
                }
            }
            if let (AssignmentState::Assigned, Some(claimed_at)) = (a.state, a.claimed_at) {
                claimed += 1;
                let set = if a.assisted {
                    &self.claimed_assisted
                } else {
                    &self.claimed
                };
                if !set.contains(&(claimed_at, *seq)) {
                    return Err(format!("claimed assignment {seq} never expires"));
                }
            }
        }
        if unclaimed != self.unclaimed.len() {
            return Err("stale claim deadlines".into());
        }
        let claimed_sets = self.claimed.len() + self.claimed_assisted.len();
        if claimed != claimed_sets || claimed as u64 != self.counts.claimed_open {
            return Err("stale pass expiries".into());
        }
        Ok(())
    }
}

/// What fan `a` finds on a claim once the first claim is behind them (or their turn ended
/// unclaimed): their turn again while the pass lasts, else nothing more. Changes nothing, so a
/// finished assignment read back from storage is answered without taking it back into memory.
pub(crate) fn claimed_again(a: &Assignment, now: UnixMillis, pass_time: PassTime) -> Claim {
    let pass_ttl_s = pass_time.of(a);
    match (a.state, a.claimed_at) {
        (AssignmentState::Assigned | AssignmentState::Completed, Some(claimed_at))
            if now < claimed_at.plus_secs(pass_ttl_s) =>
        {
            Claim::Turn {
                assignment: a.clone(),
                pass_ttl_s,
                pass: None,
            }
        }
        _ => Claim::Lapsed {
            assignment: a.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WindowId;

    const T0: UnixMillis = UnixMillis(1_800_000_000_000);

    fn fan(seq: Seq) -> FanId {
        FanId::from_bytes([seq as u8; 10])
    }

    fn assigned(seq: Seq, now: UnixMillis) -> Assignment {
        Assignment {
            fan_id: fan(seq),
            seq,
            window: WindowId::parse("w").unwrap(),
            state: AssignmentState::Assigned,
            assigned_at: now,
            claim_by: now.plus_secs(60),
            claimed_at: None,
            finished_at: None,
            rejoined_as: None,
            assisted: false,
            party_size: 0,
            party_seat: 0,
        }
    }

    #[test]
    fn claims_finish_and_lapses_keep_the_counts() {
        let mut s = Assignments::default();
        for seq in 1..=3 {
            s.add(assigned(seq, T0), T0);
        }
        assert_eq!(
            s.next_deadline(PassTime::plain(300)),
            Some(T0.plus_secs(60))
        );
        let (claim, changed) = s.claim(1, T0.plus_secs(1), PassTime::plain(300)).unwrap();
        assert!(changed && matches!(claim, Claim::Turn { .. }));
        assert!(
            !s.claim(1, T0.plus_secs(2), PassTime::plain(300)).unwrap().1,
            "a repeat changes nothing"
        );
        assert_eq!(
            s.finish(&fan(2), Finish::Released, T0).unwrap().state,
            AssignmentState::Released
        );
        assert_eq!(
            s.finish(&fan(2), Finish::Completed, T0),
            Err(QueueError::AssignmentFinished {
                state: AssignmentState::Released
            })
        );
        let lapsed = s.lapse_due(T0.plus_secs(60));
        assert_eq!(lapsed.iter().map(|a| a.seq).collect::<Vec<_>>(), vec![3]);
        assert_eq!(lapsed[0].finished_at, Some(T0.plus_secs(60)));
        let c = s.counts();
        assert_eq!((c.claimed_open, c.released, c.lapsed), (1, 1, 1));
        assert_eq!(
            s.next_deadline(PassTime::plain(300)),
            Some(T0.plus_secs(301)),
            "the claimed pass of fan 1 ends"
        );
        s.check(Position(4), fan, Position, 0).unwrap();
        assert!(s
            .expire_due(T0.plus_secs(300), PassTime::plain(300))
            .is_empty());
        let expired = s.expire_due(T0.plus_secs(301), PassTime::plain(300));
        assert_eq!(expired.len(), 1);
        assert_eq!(
            (expired[0].seq, expired[0].state, expired[0].finished_at),
            (1, AssignmentState::Expired, Some(T0.plus_secs(301)))
        );
        let c = s.counts();
        assert_eq!((c.claimed_open, c.expired), (0, 1));
        assert_eq!(s.next_deadline(PassTime::plain(300)), None);
        assert_eq!(
            s.finish(&fan(1), Finish::Completed, T0.plus_secs(302)),
            Err(QueueError::AssignmentFinished {
                state: AssignmentState::Expired
            })
        );
        s.check(Position(4), fan, Position, 0).unwrap();
    }

    #[test]
    fn finished_assignments_leave_memory_and_come_back() {
        let mut s = Assignments::default();
        s.add(assigned(1, T0), T0);
        s.add(assigned(2, T0), T0);
        let done = s.finish(&fan(1), Finish::Completed, T0).unwrap();
        assert!(s.knows_fan(&fan(1)) && !s.needs_record(1, 1 < 3));
        s.evict(T0.plus_millis(RETAIN_FINISHED_MS - 1));
        assert!(s.get(1).is_some());
        s.evict(T0.plus_millis(RETAIN_FINISHED_MS));
        assert!(s.get(1).is_none() && s.get(2).is_some(), "active ones stay");
        assert!(s.needs_record(1, 1 < 3) && !s.knows_fan(&fan(1)));
        assert!(!s.needs_record(3, 3 < 3), "not behind the front");
        assert_eq!(s.handled(), 2);
        s.check(Position(3), fan, Position, 0).unwrap();
        let later = T0.plus_millis(RETAIN_FINISHED_MS + 5);
        s.remember(done.clone(), true, later);
        assert_eq!(s.of_fan(&fan(1)), Some(&done));
        assert_eq!(s.counts().completed, 1, "remembering does not count twice");
        s.check(Position(3), fan, Position, 0).unwrap();
        s.evict(later.plus_millis(RETAIN_FINISHED_MS));
        assert!(s.get(1).is_none());
    }

    #[test]
    fn restore_counts_what_storage_kept_only() {
        let mut done = assigned(1, T0);
        done.state = AssignmentState::Completed;
        done.finished_at = Some(T0);
        let s = Assignments::restore(
            vec![done, assigned(3, T0)],
            Some(vec![
                (AssignmentState::Completed, 1),
                (AssignmentState::Lapsed, 1),
                (AssignmentState::Assigned, 1),
            ]),
        );
        assert_eq!((s.counts().lapsed, s.handled()), (1, 3));
        assert!(s.needs_record(2, 2 < 4));
        s.check(Position(4), fan, Position, 0).unwrap();
    }
}
