//! What the core's simulations (`simulate.rs`, `production/`) share: randomness, the fans they
//! keep by arrival number, the true count of fans ahead, the drawn line as a table, the order
//! checks on every position the line passes, and the process's measures.

// Each example uses most of it, not all of it.
#![allow(dead_code)]

use waitroom_core::queue::draw::Permutation;
use waitroom_core::Seq;

/// xorshift64*: enough randomness for a simulation, no dependency.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn fraction(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Counts of waiting fans by line position, for the true number ahead of anyone. Grows by
/// doubling (numbers run ahead of fans by the gaps): the new root covers everything before it.
pub struct Fenwick(Vec<i32>);
impl Fenwick {
    pub fn new() -> Self {
        Self(vec![0; 1 << 16 | 1])
    }
    pub fn add(&mut self, i: usize, v: i32) {
        while i + 1 >= self.0.len() {
            let n = self.0.len() - 1;
            let total = self.prefix(n + 1) as i32;
            self.0.resize(2 * n + 1, 0);
            self.0[2 * n] = total;
        }
        let mut i = i + 1;
        while i < self.0.len() {
            self.0[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    /// Fans at positions below `i`.
    pub fn prefix(&self, i: usize) -> i64 {
        let (mut i, mut s) = (i.min(self.0.len() - 1), 0i64);
        while i > 0 {
            s += i64::from(self.0[i]);
            i -= i & i.wrapping_neg();
        }
        s
    }
    /// Fans at positions `from..to`.
    pub fn between(&self, from: u64, to: u64) -> i64 {
        self.prefix(to as usize) - self.prefix(from as usize)
    }
}

/// A fan: when they joined and when they leave (ms after the simulation's start; `u32::MAX`:
/// never).
#[derive(Clone, Copy)]
pub struct Fan {
    pub joined_ms: u32,
    pub leaves_ms: u32,
}

impl Fan {
    pub fn gone_by(&self, t_ms: u64) -> bool {
        u64::from(self.leaves_ms) <= t_ms
    }
}

/// The fans by arrival number (numbers no fan got stay empty).
#[derive(Default)]
pub struct Fans(Vec<Option<Fan>>);
impl Fans {
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }
    pub fn insert(&mut self, seq: Seq, fan: Fan) {
        let slot = seq as usize;
        if self.0.len() <= slot {
            self.0.resize(slot + 1, None);
        }
        self.0[slot] = Some(fan);
    }
    pub fn at(&self, seq: Seq) -> Option<Fan> {
        self.0.get(seq as usize).copied().flatten()
    }
    /// The fans numbered after `seq`, with their numbers.
    pub fn after(&self, seq: Seq) -> impl Iterator<Item = (Seq, Fan)> + '_ {
        self.0
            .iter()
            .enumerate()
            .skip(seq as usize + 1)
            .filter_map(|(s, f)| f.map(|f| (s as Seq, f)))
    }
}

/// The line in drawn order, as the simulation's own bookkeeping (the edge computes one fan's
/// position per poll): the arrival number at each drawn position, from the published draw.
#[derive(Default)]
pub struct DrawnLine {
    seq_by_position: Vec<u32>,
}

impl DrawnLine {
    /// Every pre-queue number's drawn position, each fan holding one counted waiting there (the
    /// fans numbered after the pre-queue wait at their own numbers: the caller counts them).
    pub fn build(permutation: &Permutation, fans: &Fans, waiting: &mut Fenwick) -> Self {
        let end = permutation.end();
        let mut seq_by_position = vec![0u32; end as usize + 1];
        for seq in 1..=end {
            let position = permutation.position_of(seq);
            seq_by_position[position as usize] = seq as u32;
            if fans.at(seq).is_some() {
                waiting.add(position as usize, 1);
            }
        }
        Self { seq_by_position }
    }

    /// The arrival number at line position `position`.
    pub fn seq_at(&self, position: u64) -> Seq {
        self.seq_by_position
            .get(position as usize)
            .map(|s| u64::from(*s))
            .filter(|s| *s > 0)
            .unwrap_or(position)
    }
}

/// The order checks on every fan whose position the line passes, in the order it passes them:
/// positions strictly increasing, no pre-queue fan after a fan who came later, and (in arrival
/// order) nobody passed by a fan who arrived more than `bound_ms` later.
pub struct OrderCheck {
    bound_ms: u64,
    max_position: u64,
    later_fan_served: bool,
    latest_arrival_ms: u32,
    /// Positions out of order, and fans passed by one who arrived more than the bound later.
    pub out_of_order: u64,
    /// Pre-queue fans served after a fan who came after the pre-queue.
    pub prequeue_after_later: u64,
}

impl OrderCheck {
    pub fn new(bound_ms: u64) -> Self {
        Self {
            bound_ms,
            max_position: 0,
            later_fan_served: false,
            latest_arrival_ms: 0,
            out_of_order: 0,
            prequeue_after_later: 0,
        }
    }

    /// The line passed `fan` (number `seq`) at `position`; `pre_end` the pre-queue's last number.
    pub fn passed(&mut self, position: u64, seq: Seq, pre_end: Seq, fan: &Fan) {
        self.out_of_order += u64::from(position <= self.max_position);
        self.max_position = position;
        if seq <= pre_end {
            self.prequeue_after_later += u64::from(self.later_fan_served);
        } else {
            self.later_fan_served = true;
            self.out_of_order += u64::from(
                u64::from(fan.joined_ms) + self.bound_ms < u64::from(self.latest_arrival_ms),
            );
            self.latest_arrival_ms = self.latest_arrival_ms.max(fan.joined_ms);
        }
    }
}

/// The machine's load average, to read the wall time against (the machine may be shared).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The process's peak resident memory (VmHWM).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
