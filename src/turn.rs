//! A fan's turn as the fan gets it: the admission pass, signed, and the purchase URL carrying it.
//! The status answer and the pushed `your_turn` message both come from here, so they agree.

use crate::config::Config;
use waitroom_core::pass::PassClaims;
use waitroom_core::pass_delivery::PassDelivery;
use waitroom_core::sale::WebUrl;
use waitroom_core::{Assignment, SaleId, UnixMillis};
use worker::Url;

/// A signed turn.
pub struct Turn {
    pub pass: String,
    pub expires_at: UnixMillis,
    /// The sale's purchase URL carrying the pass as the sale's `pass_delivery` says (none for
    /// `form_post`, whose page posts it).
    pub purchase_url: Url,
}

/// Signs the pass for `assignment` (claimed, with `pass_ttl_s`) of `sale`.
pub fn sign(
    config: &Config,
    sale: &SaleId,
    purchase_url: &WebUrl,
    delivery: PassDelivery,
    assignment: &Assignment,
    pass_ttl_s: u64,
) -> Turn {
    let claims = PassClaims::for_assignment(&config.pass_issuer, sale, assignment, pass_ttl_s);
    let pass = config.secrets.pass_signer.sign(&claims);
    let purchase_url = delivery.purchase_url(purchase_url.as_url(), &pass);
    Turn {
        pass,
        expires_at: claims.expires_at(),
        purchase_url,
    }
}
