//! Turnstile at the edge (docs/api.md, "Turnstile"): a sale with a `turnstile_site_key` takes a
//! place only for a request whose Turnstile token siteverify accepts, for this host and the
//! `join` action. The rules are in [`waitroom_core::fairness::turnstile`]; this posts the form and maps the
//! verdict. Apps send the token as `turnstile_token` in the join's JSON; the sale page's form
//! posts it as `cf-turnstile-response`.

use crate::config;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::pages::{self, SaleLook, TurnstilePage};
use crate::random;
use crate::response::{self, CacheControl};
use futures::future::{select, Either};
use serde::Deserialize;
use std::time::Duration;
use waitroom_core::fairness::turnstile::{
    self as rules, judge, presented, SiteKey, SiteverifyForm, TurnstileError, Verdict,
};
use waitroom_core::keys::secrets::ConfigError;
use waitroom_core::sale::SaleView;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, Response};

/// Siteverify has this long to answer one try.
const TRY_TIMEOUT: Duration = Duration::from_millis(2_500);
/// Tries per check: a failed or timed-out try is retried once with the same idempotency key.
const TRIES: usize = 2;

/// The form field the widget adds to the form it sits in.
pub const FORM_FIELD: &str = "cf-turnstile-response";

/// The part of the join's JSON body this module reads (other fields are for others).
#[derive(Default, Deserialize)]
struct JoinBody {
    #[serde(default)]
    turnstile_token: Option<String>,
}

/// The `turnstile_token` of a join's JSON body; the body is read only for a Turnstile sale.
/// (A request body is read once: a join that reads it for other fields too takes the token from
/// there instead.)
pub async fn token_from_join_body(
    req: &mut Request,
    sale: &SaleView,
) -> Result<Option<String>, ApiError> {
    if sale.turnstile_site_key.is_none() {
        return Ok(None);
    }
    let body: JoinBody = http::read_optional_json(req).await?;
    Ok(body.turnstile_token)
}

/// `POST /api/sales/{sale}/join` of a Turnstile sale: `token` (the body's `turnstile_token`) must
/// pass. A no-op for other sales.
pub async fn require_for_join(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleView,
    token: Option<&str>,
) -> Result<(), ApiError> {
    let Some(site_key) = &sale.turnstile_site_key else {
        return Ok(());
    };
    verify(ctx, req, site_key, token).await
}

/// The widget's token a `POST /s/{sale}` form carries (`cf-turnstile-response`), if any.
pub async fn form_token(req: &mut Request) -> Result<Option<String>, ApiError> {
    let form = http::read_form(req).await?;
    Ok(form
        .into_iter()
        .find(|(name, _)| name == FORM_FIELD)
        .map(|(_, value)| value))
}

/// The challenge page of a Turnstile sale (`notice`: why the last try was refused), with the
/// policy that lets the widget's script and frame in; `None` for a sale without Turnstile.
pub fn challenge_page(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleView,
    status: u16,
    notice: Option<&'static str>,
) -> Option<Result<Response, ApiError>> {
    let site_key = sale.turnstile_site_key.as_ref()?;
    let script_url = match script_url(req, ctx) {
        Ok(url) => url,
        Err(e) => return Some(Err(e)),
    };
    let page = TurnstilePage {
        lang: ctx.lang.lang,
        sale: SaleLook::of(sale, ctx.lang.lang),
        site_key: site_key.as_str(),
        action: rules::JOIN_ACTION,
        script_url: script_url.as_str(),
        notice,
    };
    let origin = script_url.origin().ascii_serialization();
    Some(
        pages::render(&page, status, CacheControl::PrivateNoStore).and_then(|mut response| {
            response::allow_turnstile(&mut response, &origin)?;
            Ok(response)
        }),
    )
}

/// The widget's script: `TURNSTILE_SCRIPT_URL` (a stand-in in tests), else Cloudflare's; https
/// only, as for the verify URL (a page of a deployed worker never loads a script in clear).
fn script_url(req: &Request, ctx: &Ctx) -> Result<url::Url, ApiError> {
    let env = &ctx.env;
    let local = crate::test_faults::is_loopback(&req.url()?);
    let configured = config::lookup(env, "TURNSTILE_SCRIPT_URL");
    rules::script_url(configured.as_deref(), local)
        .map_err(|e| ApiError::TurnstileUnavailable(format!("TURNSTILE_SCRIPT_URL {e}")))
}

/// `GET /s/{sale}` of a Turnstile sale without a place: the challenge page (apps asking for JSON:
/// 403 `turnstile_required`, they join with a token). Takes no place.
pub fn before_place(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleView,
    as_json: bool,
) -> Result<Response, ApiError> {
    if as_json {
        return Err(TurnstileError::Required.into());
    }
    challenge_page(req, ctx, sale, 200, None).unwrap_or(Err(TurnstileError::Required.into()))
}

/// `POST /s/{sale}` whose Turnstile check failed: the challenge page again (with why, when the
/// token was refused); other errors (siteverify down: the busy page) as they are.
pub fn form_refused(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleView,
    error: ApiError,
) -> Result<Response, ApiError> {
    match &error {
        ApiError::Turnstile(e) => refused_page(req, ctx, sale, e).unwrap_or(Err(error)),
        _ => Err(error),
    }
}

/// What a browser sees when the form's token was refused: the challenge again, with why.
pub fn refused_page(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleView,
    error: &TurnstileError,
) -> Option<Result<Response, ApiError>> {
    match error {
        TurnstileError::Required => challenge_page(req, ctx, sale, 200, None),
        TurnstileError::Invalid(_) => {
            challenge_page(req, ctx, sale, 403, Some(ctx.lang.lang.turnstile_failed()))
        }
    }
}

/// Refuses a Turnstile site key where `TURNSTILE_SECRET` is not set (`PUT` of a sale).
pub fn require_secret(env: &worker::Env) -> Result<(), ConfigError> {
    match config::lookup(env, "TURNSTILE_SECRET") {
        Some(secret) if !secret.trim().is_empty() => Ok(()),
        _ => Err(ConfigError {
            name: "TURNSTILE_SECRET",
            problem: "is not set (a sale with turnstile_site_key needs it)".into(),
        }),
    }
}

/// Checks `token` with siteverify for a fan joining on this request's host.
async fn verify(
    ctx: &Ctx,
    req: &Request,
    site_key: &SiteKey,
    token: Option<&str>,
) -> Result<(), ApiError> {
    let token = presented(token)?;
    let env = &ctx.env;
    let secret = config::lookup(env, "TURNSTILE_SECRET")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            ApiError::TurnstileUnavailable(format!(
                "sale with site key {site_key}: TURNSTILE_SECRET is not set"
            ))
        })?;
    let url = req.url()?;
    let local = crate::test_faults::is_loopback(&url);
    let configured = config::lookup(env, "TURNSTILE_VERIFY_URL");
    let verify_url = rules::verify_url(configured.as_deref(), local)
        .map_err(|e| ApiError::TurnstileUnavailable(format!("TURNSTILE_VERIFY_URL {e}")))?;
    let hostname = url.host_str().unwrap_or_default().to_owned();
    let remoteip = req.headers().get("CF-Connecting-IP").ok().flatten();
    let idempotency_key = uuid_v4();
    let form = SiteverifyForm {
        secret: secret.trim(),
        response: token,
        remoteip: remoteip.as_deref(),
        idempotency_key: &idempotency_key,
    };
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.fields())
        .finish();
    let mut last = String::new();
    for _ in 0..TRIES {
        match post(verify_url.as_str(), &body).await {
            Ok((status, text)) => match judge(status, &text, &hostname) {
                Verdict::Passed => return Ok(()),
                Verdict::Refused(e) => return Err(e.into()),
                Verdict::BadSecret => {
                    return Err(ApiError::TurnstileUnavailable(
                        "siteverify refused TURNSTILE_SECRET".into(),
                    ))
                }
                Verdict::Unavailable(why) => last = why,
            },
            Err(why) => last = why,
        }
    }
    Err(ApiError::Busy(format!("turnstile siteverify: {last}")))
}

/// One POST of the form; the status and body, or why there was none in time.
async fn post(url: &str, body: &str) -> Result<(u16, String), String> {
    let headers = Headers::new();
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .map_err(|e| e.to_string())?;
    let request = crate::outgoing::request(Method::Post, url, &headers, Some(body))
        .map_err(|e| e.to_string())?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let answer = async move {
        let mut response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(|e| format!("could not reach siteverify: {e}"))?;
        let text = response.text().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((response.status_code(), text))
    };
    match select(Box::pin(answer), Box::pin(Delay::from(TRY_TIMEOUT))).await {
        Either::Left((answer, _)) => answer,
        Either::Right(_) => {
            controller.abort();
            Err(format!(
                "no answer from siteverify within {} ms",
                TRY_TIMEOUT.as_millis()
            ))
        }
    }
}

/// A random UUID (version 4), as siteverify's `idempotency_key` wants it.
fn uuid_v4() -> String {
    let mut b = random::bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
