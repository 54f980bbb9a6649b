//! A sale: what the promoter configures ([`SaleSettings`], from [`SaleSettingsInput`]), how its
//! fan pages look ([`Branding`]), the phase it is in at an instant ([`Phase`], [`phase_at`]), the
//! sale as the coordinator keeps it ([`Sale`]) and as anyone may see it ([`SaleView`]), and how
//! its fans are let in ([`admission`]).
//!
//! The types live in one file each and are named from here (`sale::Phase`); [`admission`] is a
//! module of its own (its rate arithmetic is used by the queue and the edge alike).

pub mod admission;
mod assist;
mod branding;
mod call_back;
mod phase;
mod protect_spec;
mod record;
mod settings;
mod view;
mod web_url;

pub use assist::{
    Assist, AssistInput, ASSIST_MULTIPLIER_RANGE, DEFAULT_ASSISTED_PLACES, MAX_ASSISTED_PLACES,
};
pub use branding::{BrandColor, Branding, BrandingInput, BrandingView, Ink, DEFAULT_BRAND_COLOR};
pub use call_back::{
    CallBack, CallBackInput, DEFAULT_RETURN_WINDOW_S, NEAR_FRONT_RANGE, RETURN_WINDOW_RANGE,
};
pub use phase::{phase_at, Control, Phase};
pub use protect_spec::ProtectSpec;
pub use record::{FanSalt, ReportVisibility, Sale, ShardsChange};
pub use settings::{
    SaleSettings, SaleSettingsInput, CLAIM_TTL_RANGE, DEFAULT_CLAIM_TTL_S, DEFAULT_PASS_TTL_S,
    DEFAULT_PRESENCE_TTL_S, MAX_SHARDS, PASS_TTL_RANGE, PRESENCE_TTL_RANGE,
};
pub use view::SaleView;
pub(crate) use web_url::web_url as web_url_for;
pub use web_url::WebUrl;

#[cfg(test)]
mod tests;
