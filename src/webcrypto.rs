//! The signature checks the core leaves to its caller (ES256 and RS256 invitations,
//! [`waitroom_core::invitation::SignatureCheck`]), made by the runtime's WebCrypto
//! (`crypto.subtle`): the module then carries no P-256 or RSA arithmetic of its own (about
//! 55 KB gzipped, docs/capacity.md "Cold start"). The core still owns the rules: which keys,
//! which algorithm, the key checks and the claims; this asks only "does this signature verify".

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use waitroom_core::invitation::{PublicKey, SignatureCheck};
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

/// A plain JS object of string members.
fn object(members: &[(&str, &str)]) -> Result<JsValue, JsValue> {
    let object = Object::new();
    for (name, value) in members {
        Reflect::set(&object, &(*name).into(), &(*value).into())?;
    }
    Ok(object.into())
}
