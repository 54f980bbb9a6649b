//! Fan ids: derived from the sale's secret salt and the arrival number, so a fan id is never
//! stored and every side that knows the salt (the coordinator, an arrival shard, an edge isolate)
//! derives the same one.

use crate::ids::{FanId, Seq};
use crate::sale::FanSalt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Derives a fan's id from the sale's secret salt and the arrival number.
pub fn fan_id_for(fan_salt: &FanSalt, seq: Seq) -> FanId {
    FanIdKey::new(fan_salt).fan_id(seq)
}

/// The HMAC of [`fan_id_for`] keyed once: deriving an id then hashes two blocks instead of four.
/// Its `Debug` shows no key.
#[derive(Clone, Debug)]
pub(crate) struct FanIdKey(Hmac<Sha256>);

impl FanIdKey {
    pub(crate) fn new(fan_salt: &FanSalt) -> Self {
        Self(
            Hmac::<Sha256>::new_from_slice(fan_salt.expose().as_bytes())
                .expect("HMAC takes any key length"),
        )
    }

    pub(crate) fn fan_id(&self, seq: Seq) -> FanId {
        self.derive(&seq.to_be_bytes(), &[])
    }

    /// The id of the party member in `seat` of place `seq`'s party: one more byte hashed, so it
    /// is never any arrival number's own id.
    pub(crate) fn member_fan_id(&self, seq: Seq, seat: u8) -> FanId {
        self.derive(&seq.to_be_bytes(), &[seat])
    }

    fn derive(&self, seq: &[u8], seat: &[u8]) -> FanId {
        let mut mac = self.0.clone();
        mac.update(seq);
        mac.update(seat);
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0u8; 10];
        bytes.copy_from_slice(&digest[..10]);
        FanId::from_bytes(bytes)
    }
}
