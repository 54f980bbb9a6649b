//! What a new place in line costs at the edge: its address's price (the sale's proof of work,
//! `pow_bits`; more of it for an address over its budget of new places, `rate_limit_per_min`,
//! else the environment's `RATE_LIMIT_PER_MIN`; or 429 where the sale's `over_budget` is
//! `refuse`), then one place from that budget. The rules are the core's
//! ([`waitroom_core::fairness::place_price`], [`waitroom_core::fairness::pow`], [`waitroom_core::fairness::rate_limit`]); this
//! module reads the request and keeps the per-isolate budgets.
//!
//! Only a request that would take a *new* place pays: a fan whose token still names a place
//! never does ([`crate::door`]). The solution that paid travels with the join to the object that
//! numbers the fan (the coordinator, or the arrival shard the solution's hash picks), which
//! refuses it if it was spent before: so a replay is caught whichever isolate it reaches.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::{self, GettingPlacePage, RateLimitedPage, SaleLook};
use crate::response::CacheControl;
use std::cell::RefCell;
use waitroom_core::fairness::place_price::{self, Price};
use waitroom_core::fairness::pow::{self, Challenge, PowBits, PowError, Solution, Verified};
use waitroom_core::fairness::rate_limit::{PerMinute, RateLimiter, DEFAULT_PER_MINUTE};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{Phase, QueueError, SaleId};
use worker::{Request, Response};

/// Addresses (per sale) one isolate keeps a bucket for.
const MAX_TRACKED_ADDRESSES: usize = 10_000;

thread_local! {
    static LIMITER: RefCell<RateLimiter> = RefCell::new(RateLimiter::new(MAX_TRACKED_ADDRESSES));
}

/// What a request paid for a new place: its verified solution (if the price asked for one), for
/// the join, and the place it took from its address's budget.
pub struct Paid {
    pub solution: Option<Verified>,
    budget: Budget,
}

impl Paid {
    /// The place bought nothing (refused after it was paid, or the fan's own place came back):
    /// its address gets the budget place back. (The solution's spending is the object's.)
    pub fn refund(&self, ctx: &Ctx) {
        LIMITER.with(|l| {
            l.borrow_mut()
                .give_back(&self.budget.key, self.budget.limit, ctx.now)
        });
    }
}

/// Charges a request that would take a new place: its address's price in proof of work, then
/// one place from the address's budget (taken now, before anything awaits, so requests at once
/// cannot all find it free; [`Paid::refund`] gives it back). A refusal takes nothing.
pub fn pay(
    req: &Request,
    ctx: &Ctx,
    snap: &Snapshot,
    solution: Option<&Solution>,
) -> Result<Paid, ApiError> {
    let budget = Budget::of(req, ctx, snap);
    let price = budget.price(ctx, snap)?;
    let solution = proof_of_work(ctx, snap, price, solution)?;
    budget.take(ctx);
    Ok(Paid { solution, budget })
}

fn proof_of_work(
    ctx: &Ctx,
    snap: &Snapshot,
    price: Price,
    solution: Option<&Solution>,
) -> Result<Option<Verified>, ApiError> {
    if price.is_free() {
        return Ok(None);
    }
    let Some(solution) = solution else {
        return Err(refusal(ctx, &snap.sale.id, price, PowError::Required)?);
    };
    let key = &ctx.config()?.secrets.pow_key;
    match pow::verify(key, &snap.sale.id, price.accepted, solution, ctx.now) {
        Ok(verified) => Ok(Some(verified)),
        Err(error) => Err(refusal(ctx, &snap.sale.id, price, error)?),
    }
}

/// A fresh challenge for `sale` asking `bits`.
fn fresh(ctx: &Ctx, sale: &SaleId, bits: PowBits) -> Result<Challenge, ApiError> {
    let key = &ctx.config()?.secrets.pow_key;
    let salt = crate::random::bytes();
    Ok(pow::issue(key, sale, bits, ctx.now, salt))
}

fn refusal(ctx: &Ctx, sale: &SaleId, price: Price, error: PowError) -> Result<ApiError, ApiError> {
    Ok(ApiError::Pow {
        error,
        challenge: fresh(ctx, sale, price.asked)?,
    })
}

/// A join refused because its solution was spent before becomes `pow_invalid` with a fresh
/// challenge at the address's price; anything else is left as it is.
pub fn explain(req: &Request, ctx: &Ctx, snap: &Snapshot, error: ApiError) -> ApiError {
    match error {
        ApiError::Queue(QueueError::PowSpent) => {
            let price = Budget::of(req, ctx, snap).price_or_sales(ctx, snap);
            refusal(ctx, &snap.sale.id, price, PowError::Spent).unwrap_or_else(|e| e)
        }
        other => other,
    }
}

/// One address's budget of new places in one sale, as this isolate counts it. Per isolate: the
/// Workers rate-limiting binding has a limit fixed in wrangler.toml, so it cannot carry a
/// per-sale setting that changes live.
struct Budget {
    key: String,
    limit: PerMinute,
}

impl Budget {
    fn of(req: &Request, ctx: &Ctx, snap: &Snapshot) -> Self {
        Self {
            key: format!("{}|{}", snap.sale.id, crate::http::client_address(req)),
            limit: limit_of(ctx, snap),
        }
    }

    /// What the address's next new place costs (`rate_limited` where the sale refuses).
    fn price(&self, ctx: &Ctx, snap: &Snapshot) -> Result<Price, ApiError> {
        let standing = LIMITER.with(|l| l.borrow().standing(&self.key, self.limit, ctx.now));
        place_price::price(snap.sale.pow_bits, standing, snap.sale.over_budget).map_err(|limited| {
            ApiError::RateLimited {
                retry_after_ms: limited.retry_after_ms,
            }
        })
    }

    /// [`Self::price`], or the sale's own where the address would be refused.
    fn price_or_sales(&self, ctx: &Ctx, snap: &Snapshot) -> Price {
        self.price(ctx, snap)
            .unwrap_or(Price::of_sale(snap.sale.pow_bits))
    }

    fn take(&self, ctx: &Ctx) {
        LIMITER.with(|l| l.borrow_mut().take(&self.key, self.limit, ctx.now));
    }
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

/// A fresh challenge at the price of a new place for this request's address (the sale's
/// difficulty, or more for an address over its budget): `GET /api/sales/{sale}/challenge`.
pub fn challenge(req: &Request, ctx: &Ctx, snap: &Snapshot) -> Result<Challenge, ApiError> {
    let price = Budget::of(req, ctx, snap).price_or_sales(ctx, snap);
    fresh(ctx, &snap.sale.id, price.asked)
}

/// The page a browser gets where a new place needs proof of work: it solves the challenge in a
/// Web Worker, joins, and reloads into the waiting page.
pub fn getting_place_page(
    look: SaleLook<'_>,
    lang: Lang,
    phase: Phase,
    error: &ApiError,
    turnstile_token: Option<&str>,
) -> Result<Response, ApiError> {
    let ApiError::Pow { challenge, .. } = error else {
        return Err(ApiError::Internal("no challenge to show".into()));
    };
    let page = GettingPlacePage {
        lang,
        sale: look,
        phase,
        challenge: &challenge.challenge,
        bits: challenge.bits,
        turnstile_token,
    };
    pages::render(&page, 200, CacheControl::NoStore)
}

/// The page a browser gets for a `rate_limited` refusal: 429, `Retry-After`, and it tries again
/// by itself.
pub fn rate_limited_page(sale: &SaleId, retry_after_ms: u64, lang: Lang) -> Response {
    let retry_after_s = retry_after_ms.div_ceil(1000).max(1);
    let page = RateLimitedPage {
        lang,
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
