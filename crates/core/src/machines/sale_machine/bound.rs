//! The claim of a place bound to a device: the machine verifies its proof (the rule and the
//! ES256 signature, [`crate::keys::device`]) before the claim runs, so a copied token changes
//! nothing and is handed no pass.

use crate::ids::{SaleId, Seq};
use crate::keys::device::{DeviceProof, ProofPurpose};
use crate::machines::protocol::DeviceClaim;
use crate::queue::QueueError;
use crate::time::UnixMillis;

/// Whether `device`'s proof lets place `seq` of `sale` be claimed at `now`.
pub(super) fn verify(
    sale: &SaleId,
    seq: Seq,
    device: &DeviceClaim,
    now: UnixMillis,
) -> Result<(), QueueError> {
    DeviceProof::parse(&device.proof)
        .and_then(|proof| proof.verify(&device.key, sale, seq, ProofPurpose::Claim, now))
        .map_err(|_| QueueError::DeviceProofInvalid)
}
