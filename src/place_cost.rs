//! What a new place in line costs at the edge: a proof of work (per sale `pow_bits`), then room
//! in the client address's rate limit (per sale `rate_limit_per_min`, else the environment's
//! `RATE_LIMIT_PER_MIN`). The rules are the core's ([`waitroom_core::pow`],
//! [`waitroom_core::rate_limit`]); this module reads the request and keeps the per-isolate state.
//!
//! Only a request that would take a *new* place pays: a fan holding a valid token never does.
//! The solution that paid travels with the join to the object that numbers the fan (the
//! coordinator, or the arrival shard the solution's hash picks), which refuses it if it was
//! spent before: so a replay is caught whichever isolate it reaches.

use crate::error::ApiError;
use crate::pages::{self, GettingPlacePage, RateLimitedPage, SaleLook};
use crate::response::{json, CacheControl};
use crate::routes::Ctx;
use std::cell::RefCell;
use waitroom_core::pow::{self, Challenge, PowError, Solution, Verified};
use waitroom_core::rate_limit::{
    ClientAddress, Limited, PerMinute, RateLimiter, DEFAULT_PER_MINUTE,
};
use waitroom_core::snapshot::Snapshot;
use waitroom_core::{Phase, QueueError, SaleId};
use worker::{Request, Response};

/// Addresses (per sale) one isolate keeps a bucket for.
const MAX_TRACKED_ADDRESSES: usize = 10_000;

thread_local! {
    static LIMITER: RefCell<RateLimiter> = RefCell::new(RateLimiter::new(MAX_TRACKED_ADDRESSES));
}

/// Charges a request that would take a new place: its proof of work, then the address's rate
/// limit. `Ok` carries the verified solution (if the sale asks for one), for the join.
pub fn pay(
    req: &Request,
    ctx: &Ctx,
    snap: &Snapshot,
    solution: Option<&Solution>,
) -> Result<Option<Verified>, ApiError> {
    let paid = proof_of_work(ctx, snap, solution)?;
    rate_limit(req, ctx, snap)?;
    Ok(paid)
}

fn proof_of_work(
    ctx: &Ctx,
    snap: &Snapshot,
    solution: Option<&Solution>,
) -> Result<Option<Verified>, ApiError> {
    let bits = snap.sale.pow_bits;
    if bits.is_off() {
        return Ok(None);
    }
    let Some(solution) = solution else {
        return Err(refusal(ctx, &snap.sale.id, snap, PowError::Required)?);
    };
    let key = &ctx.config()?.secrets.pow_key;
    match pow::verify(key, &snap.sale.id, bits, solution, ctx.now) {
        Ok(verified) => Ok(Some(verified)),
        Err(error) => Err(refusal(ctx, &snap.sale.id, snap, error)?),
    }
}

/// A fresh challenge for `sale` at the snapshot's difficulty.
fn fresh(ctx: &Ctx, sale: &SaleId, snap: &Snapshot) -> Result<Challenge, ApiError> {
    let key = &ctx.config()?.secrets.pow_key;
    let salt = crate::random::bytes();
    Ok(pow::issue(key, sale, snap.sale.pow_bits, ctx.now, salt))
}

fn refusal(
    ctx: &Ctx,
    sale: &SaleId,
    snap: &Snapshot,
    error: PowError,
) -> Result<ApiError, ApiError> {
    Ok(ApiError::Pow {
        error,
        challenge: fresh(ctx, sale, snap)?,
    })
}

/// A join refused because its solution was spent before becomes `pow_invalid` with a fresh
/// challenge; anything else is left as it is.
pub fn explain(ctx: &Ctx, snap: &Snapshot, error: ApiError) -> ApiError {
    match error {
        ApiError::Queue(QueueError::PowSpent) => {
            refusal(ctx, &snap.sale.id, snap, PowError::Spent).unwrap_or_else(|e| e)
        }
        other => other,
    }
}

/// The client's address, as the rate limit counts it ([`ClientAddress`]): the platform's
/// `CF-Connecting-IP`, an IP address (IPv6 by its /64), else the one shared unknown address.
fn client_address(req: &Request) -> ClientAddress {
    let header = req.headers().get("CF-Connecting-IP").ok().flatten();
    ClientAddress::of(header.as_deref())
}

/// The limit for `snap`'s sale: its own, else the environment's `RATE_LIMIT_PER_MIN`, else
/// [`DEFAULT_PER_MINUTE`].
fn limit_of(ctx: &Ctx, snap: &Snapshot) -> PerMinute {
    let from_env = || {
        let text = ctx.env.var("RATE_LIMIT_PER_MIN").ok()?.to_string();
        let parsed = text.trim().parse::<u64>().ok().and_then(PerMinute::new);
        if parsed.is_none() {
            worker::console_error!("RATE_LIMIT_PER_MIN is not a number of requests a minute");
        }
        parsed
    };
    snap.sale
        .rate_limit_per_min
        .and_then(|n| PerMinute::new(n.into()))
        .or_else(from_env)
        .unwrap_or(PerMinute::new(DEFAULT_PER_MINUTE.into()).unwrap_or(PerMinute::OFF))
}

/// The one interface to the rate limiter. Per isolate: the Workers rate-limiting binding has a
/// limit fixed in wrangler.toml, so it cannot carry a per-sale setting that changes live.
fn check_address(key: &str, limit: PerMinute, ctx: &Ctx) -> Result<(), Limited> {
    LIMITER.with(|l| l.borrow_mut().check(key, limit, ctx.now))
}

fn rate_limit(req: &Request, ctx: &Ctx, snap: &Snapshot) -> Result<(), ApiError> {
    let key = format!("{}|{}", snap.sale.id, client_address(req));
    check_address(&key, limit_of(ctx, snap), ctx).map_err(|limited| ApiError::RateLimited {
        retry_after_ms: limited.retry_after_ms,
    })
}

/// `GET /api/sales/{sale}/challenge`: a fresh challenge at the sale's difficulty.
pub async fn challenge(ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let snap = crate::routes::fan::snapshot(ctx, &sale).await?;
    Ok(json(200, &fresh(ctx, &sale, &snap)?))
}

/// The page a browser gets where a new place needs proof of work: it solves the challenge in a
/// Web Worker, joins, and reloads into the waiting page.
pub fn getting_place_page(
    look: SaleLook<'_>,
    phase: Phase,
    error: &ApiError,
) -> Result<Response, ApiError> {
    let ApiError::Pow { challenge, .. } = error else {
        return Err(ApiError::Internal("no challenge to show".into()));
    };
    let page = GettingPlacePage {
        sale: look,
        phase,
        challenge: &challenge.challenge,
        bits: challenge.bits,
    };
    pages::render(&page, 200, CacheControl::NoStore)
}

/// The page a browser gets for a `rate_limited` refusal: 429, `Retry-After`, and it tries again
/// by itself.
pub fn rate_limited_page(sale: &SaleId, retry_after_ms: u64) -> Response {
    let retry_after_s = retry_after_ms.div_ceil(1000).max(1);
    let page = RateLimitedPage {
        sale,
        retry_after_s,
    };
    let mut response = match pages::render(&page, 429, CacheControl::NoStore) {
        Ok(response) => response,
        Err(e) => return e.into_response(),
    };
    let _ = response
        .headers_mut()
        .set("Retry-After", &retry_after_s.to_string());
    response
}
