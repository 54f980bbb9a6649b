//! What a fan whose number was reached found when they claimed their turn, cached at the edge:
//! repeated polls and joins by the same token cost the coordinator nothing after the first.
//!
//! A final outcome (lapsed, left, expired, released, or a purchase whose pass ended) never
//! changes: it is kept until the fan's token expires. A turn (assigned, or completed while the
//! pass lasts) can still end by the origin's release or completion: it is kept only
//! [`TURN_CACHE_MS`], so that is seen soon. A fan still waiting is not cached at all.
//!
//! Two layers: isolate memory (bounded, least recently used first) and the Cache API, keyed by
//! sale and arrival number on an internal URL.

use crate::lru::Lru;
use crate::response::CacheControl;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use waitroom_core::queue::Claim;
use waitroom_core::{SaleId, Seq, UnixMillis};
use worker::{Cache, Headers, Response};

/// How long a fan's turn is answered from the edge.
pub const TURN_CACHE_MS: u64 = 3_000;
/// Most outcomes an isolate keeps.
const MAX_OUTCOMES: usize = 4_096;

/// A claim's outcome, and until when it answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Kept {
    claim: Claim,
    until: UnixMillis,
}

thread_local! {
    static MEMORY: RefCell<Lru<(SaleId, Seq), Kept>> = RefCell::new(Lru::new(MAX_OUTCOMES));
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

fn cache_key(origin: &str, sale: &SaleId, seq: Seq) -> String {
    format!("{origin}/__waitroom/outcome/{sale}/{seq}")
}

/// The outcome fan `seq` found last, if it still answers at `now`.
pub async fn get(origin: &str, sale: &SaleId, seq: Seq, now: UnixMillis) -> Option<Claim> {
    let key = (sale.clone(), seq);
    let remembered = MEMORY.with(|m| m.borrow_mut().get_mut(&key).cloned());
    match remembered {
        Some(kept) if now < kept.until => return Some(kept.claim),
        Some(_) => {
            MEMORY.with(|m| m.borrow_mut().remove(&key));
        }
        None => {}
    }
    let mut hit = match Cache::default()
        .get(cache_key(origin, sale, seq), true)
        .await
    {
        Ok(Some(hit)) => hit,
        Ok(None) => return None,
        Err(e) => {
            worker::console_warn!("outcome cache lookup for {sale} failed: {e}");
            return None;
        }
    };
    let kept: Kept = hit.json().await.ok()?;
    if now >= kept.until {
        return None;
    }
    let claim = kept.claim.clone();
    MEMORY.with(|m| m.borrow_mut().insert(key, kept));
    Some(claim)
}

/// Keeps what fan `seq` found at `now` (if it may be kept), in memory and in the Cache API.
pub async fn put(
    origin: &str,
    sale: &SaleId,
    seq: Seq,
    claim: &Claim,
    now: UnixMillis,
    token_expires: UnixMillis,
) {
    let Some(until) = keep_until(claim, now, token_expires) else {
        return;
    };
    let kept = Kept {
        claim: claim.clone(),
        until,
    };
    MEMORY.with(|m| m.borrow_mut().insert((sale.clone(), seq), kept.clone()));
    if let Err(e) = store(&cache_key(origin, sale, seq), &kept, now).await {
        worker::console_warn!("could not cache an outcome of {sale}: {e}");
    }
}

/// Forgets fan `seq`'s outcome in this isolate (the origin just finished their assignment).
pub fn forget(sale: &SaleId, seq: Seq) {
    MEMORY.with(|m| m.borrow_mut().remove(&(sale.clone(), seq)));
}

async fn store(key: &str, kept: &Kept, now: UnixMillis) -> worker::Result<()> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let max_age = CacheControl::Public {
        max_age_s: now.millis_until(kept.until).div_ceil(1000),
    };
    headers.set("Cache-Control", &max_age.header())?;
    let body = serde_json::to_string(kept).map_err(|e| worker::Error::RustError(e.to_string()))?;
    Cache::default()
        .put(key, Response::ok(body)?.with_headers(headers))
        .await
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
    }
}
