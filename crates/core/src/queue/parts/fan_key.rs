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
        let mut mac = self.0.clone();
        mac.update(&seq.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0u8; 10];
        bytes.copy_from_slice(&digest[..10]);
        FanId::from_bytes(bytes)
    }
}
