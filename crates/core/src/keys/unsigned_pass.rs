//! Passes signed outside the core. The coordinator object signs with its runtime's own Ed25519
//! (WebCrypto: native code, not the curve arithmetic compiled to wasm), which only answers
//! asynchronously, while the core's steps are synchronous. So the core makes every pass as
//! usual but with an empty signature, `header.payload.` ([`super::pass::PassSigner::unsigned`]):
//! the answer, the purchase URL and the pushed `your_turn` message carry it as they would a
//! signed one. Before anything leaves the object, [`unsigned_inputs`] finds each such pass in the
//! text going out and [`with_signatures`] puts the signature in. Ed25519 is deterministic, so the
//! pass is byte for byte the one the core would have signed itself.
//!
//! A pass is found by its header (fixed for a signing key: [`super::pass::PassSigner::header_b64`]),
//! a `.`, the base64url payload, a `.`, and then no base64url character: an empty signature.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Where each unsigned pass of `header_b64`'s key is in `text`: the byte range of its signing
/// input (`header.payload`, without the trailing `.`).
fn unsigned_at(text: &str, header_b64: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let prefix = format!("{header_b64}.");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(&prefix).map(|i| from + i) {
        let payload_start = at + prefix.len();
        let mut end = payload_start;
        while end < bytes.len() && is_b64url(bytes[end]) {
            end += 1;
        }
        let unsigned = end > payload_start
            && bytes.get(end) == Some(&b'.')
            && !bytes.get(end + 1).copied().is_some_and(is_b64url);
        // The header must start the pass: not the tail of a longer base64url run.
        let starts = at == 0 || !is_b64url(bytes[at - 1]);
        if unsigned && starts {
            found.push(at..end);
        }
        from = end.max(at + 1);
    }
    found
}

/// The signing inputs of the unsigned passes of `header_b64`'s key in `text`, each once.
pub fn unsigned_inputs(text: &str, header_b64: &str) -> Vec<String> {
    let mut inputs: Vec<String> = Vec::new();
    for range in unsigned_at(text, header_b64) {
        let input = &text[range];
        if !inputs.iter().any(|i| i == input) {
            inputs.push(input.to_owned());
        }
    }
    inputs
}

/// `text` with each unsigned pass of `header_b64`'s key signed: `signatures` gives the signature
/// of each signing input ([`unsigned_inputs`]); a pass without one stays as it was.
pub fn with_signatures(text: &str, header_b64: &str, signatures: &[(String, [u8; 64])]) -> String {
    let mut out = String::with_capacity(text.len() + 90 * signatures.len());
    let mut copied = 0;
    for range in unsigned_at(text, header_b64) {
        let input = &text[range.clone()];
        if let Some((_, signature)) = signatures.iter().find(|(i, _)| i == input) {
            // Up to and including the `.` that ends the signing input, then the signature.
            out.push_str(&text[copied..=range.end]);
            out.push_str(&B64.encode(signature));
            copied = range.end + 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::pass::{PassClaims, PassSigner};

    fn claims(seq: u64) -> PassClaims {
        PassClaims {
            iss: "waitroom".into(),
            aud: "tour".into(),
            sub: format!("fan_{seq:020}"),
            win: "w1".into(),
            seq,
            iat: 100,
            exp: 700,
            jti: format!("tour.{seq}"),
            assist: false,
        }
    }

    fn signed_outside(signer: &PassSigner, text: &str) -> String {
        let header = signer.header_b64();
        let signatures: Vec<(String, [u8; 64])> = unsigned_inputs(text, &header)
            .into_iter()
            .map(|input| {
                let signature = signer.signature(&input);
                (input, signature)
            })
            .collect();
        with_signatures(text, &header, &signatures)
    }

    #[test]
    fn a_pass_signed_outside_is_the_pass_signed_inside() {
        let signer = PassSigner::from_seed([7; 32]);
        let (a, b) = (claims(1), claims(2));
        // As an answer and a pushed message carry them: in JSON, and in a purchase URL.
        let text = |pa: &str, pb: &str| {
            format!(
                r#"{{"pass":"{pa}","purchase_url":"https://shop.example/buy?pass={pa}","other":"{pb}","frag":"https://x.example/#pass={pb}"}}"#
            )
        };
        let unsigned = text(&signer.unsigned(&a), &signer.unsigned(&b));
        assert_eq!(
            unsigned_inputs(&unsigned, &signer.header_b64()),
            vec![signer.signing_input(&a), signer.signing_input(&b)]
        );
        assert_eq!(
            signed_outside(&signer, &unsigned),
            text(&signer.sign(&a), &signer.sign(&b))
        );
    }

    #[test]
    fn signed_passes_and_other_text_are_left_alone() {
        let signer = PassSigner::from_seed([7; 32]);
        let signed = format!(r#"{{"pass":"{}","n":1}}"#, signer.sign(&claims(3)));
        assert!(unsigned_inputs(&signed, &signer.header_b64()).is_empty());
        assert_eq!(signed_outside(&signer, &signed), signed);
        // Another key's unsigned pass is not this key's to sign.
        let other = PassSigner::from_seed([8; 32]);
        let theirs = format!(r#"{{"pass":"{}"}}"#, other.unsigned(&claims(4)));
        assert!(unsigned_inputs(&theirs, &signer.header_b64()).is_empty());
        for text in ["", "no pass here", &signer.header_b64(), "...."] {
            assert_eq!(signed_outside(&signer, text), text);
        }
        // A pass at the very end of the text (a bare URL) is found too.
        let bare = signer.unsigned(&claims(5));
        assert_eq!(signed_outside(&signer, &bare), signer.sign(&claims(5)));
    }

    #[test]
    fn the_pkcs8_holds_the_signing_seed() {
        let signer = PassSigner::from_seed([7; 32]);
        let pkcs8 = signer.signing_pkcs8();
        assert_eq!(pkcs8.len(), 48);
        assert_eq!(&pkcs8[16..], &[7; 32]);
    }
}
