//! The token a fan's request presents: as a bearer or in the sale's cookie, verified, and the
//! cookie set on an answer.

use crate::ctx::Ctx;
use crate::door::Held;
use crate::error::ApiError;
use crate::http;
use waitroom_core::keys::device::{MAX_PROOF_LEN, PROOF_HEADER};
use waitroom_core::keys::token::{QueueToken, TokenError, TOKEN_TTL_S};
use waitroom_core::SaleId;
use worker::{Request, Response};

/// Where a presented token came from: a bad cookie is ignored when joining, a bad bearer is not.
pub(crate) enum Presented {
    Bearer(String),
    Cookie(String),
}

pub(crate) fn presented(req: &Request, sale: &SaleId) -> Option<Presented> {
    http::bearer(req)
        .map(Presented::Bearer)
        .or_else(|| http::cookie(req, &http::token_cookie_name(sale)).map(Presented::Cookie))
}

pub(crate) fn verify(ctx: &Ctx, sale: &SaleId, text: &str) -> Result<QueueToken, ApiError> {
    Ok(ctx
        .config()?
        .secrets
        .token_keys
        .verify(text, sale, ctx.now)?)
}

/// The token a request presents (bearer or cookie), if any, verified: a bad one is refused.
pub(super) fn presented_token(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleId,
) -> Result<Option<QueueToken>, ApiError> {
    match presented(req, sale) {
        Some(Presented::Bearer(text) | Presented::Cookie(text)) => {
            Ok(Some(verify(ctx, sale, &text)?))
        }
        None => Ok(None),
    }
}

/// The token a request presents (bearer or cookie), verified; none is a malformed token.
pub(super) fn token_of(req: &Request, ctx: &Ctx, sale: &SaleId) -> Result<QueueToken, ApiError> {
    presented_token(req, ctx, sale)?.ok_or_else(|| TokenError::Malformed.into())
}

/// The token a request presents, verified: a bad cookie is ignored (as no token), a bad bearer
/// is refused.
pub(super) fn held(req: &Request, ctx: &Ctx, sale: &SaleId) -> Result<Option<Held>, ApiError> {
    Ok(match presented(req, sale) {
        Some(Presented::Bearer(text)) => {
            let token = verify(ctx, sale, &text)?;
            Some(Held {
                proof: bound_proof(req, &token),
                token,
                text,
            })
        }
        Some(Presented::Cookie(text)) => held_cookie(req, ctx, sale, text),
        None => None,
    })
}

/// The fan page's token (its cookie), if valid.
pub(super) fn held_by_page(req: &Request, ctx: &Ctx, sale: &SaleId) -> Option<Held> {
    let text = http::cookie(req, &http::token_cookie_name(sale))?;
    held_cookie(req, ctx, sale, text)
}

fn held_cookie(req: &Request, ctx: &Ctx, sale: &SaleId, text: String) -> Option<Held> {
    let token = verify(ctx, sale, &text).ok()?;
    Some(Held {
        proof: bound_proof(req, &token),
        token,
        text,
    })
}

/// The proof a place bound to a device presents; an unbound place's poll does not even read
/// the header (no cost per poll for sales that do not bind).
fn bound_proof(req: &Request, token: &QueueToken) -> Option<String> {
    token.device.as_ref().and_then(|_| device_proof(req))
}

/// The request's device proof (the `Device-Proof` header), for a place bound to a device. One
/// longer than a proof can be is no proof (the rule refuses it anyway).
pub(crate) fn device_proof(req: &Request) -> Option<String> {
    let text = req.headers().get(PROOF_HEADER).ok().flatten()?;
    (text.len() <= MAX_PROOF_LEN).then_some(text)
}

pub(super) fn set_token_cookie(
    response: &mut Response,
    sale: &SaleId,
    token: &str,
) -> Result<(), ApiError> {
    response
        .headers_mut()
        .set("Set-Cookie", &http::token_cookie(sale, token, TOKEN_TTL_S))?;
    Ok(())
}
