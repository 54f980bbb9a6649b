//! The fan pages in the fan's language: which language each page is in, and the pieces of a
//! page whose words come with markup (a `<time>`, a link) or from a value (a phase).

use super::{
    BindingPage, BusyPage, ClosedPage, GettingPlacePage, InvitationPage, MoveLinkPage, MovePage,
    NotFoundPage, NotOnSalePage, PassFormPostPage, RateLimitedPage, TurnstilePage, WaitingPage,
};
use crate::i18n::Lang;
use waitroom_core::UnixMillis;

/// A page in one of the fan's languages.
pub trait Localized {
    fn lang(&self) -> Lang;
}

macro_rules! localized {
    ($($page:ident),*) => {$(
        impl Localized for $page<'_> {
            fn lang(&self) -> Lang {
                self.lang
            }
        }
    )*};
}
localized!(
    BindingPage,
    NotOnSalePage,
    WaitingPage,
    TurnstilePage,
    PassFormPostPage,
    ClosedPage,
    InvitationPage,
    GettingPlacePage,
    RateLimitedPage,
    BusyPage,
    MoveLinkPage,
    MovePage
);
impl Localized for NotFoundPage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl PassFormPostPage<'_> {
    /// When the pass ends, as `<time>` of `HH:MM UTC` (the page's script says it in the fan's
    /// own time and language).
    pub fn expires_time_html(&self) -> String {
        let at = self.expires_at.to_rfc3339();
        format!(
            r#"<time id="expires-at" datetime="{at}">{} UTC</time>"#,
            at.get(11..16).unwrap_or(&at)
        )
    }
}

impl WaitingPage<'_> {
    pub fn phase_words(&self) -> &'static str {
        self.lang.phase(self.phase)
    }

    /// The pre-queue's notice: when the order is drawn (a `<time>` the script shows in the fan's
    /// own time), and the link to check the draw.
    pub fn draw_notice_html(&self) -> askama::filters::Safe<String> {
        let at = self
            .place
            .draw_at
            .map(UnixMillis::to_rfc3339)
            .unwrap_or_default();
        let time = format!(r#"<time id="draw-at" datetime="{at}">{at}</time>"#);
        let link = format!(
            r#"<a href="/api/sales/{}/draw">{}</a>"#,
            self.sale.id,
            self.lang.prequeue_draw_link()
        );
        self.lang.prequeue_draw(link, time)
    }
}

impl MoveLinkPage<'_> {
    /// Where to type the code without the link: the path and the code, as the page's markup.
    pub fn type_code_html(&self) -> askama::filters::Safe<String> {
        let path = format!(
            "<b>/s/{}/move</b>",
            crate::i18n::escaped(self.sale.id.as_str())
        );
        let code = format!(
            r#"<code id="move-code">{}</code>"#,
            crate::i18n::escaped(self.code)
        );
        // The variables in name order: code_html, path_html.
        self.lang.move_link_type_code(code, path)
    }

    /// How long the link works: until a `<time>`, and for how many minutes.
    pub fn expires_html(&self) -> askama::filters::Safe<String> {
        let at = self.expires_at.to_rfc3339();
        let time = format!(r#"<time datetime="{at}">{at}</time>"#);
        // The variables in name order: minutes, time_html.
        self.lang.move_link_expires(self.minutes, time)
    }
}

impl GettingPlacePage<'_> {
    pub fn phase_words(&self) -> &'static str {
        self.lang.phase(self.phase)
    }
}

#[cfg(test)]
mod tests {
    use super::super::SaleLook;
    use super::*;
    use askama::Template;
    use waitroom_core::sale::BrandColor;
    use waitroom_core::SaleId;

    fn render(lang: &str, moves_left: u8, code: &str) -> String {
        let id = SaleId::parse("tour").unwrap();
        let color = BrandColor::parse("#123456").unwrap();
        let sale = SaleLook {
            id: &id,
            name: "Tour",
            color,
            ink: color.ink(),
            logo_url: None,
            message: None,
            bound: false,
            push: false,
        };
        MoveLinkPage {
            lang: Lang::from_code(lang).unwrap(),
            sale,
            url: "https://w.example/s/tour/move#c0de",
            code,
            expires_at: UnixMillis::from_secs(600),
            minutes: 10,
            moves_left,
        }
        .render()
        .unwrap()
    }

    /// The move-link page in the fan's language, its markup (the path, the code, the time) kept
    /// whole in every language's sentence, and a code with markup in it escaped.
    #[test]
    fn the_move_link_page_speaks_the_fans_language_with_its_markup() {
        let de = render("de", 2, "c0de");
        assert!(de.contains(r#"<h2 id="title">Auf einem anderen Gerät fortfahren</h2>"#));
        assert!(de.contains("Danach kann dein Platz noch 2 Mal verschoben werden."));
        assert!(de.contains(r#"aria-label="QR-Code des Links""#), "{de}");
        for lang in Lang::all() {
            let page = render(lang.code(), 0, "<c&>");
            assert!(page.contains("<b>/s/tour/move</b>"), "{}", lang.code());
            assert!(page.contains(r#"<code id="move-code">&lt;c&amp;&gt;</code>"#));
            assert!(
                page.contains(r#"<time datetime="1970-01-01T00:10:00Z">"#),
                "{page}"
            );
            let last = crate::i18n::escaped(lang.move_link_last_move());
            assert!(page.contains(&last), "{}", lang.code());
        }
        assert!(render("ar", 1, "c0de").contains(r#"<html lang="ar" dir="rtl">"#));
    }

    /// The page that takes a place says why a code was refused in the fan's language.
    #[test]
    fn the_move_page_says_a_refusal_in_the_fans_language() {
        let id = SaleId::parse("tour").unwrap();
        let color = BrandColor::parse("#123456").unwrap();
        let fr = Lang::from_code("fr").unwrap();
        let page = MovePage {
            lang: fr,
            sale: SaleLook {
                id: &id,
                name: "Tour",
                color,
                ink: color.ink(),
                logo_url: None,
                message: None,
                bound: false,
                push: false,
            },
            refused: Some(fr.move_refused_expired()),
        }
        .render()
        .unwrap();
        assert!(page.contains("Récupérez votre place sur cet appareil"));
        assert!(page.contains("Ce lien a expiré."), "{page}");
        assert!(page.contains("Déplacer ma place ici</button>"));
    }
}
