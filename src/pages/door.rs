//! A protected path's door (docs/api.md, "Path protection"), served by the gate worker: the
//! page a fan whose place is bound to their device gets at their turn, whose script confirms the
//! device and goes through.

use super::{Localized, SaleLook};
use crate::i18n::Lang;
use askama::Template;
use waitroom_core::Seq;

/// A place bound to a device, its turn come, asked for by a page load (which carries no
/// `Device-Proof`): the script (`/assets/door.js`) makes a proof with the device's key for place
/// `seq` and asks for the same URL again with it, which starts the session; then it loads the
/// page. Without JavaScript the page says why it cannot go on.
#[derive(Template)]
#[template(path = "door.html")]
pub struct DoorConfirmPage<'a> {
    pub lang: Lang,
    pub sale: SaleLook<'a>,
    pub seq: Seq,
}

impl Localized for DoorConfirmPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}
