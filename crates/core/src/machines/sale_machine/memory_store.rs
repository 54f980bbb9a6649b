//! For tests: storage as the coordinator Durable Object keeps it, rebuilt from the change
//! records, answering the core's [`Need`]s the way its SQLite queries do, and the object's
//! handle/supply loop around it.

use super::{Input, Need, PassSigning, Record, SaleMachine, Step, MAX_STEPS};
use crate::ids::{Position, Seq};
use crate::keys::pass::PassSigner;
use crate::machines::protocol::{Answer, Command};
use crate::queue::{
    Assignment, AssignmentState, BlockRecord, Change, DrawRecord, MinuteStats, PullRecord, Queue,
    Restored,
};
use crate::sale::Sale;
use crate::time::UnixMillis;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Default)]
pub(crate) struct MemoryStore {
    pub sale: Option<Sale>,
    pub line: (Seq, Position, u64),
    pub assignments: BTreeMap<Seq, Assignment>,
    pub pulls: BTreeMap<String, PullRecord>,
    pub minutes: BTreeMap<u64, MinuteStats>,
    pub waits: crate::queue::WaitHistogram,
    pub assisted: std::collections::BTreeSet<Seq>,
    pub blocks: BTreeMap<Seq, BlockRecord>,
    pub requests: BTreeMap<String, u64>,
    pub draw: Option<DrawRecord>,
    pub moves: BTreeMap<Seq, u8>,
    pub callers: BTreeMap<Seq, crate::queue::Caller>,
    pub party_members: BTreeMap<(Seq, u8), crate::queue::PartyMember>,
    /// The safety net's up periods, by `from` (the last `MAX_PERIODS`, as the object keeps them).
    pub net_periods: BTreeMap<UnixMillis, crate::protect::NetPeriod>,
    /// Needs answered.
    pub lookups: Vec<Need>,
    /// The pass-signing keys the object supplies (`None`: they cannot be read).
    pub signing: Option<PassSigning>,
}

/// The keys tests sign passes with.
pub(crate) fn test_signing() -> PassSigning {
    PassSigning {
        keys: std::rc::Rc::new(PassSigner::from_seed([7; 32])),
        issuer: "waitroom".into(),
    }
}

impl MemoryStore {
    pub fn apply(&mut self, changes: Vec<Change>) {
        for change in changes {
            match change {
                Change::Sale(s) => self.sale = Some(s),
                Change::Line {
                    next_seq,
                    head,
                    gap_total,
                } => self.line = (next_seq, head, gap_total),
                Change::Assignment(a) => {
                    self.assignments.insert(a.seq, a);
                }
                Change::Pull(p) => {
                    self.pulls.insert(p.request_id.to_string(), p);
                }
                Change::ForgetPullsBefore(at) => self.pulls.retain(|_, p| p.at >= at),
                Change::Minute(m) => {
                    self.minutes.insert(m.minute, m);
                }
                Change::Waits(w) => self.waits = w,
                Change::Assisted(seq) => {
                    self.assisted.insert(seq);
                }
                Change::ForgetMinutes { from, to } => self
                    .minutes
                    .retain(|minute, _| !(from..to).contains(minute)),
                Change::Block(b) => {
                    self.blocks.insert(b.start, b);
                }
                Change::Requests(counts) => self.requests.extend(counts),
                Change::Draw(d) => self.draw = Some(d),
                Change::Moved { seq, hand } => {
                    self.moves.insert(seq, hand);
                }
                Change::Caller { seq, caller } => match caller {
                    Some(c) => {
                        self.callers.insert(seq, c);
                    }
                    None => {
                        self.callers.remove(&seq);
                    }
                },
                Change::PartyMember(m) => {
                    self.party_members.insert((m.leader, m.seat), m);
                }
                Change::NetPeriod(p) => {
                    self.net_periods.insert(p.from, p);
                    while self.net_periods.len() > crate::protect::net::MAX_PERIODS {
                        self.net_periods.pop_first();
                    }
                }
            }
        }
    }

    /// What storage gives back: with `recent_since`, only assignments active or finished since
    /// then come back, with counts of all of them (as the Durable Object loads); without, all.
    pub fn restored(&self, recent_since: Option<UnixMillis>) -> Option<(Sale, Restored)> {
        let recent = |a: &&Assignment| match (recent_since, a.finished_at) {
            (Some(since), Some(at)) => a.state == AssignmentState::Assigned || at >= since,
            _ => true,
        };
        let mut counts: HashMap<AssignmentState, u64> = HashMap::new();
        for a in self.assignments.values() {
            *counts.entry(a.state).or_default() += 1;
        }
        Some((
            self.sale.clone()?,
            Restored {
                next_seq: self.line.0,
                head: self.line.1,
                gap_total: self.line.2,
                assignments: self.assignments.values().filter(recent).cloned().collect(),
                pulls: self.pulls.values().cloned().collect(),
                minutes: self.minutes.values().cloned().collect(),
                waits: self.waits.clone(),
                assisted: self.assisted.iter().copied().collect(),
                blocks: self.blocks.values().cloned().collect(),
                draw: self.draw.clone(),
                state_counts: recent_since.map(|_| counts.into_iter().collect()),
                moves: self.moves.iter().map(|(s, h)| (*s, *h)).collect(),
                callers: self.callers.values().cloned().collect(),
                party_members: self.party_members.values().cloned().collect(),
                net_periods: self.net_periods.values().copied().collect(),
            },
        ))
    }

    /// The line with every assignment in memory.
    pub fn restore(&self) -> Queue {
        let (sale, restored) = self.restored(None).expect("a sale was stored");
        Queue::restore(sale, restored)
    }

    /// The object after a restart at `now`.
    pub fn load(&self, now: UnixMillis) -> SaleMachine {
        SaleMachine::restore(
            self.restored(Some(SaleMachine::recent_since(now))),
            self.requests.clone(),
        )
    }

    /// Looks a need up, as the SQLite queries do (and the pass keys, as the object reads them).
    pub fn answer(&mut self, need: &Need) -> Record {
        self.lookups.push(need.clone());
        match need {
            Need::PassSigning => Record::PassSigning(self.signing.clone()),
            Need::AssignmentBySeq(seq) => Record::Assignment(self.assignments.get(seq).cloned()),
            Need::AssignmentByFan(fan_id) => Record::Assignment(
                self.assignments
                    .values()
                    .find(|a| a.fan_id == *fan_id)
                    .cloned(),
            ),
            Need::AssignmentsOfFans(fans) => Record::Assignments(
                self.assignments
                    .values()
                    .filter(|a| fans.contains(&a.fan_id))
                    .cloned()
                    .collect(),
            ),
            Need::Assignments {
                window,
                state,
                limit,
            } => Record::Assignments(
                self.assignments
                    .values()
                    .rev()
                    .filter(|a| window.as_ref().is_none_or(|w| a.window == *w))
                    .filter(|a| state.is_none_or(|s| a.state == s))
                    .take(*limit)
                    .cloned()
                    .collect(),
            ),
        }
    }

    /// The Durable Object's loop: handle, write, look up, supply, until an answer.
    pub fn run(
        &mut self,
        core: &mut SaleMachine,
        input: impl Into<Input>,
        now: UnixMillis,
    ) -> Answer {
        let mut step = core.handle(input, now);
        for _ in 0..MAX_STEPS {
            self.apply(core.take_changes());
            match step {
                Step::Reply(answer) => return answer,
                Step::Need(need) => step = core.supply(self.answer(&need), now),
            }
        }
        panic!("no answer within {MAX_STEPS} steps");
    }

    /// `n` new fans join at `now` (each a `Command::Join` without a place kept).
    /// Creates the test sale "tour" (`SaleSettingsInput::tour()`) and opens it at `now`.
    pub fn open_tour(&mut self, core: &mut SaleMachine, now: UnixMillis) {
        let upsert = Command::Upsert {
            id: crate::SaleId::parse("tour").unwrap(),
            settings: crate::sale::SaleSettings::parse(crate::sale::SaleSettingsInput::tour())
                .unwrap(),
            fan_salt: "salt-0123456789".into(),
            draw_key: None,
        };
        self.run(core, upsert, now).unwrap();
        self.run(core, Command::Open, now).unwrap();
    }

    pub fn join_new_fans(&mut self, core: &mut SaleMachine, n: u64, now: UnixMillis) {
        for _ in 0..n {
            let command = Command::Join {
                existing: None,
                pow: None,
            };
            self.run(core, command, now).unwrap();
        }
    }
}
