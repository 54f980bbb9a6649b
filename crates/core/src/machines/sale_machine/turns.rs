//! The turns the machine hands out, finished here rather than in the object: a claimed turn's
//! admission pass signed, and the turns to push on fans' sockets made into the messages to send.
//! The keys are the object's (its secrets): the machine asks for them when it first needs them
//! ([`super::Need::PassSigning`]) and keeps them; the object only sends what comes out.

use crate::ids::Seq;
use crate::keys::pass::{PassClaims, PassSigner};
use crate::machines::protocol::{Answer, Reply};
use crate::queue::fan_id_for;
use crate::queue::socket::Message;
use crate::queue::{Assignment, Claim};
use crate::sale::Sale;
use std::rc::Rc;

/// What passes are signed with: the keys and the issuer (`iss`).
#[derive(Clone, Debug)]
pub struct PassSigning {
    pub keys: Rc<PassSigner>,
    pub issuer: String,
}

impl PassSigning {
    /// The pass of `assignment` (claimed, with `pass_ttl_s`) of `sale`; a party's names the
    /// party's id (its leader's fan id, derived here: a member's view carries their own).
    pub fn sign(&self, sale: &Sale, assignment: &Assignment, pass_ttl_s: u64) -> String {
        let party = (assignment.party_size > 1).then(|| fan_id_for(&sale.fan_salt, assignment.seq));
        self.keys.sign(&PassClaims::for_assignment(
            &self.issuer,
            &sale.id,
            assignment,
            pass_ttl_s,
            party.as_ref(),
        ))
    }
}

/// A turn to push: `message` on the sockets of fan `seq` (which then close).
#[derive(Clone, Debug, PartialEq)]
pub struct Push {
    pub seq: Seq,
    pub message: Message,
}

/// Whether `answer` is a turn whose pass is still to sign.
pub(super) fn unsigned(answer: &Answer) -> bool {
    matches!(answer, Ok(Reply::Claim(Claim::Turn { pass: None, .. })))
}

/// `answer` with its turn's pass signed, when it is a turn and there are keys (without them the
/// pass stays `None`: the edge answers the fan busy until the keys can be read).
pub(super) fn signed(answer: Answer, sale: &Sale, signing: Option<&PassSigning>) -> Answer {
    match (answer, signing) {
        (
            Ok(Reply::Claim(Claim::Turn {
                assignment,
                pass_ttl_s,
                pass: None,
            })),
            Some(signing),
        ) => {
            let pass = signing.sign(sale, &assignment, pass_ttl_s);
            Ok(Reply::Claim(Claim::Turn {
                assignment,
                pass_ttl_s,
                pass: Some(pass),
            }))
        }
        (answer, _) => answer,
    }
}

/// The `your_turn` message of each pushed turn, its pass signed and carried as the sale hands
/// passes to its origin.
pub(super) fn pushes(turns: Vec<Claim>, sale: &Sale, signing: &PassSigning) -> Vec<Push> {
    turns
        .into_iter()
        .filter_map(|claim| {
            let Claim::Turn {
                assignment,
                pass_ttl_s,
                ..
            } = claim
            else {
                return None;
            };
            let pass = signing.sign(sale, &assignment, pass_ttl_s);
            let delivery = sale.settings.pass_delivery;
            let purchase_url = delivery.purchase_url(sale.settings.purchase_url.as_url(), &pass);
            Some(Push {
                seq: assignment.seq,
                message: Message::YourTurn {
                    pass_expires_at: PassClaims::expiry_of(&assignment, pass_ttl_s),
                    pass,
                    pass_delivery: delivery,
                    purchase_url: purchase_url.to_string(),
                    window: assignment.window,
                },
            })
        })
        .collect()
}
