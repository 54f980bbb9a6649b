use super::keys::{check_rsa, is_p256_point};
use super::*;
use crate::ids::SaleId;
use crate::time::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use proptest::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::json;
use sha2::Sha256;

/// Test-only keys (tests/fixtures/invitation-keys): the promoter's identity system.
const JWKS: &str = include_str!("../../../../../tests/fixtures/invitation-keys/public.jwks.json");
const OTHER_JWKS: &str =
    include_str!("../../../../../tests/fixtures/invitation-keys/other.jwks.json");
const RSA_PEM: &str = include_str!("../../../../../tests/fixtures/invitation-keys/rsa.pem");
const ED_SEED: &str = "1ab888f6c062aaaa115992733d2257005a3c39d91e46c90c552c73bbc2a44198";
const EC_D: &str = "8d8b2cc1b201a42ed04fd3d34cd5f3c12a9681198c9ce0ac5810940999ae6df2";

const NOW_S: u64 = 1_800_000_000;

fn now() -> UnixMillis {
    UnixMillis::from_secs(NOW_S)
}

fn sale() -> SaleId {
    SaleId::parse("presale").unwrap()
}

fn hex32(text: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

fn keys() -> InviteKeys {
    InviteKeys::parse(serde_json::from_str(JWKS).unwrap()).unwrap()
}

fn claims() -> serde_json::Value {
    json!({"aud": "presale", "sub": "member-42", "exp": NOW_S + 3600, "iat": NOW_S})
}

#[derive(Clone, Copy, Debug)]
enum By {
    Ed,
    Ec,
    Rsa,
}

/// A JWS with this header and claims, signed by one of the test keys.
fn sign_with(by: By, header: serde_json::Value, claims: &serde_json::Value) -> String {
    let signed = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature = match by {
        By::Ed => {
            use ed25519_dalek::Signer as _;
            ed25519_dalek::SigningKey::from_bytes(&hex32(ED_SEED))
                .sign(signed.as_bytes())
                .to_bytes()
                .to_vec()
        }
        By::Ec => {
            let key = p256::ecdsa::SigningKey::from_slice(&hex32(EC_D)).unwrap();
            let sig: p256::ecdsa::Signature = key.sign(signed.as_bytes());
            sig.to_bytes().to_vec()
        }
        By::Rsa => {
            let key = rsa::RsaPrivateKey::from_pkcs8_pem(RSA_PEM).unwrap();
            rsa::pkcs1v15::SigningKey::<Sha256>::new(key)
                .sign(signed.as_bytes())
                .to_vec()
        }
    };
    format!("{signed}.{}", B64.encode(signature))
}

fn sign(by: By, claims: &serde_json::Value) -> String {
    let (alg, kid) = match by {
        By::Ed => ("EdDSA", "ed-1"),
        By::Ec => ("ES256", "ec-1"),
        By::Rsa => ("RS256", "rsa-1"),
    };
    sign_with(by, json!({"alg": alg, "typ": "JWT", "kid": kid}), claims)
}

/// What the worker asks WebCrypto, answered by RustCrypto.
fn native(check: &SignatureCheck<'_>) -> bool {
    use rsa::signature::Verifier;
    match check.key {
        PublicKey::Ed25519 { x } => {
            let (Ok(key), Ok(sig)) = (
                ed25519_dalek::VerifyingKey::from_bytes(x),
                ed25519_dalek::Signature::from_slice(check.signature),
            ) else {
                return false;
            };
            key.verify_strict(check.signed, &sig).is_ok()
        }
        PublicKey::P256 { point } => {
            let (Ok(key), Ok(sig)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p256::ecdsa::Signature::from_slice(check.signature),
            ) else {
                return false;
            };
            key.verify(check.signed, &sig).is_ok()
        }
        PublicKey::Rsa { n, e } => {
            let key = rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
            );
            let (Ok(key), Ok(sig)) = (key, rsa::pkcs1v15::Signature::try_from(check.signature))
            else {
                return false;
            };
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
                .verify(check.signed, &sig)
                .is_ok()
        }
    }
}

fn verify_natively(
    text: &str,
    sale: &SaleId,
    sale_keys: Option<&InviteKeys>,
    ours: &[InviteKey],
    now: UnixMillis,
) -> Result<Invitation, InvitationError> {
    verify(text, sale, sale_keys, ours, now, native)
}

fn check(text: &str) -> Result<Invitation, InvitationError> {
    verify_natively(text, &sale(), Some(&keys()), &[], now())
}

#[test]
fn each_algorithm_verifies_with_the_promoters_keys() {
    for by in [By::Ed, By::Ec, By::Rsa] {
        let invitation = check(&sign(by, &claims())).unwrap_or_else(|e| panic!("{by:?}: {e}"));
        assert_eq!(invitation.member.as_str(), "member-42");
        assert_eq!(invitation.expires_at, UnixMillis::from_secs(NOW_S + 3600));
        // Without a kid in the header every key of the algorithm's type is tried.
        let alg = sign(by, &claims())
            .split('.')
            .next()
            .map(|h| serde_json::from_slice::<serde_json::Value>(&B64.decode(h).unwrap()).unwrap())
            .unwrap()["alg"]
            .clone();
        let no_kid = sign_with(by, json!({"alg": alg}), &claims());
        assert!(check(&no_kid).is_ok(), "{by:?} without kid");
    }
}

#[test]
fn the_wrong_sale_is_refused_and_an_audience_list_may_name_it() {
    let mut other = claims();
    other["aud"] = json!("another-sale");
    assert_eq!(
        check(&sign(By::Ed, &other)),
        Err(InvitationError::OtherSale)
    );
    other["aud"] = json!(["another-sale", "presale"]);
    assert!(check(&sign(By::Ed, &other)).is_ok());
    other["aud"] = json!(["another-sale"]);
    assert_eq!(
        check(&sign(By::Rsa, &other)),
        Err(InvitationError::OtherSale)
    );
    // A token that holds for one sale is refused by another sale that trusts the same keys.
    let elsewhere = SaleId::parse("elsewhere").unwrap();
    assert_eq!(
        verify_natively(
            &sign(By::Ec, &claims()),
            &elsewhere,
            Some(&keys()),
            &[],
            now()
        ),
        Err(InvitationError::OtherSale)
    );
}

#[test]
fn expiry_is_required_and_allows_a_small_clock_skew() {
    let mut c = claims();
    c["exp"] = json!(NOW_S - LEEWAY_S + 1);
    assert!(check(&sign(By::Ed, &c)).is_ok(), "within the skew");
    c["exp"] = json!(NOW_S - LEEWAY_S);
    assert_eq!(check(&sign(By::Ed, &c)), Err(InvitationError::Expired));
    c["exp"] = json!(u64::MAX);
    assert!(check(&sign(By::Ed, &c)).is_ok(), "far future: no overflow");
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        check(&sign(By::Ed, &c)),
        Err(InvitationError::MissingClaim("exp"))
    );
    c["exp"] = json!("tomorrow");
    assert_eq!(
        check(&sign(By::Ed, &c)),
        Err(InvitationError::MissingClaim("exp"))
    );
    let mut early = claims();
    early["nbf"] = json!(NOW_S + LEEWAY_S + 1);
    assert_eq!(
        check(&sign(By::Ec, &early)),
        Err(InvitationError::NotYetValid)
    );
    early["nbf"] = json!(NOW_S + LEEWAY_S);
    assert!(check(&sign(By::Ec, &early)).is_ok());
}

#[test]
fn the_member_must_be_named() {
    for (sub, error) in [
        (json!(null), InvitationError::MissingClaim("sub")),
        (json!(7), InvitationError::MissingClaim("sub")),
        (
            json!(""),
            InvitationError::BadMember(format!("must be 1 to {MAX_MEMBER_CHARS} characters")),
        ),
        (
            json!("a\nb"),
            InvitationError::BadMember("must not contain control characters".into()),
        ),
    ] {
        let mut c = claims();
        c["sub"] = sub;
        assert_eq!(check(&sign(By::Rsa, &c)), Err(error));
    }
    let mut c = claims();
    c.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        check(&sign(By::Ed, &c)),
        Err(InvitationError::MissingClaim("aud"))
    );
}

#[test]
fn a_key_the_sale_does_not_trust_is_refused() {
    let other = InviteKeys::parse(serde_json::from_str(OTHER_JWKS).unwrap()).unwrap();
    for by in [By::Ed, By::Ec, By::Rsa] {
        assert_eq!(
            verify_natively(&sign(by, &claims()), &sale(), Some(&other), &[], now()),
            Err(InvitationError::BadSignature),
            "{by:?}"
        );
        assert_eq!(
            verify_natively(&sign(by, &claims()), &sale(), None, &[], now()),
            Err(InvitationError::BadSignature),
            "{by:?}: no keys at all"
        );
    }
    // A kid naming another key of the right type: refused, not tried against that kid's key.
    let wrong_kid = sign_with(By::Rsa, json!({"alg": "RS256", "kid": "ec-1"}), &claims());
    assert_eq!(check(&wrong_kid), Err(InvitationError::BadSignature));
}

#[test]
fn algorithm_confusion_is_refused() {
    let signed = |header: serde_json::Value, signature: &[u8]| {
        format!(
            "{}.{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims().to_string()),
            B64.encode(signature)
        )
    };
    // alg none, with and without a signature.
    assert_eq!(
        check(&signed(json!({"alg": "none"}), b"")),
        Err(InvitationError::UnsupportedAlgorithm("none".into()))
    );
    // HS256 keyed with a public key's bytes, the classic confusion: never considered.
    let jwks: serde_json::Value = serde_json::from_str(JWKS).unwrap();
    let public_n = jwks["keys"][0]["n"].as_str().unwrap().to_owned();
    let input = format!(
        "{}.{}",
        B64.encode(json!({"alg": "HS256"}).to_string()),
        B64.encode(claims().to_string())
    );
    let mut mac = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(public_n.as_bytes()).unwrap();
    hmac::Mac::update(&mut mac, input.as_bytes());
    let hs = format!(
        "{input}.{}",
        B64.encode(hmac::Mac::finalize(mac).into_bytes())
    );
    assert_eq!(
        check(&hs),
        Err(InvitationError::UnsupportedAlgorithm("HS256".into()))
    );
    for alg in ["RS512", "ES384", "PS256", "ES256K", "Ed25519", "eddsa", ""] {
        assert_eq!(
            check(&signed(json!({"alg": alg}), &[0; 64])),
            Err(InvitationError::UnsupportedAlgorithm(alg.into()))
        );
    }
    // A header naming one algorithm over another's signature: the key types never mix.
    for (by, claimed) in [
        (By::Ec, "RS256"),
        (By::Ec, "EdDSA"),
        (By::Ed, "ES256"),
        (By::Rsa, "ES256"),
        (By::Ed, "RS256"),
    ] {
        let text = sign_with(by, json!({"alg": claimed}), &claims());
        assert_eq!(
            check(&text),
            Err(InvitationError::BadSignature),
            "{by:?} as {claimed}"
        );
    }
}

#[test]
fn malformed_invitations_are_refused() {
    let good = sign(By::Ed, &claims());
    for text in [
        "",
        "a.b",
        "a.b.c.d",
        "!!!.e30.AA",
        &format!("{good}."),
        &"x".repeat(MAX_INVITATION_LEN + 1),
    ] {
        assert!(check(text).is_err(), "{text:?}");
    }
    assert_eq!(
        check(&format!("{}.{}", B64.encode("{}"), "e30.AA")),
        Err(InvitationError::Malformed),
        "a header without alg"
    );
}

#[test]
fn our_own_invitations_verify_for_every_sale_and_across_a_rotation() {
    let old = InvitationSigner::from_seeds(&[[1; 32]]).unwrap();
    let rotated = InvitationSigner::from_seeds(&[[2; 32], [1; 32]]).unwrap();
    assert!(InvitationSigner::from_seeds(&[]).is_none());
    let member = MemberId::parse("fan@example.com").unwrap();
    let text = old.sign(&sale(), &member, now(), now().plus_secs(600));
    for signer in [&old, &rotated] {
        let invitation = verify_natively(&text, &sale(), None, signer.trusted(), now()).unwrap();
        assert_eq!(invitation.member, member);
    }
    // The promoter's own keys do not stop ours from working.
    assert!(verify_natively(&text, &sale(), Some(&keys()), rotated.trusted(), now()).is_ok());
    // After the old key is dropped, its invitations are refused.
    let new_only = InvitationSigner::from_seeds(&[[2; 32]]).unwrap();
    assert_eq!(
        verify_natively(&text, &sale(), None, new_only.trusted(), now()),
        Err(InvitationError::BadSignature)
    );
    let late = now().plus_secs(600 + LEEWAY_S);
    assert_eq!(
        verify_natively(&text, &sale(), None, old.trusted(), late),
        Err(InvitationError::Expired)
    );
}

#[test]
fn a_sales_keys_are_checked_when_set() {
    let parse = |v: serde_json::Value| InviteKeys::parse(v).map_err(|e| e.message);
    let jwks: serde_json::Value = serde_json::from_str(JWKS).unwrap();
    let [rsa, ec, ed] = [0, 1, 2].map(|i| jwks["keys"][i].clone());
    let with = |key: &serde_json::Value, member: &str, value: serde_json::Value| {
        let mut key = key.clone();
        key[member] = value;
        json!({"keys": [key]})
    };
    for (jwks, problem) in [
        (json!({"keys": []}), "1 to 8 keys"),
        (json!({"keys": vec![ed.clone(); 9]}), "1 to 8 keys"),
        (json!([ed.clone()]), "must be a JWKS"),
        (with(&ed, "d", json!("c2VjcmV0")), "private key"),
        (with(&ed, "alg", json!("RS256")), "signs only EdDSA"),
        (with(&rsa, "alg", json!("HS256")), "signs only RS256"),
        (with(&ec, "use", json!("enc")), "only \"sig\""),
        (with(&ec, "crv", json!("P-384")), "only OKP/Ed25519"),
        (with(&ed, "kty", json!("oct")), "only OKP/Ed25519"),
        (with(&ec, "y", json!(B64.encode([7u8; 32]))), "not a point"),
        (with(&ed, "x", json!("AAAA")), "32 bytes"),
        (
            with(&rsa, "n", json!(B64.encode([0xffu8; 128]))),
            "2048 to 4096 bits",
        ),
        (with(&rsa, "e", json!(null)), "lacks \"e\""),
        (with(&rsa, "kid", json!("")), "kid"),
        (json!({"keys": [ed.clone()], "extra": 1}), "must be a JWKS"),
    ] {
        let err = parse(jwks.clone()).unwrap_err();
        assert!(err.contains(problem), "{jwks}: {err}");
    }
    let keys = parse(json!({"keys": [rsa, ec, ed]})).unwrap();
    // Stored and read back the same; `d` is never stored.
    let stored = serde_json::to_string(&keys).unwrap();
    let back: InviteKeys = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, keys);
    assert!(!stored.contains("\"d\""));
    // A stored key that no longer passes the checks does not load silently as a weaker one.
    assert!(serde_json::from_str::<InviteKeys>(r#"{"keys":[{"kty":"oct"}]}"#).is_err());
}

#[test]
fn curve_checks_run_when_keys_are_set_and_form_checks_whenever_they_are_read() {
    let jwks: serde_json::Value = serde_json::from_str(JWKS).unwrap();
    let [_, ec, ed] = [0, 1, 2].map(|i| jwks["keys"][i].clone());
    // 32 bytes that are no Ed25519 point (about half of all are not).
    let off_curve = (2u8..)
        .map(|i| {
            let mut x = [0u8; 32];
            x[0] = i;
            x
        })
        .find(|x| ed25519_dalek::VerifyingKey::from_bytes(x).is_err())
        .unwrap();
    let mut ed_off = ed.clone();
    ed_off["x"] = json!(B64.encode(off_curve));
    let mut ec_off = ec.clone();
    ec_off["y"] = json!(B64.encode([7u8; 32]));
    for (key, problem) in [
        (&ed_off, "not an Ed25519 public key"),
        (&ec_off, "not a point of P-256"),
    ] {
        // Set by a promoter: refused, naming the problem.
        let err = InviteKeys::parse(json!({"keys": [key]})).unwrap_err();
        assert!(err.message.contains(problem), "{key}: {}", err.message);
        // Read back (a snapshot at the edge): its form only, no arithmetic; such a key (it could
        // only be stored by hand) verifies nothing.
        let read: InviteKeys = serde_json::from_value(json!({"keys": [key]})).unwrap();
        let by = if key["kty"] == "OKP" { By::Ed } else { By::Ec };
        assert_eq!(
            verify_natively(&sign(by, &claims()), &sale(), Some(&read), &[], now()),
            Err(InvitationError::BadSignature),
            "{key}"
        );
    }
    // A form the edge refuses without arithmetic: a wrong length.
    let mut short = ed.clone();
    short["x"] = json!(B64.encode([9u8; 31]));
    assert!(serde_json::from_value::<InviteKeys>(json!({"keys": [short]})).is_err());
}

#[test]
fn every_signature_is_the_callers_to_check() {
    // EdDSA too (the worker asks WebCrypto): one check per candidate key, and none passing
    // refuses the invitation.
    let text = sign(By::Ed, &claims());
    let unverified = read(&text, Some(&keys()), &[]).unwrap();
    let checks: Vec<_> = unverified.signature_checks().collect();
    assert_eq!(checks.len(), 1);
    assert!(matches!(checks[0].key, PublicKey::Ed25519 { .. }));
    assert!(native(&checks[0]));
    assert_eq!(
        unverified.accept(false, &sale(), now()),
        Err(InvitationError::BadSignature)
    );
    // A signature of the wrong length is no candidate's: nothing to ask, refused.
    let (signed, _) = text.rsplit_once('.').unwrap();
    let short = format!("{signed}.{}", B64.encode([1u8; 63]));
    let unverified = read(&short, Some(&keys()), &[]).unwrap();
    assert_eq!(unverified.signature_checks().count(), 0);
    assert_eq!(
        unverified.accept(true, &sale(), now()),
        Err(InvitationError::BadSignature)
    );
}

#[test]
fn our_key_ids_are_the_thumbprints_of_the_public_keys() {
    let signer = InvitationSigner::from_seeds(&[[3; 32]]).unwrap();
    let public = ed25519_dalek::SigningKey::from_bytes(&[3; 32])
        .verifying_key()
        .to_bytes();
    // What the edge builds from the public key WebCrypto derives is what the signer trusts.
    assert_eq!(signer.trusted(), &[InviteKey::ours(public)]);
}

#[test]
fn access_parses_and_defaults_to_open() {
    assert_eq!(Access::parse("invite"), Ok(Access::Invite));
    assert_eq!(Access::parse("open"), Ok(Access::Open));
    assert_eq!(Access::parse("Invite").unwrap_err().field, "access");
    assert_eq!(Access::default(), Access::Open);
}

proptest! {
    #[test]
    fn any_change_to_a_signed_invitation_is_refused(pos in 0usize..10_000, bit in 0u8..8, alg in 0usize..3) {
        let by = [By::Ed, By::Ec, By::Rsa][alg];
        let text = sign(by, &claims());
        let mut bytes = text.into_bytes();
        let i = pos % bytes.len();
        bytes[i] ^= 1 << bit;
        if let Ok(changed) = String::from_utf8(bytes) {
            // A change base64url decoding ignores (the unused low bits of the last character)
            // leaves the same invitation: it may verify, and then as the same member.
            if let Ok(invitation) = check(&changed) {
                prop_assert_eq!(invitation.member.as_str(), "member-42");
                prop_assert_eq!(i, changed.len() - 1);
            }
        }
    }

    #[test]
    fn a_member_always_has_the_same_shard(member in "[a-z0-9@.]{1,40}", shards in 1u32..=64) {
        let member = MemberId::parse(&member).unwrap();
        let key = member_key(&sale(), &member);
        prop_assert_eq!(key.len(), 64);
        prop_assert_eq!(&key, &member_key(&sale(), &member));
        let shard = member_shard(&key, shards);
        prop_assert!(shard < shards);
        prop_assert_eq!(shard, member_shard(&key, shards));
        let elsewhere = SaleId::parse("elsewhere").unwrap();
        prop_assert_ne!(key, member_key(&elsewhere, &member));
    }
}

/// The key checks the core makes without P-256 or RSA arithmetic agree with RustCrypto's.
mod key_checks_agree_with_rustcrypto {
    use super::*;

    fn rustcrypto_point(x: &[u8; 32], y: &[u8; 32]) -> bool {
        let point = [&[4u8][..], x, y].concat();
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).is_ok()
    }

    fn rustcrypto_rsa(n: &[u8], e: &[u8]) -> bool {
        let n = rsa::BigUint::from_bytes_be(n);
        let e = rsa::BigUint::from_bytes_be(e);
        rsa::RsaPublicKey::new_with_max_size(n, e, RSA_BITS.1).is_ok()
    }

    #[test]
    fn edge_cases() {
        let p = hex32("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
        let jwks: serde_json::Value = serde_json::from_str(JWKS).unwrap();
        let ec = &jwks["keys"][1];
        let coord = |m: &str| -> [u8; 32] {
            B64.decode(ec[m].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        };
        let (x, y) = (coord("x"), coord("y"));
        for (x, y) in [(x, y), (p, y), (x, p), ([0; 32], [0; 32]), ([0xff; 32], y)] {
            assert_eq!(is_p256_point(&x, &y), rustcrypto_point(&x, &y));
        }
        assert!(is_p256_point(&x, &y));
        let n = {
            let mut n = vec![0xc5u8; 256];
            n[255] = 0x01;
            n
        };
        for e in [
            &[1, 0, 1][..],
            &[3],
            &[1],
            &[0],
            &[],
            &[2],
            &[1, 0, 0, 0, 1],
            &[1, 0xff, 0xff, 0xff, 0xff],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
            &[1, 0, 0, 0, 0, 0, 0, 0, 0, 3],
        ] {
            assert_eq!(check_rsa(&n, e).is_ok(), rustcrypto_rsa(&n, e), "e {e:?}");
        }
        let mut even = n.clone();
        even[255] = 2;
        assert!(check_rsa(&even, &[1, 0, 1]).is_err());
        assert!(!rustcrypto_rsa(&even, &[1, 0, 1]));
    }

    proptest! {
        #[test]
        fn points_on_and_off_the_curve(d in any::<[u8; 32]>(), flip in 0usize..512, noise in any::<[u8; 32]>()) {
            // A real point from a scalar, and the same point with one bit flipped.
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&d) {
                let point = key.verifying_key().to_encoded_point(false);
                let (x, y): ([u8; 32], [u8; 32]) = (
                    point.x().unwrap().as_slice().try_into().unwrap(),
                    point.y().unwrap().as_slice().try_into().unwrap(),
                );
                prop_assert!(is_p256_point(&x, &y));
                let mut xy = [x, y].concat();
                xy[flip / 8] ^= 1 << (flip % 8);
                let x2: [u8; 32] = xy[..32].try_into().unwrap();
                let y2: [u8; 32] = xy[32..].try_into().unwrap();
                prop_assert_eq!(is_p256_point(&x2, &y2), rustcrypto_point(&x2, &y2));
            }
            prop_assert_eq!(is_p256_point(&noise, &d), rustcrypto_point(&noise, &d));
        }

        #[test]
        fn rsa_keys(bytes in 255usize..=513, top in 1u8..=255, low in any::<u8>(), e in any::<u64>(), e_len in 0usize..=10) {
            let mut n = vec![0x5au8; bytes];
            n[0] = top;
            n[bytes - 1] = low;
            let e = e.to_be_bytes();
            let e = if e_len <= 8 { e[8 - e_len..].to_vec() } else { [vec![0; e_len - 8], e.to_vec()].concat() };
            let bits = 8 * n.len() - n[0].leading_zeros() as usize;
            let expected = rustcrypto_rsa(&n, &e) && bits >= RSA_BITS.0;
            prop_assert_eq!(check_rsa(&n, &e).is_ok(), expected, "{} bits, e {:?}", bits, e);
        }
    }
}

#[test]
fn the_assist_claim_asks_for_the_assisted_lane_only_when_true() {
    assert!(!check(&sign(By::Ed, &claims())).unwrap().assist);
    for (value, asks) in [
        (serde_json::json!(true), true),
        (serde_json::json!(false), false),
        (serde_json::json!("true"), false),
        (serde_json::json!(1), false),
    ] {
        let mut c = claims();
        c["assist"] = value.clone();
        assert_eq!(check(&sign(By::Ed, &c)).unwrap().assist, asks, "{value}");
    }
}
