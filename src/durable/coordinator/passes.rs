//! The coordinator signs the admission passes it hands out with the runtime's Ed25519
//! (WebCrypto, [`crate::webcrypto::Ed25519SigningKey`]): native code, where the curve arithmetic
//! compiled to wasm cost the single-threaded object about as much as everything else an admission
//! does (docs/capacity.md, "The coordinator's ceiling"). WebCrypto only answers asynchronously and
//! the core's steps are synchronous, so the core makes each pass with an empty signature
//! (`PassSigning::signed_outside`) and everything the object sends, answers and pushed turns, goes
//! through [`signed`] first (`waitroom_core::keys::unsigned_pass`). The pass is byte for byte the
//! one the core would sign (Ed25519 is deterministic); if WebCrypto fails, the core signs it.

use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::keys::pass::PassSigner;
use waitroom_core::keys::unsigned_pass::{unsigned_inputs, with_signatures};
use worker::Env;

use crate::webcrypto::Ed25519SigningKey;

thread_local! {
    /// The signing key as imported into WebCrypto, with the key id it belongs to.
    static IMPORTED: RefCell<Option<(String, Rc<Ed25519SigningKey>)>> = const { RefCell::new(None) };
}

/// The signing key in WebCrypto, imported once per isolate (again if the key changed).
async fn imported(signer: &PassSigner) -> Option<Rc<Ed25519SigningKey>> {
    let kid = signer.kid().to_owned();
    let kept = IMPORTED.with(|k| {
        k.borrow()
            .as_ref()
            .filter(|(id, _)| *id == kid)
            .map(|(_, key)| key.clone())
    });
    if kept.is_some() {
        return kept;
    }
    match Ed25519SigningKey::import(&signer.signing_pkcs8()).await {
        Ok(key) => {
            let key = Rc::new(key);
            IMPORTED.with(|k| *k.borrow_mut() = Some((kid, key.clone())));
            Some(key)
        }
        Err(e) => {
            worker::console_error!(
                "WebCrypto refused the pass-signing key ({e:?}): the core signs"
            );
            None
        }
    }
}

/// `text` (an answer or a pushed message, as sent) with each pass the core left unsigned signed.
/// Text without one is returned as it is, with no key read.
pub(super) async fn signed(text: String, env: &Env) -> String {
    let Ok(signer) = crate::config::pass_signer(env) else {
        // No keys: the core signed nothing either (it asked for them and got none).
        return text;
    };
    let header = signer.header_b64();
    let inputs = unsigned_inputs(&text, &header);
    if inputs.is_empty() {
        return text;
    }
    let key = imported(&signer).await;
    let mut signatures = Vec::with_capacity(inputs.len());
    for input in inputs {
        let by_runtime = match &key {
            Some(key) => key.sign(input.as_bytes()).await.ok(),
            None => None,
        };
        let signature = by_runtime.unwrap_or_else(|| signer.signature(&input));
        signatures.push((input, signature));
    }
    with_signatures(&text, &header, &signatures)
}
