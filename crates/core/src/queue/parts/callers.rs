//! The places whose fans asked to be called back by Web Push (docs/api.md, "Called back"), by
//! line position, with their subscriptions (at most [`MAX_SUBSCRIPTIONS_PER_PLACE`] each, at
//! most [`MAX_CALLED_PLACES`] places a sale). Stored, one row per place; a place leaves once its
//! turn was pushed (or it moved to another device).

use crate::ids::{Position, Seq};
use crate::keys::push_subscription::PushSubscription;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most subscriptions one place keeps (a fan's phone, laptop and tablet).
pub const MAX_SUBSCRIPTIONS_PER_PLACE: usize = 3;
/// Most places of a sale waiting to be called (the coordinator keeps their subscriptions in
/// memory: at most ~1 KB each).
pub const MAX_CALLED_PLACES: usize = 10_000;

/// A place whose fan asked to be called back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub seq: Seq,
    pub subscriptions: Vec<PushSubscription>,
    /// The "near the front" push went out (or the fan was near the front already when they
    /// asked).
    #[serde(default)]
    pub near_sent: bool,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Callers {
    by_position: BTreeMap<Position, Caller>,
}

impl Callers {
    pub(crate) fn restore(
        callers: impl IntoIterator<Item = Caller>,
        position_of: impl Fn(Seq) -> Position,
    ) -> Self {
        Self {
            by_position: callers
                .into_iter()
                .map(|c| (position_of(c.seq), c))
                .collect(),
        }
    }

    pub(crate) fn get(&self, position: Position) -> Option<&Caller> {
        self.by_position.get(&position)
    }

    pub(crate) fn contains(&self, position: Position) -> bool {
        self.by_position.contains_key(&position)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_position.len()
    }

    pub(crate) fn put(&mut self, position: Position, caller: Caller) {
        self.by_position.insert(position, caller);
    }

    pub(crate) fn remove(&mut self, position: Position) -> Option<Caller> {
        self.by_position.remove(&position)
    }

    /// The callers at positions `from..to` not told yet that they are near the front.
    pub(crate) fn not_told(&self, from: Position, to: Position) -> Vec<Position> {
        if to <= from {
            return Vec::new();
        }
        self.by_position
            .range(from..to)
            .filter(|(_, c)| !c.near_sent)
            .map(|(p, _)| *p)
            .collect()
    }

    pub(crate) fn get_mut(&mut self, position: Position) -> Option<&mut Caller> {
        self.by_position.get_mut(&position)
    }
}
