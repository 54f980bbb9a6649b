//! What the two links a fan hands on share (docs/api.md, "Move my place" and "Come as a party";
//! [`super::moving`] and [`super::party`] keep only what differs): a link signed from the fan's
//! token, no object request, with its code in the fragment (`/s/{sale}/{kind}#<code>`, which no
//! browser sends, so the code reaches us only in a POST body, never in a URL we log); its page
//! with the QR code ([`HandedLinkPage`]); and, at the other end, the form that uses the code:
//! on success on to the sale page with the new token as the browser's cookie, a busy
//! coordinator busy, a refusal the page again saying why.

use super::sale::snapshot;
use super::token::{set_token_cookie, token_of};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::pages::{self, HandedLink, HandedLinkPage, SaleLook};
use crate::response::{self, CacheControl};
use serde::Serialize;
use std::rc::Rc;
use waitroom_core::keys::token::QueueToken;
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::time::rfc3339;
use waitroom_core::{SaleId, UnixMillis};
use worker::Request;

/// A link made: what the JSON answers of both kinds start with, and what their page shows.
#[derive(Serialize)]
pub(super) struct SignedLink {
    pub sale: SaleId,
    /// The code; the link is `url` (the code in its fragment).
    pub code: String,
    pub url: String,
    #[serde(with = "rfc3339")]
    pub expires_at: UnixMillis,
}

impl SignedLink {
    /// The `link` to `sale` with `code`, valid until `expires_at`.
    pub fn new(
        ctx: &Ctx,
        sale: SaleId,
        link: HandedLink,
        code: String,
        expires_at: UnixMillis,
    ) -> Self {
        SignedLink {
            url: format!("{}/s/{sale}/{}#{code}", ctx.origin, link.kind()),
            code,
            sale,
            expires_at,
        }
    }
}

/// The link page's request (`POST /s/{sale}/{kind}-link`, a same-site form): the token it
/// presents, and the sale's snapshot.
pub(super) async fn link_asked(
    req: &Request,
    ctx: &Ctx,
    sale: &SaleId,
) -> Result<(QueueToken, Rc<Snapshot>), ApiError> {
    http::require_same_site(req)?;
    let token = token_of(req, ctx, sale)?;
    let snap = snapshot(ctx, sale).await?;
    Ok((token, snap))
}

/// The page with `signed`, a `link` valid for `ttl_s` seconds.
pub(super) fn link_page(
    ctx: &Ctx,
    snap: &Snapshot,
    link: HandedLink,
    signed: &SignedLink,
    ttl_s: u64,
) -> Result<worker::Response, ApiError> {
    let lang = ctx.lang.lang;
    let page = HandedLinkPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        link,
        url: &signed.url,
        code: &signed.code,
        expires_at: signed.expires_at,
        minutes: ttl_s / 60,
    };
    pages::render(&page, 200, CacheControl::PrivateNoStore)
}

/// The form field `name` of the request's body, if present.
pub(super) async fn form_field(req: &mut Request, name: &str) -> Result<Option<String>, ApiError> {
    Ok(take_field(&mut http::read_form(req).await?, name))
}

/// Takes the field `name` out of a `form` already read, if present (a form of several fields).
pub(super) fn take_field(form: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let at = form.iter().position(|(k, _)| k == name)?;
    Some(form.swap_remove(at).1)
}

/// What the other end's form comes to, once the code was used.
pub(super) enum Used {
    /// On to the sale page, the new token the browser's cookie.
    Taken(worker::Response),
    /// Refused: the page again, saying why.
    Refused(ApiError),
}

/// What using the code on `sale` came to: its new token's text, a busy coordinator (an `Err`:
/// the busy page, the fan tries again), or a refusal.
pub(super) fn used(sale: &SaleId, taken: Result<String, ApiError>) -> Result<Used, ApiError> {
    match taken {
        Ok(text) => {
            let mut response = response::see_other(&format!("/s/{sale}"))?;
            set_token_cookie(&mut response, sale, &text)?;
            Ok(Used::Taken(response))
        }
        Err(e) if e.is_busy() => Err(e),
        Err(e) => Ok(Used::Refused(e)),
    }
}
