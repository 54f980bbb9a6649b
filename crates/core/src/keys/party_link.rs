//! The party link (docs/api.md, "Come as a party"): a fan waiting in line invites friends to
//! their place. `p1.<payload>.<mac>`, made like the move link ([`super::move_link`]) with its own
//! key (`derive:party-link`), so neither code is read as the other: it names the leader's place
//! and the hand it was made by, and is valid [`PARTY_LINK_TTL_S`]. It is not one-time: it
//! seats friends until the party has `party_max` fans (the coordinator counts), and it stops
//! working when the leader's place moves on or its turn comes.

use crate::ids::{SaleId, Seq};
pub use crate::keys::move_link::MoveLinkError as PartyLinkError;
use crate::keys::move_link::{LinkKind, MoveLink};
use crate::keys::token::TokenKeys;
use crate::time::UnixMillis;

/// How long a party link is valid.
pub const PARTY_LINK_TTL_S: u64 = 600;

const PARTY: LinkKind = LinkKind {
    version: "p1",
    purpose: "party-link",
    ttl_s: PARTY_LINK_TTL_S,
};

/// What a party link says: the leader's place, the hand that made it, its expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartyLink(pub MoveLink);

impl PartyLink {
    pub fn new(leader: Seq, hand: u8, now: UnixMillis) -> Self {
        Self(MoveLink::of_kind(PARTY, leader, hand, now))
    }

    pub fn sign(&self, keys: &TokenKeys, sale: &SaleId) -> String {
        self.0.sign_as(PARTY, keys, sale)
    }

    pub fn verify(
        code: &str,
        keys: &TokenKeys,
        sale: &SaleId,
        now: UnixMillis,
    ) -> Result<Self, PartyLinkError> {
        MoveLink::verify_as(PARTY, code, keys, sale, now).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixMillis = UnixMillis(1_800_000_000_000);

    #[test]
    fn a_party_link_reads_back_until_it_expires_and_is_never_a_move_link() {
        let k = TokenKeys::parse("k1:a-very-long-secret-for-tests-0123456789").unwrap();
        let tour = SaleId::parse("tour").unwrap();
        let link = PartyLink::new(42, 0, T0);
        let code = link.sign(&k, &tour);
        assert_eq!(PartyLink::verify(&code, &k, &tour, T0), Ok(link));
        let late = T0.plus_secs(PARTY_LINK_TTL_S);
        assert_eq!(
            PartyLink::verify(&code, &k, &tour, late),
            Err(PartyLinkError::Expired)
        );
        let other = SaleId::parse("other").unwrap();
        assert_eq!(
            PartyLink::verify(&code, &k, &other, T0),
            Err(PartyLinkError::Invalid)
        );
        assert_eq!(
            MoveLink::verify(&code, &k, &tour, T0),
            Err(PartyLinkError::Invalid)
        );
        let move_code = MoveLink::new(42, 0, T0).sign(&k, &tour);
        assert_eq!(
            PartyLink::verify(&move_code, &k, &tour, T0),
            Err(PartyLinkError::Invalid)
        );
        let forged = code.replacen("p1.", "p1.A", 1);
        assert_eq!(
            PartyLink::verify(&forged, &k, &tour, T0),
            Err(PartyLinkError::Invalid)
        );
    }
}
