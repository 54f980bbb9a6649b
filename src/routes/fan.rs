//! Fans: the sale page ([`page`]), joining the line and polling for their turn as JSON
//! ([`api`]), and where a fan stands, which both tell ([`standing`]), in the page's words
//! ([`place_words`]). What they share has a module
//! of its own: the sale's snapshot and info ([`sale`]), the token a request presents and its
//! cookie ([`token`]); a sale binding places to devices, its pages ([`binding`]); a signed link a
//! fan hands on, what a move's ([`moving`]) and a party's ([`party`]) share ([`handed_link`]).

mod api;
mod assist;
mod binding;
mod handed_link;
pub mod moving;
mod page;
pub mod party;
mod place_words;
pub mod push;
mod sale;
mod standing;
mod token;

pub use api::{challenge, draw, join, sale_info, status};
pub use assist::{api as assist, form as assist_form};
pub(crate) use page::turn_over_page;
pub use page::{busy_page, busy_tries, rejoin, sale_page, wants_json};
pub(crate) use sale::snapshot;
pub(crate) use standing::{turn_of_page, PageTurn};
pub(crate) use token::{presented, verify, Presented};
