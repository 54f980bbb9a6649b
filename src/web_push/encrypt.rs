//! RFC 8291 message encryption for Web Push: ECDH P-256 between a fresh key of ours and the
//! subscription's key, HKDF-SHA-256 with the subscription's auth secret, then one `aes128gcm`
//! record (RFC 8188) whose header carries the salt and our public key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// The record size written in the header: one record holds the whole message (push services
/// take at most 4,096 bytes of body).
const RECORD_SIZE: u32 = 4_096;
/// The longest message that fits one record: the record size less the header (86 bytes), the
/// padding delimiter and the tag.
pub const MAX_PAYLOAD: usize = 3_993;

/// Why a message could not be encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptError {
    /// The subscription's public key is not a P-256 point.
    Key,
    /// Our one-time key was not a valid scalar (a zero or too-large random value).
    Ephemeral,
    /// The message is longer than [`MAX_PAYLOAD`].
    TooLong,
}

/// `payload` encrypted for the subscription (`ua_public`, `auth`), with the one-time key
/// `as_secret` and `salt` (both fresh random values for every message).
pub fn encrypt(
    payload: &[u8],
    ua_public: &[u8; 65],
    auth: &[u8; 16],
    as_secret: [u8; 32],
    salt: [u8; 16],
) -> Result<Vec<u8>, EncryptError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(EncryptError::TooLong);
    }
    let ua = PublicKey::from_sec1_bytes(ua_public).map_err(|_| EncryptError::Key)?;
    let ours = SecretKey::from_bytes(&as_secret.into()).map_err(|_| EncryptError::Ephemeral)?;
    let as_public = ours.public_key().to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(ours.to_nonzero_scalar(), ua.as_affine());

    // IKM = HKDF(salt: auth, ikm: ECDH secret, info: "WebPush: info" 0 ua_public as_public).
    let mut key_info = Vec::with_capacity(14 + 130);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| EncryptError::Key)?;

    // RFC 8188: the content key and nonce from the salt.
    let prk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .and_then(|()| prk.expand(b"Content-Encoding: nonce\0", &mut nonce))
        .map_err(|_| EncryptError::Key)?;

    // One record, the last: the message and its delimiter 0x02, no padding.
    let mut record = Vec::with_capacity(payload.len() + 1);
    record.extend_from_slice(payload);
    record.push(2);
    let cipher = Aes128Gcm::new(&cek.into());
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &record,
                aad: b"",
            },
        )
        .map_err(|_| EncryptError::TooLong)?;

    let mut body = Vec::with_capacity(86 + sealed.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public.as_bytes());
    body.extend_from_slice(&sealed);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).unwrap()
    }

    #[test]
    fn the_example_of_rfc_8291_appendix_a_is_reproduced() {
        let body = encrypt(
            b"When I grow up, I want to be a watermelon",
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")
                .try_into()
                .unwrap(),
            &b64("BTBZMqHH6r4Tts7J_aSIgg").try_into().unwrap(),
            b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")
                .try_into()
                .unwrap(),
            b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap(),
        )
        .unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn a_bad_key_or_a_long_message_is_refused() {
        let auth = [1u8; 16];
        let mut point = [4u8; 65];
        point[1] = 9;
        assert_eq!(
            encrypt(b"x", &point, &auth, [7; 32], [0; 16]),
            Err(EncryptError::Key)
        );
        let ua: [u8; 65] = b64(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        )
        .try_into()
        .unwrap();
        assert_eq!(
            encrypt(&[0; MAX_PAYLOAD + 1], &ua, &auth, [7; 32], [0; 16]),
            Err(EncryptError::TooLong)
        );
        assert_eq!(
            encrypt(b"x", &ua, &auth, [0; 32], [0; 16]),
            Err(EncryptError::Ephemeral)
        );
        let body = encrypt(&[b'a'; MAX_PAYLOAD], &ua, &auth, [7; 32], [0; 16]).unwrap();
        assert_eq!(
            body.len(),
            RECORD_SIZE as usize,
            "the longest message fills one record"
        );
    }
}
