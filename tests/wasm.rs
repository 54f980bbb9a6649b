//! What only runs in wasm: the runtime's randomness and clock, and the crypto compiled to wasm32.
//! Run under Node by `make test-wasm` (wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use waitroom::{clock, random};
use waitroom_core::pass::{PassClaims, PassSigner};
use waitroom_core::token::{QueueToken, TokenKeys};
use waitroom_core::{FanId, SaleId, UnixMillis};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn randomness_comes_from_the_runtime() {
    let a = random::bytes::<32>();
    let b = random::bytes::<32>();
    assert_ne!(a, b, "two draws of 256 bits never collide");
    assert_ne!(a, [0u8; 32]);
    let salt = random::hex::<16>();
    assert_eq!(salt.len(), 32);
    assert!(salt.bytes().all(|c| c.is_ascii_hexdigit()));
    for _ in 0..100 {
        let f = random::fraction();
        assert!((0.0..1.0).contains(&f));
    }
}

#[wasm_bindgen_test]
fn the_clock_is_the_runtimes() {
    let now = clock::now();
    // After 2025-01-01 and before 2100: a real wall clock in milliseconds, not seconds or zero.
    assert!(now > UnixMillis(1_735_689_600_000), "{now:?}");
    assert!(now < UnixMillis(4_102_444_800_000), "{now:?}");
    assert!(clock::now() >= now);
}

#[wasm_bindgen_test]
fn tokens_sign_and_verify_in_wasm() {
    let keys = TokenKeys::parse("k1:wasm-test-secret-0123456789abcdefghij").unwrap();
    let sale = SaleId::parse("tour").unwrap();
    let now = clock::now();
    let token = QueueToken::new(
        sale.clone(),
        FanId::from_bytes(random::bytes::<10>()),
        7,
        now,
    );
    let text = keys.sign(&token);
    assert_eq!(keys.verify(&text, &sale, now).unwrap(), token);
    let mut tampered = text.into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert!(keys
        .verify(std::str::from_utf8(&tampered).unwrap(), &sale, now)
        .is_err());
}

#[wasm_bindgen_test]
fn passes_sign_in_wasm_and_verify_with_the_jwks_key() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use ed25519_dalek::{Signature, VerifyingKey};

    let signer = PassSigner::from_seed(random::bytes::<32>());
    let claims = PassClaims {
        iss: "waitroom".into(),
        aud: "tour".into(),
        sub: "fan_00000000000000000001".into(),
        win: "w1".into(),
        seq: 1,
        iat: 1,
        exp: 2,
        jti: "tour.1".into(),
    };
    let jwt = signer.sign(&claims);
    let jwks = signer.jwks();
    let x = B64.decode(&jwks.keys[0].x).unwrap();
    let key = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    let sig = Signature::from_slice(&B64.decode(sig).unwrap()).unwrap();
    key.verify_strict(input.as_bytes(), &sig).unwrap();
}
