//! The party's pages (docs/api.md, "Come as a party"), served by the full worker: the page a
//! friend opens the party link on (to join, or, for a member, their party and "leave"); the
//! leader's party link itself is a [`super::HandedLinkPage`].

use super::{Localized, SaleLook};
use crate::i18n::Lang;
use askama::Template;

/// What the party page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyShows {
    /// The form that joins the party the link names (its script fills in the code).
    Join,
    /// The fan's party, as a member sees it, and "leave".
    Member { size: u8, max: u8 },
    /// The fan just left their party.
    Left,
}

/// `GET /s/{sale}/party` (and the answers of its forms).
#[derive(Template)]
#[template(path = "party.html")]
pub struct PartyPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub shows: PartyShows,
    /// Why joining was refused, in words.
    pub refused: Option<&'static str>,
}

/// What the waiting page shows of parties (docs/api.md, "Come as a party"): a member is told
/// they are in one (a link to their party's page); a waiting fan of a sale with parties is
/// offered to invite friends.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub enum PartyOffer {
    #[default]
    None,
    Invite,
    Member,
}

impl Localized for PartyPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}
