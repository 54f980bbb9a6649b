//! A place bound to a device: the machine checks the token's hand (a hand the place moved away
//! from is refused first, as for an unbound claim), then verifies the proof (the rule and the
//! ES256 signature, [`crate::keys::device`]) before anything runs, so a copied token changes
//! nothing, is handed no pass and gets no move link.

use super::{Input, SaleMachine, Step};
use crate::ids::{SaleId, Seq};
use crate::keys::device::{DeviceProof, ProofPurpose};
use crate::machines::protocol::{Command, DeviceClaim, Proven, Reply};
use crate::queue::{Queue, QueueError};
use crate::time::UnixMillis;

/// What a bound command comes to once its hand and proof hold.
enum Checked {
    /// A bound claim, to run as a plain `Claim` of that hand.
    Claim { seq: Seq, hand: u8 },
    /// A move link's proof: the answer, nothing to run.
    Proven(Proven),
}

impl SaleMachine {
    /// `input` as it runs on (a bound claim as a plain one), or its answer: a move link's proof,
    /// or a refusal (counted as the command's kind).
    pub(super) fn bound_first(
        &mut self,
        input: Input,
        now: UnixMillis,
    ) -> Result<Input, Box<Step>> {
        let (Input::Command(command), Some(queue)) = (&input, &self.queue) else {
            return Ok(input);
        };
        let answer = match check(queue, command, now) {
            None => return Ok(input),
            Some(Ok(Checked::Claim { seq, hand })) => {
                return Ok(Input::Command(Command::Claim { seq, hand }))
            }
            Some(Ok(Checked::Proven(proven))) => Ok(Reply::Proven(proven)),
            Some(Err(refused)) => Err(refused),
        };
        self.counts.count(command.kind(), now);
        Err(Box::new(Step::Reply(answer)))
    }
}

/// `command` checked, if it is a bound one (`None`: it is not). In order: the hand
/// ([`QueueError::PlaceMoved`]), then the proof ([`QueueError::DeviceProofInvalid`]); no record
/// is read before both pass.
fn check(queue: &Queue, command: &Command, now: UnixMillis) -> Option<Result<Checked, QueueError>> {
    let (seq, hand, device, purpose) = match command {
        Command::ClaimBound { seq, hand, device } => (*seq, *hand, device, ProofPurpose::Claim),
        Command::ProveMove { seq, hand, device } => (*seq, *hand, device, ProofPurpose::Move),
        _ => return None,
    };
    Some(
        queue
            .check_hand(seq, hand)
            .and_then(|()| verify(&queue.sale().id, seq, device, purpose, now))
            .map(|()| match purpose {
                ProofPurpose::Claim => Checked::Claim { seq, hand },
                ProofPurpose::Move => Checked::Proven(Proven { seq, hand }),
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
