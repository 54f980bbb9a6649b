//! A fan's turn as the status answer hands it on: the admission pass (signed by the coordinator's
//! machine) and the purchase URL carrying it, from the same two rules of the core the machine's
//! pushed `your_turn` uses (`PassDelivery::purchase_url`, `PassClaims::expiry_of`), so they agree.

use waitroom_core::keys::pass::PassClaims;
use waitroom_core::keys::pass_delivery::PassDelivery;
use waitroom_core::sale::WebUrl;
use waitroom_core::Assignment;
use waitroom_core::UnixMillis;
use worker::Url;

/// A fan's turn.
pub struct Turn {
    pub pass: String,
    pub expires_at: UnixMillis,
    /// The sale's purchase URL carrying the pass as the sale's `pass_delivery` says (none for
    /// `form_post`, whose page posts it).
    pub purchase_url: Url,
}

/// The turn of `assignment` (claimed, with `pass_ttl_s`) given its signed `pass` (signed by the
/// coordinator's machine, which builds its pushed `your_turn` the same way:
/// `waitroom_core::machines::sale_machine::Push`), as the edge's status answer hands it on.
pub fn with_pass(
    pass: String,
    purchase_url: &WebUrl,
    delivery: PassDelivery,
    assignment: &Assignment,
    pass_ttl_s: u64,
) -> Turn {
    let purchase_url = delivery.purchase_url(purchase_url.as_url(), &pass);
    Turn {
        expires_at: PassClaims::expiry_of(assignment, pass_ttl_s),
        pass,
        purchase_url,
    }
}
