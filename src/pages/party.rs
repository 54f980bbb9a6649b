//! The party's pages (docs/api.md, "Come as a party"), served by the full worker: the leader's
//! party link with its QR code, and the page a friend opens it on (to join, or, for a member,
//! their party and "leave").

use super::{Localized, SaleLook};
use crate::i18n::Lang;
use askama::Template;
use waitroom_core::UnixMillis;

/// The link and QR code that invite friends to the fan's place (`POST /s/{sale}/party-link`).
#[derive(Template)]
#[template(path = "party_link.html")]
pub struct PartyLinkPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub url: &'a str,
    pub code: &'a str,
    pub expires_at: UnixMillis,
    /// How long the link is valid, in minutes.
    pub minutes: u64,
    /// How many friends the party may take (`party_max − 1`).
    pub friends: u8,
}

impl PartyLinkPage<'_> {
    /// Where to type the code without the link: the path and the code, as the page's markup.
    pub fn type_code_html(&self) -> askama::filters::Safe<String> {
        let path = format!(
            "<b>/s/{}/party</b>",
            crate::i18n::escaped(self.sale.id.as_str())
        );
        let code = format!(
            r#"<code id="party-code">{}</code>"#,
            crate::i18n::escaped(self.code)
        );
        // The variables in name order: code_html, path_html.
        self.lang.party_link_type_code(code, path)
    }

    /// How long the link works: until a `<time>`, and for how many minutes.
    pub fn expires_html(&self) -> askama::filters::Safe<String> {
        let at = self.expires_at.to_rfc3339();
        let time = format!(r#"<time datetime="{at}">{at}</time>"#);
        // The variables in name order: minutes, time_html.
        self.lang.party_link_expires(self.minutes, time)
    }
}

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

impl Localized for PartyLinkPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl Localized for PartyPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}
