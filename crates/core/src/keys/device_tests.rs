use super::*;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

fn sale() -> SaleId {
    SaleId::parse("tour").unwrap()
}

pub(crate) fn signing_key(byte: u8) -> SigningKey {
    SigningKey::from_bytes(&[byte; 32].into()).unwrap()
}

pub(crate) fn jwk_of(key: &SigningKey) -> DeviceJwk {
    let point = key.verifying_key().to_encoded_point(false);
    DeviceJwk {
        kty: "EC".into(),
        crv: "P-256".into(),
        x: B64.encode(point.x().unwrap()),
        y: B64.encode(point.y().unwrap()),
    }
}

pub(crate) fn thumbprint_of(key: &SigningKey) -> String {
    DeviceKey::from_jwk(&jwk_of(key)).unwrap().thumbprint()
}

/// A proof as a page makes it (WebCrypto's ECDSA signature is `r || s`, as here).
pub(crate) fn proof(key: &SigningKey, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"alg": "ES256", "typ": PROOF_TYP, "jwk": jwk_of(key)});
    let signed = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature: Signature = key.sign(signed.as_bytes());
    format!("{signed}.{}", B64.encode(signature.to_bytes()))
}

pub(crate) fn claims(seq: u64, iat: u64) -> serde_json::Value {
    serde_json::json!({"sale": "tour", "seq": seq, "purpose": "claim", "iat": iat})
}

const NOW: UnixMillis = UnixMillis(1_000_000_000);

#[test]
fn the_thumbprint_is_rfc_7638_over_the_sorted_members() {
    let key = signing_key(7);
    let jwk = jwk_of(&key);
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk.x, jwk.y
    );
    let expected = B64.encode(Sha256::digest(canonical.as_bytes()));
    assert_eq!(thumbprint_of(&key), expected);
    assert_eq!(expected.len(), 43);
    assert_ne!(thumbprint_of(&key), thumbprint_of(&signing_key(8)));
}

#[test]
fn keys_of_another_kind_or_size_are_refused() {
    let good = jwk_of(&signing_key(7));
    let cases = [
        DeviceJwk {
            kty: "RSA".into(),
            ..good.clone()
        },
        DeviceJwk {
            crv: "P-384".into(),
            ..good.clone()
        },
        DeviceJwk {
            x: B64.encode([1u8; 31]),
            ..good.clone()
        },
        DeviceJwk {
            y: "not base64!".into(),
            ..good.clone()
        },
    ];
    for jwk in cases {
        assert_eq!(
            DeviceKey::from_jwk(&jwk),
            Err(DeviceError::BadKey),
            "{jwk:?}"
        );
    }
}

#[test]
fn a_fresh_proof_with_the_bound_key_for_the_place_verifies() {
    let key = signing_key(7);
    let text = proof(&key, &claims(42, NOW.as_secs()));
    let parsed = DeviceProof::parse(&text).unwrap();
    let bound = thumbprint_of(&key);
    assert_eq!(
        parsed.verify(&bound, &sale(), 42, ProofPurpose::Claim, NOW),
        Ok(())
    );
    // At the edge of the window, either way (the device's clock a little off).
    for now in [
        NOW.as_secs() + PROOF_WINDOW_S,
        NOW.as_secs() - PROOF_WINDOW_S,
    ] {
        let at = UnixMillis::from_secs(now);
        assert_eq!(
            parsed.check(&bound, &sale(), 42, ProofPurpose::Claim, at),
            Ok(())
        );
    }
}

#[test]
fn a_proof_is_refused_outside_its_window_or_for_another_place_or_key() {
    let key = signing_key(7);
    let bound = thumbprint_of(&key);
    let text = proof(&key, &claims(42, NOW.as_secs()));
    let parsed = DeviceProof::parse(&text).unwrap();
    let check = |bound: &str, sale: &SaleId, seq, now| {
        parsed.verify(bound, sale, seq, ProofPurpose::Claim, now)
    };
    // Replayed after its window, or made "in the future".
    let late = UnixMillis::from_secs(NOW.as_secs() + PROOF_WINDOW_S + 1);
    let early = UnixMillis::from_secs(NOW.as_secs() - PROOF_WINDOW_S - 1);
    assert_eq!(check(&bound, &sale(), 42, late), Err(DeviceError::Stale));
    assert_eq!(check(&bound, &sale(), 42, early), Err(DeviceError::Stale));
    // Another place, another sale.
    assert_eq!(
        check(&bound, &sale(), 43, NOW),
        Err(DeviceError::OtherPlace)
    );
    let other = SaleId::parse("other").unwrap();
    assert_eq!(check(&bound, &other, 42, NOW), Err(DeviceError::OtherPlace));
    // A place bound to another device: the attacker's own key does not fit.
    let victim = thumbprint_of(&signing_key(9));
    assert_eq!(check(&victim, &sale(), 42, NOW), Err(DeviceError::OtherKey));
}

#[test]
fn a_forged_or_altered_signature_is_refused() {
    let key = signing_key(7);
    let bound = thumbprint_of(&key);
    let text = proof(&key, &claims(42, NOW.as_secs()));
    // The victim's public key in the header, signed by the attacker's key: the rule holds
    // (the key is the bound one), the signature does not.
    let attacker = signing_key(8);
    let forged = {
        let header = serde_json::json!({"alg": "ES256", "typ": PROOF_TYP, "jwk": jwk_of(&key)});
        let signed = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims(42, NOW.as_secs()).to_string())
        );
        let signature: Signature = attacker.sign(signed.as_bytes());
        format!("{signed}.{}", B64.encode(signature.to_bytes()))
    };
    let parsed = DeviceProof::parse(&forged).unwrap();
    assert_eq!(
        parsed.check(&bound, &sale(), 42, ProofPurpose::Claim, NOW),
        Ok(())
    );
    assert_eq!(parsed.verify_signature(), Err(DeviceError::BadSignature));
    // The payload changed after signing (another place).
    let (header, rest) = text.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let altered = format!(
        "{header}.{}.{signature}",
        B64.encode(claims(43, NOW.as_secs()).to_string())
    );
    let parsed = DeviceProof::parse(&altered).unwrap();
    assert_eq!(
        parsed.verify(&bound, &sale(), 43, ProofPurpose::Claim, NOW),
        Err(DeviceError::BadSignature)
    );
}

#[test]
fn malformed_proofs_are_refused_before_anything_else() {
    let key = signing_key(7);
    let good = proof(&key, &claims(42, NOW.as_secs()));
    let hs256 = {
        let header = serde_json::json!({"alg": "HS256", "typ": PROOF_TYP, "jwk": jwk_of(&key)});
        let (_, rest) = good.split_once('.').unwrap();
        format!("{}.{rest}", B64.encode(header.to_string()))
    };
    for junk in [
        "",
        "a.b",
        "a.b.c.d",
        &format!("{good}.x"),
        &hs256,
        &"x".repeat(MAX_PROOF_LEN + 1),
        &good[..good.len() - 4],
    ] {
        assert_eq!(
            DeviceProof::parse(junk).err(),
            Some(DeviceError::Malformed),
            "{junk}"
        );
    }
}
