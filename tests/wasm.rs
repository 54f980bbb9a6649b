//! What only runs in wasm: the runtime's randomness and clock, and the crypto compiled to wasm32.
//! Run under Node by `make test-wasm` (wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use waitroom::{clock, random};
use waitroom_core::keys::pass::{PassClaims, PassSigner};
use waitroom_core::keys::token::{QueueToken, TokenKeys};
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
fn the_test_clock_moves_now_forward_only_and_outlives_a_module_restart() {
    // (A small move: the other tests here read the clock too.)
    let before = clock::now();
    assert_eq!(clock::learn_offset(5_000), 5_000);
    assert!(clock::now() >= before.plus_millis(5_000));
    // Never back.
    assert_eq!(clock::learn_offset(1_000), 5_000);
    assert_eq!(clock::offset_ms(), 5_000);
    // Mirrored on globalThis, where a reinitialized module finds it again at start.
    let kept =
        js_sys::Reflect::get(&js_sys::global(), &"__waitroom_test_clock_offset_ms".into()).unwrap();
    assert_eq!(kept.as_f64(), Some(5_000.0));
    clock::restore_offset();
    assert_eq!(clock::offset_ms(), 5_000);
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
        assist: false,
        party: None,
    };
    let jwt = signer.sign(&claims);
    let jwks = signer.jwks();
    let x = B64.decode(&jwks.keys[0].x).unwrap();
    let key = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    let sig = Signature::from_slice(&B64.decode(sig).unwrap()).unwrap();
    key.verify_strict(input.as_bytes(), &sig).unwrap();
}

/// Known invitations (claims: aud "presale", sub "member-42", exp 1800003600), signed by the test
/// keys of tests/fixtures/invitation-keys: ES256 (`ec-1`) and RS256 (`rsa-1`).
const ES256_INVITATION: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjLTEiLCJ0eXAiOiJKV1QifQ.eyJhdWQiOiJwcmVzYWxlIiwiZXhwIjoxODAwMDAzNjAwLCJpYXQiOjE4MDAwMDAwMDAsInN1YiI6Im1lbWJlci00MiJ9.3LGaPXqIJwesWNeMDkKBBBSl3lBmPL2WMD-IlwrTCTGHFKW63wAcebQkJJJdR27Wk419FdnvTxuLYjBxn51cRg";
const RS256_INVITATION: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIiwidHlwIjoiSldUIn0.eyJhdWQiOiJwcmVzYWxlIiwiZXhwIjoxODAwMDAzNjAwLCJpYXQiOjE4MDAwMDAwMDAsInN1YiI6Im1lbWJlci00MiJ9.AXCkZVyMVKuvnikj5pa-HRNMareTMxNnJmPzrB7u1_3Ve3HCroWycMpU_4aqznebGtILloC_Bk5VeIkbG60CAsyqRrA0vYFfVLjbee9muW804yyggrm4l7NXuSs0NuoRnlTGFvOkYAv1Nt0Kqs7kDjPCERLu0eBH0NmdEgUNTiWu9BCMV_NBgxU231LWpqBxe-qOqe4ADo8-4VN3SUo68WqIuHOTaudjF38uAf0loBMjpXiBW9rVbojnpxOBmOH1nZOi5z7Nv59fTK-krd6RFfA-NvyPNeGIso2Egbg2LIe8Z5aj8GMac0D-431mY8CtuezKfTfcynp9oI9HUTtXvg";

#[wasm_bindgen_test]
async fn es256_and_rs256_invitations_verify_with_webcrypto() {
    use waitroom_core::fairness::invitation::{read, InvitationError, InviteKeys};
    let jwks = include_str!("fixtures/invitation-keys/public.jwks.json");
    let keys = InviteKeys::parse(serde_json::from_str(jwks).unwrap()).unwrap();
    let sale = SaleId::parse("presale").unwrap();
    let now = UnixMillis::from_secs(1_800_000_000);
    for text in [ES256_INVITATION, RS256_INVITATION] {
        let unverified = read(text, Some(&keys), &[]).unwrap();
        let checks: Vec<_> = unverified.signature_checks().collect();
        assert_eq!(checks.len(), 1, "one key of the header's kid");
        assert!(waitroom::webcrypto::verifies(&checks[0]).await, "{text}");
        // The same check with another message, or a changed signature, does not verify.
        let mut other = checks[0];
        other.signed = b"eyJhbGciOiJFUzI1NiJ9.e30";
        assert!(!waitroom::webcrypto::verifies(&other).await);
        let mut signature = checks[0].signature.to_vec();
        signature[10] ^= 1;
        let mut changed = checks[0];
        changed.signature = &signature;
        assert!(!waitroom::webcrypto::verifies(&changed).await);
        drop(checks);
        let invitation = unverified.accept(true, &sale, now).unwrap();
        assert_eq!(invitation.member.as_str(), "member-42");
    }
    // A key WebCrypto refuses (not on the curve) is a signature that does not verify.
    let unverified = read(ES256_INVITATION, Some(&keys), &[]).unwrap();
    let mut check = unverified.signature_checks().next().unwrap();
    let mut point = match check.key {
        waitroom_core::fairness::invitation::PublicKey::P256 { point } => point.to_vec(),
        other => panic!("{other:?}"),
    };
    point[40] ^= 1;
    check.key = waitroom_core::fairness::invitation::PublicKey::P256 { point: &point };
    assert!(!waitroom::webcrypto::verifies(&check).await);
    // A tampered invitation reaches accept() unverified and is refused there.
    let mut tampered = ES256_INVITATION.as_bytes().to_vec();
    let at = ES256_INVITATION.find('.').unwrap() + 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let unverified = read(&tampered, Some(&keys), &[]).unwrap();
    let mut verified = false;
    for check in unverified.signature_checks() {
        verified |= waitroom::webcrypto::verifies(&check).await;
    }
    assert_eq!(
        unverified.accept(verified, &sale, now).unwrap_err(),
        InvitationError::BadSignature
    );
}

#[wasm_bindgen_test]
async fn ed25519_invitations_verify_with_webcrypto() {
    use waitroom_core::fairness::invitation::{
        read, InvitationSigner, InviteKey, MemberId, PublicKey,
    };
    // Ours: signed with dalek (the full worker's InvitationSigner), verified with the public key
    // WebCrypto derives from the same seed (the edge's way).
    let seed = random::bytes::<32>();
    let signer = InvitationSigner::from_seeds(&[seed]).unwrap();
    let public = waitroom::webcrypto::eddsa_public_key(&seed).await.unwrap();
    assert_eq!(
        public,
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes()
    );
    let ours = [InviteKey::ours(public)];
    assert_eq!(signer.trusted(), &ours[..]);
    let sale = SaleId::parse("presale").unwrap();
    let now = clock::now();
    let member = MemberId::parse("member-42").unwrap();
    let text = signer.sign(&sale, &member, now, now.plus_secs(600));
    let unverified = read(&text, None, &ours).unwrap();
    let checks: Vec<_> = unverified.signature_checks().collect();
    assert_eq!(checks.len(), 1);
    assert!(matches!(checks[0].key, PublicKey::Ed25519 { .. }));
    assert!(waitroom::webcrypto::verifies(&checks[0]).await);
    // Any flipped bit of the signature, the signed text or the key: refused.
    for bit in [0, 7, 100, 511] {
        let mut signature = checks[0].signature.to_vec();
        signature[bit / 8] ^= 1 << (bit % 8);
        let mut changed = checks[0];
        changed.signature = &signature;
        assert!(!waitroom::webcrypto::verifies(&changed).await, "bit {bit}");
    }
    let mut signed = checks[0].signed.to_vec();
    signed[3] ^= 1;
    let mut changed = checks[0];
    changed.signed = &signed;
    assert!(!waitroom::webcrypto::verifies(&changed).await);
    let mut x = public;
    x[5] ^= 1;
    let mut changed = checks[0];
    changed.key = PublicKey::Ed25519 { x: &x };
    assert!(!waitroom::webcrypto::verifies(&changed).await);
    drop(checks);
    assert_eq!(unverified.accept(true, &sale, now).unwrap().member, member);
}
