//! The fan pages in the fan's language: which language each page is in, and the pieces of a
//! page whose words come with markup (a `<time>`, a link) or from a value (a phase).

use super::{
    BindingPage, BusyPage, ClosedPage, GettingPlacePage, InvitationPage, MovePage, NotFoundPage,
    NotOnSalePage, PassFormPostPage, RateLimitedPage, TurnstilePage, WaitingPage,
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
    use waitroom_core::SaleId;

    /// The page that takes a place says why a code was refused in the fan's language.
    #[test]
    fn the_move_page_says_a_refusal_in_the_fans_language() {
        let id = SaleId::parse("tour").unwrap();
        let fr = Lang::from_code("fr").unwrap();
        let page = MovePage {
            lang: fr,
            sale: SaleLook::plain(&id),
            refused: Some(fr.move_refused_expired()),
        }
        .render()
        .unwrap();
        assert!(page.contains("Récupérez votre place sur cet appareil"));
        assert!(page.contains("Ce lien a expiré."), "{page}");
        assert!(page.contains("Déplacer ma place ici</button>"));
    }
}
