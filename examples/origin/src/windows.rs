//! Slot bookkeeping of the sale windows, without I/O or a clock (times are Unix seconds).
//!
//! A window serves `capacity` fans at once. Each pulled assignment takes a slot until the fan
//! finishes on the purchase page, the assignment lapses (the fan never claimed it by its
//! deadline), or the fan's pass expires with the purchase page left open.

use serde::Serialize;

/// A fan occupying a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub fan_id: String,
    pub seq: u64,
    /// The assignment's `expires_at`: it lapses if the fan has not claimed it by then.
    pub claim_deadline: u64,
    /// Set once the fan checked in on the purchase page: when their pass expires.
    pub pass_expires_at: Option<u64>,
}

impl Slot {
    pub fn checked_in(&self) -> bool {
        self.pass_expires_at.is_some()
    }
}

/// Why a slot was freed without the fan finishing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vacancy {
    /// The claim deadline passed and the fan never checked in.
    Unclaimed,
    /// The fan checked in but the pass expired before they bought or gave up.
    PassExpired,
}

#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub name: String,
    pub capacity: u32,
    slots: Vec<Slot>,
}

impl Window {
    pub fn new(name: impl Into<String>, capacity: u32) -> Self {
        Self {
            name: name.into(),
            capacity,
            slots: Vec::new(),
        }
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Free slots (zero when over capacity, which adopting late fans can cause).
    pub fn free(&self) -> u32 {
        let used = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.capacity.saturating_sub(used)
    }

    /// Whether some fan has a slot but has not checked in yet (their assignment may lapse).
    pub fn awaiting_claims(&self) -> bool {
        self.slots.iter().any(|s| !s.checked_in())
    }

    fn position(&self, fan_id: &str) -> Option<usize> {
        self.slots.iter().position(|s| s.fan_id == fan_id)
    }

    /// Gives a pulled fan a slot. `false` if the fan already has one (a replayed pull).
    pub fn occupy(&mut self, fan_id: &str, seq: u64, claim_deadline: u64) -> bool {
        if self.position(fan_id).is_some() {
            return false;
        }
        self.slots.push(Slot {
            fan_id: fan_id.to_owned(),
            seq,
            claim_deadline,
            pass_expires_at: None,
        });
        true
    }

    /// Marks the fan as checked in. A fan without a slot (freed when its claim deadline passed,
    /// or pulled before this process started) is adopted: they hold a valid pass, so they are
    /// served even if that puts the window over capacity for a while.
    pub fn check_in(&mut self, fan_id: &str, seq: u64, pass_expires_at: u64) {
        match self.position(fan_id) {
            Some(i) => self.slots[i].pass_expires_at = Some(pass_expires_at),
            None => self.slots.push(Slot {
                fan_id: fan_id.to_owned(),
                seq,
                claim_deadline: pass_expires_at,
                pass_expires_at: Some(pass_expires_at),
            }),
        }
    }

    /// Frees the fan's slot (they bought or gave up).
    pub fn vacate(&mut self, fan_id: &str) -> Option<Slot> {
        self.position(fan_id).map(|i| self.slots.remove(i))
    }

    /// Frees the slot of a fan the edge reports as lapsed, unless they checked in here.
    pub fn vacate_lapsed(&mut self, fan_id: &str) -> Option<Slot> {
        let i = self.position(fan_id)?;
        (!self.slots[i].checked_in()).then(|| self.slots.remove(i))
    }

    /// Frees the slots whose time is up at `now`.
    pub fn sweep(&mut self, now: u64) -> Vec<(Slot, Vacancy)> {
        let mut freed = Vec::new();
        self.slots.retain(|slot| {
            let vacancy = match slot.pass_expires_at {
                None if slot.claim_deadline <= now => Some(Vacancy::Unclaimed),
                Some(exp) if exp <= now => Some(Vacancy::PassExpired),
                _ => None,
            };
            match vacancy {
                Some(v) => {
                    freed.push((slot.clone(), v));
                    false
                }
                None => true,
            }
        });
        freed
    }
}

/// All windows of this origin.
#[derive(Clone, Debug, Serialize)]
pub struct Windows {
    windows: Vec<Window>,
}

impl Windows {
    /// `window-1` .. `window-{count}`, each with `capacity` slots.
    pub fn new(count: u32, capacity: u32) -> Self {
        Self {
            windows: (1..=count)
                .map(|i| Window::new(format!("window-{i}"), capacity))
                .collect(),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.windows.iter().map(|w| w.name.clone()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Window> {
        self.windows.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Window> {
        self.windows.iter().find(|w| w.name == name)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Window> {
        self.windows.iter_mut().find(|w| w.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn slots_fill_and_free() {
        let mut w = Window::new("window-1", 2);
        assert_eq!(w.free(), 2);
        assert!(w.occupy("fan_a", 1, NOW + 120));
        assert!(
            !w.occupy("fan_a", 1, NOW + 120),
            "a replayed pull takes no second slot"
        );
        assert!(w.occupy("fan_b", 2, NOW + 120));
        assert_eq!(w.free(), 0);
        assert!(w.awaiting_claims());
        assert_eq!(w.vacate("fan_a").map(|s| s.seq), Some(1));
        assert_eq!(w.vacate("fan_a"), None);
        assert_eq!(w.free(), 1);
    }

    #[test]
    fn unclaimed_slots_lapse_but_checked_in_ones_stay_until_the_pass_expires() {
        let mut w = Window::new("window-1", 3);
        w.occupy("fan_a", 1, NOW + 120);
        w.occupy("fan_b", 2, NOW + 120);
        w.check_in("fan_b", 2, NOW + 600);
        assert!(w.sweep(NOW + 119).is_empty());
        let freed = w.sweep(NOW + 120);
        assert_eq!(freed.len(), 1);
        assert_eq!((freed[0].0.seq, freed[0].1), (1, Vacancy::Unclaimed));
        assert!(!w.awaiting_claims());
        let freed = w.sweep(NOW + 600);
        assert_eq!((freed[0].0.seq, freed[0].1), (2, Vacancy::PassExpired));
        assert_eq!(w.free(), 3);
    }

    #[test]
    fn lapsed_reports_spare_checked_in_fans() {
        let mut w = Window::new("window-1", 2);
        w.occupy("fan_a", 1, NOW + 120);
        w.occupy("fan_b", 2, NOW + 120);
        w.check_in("fan_b", 2, NOW + 600);
        assert_eq!(w.vacate_lapsed("fan_a").map(|s| s.seq), Some(1));
        assert_eq!(w.vacate_lapsed("fan_b"), None);
        assert_eq!(w.vacate_lapsed("fan_zz"), None);
        assert_eq!(w.free(), 1);
    }

    #[test]
    fn late_fans_are_adopted_even_over_capacity() {
        let mut w = Window::new("window-1", 1);
        w.occupy("fan_a", 1, NOW + 120);
        w.check_in("fan_late", 9, NOW + 600);
        assert_eq!(w.slots().len(), 2);
        assert_eq!(w.free(), 0);
        w.vacate("fan_a");
        assert_eq!(w.free(), 0);
        w.vacate("fan_late");
        assert_eq!(w.free(), 1);
    }

    #[test]
    fn windows_are_named_in_order() {
        let ws = Windows::new(3, 2);
        assert_eq!(ws.names(), ["window-1", "window-2", "window-3"]);
        assert_eq!(ws.get("window-2").map(|w| w.capacity), Some(2));
        assert!(ws.get("window-4").is_none());
    }
}
