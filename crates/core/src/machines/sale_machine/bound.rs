//! The claim or move of a place bound to a device: the machine checks the token's hand (a hand
//! the place moved away from is refused first, as for an unbound claim), then verifies the proof
//! (the rule and the ES256 signature, [`crate::keys::device`]) before the command runs, so a
//! copied token changes nothing, is handed no pass and makes no move link.

use crate::ids::{SaleId, Seq};
use crate::keys::device::{DeviceProof, ProofPurpose};
use crate::machines::protocol::{Command, DeviceClaim};
use crate::queue::{Queue, QueueError};
use crate::time::UnixMillis;

/// `command` as the plain command it stands for once its device proof holds (`None`: not a
/// bound command). In order: the hand ([`QueueError::PlaceMoved`]), then the proof
/// ([`QueueError::DeviceProofInvalid`]); no record is read before both pass.
pub(super) fn unwrap(
    queue: &Queue,
    command: &Command,
    now: UnixMillis,
) -> Option<Result<Command, QueueError>> {
    let (seq, hand, device, purpose) = match command {
        Command::ClaimBound { seq, hand, device } => (*seq, *hand, device, ProofPurpose::Claim),
        Command::MoveBound { seq, hand, device } => (*seq, *hand, device, ProofPurpose::Move),
        _ => return None,
    };
    Some(
        queue
            .check_hand(seq, hand)
            .and_then(|()| verify(&queue.sale().id, seq, device, purpose, now))
            .map(|()| match purpose {
                ProofPurpose::Claim => Command::Claim { seq, hand },
                ProofPurpose::Move => Command::Move { seq, hand },
            }),
    )
}

/// Whether `device`'s proof lets place `seq` of `sale` do `purpose` at `now`.
fn verify(
    sale: &SaleId,
    seq: Seq,
    device: &DeviceClaim,
    purpose: ProofPurpose,
    now: UnixMillis,
) -> Result<(), QueueError> {
    DeviceProof::parse(&device.proof)
        .and_then(|proof| proof.verify(&device.key, sale, seq, purpose, now))
        .map_err(|_| QueueError::DeviceProofInvalid)
}

#[cfg(test)]
#[path = "bound_tests.rs"]
mod tests;
