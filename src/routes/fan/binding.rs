//! The pages of a sale that binds places to devices (docs/api.md, "Bound to this device"): the
//! page that makes the device's key and joins with it (the only way into such a sale from a
//! browser: without JavaScript it says so), and what a reached fan sees while the page's script
//! claims the turn with the device's proof.

use crate::error::ApiError;
use crate::fan_state::FanState;
use crate::pages::{self, BindingPage, PlaceShown, SaleLook};
use crate::response::CacheControl;
use waitroom_core::Phase;
use worker::Response;

/// The binding page (200), carrying a Turnstile sale's unspent widget token to the join.
pub(super) fn page(
    lang: crate::i18n::Lang,
    look: SaleLook<'_>,
    phase: Phase,
    turnstile_token: Option<&str>,
) -> Result<Response, ApiError> {
    let page = BindingPage {
        lang,
        sale: look,
        phase,
        turnstile_token,
    };
    pages::render(&page, 200, CacheControl::NoStore)
}

/// What a fan whose place is bound to their device sees when the line reached them, until the
/// page's script has claimed the turn with the device's proof (the waiting page polls at once).
pub(super) fn confirming_device(lang: crate::i18n::Lang) -> PlaceShown {
    PlaceShown {
        state: FanState::Waiting,
        position: lang.place_your_turn().into(),
        ahead: "0".into(),
        eta: "0".into(),
        refresh_s: 5,
        notice: Some(lang.binding_confirming().into()),
        rejoin: false,
        draw_at: None,
    }
}
