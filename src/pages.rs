//! The fan pages: askama templates from `templates/`, compiled into the worker and escaped there.
//! A template that names a value its page does not have does not build.

use crate::error::ApiError;
use crate::fan_state::FanState;
use crate::i18n::Lang;
pub use localized::Localized;

mod door;
mod handed_link;
mod localized;
mod party;
use crate::response::{self, CacheControl};
use askama::Template;
pub use door::DoorConfirmPage;
pub use handed_link::{HandedLink, HandedLinkPage};
pub use party::{PartyOffer, PartyPage, PartyShows};
use waitroom_core::sale::SaleView;
use waitroom_core::sale::{BrandColor, Ink, WebUrl};
use waitroom_core::{Phase, SaleId, UnixMillis};
use worker::{Response, Url};

/// The not-on-sale page refreshes itself this often without JavaScript.
pub const NOT_ON_SALE_REFRESH_S: u64 = 30;

/// What every page of a sale shows: its name and branding.
pub struct SaleLook<'a> {
    pub id: &'a SaleId,
    pub name: &'a str,
    pub color: BrandColor,
    pub ink: Ink,
    pub logo_url: Option<&'a Url>,
    /// The promoter's message, in the page's language where the sale has it.
    pub message: Option<&'a str>,
    /// Places are bound to the device (`device_binding`): the pages load the device's key.
    pub bound: bool,
    /// Fans may ask to be called back by Web Push (`push`): the waiting page offers it.
    pub push: bool,
}

impl<'a> SaleLook<'a> {
    /// The sale's colours as a stylesheet of their own (the CSP allows no inline style).
    pub fn brand_css(&self) -> String {
        brand_css_path(self.color)
    }

    pub fn of(sale: &'a SaleView, lang: Lang) -> Self {
        let branding = &sale.branding.settings;
        Self {
            id: &sale.id,
            name: &sale.name,
            color: branding.color(),
            ink: sale.branding.ink,
            logo_url: branding.logo_url.as_ref().map(WebUrl::as_url),
            message: branding.message_in(lang.code()),
            bound: sale.device_binding,
            push: sale.push.is_some(),
        }
    }

    /// A plain sale's look, for tests: named "Tour", one colour, nothing else.
    #[cfg(test)]
    pub(crate) fn plain(id: &'a SaleId) -> Self {
        let color = BrandColor::parse("#123456").unwrap();
        Self {
            id,
            name: "Tour",
            color,
            ink: color.ink(),
            logo_url: None,
            message: None,
            bound: false,
            push: false,
        }
    }
}

/// Before the sale: a countdown that lets the fan in by itself.
#[derive(Template)]
#[template(path = "not_on_sale.html")]
pub struct NotOnSalePage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub opens_at: Option<UnixMillis>,
}

/// A fan's place in line, rendered on the server so it shows before (and without) JavaScript.
#[derive(Template)]
#[template(path = "waiting.html")]
pub struct WaitingPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub phase: Phase,
    pub place: PlaceShown,
    /// Whether a fan whose turn lapsed may join again at the back (not in an invitation-only
    /// sale: the invitation was for one place, and the member had it).
    pub can_rejoin: bool,
    pub assist: AssistShown,
    pub party: PartyOffer,
}

/// What the waiting page shows of the sale's assisted lane (docs/api.md, "The assisted lane").
#[derive(Default)]
pub struct AssistShown {
    /// The fan may ask for it: its multiplier.
    pub offer: Option<u32>,
    /// The fan has it: its multiplier.
    pub granted: Option<u32>,
    /// What happened when the fan last asked.
    pub notice: Option<String>,
}

/// What the waiting page shows of the fan's place.
pub struct PlaceShown {
    /// The fan's state: the status's `state`, for the page's script, and its words.
    pub state: FanState,
    pub position: String,
    pub ahead: String,
    pub eta: String,
    /// How often the page refreshes itself without JavaScript.
    pub refresh_s: u64,
    pub notice: Option<String>,
    /// Whether the "join the line again" form shows.
    pub rejoin: bool,
    /// In the pre-queue: when the order is drawn.
    pub draw_at: Option<UnixMillis>,
}

impl PlaceShown {
    /// Before the fan has a place (a HEAD request looks at the page without taking one).
    pub fn none() -> Self {
        Self {
            state: FanState::Waiting,
            position: "–".into(),
            ahead: "–".into(),
            eta: "–".into(),
            refresh_s: 5,
            notice: None,
            rejoin: false,
            draw_at: None,
        }
    }

    /// A state nothing more happens in: no numbers, and a rare refresh (a page that refreshed
    /// every 0 seconds would refresh forever).
    pub fn final_state() -> Self {
        Self {
            state: FanState::Closed,
            position: String::new(),
            ahead: "–".into(),
            eta: "–".into(),
            refresh_s: 3600,
            notice: None,
            rejoin: false,
            draw_at: None,
        }
    }
}

/// A Turnstile sale, before the fan has a place: the widget, in a form that joins the line.
#[derive(Template)]
#[template(path = "turnstile.html")]
pub struct TurnstilePage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub site_key: &'a str,
    /// The widget's `data-action`, checked by the edge.
    pub action: &'a str,
    pub script_url: &'a str,
    /// Why the last try was refused.
    pub notice: Option<&'static str>,
}

/// The fan's turn on a `form_post` sale: a form that POSTs the pass to the purchase URL.
#[derive(Template)]
#[template(path = "pass_form_post.html")]
pub struct PassFormPostPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub purchase_url: &'a str,
    pub pass: &'a str,
    /// When the pass ends: the page says so, and warns before (WCAG 2.2.1).
    pub expires_at: UnixMillis,
}

/// After the sale.
#[derive(Template)]
#[template(path = "closed.html")]
pub struct ClosedPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
}

/// An invitation-only sale refused the fan: no invitation (`required`), or a bad one.
#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub required: bool,
    /// Why the invitation was refused, in words.
    pub reason: String,
}

/// The page that takes a place over on this device (`GET /s/{sale}/move`; the link's page is a
/// [`HandedLinkPage`]), saying why a code
/// was refused, if it was.
#[derive(Template)]
#[template(path = "move.html")]
pub struct MovePage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub refused: Option<&'static str>,
}

/// No such sale.
#[derive(Template)]
#[template(path = "not_found.html")]
pub struct NotFoundPage {
    pub lang: Lang,
}

/// The sale's objects are busy: the fan keeps their place, and the page tries again by itself.
#[derive(Template)]
#[template(path = "busy.html")]
pub struct BusyPage<'a> {
    pub lang: Lang,
    pub sale: &'a SaleId,
    pub retry_after_s: u64,
    /// Busy answers in a row before this one (0: the first).
    pub tries: u32,
}

/// A new place costs proof of work: the page solves it (a Web Worker), joins and reloads.
#[derive(Template)]
#[template(path = "getting_place.html")]
pub struct GettingPlacePage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub phase: Phase,
    pub challenge: &'a str,
    pub bits: u8,
    /// A Turnstile sale: the widget's token the fan's form brought, not spent yet (Turnstile is
    /// checked after proof of work), for the page's join to carry.
    pub turnstile_token: Option<&'a str>,
}

/// A sale that binds places to devices, for a fan without a place (or whose place ended): the
/// page's script makes (or finds) the device's key, joins with it and reloads; without
/// JavaScript it says that this sale needs it.
#[derive(Template)]
#[template(path = "binding.html")]
pub struct BindingPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub phase: Phase,
    /// A Turnstile sale: the widget's token the fan's form brought, not spent yet (the device
    /// key is asked for before Turnstile), for the page's join to carry.
    pub turnstile_token: Option<&'a str>,
}

/// Too many requests for a place from the fan's address: the page tries again by itself.
#[derive(Template)]
#[template(path = "rate_limited.html")]
pub struct RateLimitedPage<'a> {
    pub lang: Lang,
    pub sale: &'a SaleId,
    pub retry_after_s: u64,
}

/// Where the stylesheet holding `color` (and the ink read on it) is: `/brand/rrggbb.css`.
pub fn brand_css_path(color: BrandColor) -> String {
    format!("/brand/{}.css", color.to_string().trim_start_matches('#'))
}

/// `GET /brand/{rrggbb}.css`: a brand colour and its ink as CSS custom properties. It depends
/// only on its path, so it is kept a year; anything but six hex digits is no such file.
pub fn brand_css(file: &str) -> Result<Response, ApiError> {
    let color = file
        .strip_suffix(".css")
        .and_then(|hex| BrandColor::parse(&format!("#{hex}")).ok())
        .filter(|color| brand_css_path(*color) == format!("/brand/{file}"))
        .ok_or(ApiError::NotFound)?;
    let css = format!(
        "body {{ --brand: {color}; --brand-ink: {}; }}\n",
        color.ink()
    );
    Ok(response::css(
        css,
        CacheControl::Public {
            max_age_s: 365 * 24 * 3600,
        },
    ))
}

/// Renders `page` into an HTML response, in its language: `Content-Language` says which, and
/// `Vary` tells any cache that the same URL is another page for another `Accept-Language` or
/// language cookie (the pages cached publicly, not on sale and closed, must never be served in
/// the wrong language).
pub fn render(
    page: &(impl Template + Localized),
    status: u16,
    cache: CacheControl,
) -> Result<Response, ApiError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(format!("rendering a page: {e}")))?;
    let mut response = response::html(status, html, cache);
    let headers = response.headers_mut();
    headers.set("Content-Language", page.lang().code())?;
    headers.set("Vary", "Accept-Language, Cookie")?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::sale::{Branding, BrandingView};

    fn view(branding: Branding) -> SaleView {
        SaleView {
            id: SaleId::parse("tour").unwrap(),
            name: r#"<b>Bold</b> & "quotes""#.into(),
            control: waitroom_core::sale::Control::Open,
            opens_at: Some(UnixMillis::from_secs(60)),
            prequeue_opens_at: None,
            purchase_url: serde_json::from_str(r#""https://shop.example/buy""#).unwrap(),
            claim_ttl_s: 60,
            pass_ttl_s: 600,
            branding: BrandingView::from(&branding),
            shards: 1,
            presence_ttl_s: 30,
            webhook_url: None,
            admission: Default::default(),
            turnstile_site_key: None,
            pass_delivery: Default::default(),
            pow_bits: Default::default(),
            rate_limit_per_min: None,
            over_budget: Default::default(),
            shards_changed: None,
            access: Default::default(),
            invite_jwks: None,
            device_binding: false,
            assist: None,
            party_max: 0,
            push: None,
        }
    }

    #[test]
    fn the_getting_place_page_carries_its_challenge_and_says_javascript_is_needed() {
        let sale = view(Branding::default());
        let html = GettingPlacePage {
            lang: Lang::ENGLISH,
            sale: SaleLook::of(&sale, Lang::ENGLISH),
            phase: Phase::Open,
            challenge: "tour.1.abc",
            bits: 16,
            turnstile_token: None,
        }
        .render()
        .unwrap();
        assert!(html.contains(r#"data-challenge="tour.1.abc""#), "{html}");
        assert!(!html.contains("data-turnstile-token"), "{html}");
        assert!(html.contains(r#"data-bits="16""#), "{html}");
        assert!(
            html.contains(r#"<script src="/assets/pow.js" defer>"#),
            "{html}"
        );
        assert!(html.contains("<noscript>"), "{html}");
        let sale_id = SaleId::parse("tour").unwrap();
        let limited = RateLimitedPage {
            lang: Lang::ENGLISH,
            sale: &sale_id,
            retry_after_s: 7,
        }
        .render()
        .unwrap();
        assert!(
            limited.contains(
                r#"<noscript><meta http-equiv="refresh" content="7; url=/s/tour"></noscript>"#
            ),
            "{limited}"
        );
        // With JavaScript the page's script refreshes when the page says (WCAG 2.2.1).
        for part in [
            r#"data-refresh-s="7" data-refresh-url="/s/tour""#,
            r#"<script src="/assets/refresh.js" defer></script>"#,
        ] {
            assert!(limited.contains(part), "{part} in {limited}");
        }
    }

    #[test]
    fn pages_escape_what_promoters_typed() {
        let branding = Branding {
            color: Some(BrandColor::parse("#fde68a").unwrap()),
            logo_url: None,
            message: Some("<script>x('y')</script>".into()),
            messages: Default::default(),
        };
        let sale = view(branding);
        let html = ClosedPage {
            lang: Lang::ENGLISH,
            sale: SaleLook::of(&sale, Lang::ENGLISH),
        }
        .render()
        .unwrap();
        assert!(
            html.contains("<h1>&#60;b&#62;Bold&#60;/b&#62; &#38; &#34;quotes&#34;</h1>"),
            "{html}"
        );
        assert!(
            html.contains("&#60;script&#62;x(&#39;y&#39;)&#60;/script&#62;"),
            "{html}"
        );
        assert!(!html.contains("<script>x"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains(r#"<link rel="stylesheet" href="/brand/fde68a.css">"#),
            "{html}"
        );
        assert!(!html.contains("style="), "{html}");
        assert!(
            html.contains(r#"data-sale="tour" data-page="closed""#),
            "{html}"
        );
        assert!(
            html.contains(r#"<img src="data:," alt="" hidden>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p class="card message promoter">"#),
            "{html}"
        );
    }

    #[test]
    fn the_waiting_page_shows_the_place() {
        let sale = view(Branding::default());
        let html = WaitingPage {
            lang: Lang::ENGLISH,
            sale: SaleLook::of(&sale, Lang::ENGLISH),
            phase: Phase::Open,
            can_rejoin: true,
            party: PartyOffer::None,
            place: PlaceShown {
                state: FanState::Waiting,
                position: "3".into(),
                ahead: "2".into(),
                eta: "< 1 min".into(),
                refresh_s: 5,
                notice: None,
                rejoin: false,
                draw_at: None,
            },
            assist: AssistShown {
                offer: Some(3),
                ..AssistShown::default()
            },
        }
        .render()
        .unwrap();
        for part in [
            r#"<form id="assist" method="post" action="/s/tour/assist">"#,
            "gives you 3 times as long",
            r#"<noscript><meta http-equiv="refresh" content="5"></noscript>"#,
            r#"data-page="waiting" data-state="waiting""#,
            r#"<span id="position">3</span>"#,
            r#"<b id="ahead">2</b>"#,
            r#"<b id="eta">&#60; 1 min</b>"#,
            r#"<b id="phase" data-phase="open">open</b>"#,
            r#"<p id="notice" class="notice" role="status" hidden></p>"#,
            r#"action="/s/tour" hidden>"#,
            r#"href="/brand/5b21b6.css""#,
            r#"<p class="card message promoter" hidden></p>"#,
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        let scheduled = NotOnSalePage {
            lang: Lang::ENGLISH,
            sale: SaleLook::of(&sale, Lang::ENGLISH),
            opens_at: sale.opens_at,
        }
        .render()
        .unwrap();
        assert!(
            scheduled.contains(r#"data-opens-at="1970-01-01T00:01:00Z" data-page="not-on-sale""#),
            "{scheduled}"
        );
        assert!(scheduled.contains(r#"content="30""#), "{scheduled}");
    }

    #[test]
    fn a_turnstile_page_shows_the_widget_in_a_form_that_joins() {
        let sale = view(Branding::default());
        let html = TurnstilePage {
            lang: Lang::ENGLISH,
            sale: SaleLook::of(&sale, Lang::ENGLISH),
            site_key: "1x00000000000000000000AA",
            action: "join",
            script_url: "https://challenges.cloudflare.com/turnstile/v0/api.js",
            notice: None,
        }
        .render()
        .unwrap();
        for part in [
            r#"data-page="turnstile""#,
            r#"<form id="turnstile-form" method="post" action="/s/tour">"#,
            r#"<div class="cf-turnstile" data-sitekey="1x00000000000000000000AA" data-action="join" data-callback="waitroomTurnstileSolved" data-language="en"></div>"#,
            r#"<script src="/assets/turnstile.js" defer></script>"#,
            r#"<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>"#,
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        assert!(!html.contains("<script>"), "no inline script: {html}");
        assert!(!html.contains("id=\"notice\""), "{html}");
    }

    #[test]
    fn the_form_post_page_posts_the_pass_and_never_puts_it_in_a_url() {
        let sale = view(Branding::default());
        let html = PassFormPostPage {
            lang: Lang::ENGLISH,
            sale: SaleLook::of(&sale, Lang::ENGLISH),
            purchase_url: "https://shop.example/buy?x=1&y=2",
            pass: "eyJ.eyJ.sig",
            expires_at: UnixMillis(1_800_000_300_000),
        }
        .render()
        .unwrap();
        for part in [
            // WCAG 2.2.1: the page says when the turn ends, in words and for the script.
            r#"<time id="expires-at" datetime="2027-01-15T08:05:00Z">08:05 UTC</time>"#,
            r#"<form id="pass-form" method="post" action="https://shop.example/buy?x=1&#38;y=2">"#,
            r#"<input type="hidden" name="pass" value="eyJ.eyJ.sig">"#,
            r#"<button type="submit">"#,
            r#"<script src="/assets/pass-form.js" defer></script>"#,
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        assert!(!html.contains("<script>"), "no inline script: {html}");
    }

    #[test]
    fn the_busy_page_refreshes_itself_to_the_sale_counting_its_tries() {
        let sale = SaleId::parse("tour").unwrap();
        let html = BusyPage {
            lang: Lang::ENGLISH,
            sale: &sale,
            retry_after_s: 2,
            tries: 0,
        }
        .render()
        .unwrap();
        assert!(
            html.contains(r#"<meta http-equiv="refresh" content="2; url=/s/tour?busy=1">"#),
            "{html}"
        );
        assert!(html.contains(r#"data-page="busy""#), "{html}");
        assert!(!html.contains("tried"), "{html}");
        let again = BusyPage {
            lang: Lang::ENGLISH,
            sale: &sale,
            retry_after_s: 16,
            tries: 3,
        }
        .render()
        .unwrap();
        assert!(again.contains("url=/s/tour?busy=4"), "{again}");
        assert!(
            again.contains("(try 3; it waits a little longer each time)"),
            "{again}"
        );
    }

    #[test]
    fn every_page_has_the_one_shell() {
        let sale_id = SaleId::parse("tour").unwrap();
        let sale = view(Branding::default());
        let pages = [
            NotFoundPage {
                lang: Lang::ENGLISH,
            }
            .render()
            .unwrap(),
            BusyPage {
                lang: Lang::ENGLISH,
                sale: &sale_id,
                retry_after_s: 2,
                tries: 0,
            }
            .render()
            .unwrap(),
            RateLimitedPage {
                lang: Lang::ENGLISH,
                sale: &sale_id,
                retry_after_s: 7,
            }
            .render()
            .unwrap(),
            ClosedPage {
                lang: Lang::ENGLISH,
                sale: SaleLook::of(&sale, Lang::ENGLISH),
            }
            .render()
            .unwrap(),
        ];
        for html in &pages {
            for part in [
                "<!doctype html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n",
                r#"<nav class="languages" aria-label="Language"><ul>"#,
                r#"<a href="?lang=en" lang="en" hreflang="en" aria-current="true">English</a>"#,
                r#"<link rel="stylesheet" href="/assets/app.css">"#,
                r#"<header class="brand"><div class="inner">"#,
                "</h1></div></header>\n<main>",
                r#"<section class="card" aria-labelledby="title">"#,
                "</section>\n</main>",
            ] {
                assert!(html.contains(part), "{part} in {html}");
            }
        }
        assert!(
            pages[0].contains("<title>Sale not found</title>"),
            "{}",
            pages[0]
        );
        assert!(
            pages[0].contains(r#"<body data-page="not-found">"#),
            "{}",
            pages[0]
        );
        assert!(
            pages[1].contains(r#"<h1>Tickets</h1></div></header>"#),
            "{}",
            pages[1]
        );
        assert!(
            pages[3].contains(
                "<title>&#60;b&#62;Bold&#60;/b&#62; &#38; &#34;quotes&#34; – sale closed</title>"
            ),
            "{}",
            pages[3]
        );
    }
}
