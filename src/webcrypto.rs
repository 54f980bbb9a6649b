//! The signature checks the core leaves to its caller (EdDSA, ES256 and RS256 invitations,
//! [`waitroom_core::fairness::invitation::SignatureCheck`]), made by the runtime's WebCrypto
//! (`crypto.subtle`), and the public halves of our own Ed25519 invitation keys: the edge module
//! then carries no Ed25519, P-256 or RSA arithmetic of its own (docs/capacity.md "Cold start").
//! The core still owns the rules: which keys, which algorithm, the key checks and the claims;
//! this asks only "does this signature verify" and "which public key has this seed".
//!
//! Ed25519 in WebCrypto (`{name: "Ed25519"}`: raw and pkcs8 import, JWK export, verify): workerd
//! (local `wrangler dev`, compatibility date 2026-04-01) and Node 20 (`make test-wasm`) have it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use waitroom_core::fairness::invitation::{PublicKey, SignatureCheck};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
    fn import_key(
        format: &str,
        key: &JsValue,
        algorithm: &JsValue,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = exportKey, catch)]
    fn export_key(format: &str, key: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = verify, catch)]
    fn subtle_verify(
        algorithm: &JsValue,
        key: &JsValue,
        signature: &Uint8Array,
        data: &Uint8Array,
    ) -> Result<Promise, JsValue>;
}

/// Whether the check's signature verifies. A key or signature the runtime refuses is a
/// signature that does not verify.
pub async fn verifies(check: &SignatureCheck<'_>) -> bool {
    matches!(verify(check).await, Ok(true))
}

async fn verify(check: &SignatureCheck<'_>) -> Result<bool, JsValue> {
    let (format, key, import_as, verify_as) = match check.key {
        PublicKey::Ed25519 { x } => (
            "raw",
            Uint8Array::from(&x[..]).into(),
            object(&[("name", "Ed25519")])?,
            object(&[("name", "Ed25519")])?,
        ),
        PublicKey::P256 { point } => (
            "raw",
            Uint8Array::from(point).into(),
            object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
            object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
        ),
        PublicKey::Rsa { n, e } => (
            "jwk",
            object(&[("kty", "RSA"), ("n", &B64.encode(n)), ("e", &B64.encode(e))])?,
            object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
            object(&[("name", "RSASSA-PKCS1-v1_5")])?,
        ),
    };
    let usages = Array::of1(&JsValue::from_str("verify"));
    let key = JsFuture::from(import_key(format, &key, &import_as, false, &usages)?).await?;
    let verified = JsFuture::from(subtle_verify(
        &verify_as,
        &key,
        &Uint8Array::from(check.signature),
        &Uint8Array::from(check.signed),
    )?)
    .await?;
    Ok(verified.as_bool() == Some(true))
}

/// The Ed25519 public key of a 32-byte private key (`seed`, RFC 8032): imported as PKCS #8
/// and exported as a JWK, whose `x` it is. For our own invitation keys, derived at the edge.
pub async fn eddsa_public_key(seed: &[u8; 32]) -> Result<[u8; 32], JsValue> {
    // PKCS #8 of an Ed25519 private key (RFC 8410): a fixed prefix, then the seed.
    const PKCS8_PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let pkcs8 = Uint8Array::from(&[&PKCS8_PREFIX[..], &seed[..]].concat()[..]);
    let usages = Array::of1(&JsValue::from_str("sign"));
    let algorithm = object(&[("name", "Ed25519")])?;
    let key = JsFuture::from(import_key("pkcs8", &pkcs8, &algorithm, true, &usages)?).await?;
    let jwk = JsFuture::from(export_key("jwk", &key)?).await?;
    let x = Reflect::get(&jwk, &"x".into())?
        .as_string()
        .ok_or_else(|| JsValue::from_str("the exported key has no \"x\""))?;
    B64.decode(x)
        .ok()
        .and_then(|x| <[u8; 32]>::try_from(x).ok())
        .ok_or_else(|| JsValue::from_str("the exported \"x\" is not 32 bytes of base64url"))
}

/// A plain JS object of string members.
fn object(members: &[(&str, &str)]) -> Result<JsValue, JsValue> {
    let object = Object::new();
    for (name, value) in members {
        Reflect::set(&object, &(*name).into(), &(*value).into())?;
    }
    Ok(object.into())
}
