//! The page of a signed link a fan hands on (docs/api.md, "Move my place" and "Come as a party"),
//! served by the full worker: the link, its QR code (drawn by `/assets/link-qr.js`), the code to
//! type without it and until when it works. One page for both kinds of link ([`HandedLink`]);
//! each kind brings only its words and what it says besides.

use super::{Localized, SaleLook};
use crate::i18n::Lang;
use askama::filters::Safe;
use askama::Template;
use waitroom_core::UnixMillis;

/// Which link a fan hands on, and what its page says besides the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandedLink {
    /// "Continue on another device": moves the place to the device that opens it
    /// (`POST /s/{sale}/move-link`).
    Move {
        /// Moves the place has left after this one.
        moves_left: u8,
    },
    /// "Invite friends": seats friends on the place (`POST /s/{sale}/party-link`).
    Party {
        /// How many friends the party may take (`party_max − 1`).
        friends: u8,
    },
}

/// The page with a link a fan hands on.
#[derive(Template)]
#[template(path = "handed_link.html")]
pub struct HandedLinkPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub link: HandedLink,
    pub url: &'a str,
    pub code: &'a str,
    pub expires_at: UnixMillis,
    /// How long the link is valid, in minutes.
    pub minutes: u64,
}

impl HandedLink {
    /// Its kind as the link and its page name it: its path (`/s/{sale}/{kind}`), its page's
    /// `data-page` (`{kind}-link`) and the ids of its link and code (`{kind}-url`, `{kind}-code`).
    pub fn kind(&self) -> &'static str {
        match self {
            HandedLink::Move { .. } => "move",
            HandedLink::Party { .. } => "party",
        }
    }
}

impl HandedLinkPage<'_> {
    pub fn kind(&self) -> &'static str {
        self.link.kind()
    }

    pub fn title(&self) -> &'static str {
        match self.link {
            HandedLink::Move { .. } => self.lang.move_link_title(),
            HandedLink::Party { .. } => self.lang.party_link_title(),
        }
    }

    pub fn heading(&self) -> &'static str {
        match self.link {
            HandedLink::Move { .. } => self.lang.move_link_button(),
            HandedLink::Party { .. } => self.lang.invite_friends_button(),
        }
    }

    /// What the link does.
    pub fn about(&self) -> String {
        match self.link {
            HandedLink::Move { .. } => self.lang.move_link_body().to_owned(),
            HandedLink::Party { friends } => self.lang.party_link_body(friends),
        }
    }

    /// What a move link says after its expiry: the moves left, and to share it with nobody.
    pub fn moves_notice(&self) -> Option<String> {
        let HandedLink::Move { moves_left } = self.link else {
            return None;
        };
        let left = match moves_left {
            0 => self.lang.move_link_last_move().to_owned(),
            left => self.lang.move_link_moves_left(left),
        };
        Some(format!("{left} {}", self.lang.move_link_share_nobody()))
    }

    /// Where to type the code without the link: the path and the code, as the page's markup.
    pub fn type_code_html(&self) -> Safe<String> {
        let kind = self.kind();
        let path = format!(
            "<b>/s/{}/{kind}</b>",
            crate::i18n::escaped(self.sale.id.as_str())
        );
        let code = format!(
            r#"<code id="{kind}-code">{}</code>"#,
            crate::i18n::escaped(self.code)
        );
        // The variables in name order: code_html, path_html.
        match self.link {
            HandedLink::Move { .. } => self.lang.move_link_type_code(code, path),
            HandedLink::Party { .. } => self.lang.party_link_type_code(code, path),
        }
    }

    /// How long the link works: until a `<time>`, and for how many minutes.
    pub fn expires_html(&self) -> Safe<String> {
        let at = self.expires_at.to_rfc3339();
        let time = format!(r#"<time datetime="{at}">{at}</time>"#);
        // The variables in name order: minutes, time_html.
        match self.link {
            HandedLink::Move { .. } => self.lang.move_link_expires(self.minutes, time),
            HandedLink::Party { .. } => self.lang.party_link_expires(self.minutes, time),
        }
    }
}

impl Localized for HandedLinkPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::SaleId;

    fn render(lang: &str, link: HandedLink, code: &str) -> String {
        let id = SaleId::parse("tour").unwrap();
        HandedLinkPage {
            lang: Lang::from_code(lang).unwrap(),
            sale: SaleLook::plain(&id),
            link,
            url: "https://w.example/s/tour/move#c0de",
            code,
            expires_at: UnixMillis::from_secs(600),
            minutes: 10,
        }
        .render()
        .unwrap()
    }

    /// The move-link page in the fan's language, its markup (the path, the code, the time) kept
    /// whole in every language's sentence, and a code with markup in it escaped.
    #[test]
    fn the_move_link_page_speaks_the_fans_language_with_its_markup() {
        let de = render("de", HandedLink::Move { moves_left: 2 }, "c0de");
        assert!(de.contains(r#"<h2 id="title">Auf einem anderen Gerät fortfahren</h2>"#));
        assert!(de.contains("Danach kann dein Platz noch 2 Mal verschoben werden."));
        assert!(de.contains(r#"aria-label="QR-Code des Links""#), "{de}");
        assert!(de.contains(r#"<script src="/assets/move-link.js" defer>"#));
        for lang in Lang::all() {
            let page = render(lang.code(), HandedLink::Move { moves_left: 0 }, "<c&>");
            assert!(page.contains("<b>/s/tour/move</b>"), "{}", lang.code());
            assert!(page.contains(r#"<code id="move-code">&lt;c&amp;&gt;</code>"#));
            assert!(
                page.contains(r#"<time datetime="1970-01-01T00:10:00Z">"#),
                "{page}"
            );
            let last = crate::i18n::escaped(lang.move_link_last_move());
            assert!(page.contains(&last), "{}", lang.code());
        }
        let ar = render("ar", HandedLink::Move { moves_left: 1 }, "c0de");
        assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#));
    }

    /// The party-link page: its own path, ids and words, and nothing of a move's.
    #[test]
    fn the_party_link_page_names_its_own_path_and_ids() {
        let en = render("en", HandedLink::Party { friends: 3 }, "<c&>");
        assert!(en.contains(r#"data-page="party-link""#), "{en}");
        assert!(en.contains(r#"<a id="party-url" href="#));
        assert!(en.contains("<b>/s/tour/party</b>"));
        assert!(en.contains(r#"<code id="party-code">&lt;c&amp;&gt;</code>"#));
        assert!(en.contains("up to 3 friends"));
        assert!(en.contains(r#"<script src="/assets/link-qr.js" defer>"#));
        assert!(!en.contains("move-link.js"));
        assert!(!en.contains(Lang::from_code("en").unwrap().move_link_share_nobody()));
    }
}
