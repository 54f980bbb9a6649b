//! The fan's pages: the sale page (`/s/{sale}`, or its JSON for apps), its "join again" form,
//! invitation links, and the page each refusal of the door gets.

use super::place_words::{lost_place, place_shown};
use super::sale::{sale_info_of, snapshot, snapshot_of};
use super::standing::{fan_state, status_answer, status_url, Standing};
use super::token::{held_by_page, set_token_cookie};
use crate::ctx::Ctx;
use crate::door;
use crate::error::retry_after_backing_off;
use crate::error::ApiError;
use crate::http;
use crate::i18n::Lang;
use crate::invitations;
use crate::pages::{
    self, AssistShown, BusyPage, ClosedPage, InvitationPage, NotFoundPage, NotOnSalePage,
    PartyOffer, PassFormPostPage, PlaceShown, SaleLook, WaitingPage,
};
use crate::place_cost;
use crate::random;
use crate::response::{self, json, json_with, CacheControl};
use crate::routes::answers::SalePageStatus;
use waitroom_core::keys::device::DeviceError;
use waitroom_core::keys::pass_delivery::PassDelivery;
use waitroom_core::keys::token::{QueueToken, TOKEN_TTL_S};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{AssignmentState, Phase, QueueError, SaleId, UnixMillis};
use worker::{Method, Request, Response, Url};

/// Pages that change only when a promoter acts (not on sale, closed, no such sale) are cached
/// publicly for this long; the not-on-sale page never past `opens_at`.
const PUBLIC_PAGE_MAX_AGE_S: u64 = 5;
const PUBLIC_PAGE: CacheControl = CacheControl::Public {
    max_age_s: PUBLIC_PAGE_MAX_AGE_S,
};

/// Whether the request asks for JSON rather than a page (an app, or a page's script).
pub fn wants_json(req: &Request) -> bool {
    req.headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// `GET /s/{sale}`: the page a fan lands on (or JSON, for apps that ask for it).
pub async fn sale_page(
    req: Request,
    ctx: &Ctx,
    sale: Option<SaleId>,
) -> Result<Response, ApiError> {
    let as_json = wants_json(&req);
    let snap = match sale {
        Some(sale) => snapshot_of(ctx, &sale).await?,
        None => None,
    };
    let Some(snap) = snap else {
        if as_json {
            return Err(QueueError::SaleNotFound.into());
        }
        return pages::render(
            &NotFoundPage {
                lang: ctx.lang.lang,
            },
            404,
            PUBLIC_PAGE,
        );
    };
    if let Some(text) = invitations::from_link(&req) {
        return invitation_link(&req, ctx, &snap, &text).await;
    }
    let sale = snap.sale.id.clone();
    let phase = snap.phase_at(ctx.now);
    let lang = ctx.lang.lang;
    let look = || SaleLook::of(&snap.sale, lang);
    match phase {
        Phase::Scheduled => {
            // The page lets the fan in when the doors open: the pre-queue's, if it has one.
            let doors = snap.sale.prequeue_opens_at.or(snap.sale.opens_at);
            let until_open = doors.map(|t| ctx.now.millis_until(t) / 1000);
            let cache = CacheControl::Public {
                max_age_s: until_open
                    .map_or(PUBLIC_PAGE_MAX_AGE_S, |s| s.min(PUBLIC_PAGE_MAX_AGE_S)),
            };
            if as_json {
                return Ok(json_with(200, &sale_info_of(&snap, ctx.now), cache));
            }
            let page = NotOnSalePage {
                lang,
                sale: look(),
                opens_at: doors,
            };
            pages::render(&page, 200, cache)
        }
        Phase::Closed if as_json => Ok(json(200, &sale_info_of(&snap, ctx.now))),
        Phase::Closed => {
            let page = ClosedPage { lang, sale: look() };
            pages::render(&page, 200, PUBLIC_PAGE)
        }
        Phase::Prequeue | Phase::Open | Phase::Paused => {
            let (token, proof, new_token) = match held_by_page(&req, ctx, &sale) {
                Some(held) => (held.token, held.proof, None),
                // A HEAD (a link preview, a monitor), or a request that is no navigation (an
                // image, a script, a frame, a fetch: another site embedding the page), looks at
                // the page without taking a place.
                None if req.method() == Method::Head || !http::is_navigation(&req) => {
                    if as_json {
                        return Ok(json(200, &sale_info_of(&snap, ctx.now)));
                    }
                    let page = WaitingPage {
                        lang,
                        sale: look(),
                        phase,
                        place: PlaceShown::none(),
                        can_rejoin: snap.sale.access.is_open(),
                        assist: AssistShown::default(),
                        party: PartyOffer::None,
                    };
                    return pages::render(&page, 200, CacheControl::PrivateNoStore);
                }
                // A Turnstile sale: the fan solves the check first (apps join with a token).
                None if snap.sale.turnstile_site_key.is_some() => {
                    return crate::turnstile::before_place(&req, ctx, &snap.sale, as_json);
                }
                // A new place through the door; where it needs proof of work, a browser gets the
                // page that solves the challenge, an app the refusal with it.
                None => {
                    let presented = door::Presented {
                        invitation: invitations::from_cookie(&req, &sale),
                        ..door::Presented::default()
                    };
                    match door::take(&req, ctx, &snap, presented).await {
                        Ok(place) => (place.claims, None, Some(place.token)),
                        Err(e) if as_json => return Err(e),
                        Err(e) => return refused_page(&req, ctx, &snap, e, None),
                    }
                }
            };
            let state = match fan_state(ctx, &snap, &token, proof.as_deref()).await {
                Ok(state) => state,
                // A place bound to a device, reached: the page's script claims the turn with a
                // proof made with the device's key (a navigation carries none).
                Err(ApiError::Device(DeviceError::ProofRequired)) if !as_json => {
                    let page = WaitingPage {
                        lang,
                        sale: look(),
                        phase,
                        place: super::binding::confirming_device(lang),
                        can_rejoin: snap.sale.access.is_open(),
                        assist: AssistShown::default(),
                        party: PartyOffer::None,
                    };
                    return pages::render(&page, 200, CacheControl::PrivateNoStore);
                }
                // The fan's new place is recorded: hand over its cookie with the busy page.
                Err(e) if e.is_busy() && !as_json => {
                    worker::console_warn!("request {}: busy page: {e}", ctx.request_id);
                    return Ok(busy_page(
                        &sale,
                        new_token.as_deref(),
                        busy_tries(&req),
                        lang,
                    ));
                }
                // The record of the fan's place could not be read: the page that lets them join
                // again (the "join again" form takes a new place for it, paid like any other).
                Err(ApiError::Queue(QueueError::AssignmentNotFound)) if !as_json => {
                    let page = WaitingPage {
                        lang,
                        sale: look(),
                        phase,
                        place: lost_place(lang, snap.sale.access.is_open()),
                        can_rejoin: snap.sale.access.is_open(),
                        assist: AssistShown::default(),
                        party: PartyOffer::None,
                    };
                    return pages::render(&page, 200, CacheControl::PrivateNoStore);
                }
                Err(e) => return Err(e),
            };
            let mut response = if as_json {
                let body = SalePageStatus {
                    status: status_answer(&snap, &token, &state, ctx.now),
                    token: new_token.as_deref(),
                    status_url: status_url(&sale),
                };
                json(200, &body)
            } else if let Standing::YourTurn {
                purchase_url,
                pass,
                expires_at,
                ..
            } = &state
            {
                // Without JavaScript, the page's own refresh lands here: send the fan on.
                your_turn_page(&snap, lang, purchase_url, pass, *expires_at)?
            } else {
                let page = WaitingPage {
                    lang,
                    sale: look(),
                    phase,
                    place: place_shown(lang, &state, snap.sale.access.is_open()),
                    can_rejoin: snap.sale.access.is_open(),
                    assist: assist_shown(&req, lang, &snap, &token, &state),
                    party: party_offer(&snap, &token, &state),
                };
                pages::render(&page, 200, CacheControl::PrivateNoStore)?
            };
            if let Some(text) = new_token {
                set_token_cookie(&mut response, &sale, &text)?;
            }
            Ok(response)
        }
    }
}

/// Parties on the waiting page: a member is told so; a waiting fan holding their own place in a
/// sale with parties is offered to invite friends.
fn party_offer(snap: &Snapshot, token: &QueueToken, state: &Standing) -> PartyOffer {
    let waiting = matches!(state, Standing::Waiting { .. } | Standing::Prequeue { .. });
    match token.hand >= waitroom_core::queue::MEMBER_HAND {
        true if waiting => PartyOffer::Member,
        false if waiting && snap.sale.party_max > 0 => PartyOffer::Invite,
        _ => PartyOffer::None,
    }
}

/// The page of a fan whose turn is over though its pass lasts (path protection: the origin ended
/// their session): the waiting page saying their turn ended, never a redirect to the protected
/// URL (which would send them back here).
pub(crate) fn turn_over_page(snap: &Snapshot, ctx: &Ctx) -> Result<Response, ApiError> {
    let lang = ctx.lang.lang;
    let can_rejoin = snap.sale.access.is_open();
    let over = Standing::Lapsed {
        reason: AssignmentState::Completed,
    };
    let page = WaitingPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        phase: snap.phase_at(ctx.now),
        place: place_shown(lang, &over, can_rejoin),
        can_rejoin,
        assist: AssistShown::default(),
        party: PartyOffer::None,
    };
    pages::render(&page, 200, CacheControl::PrivateNoStore)
}

/// The assisted lane on the waiting page: offered to a waiting fan of a sale that has one, said
/// to a fan who has it, and what the last ask came to (`?assist=`, from its form).
fn assist_shown(
    req: &Request,
    lang: crate::i18n::Lang,
    snap: &Snapshot,
    token: &QueueToken,
    state: &Standing,
) -> AssistShown {
    let Some(assist) = snap.sale.assist else {
        return AssistShown::default();
    };
    let waiting = matches!(state, Standing::Waiting { .. } | Standing::Prequeue { .. });
    // Not offered once the lane is full (as the snapshot says): asking would be refused.
    let room = snap.assisted < u64::from(assist.max_places);
    AssistShown {
        offer: (waiting && room && !token.assist).then_some(assist.multiplier),
        granted: token.assist.then_some(assist.multiplier),
        notice: http::query(req, "assist")
            .and_then(|outcome| super::assist::notice_of(lang, &outcome, assist.multiplier)),
    }
}

/// The fan's turn, in a browser: a 303 to the purchase URL (the pass in its query or fragment),
/// or, for `form_post`, a page whose form POSTs the pass there.
/// `expires_at`: when the pass ends, which the page says (WCAG 2.2.1: no time limit unannounced).
fn your_turn_page(
    snap: &Snapshot,
    lang: Lang,
    purchase_url: &Url,
    pass: &str,
    expires_at: UnixMillis,
) -> Result<Response, ApiError> {
    if snap.sale.pass_delivery != PassDelivery::FormPost {
        return Ok(response::see_other(purchase_url.as_str())?);
    }
    let page = PassFormPostPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        purchase_url: purchase_url.as_str(),
        pass,
        expires_at,
    };
    pages::render(&page, 200, CacheControl::NoStore)
}

/// The most tries a busy page counts (its wait stops growing well before).
const MAX_BUSY_TRIES: u32 = 100;

/// How many busy pages in a row came before this request: the `busy` query parameter the busy
/// page's own refresh adds.
pub fn busy_tries(req: &Request) -> u32 {
    http::query(req, "busy")
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0)
        .min(MAX_BUSY_TRIES)
}

/// The busy page (503, a jittered `Retry-After` that doubles with each try in a row, up to a
/// minute, refreshing itself to `/s/{sale}`). It never touches the fan's cookie, except to hand
/// over `new_token`: a place that was just recorded.
pub fn busy_page(sale: &SaleId, new_token: Option<&str>, tries: u32, lang: Lang) -> Response {
    let (_, retry_after_s) = retry_after_backing_off(random::fraction(), tries);
    let page = BusyPage {
        lang,
        sale,
        retry_after_s,
        tries,
    };
    let mut response = match pages::render(&page, 503, CacheControl::NoStore) {
        Ok(response) => response,
        Err(e) => return e.into_response(),
    };
    let headers = response.headers_mut();
    let _ = headers.set("Retry-After", &retry_after_s.to_string());
    if let Some(text) = new_token {
        let _ = headers.set("Set-Cookie", &http::token_cookie(sale, text, TOKEN_TTL_S));
    }
    response
}

/// `POST /s/{sale}`: the waiting page's "join again" form, for a fan whose turn lapsed: the door
/// ([`door::take`]) for a browser. A fan whose place still holds keeps it (answered at the edge);
/// a new place pays the sale's gates like any other, and on to the page (303).
pub async fn rejoin(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    http::require_same_site(&req)?;
    let held = held_by_page(&req, ctx, &sale);
    let snap = snapshot(ctx, &sale).await?;
    // The widget's token comes in the form, read only for a place the door may take.
    let turnstile = match (&held, &snap.sale.turnstile_site_key) {
        (_, None) => None,
        (Some(held), Some(_)) if door::held_at_edge(&snap, &held.token, ctx.now) => None,
        (_, Some(_)) => crate::turnstile::form_token(&mut req).await?,
    };
    let holds_token = held.is_some();
    let presented = door::Presented {
        held,
        turnstile: turnstile.clone(),
        invitation: invitations::from_cookie(&req, &sale),
        ..door::Presented::default()
    };
    let place = match door::take(&req, ctx, &snap, presented).await {
        Ok(place) => place,
        // Without a place or a Turnstile check to carry, the sale page is where proof of work
        // is done (as it always was).
        Err(ApiError::Pow { .. }) if !holds_token && turnstile.is_none() => {
            return Ok(response::see_other(&format!("/s/{sale}"))?)
        }
        Err(e) => return refused_page(&req, ctx, &snap, e, turnstile.as_deref()),
    };
    let mut response = response::see_other(&format!("/s/{sale}"))?;
    if place.new_token {
        set_token_cookie(&mut response, &sale, &place.token)?;
    }
    Ok(response)
}

/// Which page a browser gets for a refusal of the door, where a JSON client gets the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefusalPage {
    /// The sale closed: the closed page.
    Closed,
    /// Not open yet: on to the sale page (its countdown).
    SalePage,
    /// A new place needs proof of work: the page that solves it.
    GettingPlace,
    /// Turnstile: the check (again, with why).
    Turnstile,
    /// An invitation refused: its page.
    Invitation,
    /// A sale binding places to devices, and no device key (or, for a place that ended, no
    /// proof): the page whose script makes the key and joins with it.
    Binding,
    /// Over the address's budget where the sale refuses: the page that tries again.
    RateLimited,
    /// Busy or unavailable: the page that backs off.
    Busy,
    /// No page for it: the error itself.
    None,
}

/// The page for `error`: the one rule both page routes follow.
fn refusal_page(error: &ApiError) -> RefusalPage {
    match error {
        ApiError::Queue(QueueError::Closed) => RefusalPage::Closed,
        ApiError::Queue(QueueError::NotOpen { .. }) => RefusalPage::SalePage,
        ApiError::Pow { .. } => RefusalPage::GettingPlace,
        ApiError::Turnstile(_) => RefusalPage::Turnstile,
        ApiError::Device(DeviceError::KeyRequired | DeviceError::ProofRequired) => {
            RefusalPage::Binding
        }
        e if is_refused_invitation(e) => RefusalPage::Invitation,
        ApiError::RateLimited { .. } => RefusalPage::RateLimited,
        e if e.is_busy() => RefusalPage::Busy,
        _ => RefusalPage::None,
    }
}

/// The page presenter of the door's refusals ([`refusal_page`]). `turnstile_token`: a Turnstile
/// sale's form token, not spent yet, for the page that solves a proof of work to carry.
fn refused_page(
    req: &Request,
    ctx: &Ctx,
    snap: &Snapshot,
    error: ApiError,
    turnstile_token: Option<&str>,
) -> Result<Response, ApiError> {
    let sale = &snap.sale.id;
    let lang = ctx.lang.lang;
    let look = SaleLook::of(&snap.sale, lang);
    match (refusal_page(&error), error) {
        (RefusalPage::Closed, _) => {
            let page = ClosedPage { lang, sale: look };
            pages::render(&page, 200, CacheControl::NoStore)
        }
        (RefusalPage::SalePage, _) => Ok(response::see_other(&format!("/s/{sale}"))?),
        (RefusalPage::GettingPlace, e) => {
            place_cost::getting_place_page(look, lang, snap.phase_at(ctx.now), &e, turnstile_token)
        }
        (RefusalPage::Turnstile, e) => crate::turnstile::form_refused(req, ctx, &snap.sale, e),
        (RefusalPage::Binding, _) => {
            super::binding::page(lang, look, snap.phase_at(ctx.now), turnstile_token)
        }
        (RefusalPage::Invitation, e) => invitation_page(snap, lang, &e),
        (RefusalPage::RateLimited, ApiError::RateLimited { retry_after_ms }) => {
            Ok(place_cost::rate_limited_page(sale, retry_after_ms, lang))
        }
        (RefusalPage::Busy, e) => {
            worker::console_warn!("request {}: busy page: {e}", ctx.request_id);
            Ok(busy_page(sale, None, busy_tries(req), lang))
        }
        (_, e) => Err(e),
    }
}

fn is_refused_invitation(e: &ApiError) -> bool {
    matches!(e, ApiError::InvitationRequired | ApiError::BadInvitation(_))
}

/// The readable page for a refused invitation (403 without one, 401 for a bad one).
fn invitation_page(snap: &Snapshot, lang: Lang, e: &ApiError) -> Result<Response, ApiError> {
    let page = InvitationPage {
        lang,
        sale: SaleLook::of(&snap.sale, lang),
        required: matches!(e, ApiError::InvitationRequired),
        reason: e.message(),
    };
    pages::render(&page, e.status(), CacheControl::NoStore)
}

/// `GET /s/{sale}?invitation=...`, an invitation link: the page keeps the invitation in its
/// cookie, takes the member's place if the sale is open (and the fan holds none), and sends the
/// fan on to the clean `/s/{sale}` (303), so the invitation stays in no URL of ours. A refused
/// invitation is the readable page (or its JSON error); nothing is kept.
async fn invitation_link(
    req: &Request,
    ctx: &Ctx,
    snap: &Snapshot,
    text: &str,
) -> Result<Response, ApiError> {
    let sale = &snap.sale.id;
    let clean = format!("/s/{sale}");
    let member = match invitations::member(ctx, snap, Some(text)).await {
        Ok(Some(member)) => member,
        // An open sale needs none: on to the page.
        Ok(None) => return Ok(response::see_other(&clean)?),
        Err(e) if wants_json(req) => return Err(e),
        Err(e) => return invitation_page(snap, ctx.lang.lang, &e),
    };
    let held = held_by_page(req, ctx, sale);
    // A fan holding a place keeps it, and the invitation they joined with: a link another site
    // sent them changes neither.
    let keep = held
        .is_none()
        .then(|| invitations::keep_cookie(sale, text, &member, ctx.now));
    // With proof of work or Turnstile, the clean page asks for it and then takes the member's
    // place.
    let taking = snap.phase_at(ctx.now).admits_joins()
        && held.is_none()
        && snap.sale.pow_bits.is_off()
        && snap.sale.turnstile_site_key.is_none()
        && !snap.sale.device_binding
        && req.method() != Method::Head
        && http::is_navigation(req);
    let mut response = if taking {
        let presented = door::Presented {
            invitation: Some(text.to_owned()),
            ..door::Presented::default()
        };
        match door::take(req, ctx, snap, presented).await {
            Ok(place) => {
                let mut response = response::see_other(&clean)?;
                set_token_cookie(&mut response, sale, &place.token)?;
                response
            }
            // Busy: the page tries again by itself, with the invitation kept.
            Err(e) if e.is_busy() && !wants_json(req) => {
                busy_page(sale, None, busy_tries(req), ctx.lang.lang)
            }
            Err(e) if wants_json(req) && !matches!(e, ApiError::Queue(QueueError::Closed)) => {
                return Err(e)
            }
            // Any other refusal (closed, a Turnstile check, proof of work, the address's price):
            // on to the clean page, which keeps the invitation and asks for what is missing.
            Err(_) => response::see_other(&clean)?,
        }
    } else {
        response::see_other(&clean)?
    };
    if let Some(keep) = keep {
        response.headers_mut().append("Set-Cookie", &keep)?;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::fairness::pow::PowError;
    use waitroom_core::fairness::turnstile::TurnstileError;

    #[test]
    fn every_refusal_of_the_door_has_its_page_and_the_rest_stay_errors() {
        let challenge = waitroom_core::fairness::pow::issue(
            &waitroom_core::keys::pow_key::PowKey::new([1; 32]),
            &SaleId::parse("s").unwrap(),
            waitroom_core::fairness::pow::PowBits::OFF,
            UnixMillis(0),
            [0; 9],
        );
        let cases = [
            (ApiError::Queue(QueueError::Closed), RefusalPage::Closed),
            (
                ApiError::Queue(QueueError::NotOpen { opens_at: None }),
                RefusalPage::SalePage,
            ),
            (
                ApiError::Pow {
                    error: PowError::Required,
                    challenge,
                },
                RefusalPage::GettingPlace,
            ),
            (
                ApiError::Turnstile(TurnstileError::Required),
                RefusalPage::Turnstile,
            ),
            (ApiError::InvitationRequired, RefusalPage::Invitation),
            (DeviceError::KeyRequired.into(), RefusalPage::Binding),
            (DeviceError::ProofRequired.into(), RefusalPage::Binding),
            (DeviceError::BadSignature.into(), RefusalPage::None),
            (
                ApiError::RateLimited {
                    retry_after_ms: 1_000,
                },
                RefusalPage::RateLimited,
            ),
            (ApiError::Busy("slow".into()), RefusalPage::Busy),
            (
                ApiError::Queue(QueueError::SaleUnavailable),
                RefusalPage::Busy,
            ),
            (ApiError::CrossSite, RefusalPage::None),
            (ApiError::Internal("bug".into()), RefusalPage::None),
        ];
        for (error, page) in cases {
            assert_eq!(refusal_page(&error), page, "{error:?}");
        }
    }
}
