//! The assisted lane, asked for by a waiting fan (docs/api.md, "The assisted lane"): `POST
//! /api/sales/{sale}/assist` (JSON, the token as a bearer or the page's cookie) and `POST
//! /s/{sale}/assist` (the waiting page's form, without JavaScript: on to the page, 303). Granted,
//! the fan's token is re-signed saying so (the answer's `token`, and the cookie), so a fan who
//! asks again is answered at the edge; past the cap (as the snapshot says) the edge refuses
//! without a word to the coordinator, which holds the cap exactly.

use super::sale::snapshot;
use super::token::{held, held_by_page, set_token_cookie};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::i18n::Lang;
use crate::objects::Coordinator;
use crate::response::{self, json};
use serde::Serialize;
use waitroom_core::codec::tag_first::Only;
use waitroom_core::keys::token::{QueueToken, TokenError};
use waitroom_core::machines::protocol::{Command, Reply};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::queue::Assisted;
use waitroom_core::{QueueError, SaleId};
use worker::{Request, Response};

/// `POST /api/sales/{sale}/assist`: 200.
#[derive(Serialize)]
pub struct AssistAnswer {
    pub assisted: bool,
    /// Claim and pass time, as a multiple of the sale's.
    pub multiplier: u32,
    /// The fan's claim and pass time, in seconds.
    pub claim_ttl_s: u64,
    pub pass_ttl_s: u64,
    /// Assisted places the sale has left (as of the answer).
    pub places_left: u64,
    /// The fan's token, saying they have the lane: present it from now on.
    pub token: String,
}

/// Grants `token`'s fan the lane: the answer, and the token to hold from now on.
async fn ask(ctx: &Ctx, snap: &Snapshot, token: &QueueToken) -> Result<AssistAnswer, ApiError> {
    let assist = snap.sale.assist.ok_or(QueueError::AssistUnavailable)?;
    // A hand the place moved away from asks for nothing (docs/api.md, "Move my place").
    if snap.hand_of(token.seq) > token.hand {
        return Err(QueueError::PlaceMoved.into());
    }
    let max = u64::from(assist.max_places);
    let places_left = if token.assist {
        // Granted before (the token says so, signed by us): nothing to ask.
        max.saturating_sub(snap.assisted)
    } else {
        if snap.assisted >= max {
            return Err(QueueError::AssistFull {
                max_places: assist.max_places,
            }
            .into());
        }
        let command = Command::Assist { seq: token.seq };
        // Read as that one reply: the edge's module compiles no reader for the others.
        let granted: Only<Reply, Assisted> = ctx
            .objects
            .ask(&Coordinator(&snap.sale.id), &command)
            .await?;
        granted.into_inner().places_left
    };
    let renewed = token.assisted(ctx.now);
    Ok(AssistAnswer {
        assisted: true,
        multiplier: assist.multiplier,
        claim_ttl_s: assist.times(snap.sale.claim_ttl_s),
        pass_ttl_s: assist.times(snap.sale.pass_ttl_s),
        places_left,
        token: ctx.config()?.secrets.token_keys.sign(&renewed),
    })
}

/// `POST /api/sales/{sale}/assist`.
pub async fn api(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    http::require_same_site(&req)?;
    let held = held(&req, ctx, &sale)?.ok_or(ApiError::BadToken(TokenError::Malformed))?;
    let snap = snapshot(ctx, &sale).await?;
    let answer = ask(ctx, &snap, &held.token).await?;
    let mut response = json(200, &answer);
    set_token_cookie(&mut response, &sale, &answer.token)?;
    Ok(response)
}

/// What the page says after its form, as `?assist=` on the sale page.
pub fn outcome_of(result: &Result<AssistAnswer, ApiError>) -> &'static str {
    match result {
        Ok(_) => "granted",
        Err(ApiError::Queue(QueueError::AssistFull { .. })) => "full",
        Err(ApiError::Queue(QueueError::AssistTooLate)) => "too_late",
        Err(_) => "unavailable",
    }
}

/// The waiting page's words for `?assist=`, if it is one of ours, in the page's language.
pub fn notice_of(lang: Lang, outcome: &str, multiplier: u32) -> Option<String> {
    Some(match outcome {
        "granted" => lang.assist_notice_granted(multiplier),
        "full" => lang.assist_notice_full().into(),
        "too_late" => lang.assist_notice_too_late().into(),
        "unavailable" => lang.assist_notice_unavailable().into(),
        _ => return None,
    })
}

/// `POST /s/{sale}/assist`: the waiting page's form; on to the page (303) saying what happened.
pub async fn form(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    http::require_same_site(&req)?;
    let Some(held) = held_by_page(&req, ctx, &sale) else {
        return Ok(response::see_other(&format!("/s/{sale}"))?);
    };
    let snap = snapshot(ctx, &sale).await?;
    let result = ask(ctx, &snap, &held.token).await;
    if let Err(e) = &result {
        if e.is_busy() {
            return Err(result.err().expect("an error"));
        }
    }
    let mut response = response::see_other(&format!("/s/{sale}?assist={}", outcome_of(&result)))?;
    if let Ok(answer) = &result {
        set_token_cookie(&mut response, &sale, &answer.token)?;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::notice_of;
    use crate::i18n::Lang;

    /// Every outcome the form can come to has its words in every language, the multiplier in the
    /// granted one; anything else in `?assist=` says nothing.
    #[test]
    fn every_outcome_is_said_in_every_language() {
        for lang in Lang::all() {
            for outcome in ["granted", "full", "too_late", "unavailable"] {
                let words = notice_of(lang, outcome, 3).unwrap();
                assert!(!words.is_empty(), "{}: {outcome}", lang.code());
            }
            let granted = notice_of(lang, "granted", 7).unwrap();
            assert!(granted.contains('7'), "{}: {granted}", lang.code());
            assert_eq!(notice_of(lang, "<script>", 3), None);
        }
        let de = Lang::from_code("de").unwrap();
        assert!(notice_of(de, "full", 3)
            .unwrap()
            .starts_with("Alle unterstützten Plätze"));
    }
}
