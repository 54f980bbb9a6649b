//! What a fan whose number was reached found when they claimed their turn, cached at the edge:
//! repeated polls and joins by the same token cost the coordinator nothing after the first.
//!
//! A final outcome (lapsed, left, expired, released, or a purchase whose pass ended) never
//! changes: it is kept until the fan's token expires. A turn (assigned, or completed while the
//! pass lasts) can still end by the origin's release or completion: it is kept only
//! [`TURN_CACHE_MS`], so that is seen soon. A fan still waiting is not cached at all.

use super::{Kept, Kind, Memory, Rules};
use crate::error::ApiError;
use crate::lru::Lru;
use std::cell::RefCell;
use std::future::Future;
use waitroom_core::queue::Claim;
use waitroom_core::{SaleId, Seq, UnixMillis};

/// How long a fan's turn is answered from the edge.
pub const TURN_CACHE_MS: u64 = 3_000;
/// Most outcomes an isolate keeps.
const MAX_OUTCOMES: usize = 4_096;

/// The claim fan `seq` of a sale found last, by the hand of the token that asked: a place moved
/// to another device is a new hand (docs/api.md, "Move my place"), and the old hand's token is
/// never answered from what the new one found (the coordinator refuses it).
pub struct Outcomes;

/// Whose outcome: fan `seq`, as held by the token of `hand`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Of {
    pub seq: Seq,
    pub hand: u8,
}

impl Kind for Outcomes {
    type Key = (SaleId, Of);
    type Value = Claim;
    const NAME: &'static str = "outcome";
    const RULES: Rules = Rules::ASK_WHEN_NOT_FRESH;

    fn path((sale, of): &(SaleId, Of)) -> String {
        match of.hand {
            0 => format!("{sale}/{}", of.seq),
            hand => format!("{sale}/{}.{hand}", of.seq),
        }
    }

    fn memory() -> &'static Memory<(SaleId, Of), Claim> {
        thread_local! {
            static MEMORY: RefCell<Lru<(SaleId, Of), super::plan::Slot<Claim>>> =
                RefCell::new(Lru::new(MAX_OUTCOMES));
        }
        &MEMORY
    }
}

/// Until when `claim`, found at `now` by a fan whose token expires at `token_expires`, may be
/// answered from the edge; `None` if it must not be cached.
fn keep_until(claim: &Claim, now: UnixMillis, token_expires: UnixMillis) -> Option<UnixMillis> {
    let until = match claim {
        // A turn without its pass (from an object of an earlier release) is answered busy:
        // asked again, not kept.
        Claim::Waiting { .. } | Claim::Turn { pass: None, .. } => return None,
        Claim::Turn { .. } => now.plus_millis(TURN_CACHE_MS),
        Claim::Lapsed { .. } => token_expires,
    };
    (now < until).then_some(until)
}

/// `claim` as kept (fresh for no time: answered once, not kept, where it must not be cached).
fn kept(claim: Claim, now: UnixMillis, token_expires: UnixMillis) -> Kept<Claim> {
    let fresh_until = keep_until(&claim, now, token_expires).unwrap_or(now);
    Kept {
        value: claim,
        at: now,
        fresh_until,
    }
}

/// What fan `seq` finds: the outcome they found last if it still answers at `now`, else what
/// `ask` says (kept as long as it may be, given their token's expiry).
pub async fn get<Fut>(
    origin: &str,
    sale: &SaleId,
    of: Of,
    now: UnixMillis,
    token_expires: UnixMillis,
    ask: Fut,
) -> Result<Claim, ApiError>
where
    Fut: Future<Output = Result<Claim, ApiError>>,
{
    let key = (sale.clone(), of);
    super::get::<Outcomes, _, _>(origin, &key, now, |now| async move {
        Ok(kept(ask.await?, now, token_expires))
    })
    .await
}

/// Keeps what fan `of` found at `now` (if it may be kept), in memory and in the Cache API.
pub async fn put(
    origin: &str,
    sale: &SaleId,
    of: Of,
    claim: Claim,
    now: UnixMillis,
    token_expires: UnixMillis,
) {
    let kept = kept(claim, now, token_expires);
    super::put::<Outcomes>(origin, &(sale.clone(), of), kept, now).await;
}

/// Forgets fan `seq`'s outcome in this isolate, for every hand (the origin just finished their
/// assignment).
pub fn forget(sale: &SaleId, seq: Seq) {
    for hand in 0..=waitroom_core::queue::MAX_MOVES {
        super::forget::<Outcomes>(&(sale.clone(), Of { seq, hand }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::queue::{Assignment, AssignmentState};

    #[test]
    fn final_outcomes_are_kept_until_the_token_expires_and_turns_briefly() {
        let now = UnixMillis(1_000_000);
        let expires = now.plus_secs(3_600);
        let assignment = Assignment {
            fan_id: waitroom_core::FanId::from_bytes([1; 10]),
            seq: 1,
            window: waitroom_core::WindowId::parse("w1").unwrap(),
            state: AssignmentState::Lapsed,
            assigned_at: UnixMillis(0),
            claim_by: UnixMillis(1),
            claimed_at: None,
            finished_at: Some(UnixMillis(1)),
            rejoined_as: None,
            assisted: false,
        };
        let lapsed = Claim::Lapsed {
            assignment: assignment.clone(),
        };
        assert_eq!(keep_until(&lapsed, now, expires), Some(expires));
        assert_eq!(keep_until(&lapsed, expires, expires), None);
        let turn = Claim::Turn {
            assignment: assignment.clone(),
            pass_ttl_s: 600,
            pass: Some("h.c.s".into()),
        };
        assert_eq!(
            keep_until(&turn, now, expires),
            Some(now.plus_millis(TURN_CACHE_MS))
        );
        let without_pass = Claim::Turn {
            assignment,
            pass_ttl_s: 600,
            pass: None,
        };
        assert_eq!(keep_until(&without_pass, now, expires), None);
        let waiting = Claim::Waiting {
            position: 1,
            ahead: 0,
        };
        assert_eq!(keep_until(&waiting, now, expires), None);
        // What must not be cached is answered once, fresh for no time.
        assert!(!kept(waiting, now, expires).is_fresh(now));
    }
}
