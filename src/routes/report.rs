//! The sale's public report (docs/api.md, "The public report"): `GET /api/sales/{sale}/report`
//! (JSON) and `GET /s/{sale}/report` (the page), for anyone once the sale is closed or the
//! promoter published it, else 404 as for no sale; and the promoter's `GET` and `PUT
//! /api/admin/sales/{sale}/report` (its preview, and who may see it). The numbers and the rule
//! of who sees them are the core's ([`PublicReport`]); these routes are served by the full
//! worker (no fan's page at the opening second needs them).

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::objects::{unexpected, Coordinator};
use crate::pages::{self, SaleLook};
use crate::response::{json, json_with, CacheControl};
use askama::Template;
use serde::{Deserialize, Serialize};
use waitroom_core::machines::protocol::{Command, Reply, SaleReport};
use waitroom_core::machines::public_report::{visibility_names, PublicReport, MIN_WAITS_SHOWN};
use waitroom_core::sale::ReportVisibility;
use waitroom_core::SaleId;
use worker::{Request, Response};

/// How long a shared cache may keep a final report (the sale is closed: its numbers no longer
/// move; a promoter who hides it waits at most this long for caches to forget it).
pub const FINAL_REPORT_MAX_AGE_S: u64 = 60;
/// How long a report published while the sale runs may be kept.
pub const LIVE_REPORT_MAX_AGE_S: u64 = 10;

async fn sale_report(ctx: &Ctx, sale: &SaleId, command: &Command) -> Result<SaleReport, ApiError> {
    match ctx.objects.ask(&Coordinator(sale), command).await? {
        Reply::Report(report) => Ok(*report),
        other => Err(unexpected(other)),
    }
}

/// The public report of `sale`, if the public may see it (else 404, as for no sale: a hidden
/// or unfinished report is not told apart from a sale that does not exist).
async fn public(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleId,
) -> Result<(SaleReport, PublicReport), ApiError> {
    let report = match sale_report(ctx, sale, &Command::Report).await {
        Err(ApiError::Queue(waitroom_core::QueueError::SaleNotFound)) => {
            return Err(ApiError::NotFound)
        }
        other => other?,
    };
    let mut public = PublicReport::of(&report).ok_or(ApiError::NotFound)?;
    with_address(&mut public, req);
    Ok((report, public))
}

/// The verifier's command names this service's public address.
fn with_address(public: &mut PublicReport, req: &Request) {
    if let (Some(draw), Ok(url)) = (public.draw.as_mut(), req.url()) {
        let origin = url.origin().ascii_serialization();
        draw.verify = draw.verify.replace("{edge}", &origin);
    }
}

fn cache_of(public: &PublicReport) -> CacheControl {
    CacheControl::Public {
        max_age_s: if public.is_final {
            FINAL_REPORT_MAX_AGE_S
        } else {
            LIVE_REPORT_MAX_AGE_S
        },
    }
}

/// `GET /api/sales/{sale}/report`.
pub async fn json_report(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let (_, public) = public(&req, ctx, &sale).await?;
    Ok(json_with(200, &public, cache_of(&public)))
}

/// The report as a page.
#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage<'a> {
    pub lang: crate::i18n::Lang,
    pub sale: SaleLook<'a>,
    pub report: &'a PublicReport,
    pub ended_at: Option<String>,
    pub median: String,
    pub p90: String,
    pub min_waits: u64,
}

impl crate::pages::Localized for ReportPage<'_> {
    fn lang(&self) -> crate::i18n::Lang {
        self.lang
    }
}

impl ReportPage<'_> {
    pub fn phase_words(&self) -> &'static str {
        self.lang.phase(self.report.phase)
    }

    /// When the sale ended, as a `<time>` (an RFC 3339 instant: escaped all the same).
    pub fn ended_time_html(&self, ended: &str) -> String {
        let ended = crate::i18n::escaped(ended);
        format!(r#"<time datetime="{ended}">{ended}</time>"#)
    }
}

/// A wait in the page's words: `42 s`, `3 min 5 s`, `2 h 10 min`; `–` when not shown.
fn wait_words(lang: crate::i18n::Lang, secs: Option<u64>) -> String {
    match secs {
        None => "–".into(),
        Some(s) if s < 60 => lang.report_wait_seconds(s),
        Some(s) if s < 3600 => lang.report_wait_minutes(s / 60, s % 60),
        Some(s) => lang.wait_hours(s / 3600, (s % 3600) / 60),
    }
}

/// `GET /s/{sale}/report`: the report's page; 404 (the not-found page) when the public may not
/// see it.
pub async fn page(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    let (report, public) = match public(&req, ctx, &sale).await {
        Err(ApiError::NotFound) => {
            return pages::render(
                &pages::NotFoundPage {
                    lang: ctx.lang.lang,
                },
                404,
                CacheControl::NoStore,
            )
        }
        other => other?,
    };
    let page = ReportPage {
        lang: ctx.lang.lang,
        sale: SaleLook::of(&report.sale, ctx.lang.lang),
        report: &public,
        ended_at: public.ended_at.map(|at| at.to_rfc3339()),
        median: wait_words(ctx.lang.lang, public.waits.median_s),
        p90: wait_words(ctx.lang.lang, public.waits.p90_s),
        min_waits: MIN_WAITS_SHOWN,
    };
    pages::render(&page, 200, cache_of(&public))
}

/// What the promoter sees: who may see the report, whether the public sees it now, and the
/// report as it reads (or would read) in public.
#[derive(Serialize)]
struct AdminView {
    visibility: ReportVisibility,
    public: bool,
    report: PublicReport,
}

fn admin_view(req: &Request, report: &SaleReport) -> AdminView {
    let mut preview = PublicReport::preview(report);
    with_address(&mut preview, req);
    AdminView {
        visibility: report.report_visibility,
        public: PublicReport::of(report).is_some(),
        report: preview,
    }
}

/// `GET /api/admin/sales/{sale}/report`.
pub async fn admin_get(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    crate::routes::admin::authorize(&req, ctx)?;
    let report = sale_report(ctx, &sale, &Command::Report).await?;
    Ok(json(200, &admin_view(&req, &report)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisibilityInput {
    visibility: String,
}

/// `PUT /api/admin/sales/{sale}/report` with `{"visibility": "after_close" | "published" |
/// "hidden"}`.
pub async fn admin_put(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    crate::routes::admin::authorize(&req, ctx)?;
    let input: VisibilityInput = http::read_json(&mut req).await?;
    let visibility =
        ReportVisibility::parse(&input.visibility).ok_or_else(|| ApiError::InvalidField {
            field: "visibility",
            message: format!("must be one of {}", visibility_names()),
        })?;
    let report = sale_report(ctx, &sale, &Command::ShowReport { visibility }).await?;
    Ok(json(200, &admin_view(&req, &report)))
}

#[cfg(test)]
mod tests {
    use super::wait_words;
    use crate::i18n::Lang;

    #[test]
    fn waits_read_in_words() {
        let en = Lang::ENGLISH;
        assert_eq!(wait_words(en, None), "–");
        assert_eq!(wait_words(en, Some(42)), "42 s");
        assert_eq!(wait_words(en, Some(185)), "3 min 5 s");
        assert_eq!(wait_words(en, Some(7800)), "2 h 10 min");
        // In the page's language (numbers stay numbers).
        let de = Lang::from_code("de").unwrap();
        assert_eq!(wait_words(de, Some(185)), "3 Min. 5 Sek.");
        assert_eq!(wait_words(de, Some(7800)), "2 Std. 10 Min.");
    }
}
