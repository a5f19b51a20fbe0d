use std::sync::OnceLock;

use super::*;

const DOC: &[u8] =
    br#"{"fundingAccountInfo":{"panUniqueReference":"x","accountNumber":"5555555555554444"}}"#;

/// RSA key generation is slow: every test shares two keys, rebuilt from PKCS#8.
fn key_der(index: usize) -> Secret<Vec<u8>> {
    static KEYS: OnceLock<Vec<Secret<Vec<u8>>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (0..2)
            .map(|_| {
                MdesPrivateKey::generate(MdesPrivateKey::DEFAULT_BITS)
                    .unwrap()
                    .to_pkcs8_der()
                    .unwrap()
            })
            .collect()
    })[index]
        .clone()
}

fn key(index: usize) -> MdesPrivateKey {
    MdesPrivateKey::from_pkcs8_der(&key_der(index)).unwrap()
}

fn ring() -> MdesKeyRing {
    MdesKeyRing::new(vec![key(0), key(1)]).accepting(LegacyForms::ALL)
}

fn sealed_for(index: usize, wrap: Option<OaepHash>, size: AesKeySize) -> EncryptedPayload {
    encrypt(key(index).public_key_der(), DOC, wrap, size).unwrap()
}

#[test]
fn every_key_wrap_mode_and_aes_size_round_trips() {
    for wrap in [Some(OaepHash::Sha256), Some(OaepHash::Sha512), None] {
        for size in [AesKeySize::Aes128, AesKeySize::Aes256] {
            // GIVEN a payload encrypted the way MDES does
            let payload = sealed_for(0, wrap, size);
            // THEN the wire form names the wrap mode (absent means PKCS#1 v1.5)
            assert_eq!(
                payload.oaep_hashing_algorithm.as_deref(),
                wrap.map(OaepHash::as_wire)
            );
            // WHEN the issuer decrypts it
            let plain = ring().decrypt(&payload).unwrap();
            // THEN the JSON document comes back intact
            assert_eq!(plain.expose().as_slice(), DOC, "{wrap:?} {size:?}");
        }
    }
}

#[test]
fn aes_key_size_is_what_was_asked_for() {
    // GIVEN payloads with 128- and 256-bit AES keys
    let k128 = sealed_for(0, Some(OaepHash::Sha256), AesKeySize::Aes128);
    let k256 = sealed_for(0, Some(OaepHash::Sha256), AesKeySize::Aes256);
    // WHEN the keys are unwrapped
    let unwrap = |p: &EncryptedPayload| {
        key(0)
            .unwrap_key(
                &hex::decode(&p.encrypted_key).unwrap(),
                Some(OaepHash::Sha256),
            )
            .unwrap()
            .len()
    };
    // THEN they have 16 and 32 bytes
    assert_eq!(unwrap(&k128), 16);
    assert_eq!(unwrap(&k256), 32);
}

#[test]
fn absent_iv_means_a_zero_iv() {
    // GIVEN a payload whose data was encrypted under a zero IV and which omits `iv`
    let aes_key = [7u8; 16];
    let public = PublicKey::from_public_key_der(key(0).public_key_der()).unwrap();
    let payload = EncryptedPayload {
        encrypted_data: hex::encode(cbc_encrypt(&aes_key, &[0u8; 16], DOC).unwrap()),
        encrypted_key: hex::encode(public.oaep_encrypt::<Sha512>(&aes_key).unwrap()),
        public_key_fingerprint: key(0).fingerprint().to_owned(),
        oaep_hashing_algorithm: Some("SHA512".to_owned()),
        iv: None,
    };
    // WHEN decrypted
    let plain = ring().decrypt(&payload).unwrap();
    // THEN the document is recovered
    assert_eq!(plain.expose().as_slice(), DOC);
}

#[test]
fn keys_are_selected_by_sha256_or_sha1_fingerprint_in_any_case() {
    let second = key(1);
    for fingerprint in [
        second.fingerprint().to_owned(),
        second.fingerprint().to_ascii_uppercase(),
        second.fingerprint_sha1().to_owned(),
        second.fingerprint_sha1().to_ascii_uppercase(),
    ] {
        // GIVEN a payload for the second key, naming it by one of its fingerprints
        let mut payload = sealed_for(1, None, AesKeySize::Aes128);
        payload.public_key_fingerprint = fingerprint.clone();
        // WHEN the ring decrypts it
        let plain = ring().decrypt(&payload);
        // THEN the second key was chosen
        assert_eq!(plain.unwrap().expose().as_slice(), DOC, "{fingerprint}");
    }
    assert_eq!(second.fingerprint().len(), 64);
    assert_eq!(second.fingerprint_sha1().len(), 40);
    assert_ne!(key(0).fingerprint(), second.fingerprint());
}

#[test]
fn fingerprint_is_sha256_of_the_spki_der_and_pem_wraps_it() {
    let k = key(0);
    assert_eq!(
        k.fingerprint(),
        hex::encode(Sha256::digest(k.public_key_der()))
    );
    let pem = k.public_key_pem();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    assert_eq!(der, k.public_key_der());
}

#[test]
fn private_key_never_prints_and_survives_pkcs8_round_trip() {
    let k = key(0);
    let printed = format!("{k:?} {:?}", ring());
    assert!(printed.contains("[REDACTED]"));
    assert!(printed.contains(k.fingerprint()));
    let again = MdesPrivateKey::from_pkcs8_der(&k.to_pkcs8_der().unwrap()).unwrap();
    assert_eq!(again.fingerprint(), k.fingerprint());
}

#[test]
fn key_generation_refuses_weak_sizes_and_bad_der() {
    assert_eq!(
        MdesPrivateKey::generate(1024).unwrap_err(),
        CryptoError::UnsupportedAlgorithm
    );
    assert_eq!(
        MdesPrivateKey::from_pkcs8_der(&Secret::new(vec![0x30, 0x03, 1, 2, 3])).unwrap_err(),
        CryptoError::InvalidPrivateKey
    );
    assert_eq!(
        encrypt(b"not a key", DOC, None, AesKeySize::Aes128).unwrap_err(),
        CryptoError::InvalidPublicKey
    );
}

#[test]
fn payload_uses_camel_case_wire_names_and_omits_absent_fields() {
    let json = serde_json::json!({
        "publicKeyFingerprint": "4c4ead5927f0df8117f178eea9308daa58e27c2b",
        "encryptedKey": "A1B2C3D4E5F611223344556678965434",
        "encryptedData": "00",
    });
    let payload: EncryptedPayload = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(payload.oaep_hashing_algorithm, None);
    assert_eq!(payload.iv, None);
    assert_eq!(serde_json::to_value(&payload).unwrap(), json);
}

#[test]
fn hostile_payloads_fail_cleanly_without_panicking() {
    type Mutation = fn(&mut EncryptedPayload);
    let cases: &[(&str, Mutation, CryptoError)] = &[
        (
            "unknown fingerprint",
            |p| p.public_key_fingerprint = "ab".repeat(32),
            CryptoError::UnknownKeyFingerprint,
        ),
        (
            "empty fingerprint",
            |p| p.public_key_fingerprint.clear(),
            CryptoError::UnknownKeyFingerprint,
        ),
        (
            "unknown OAEP digest",
            |p| p.oaep_hashing_algorithm = Some("SHA1".into()),
            CryptoError::UnsupportedAlgorithm,
        ),
        (
            "odd-length iv",
            |p| p.iv = Some("0".repeat(31)),
            CryptoError::MalformedHex("iv"),
        ),
        (
            "short iv",
            |p| p.iv = Some("00".repeat(8)),
            CryptoError::InvalidIvLength,
        ),
        (
            "long iv",
            |p| p.iv = Some("00".repeat(17)),
            CryptoError::InvalidIvLength,
        ),
        (
            "empty iv",
            |p| p.iv = Some(String::new()),
            CryptoError::InvalidIvLength,
        ),
        (
            "non-hex key",
            |p| p.encrypted_key = "zz".repeat(128),
            CryptoError::MalformedHex("encryptedKey"),
        ),
        (
            "odd-length data",
            |p| p.encrypted_data.push('a'),
            CryptoError::MalformedHex("encryptedData"),
        ),
        (
            "empty key",
            |p| p.encrypted_key.clear(),
            CryptoError::KeyUnwrap,
        ),
        (
            "3-byte key",
            |p| p.encrypted_key = "a1b2c3".into(),
            CryptoError::KeyUnwrap,
        ),
        (
            "oversized key",
            |p| p.encrypted_key = "ff".repeat(512),
            CryptoError::KeyUnwrap,
        ),
        (
            "key flipped",
            |p| flip_first_hex_digit(&mut p.encrypted_key),
            CryptoError::KeyUnwrap,
        ),
        (
            "wrong wrap mode",
            |p| p.oaep_hashing_algorithm = Some("SHA512".into()),
            CryptoError::KeyUnwrap,
        ),
        (
            "empty data",
            |p| p.encrypted_data.clear(),
            CryptoError::Decryption,
        ),
        (
            "data not whole blocks",
            |p| p.encrypted_data.truncate(30),
            CryptoError::Decryption,
        ),
        (
            "data last block flipped",
            |p| flip_last_blocks(p),
            CryptoError::Decryption,
        ),
    ];
    for (name, mutate, expected) in cases {
        // GIVEN a valid OAEP-SHA256 payload, spoilt one way
        let mut payload = sealed_for(0, Some(OaepHash::Sha256), AesKeySize::Aes128);
        mutate(&mut payload);
        // WHEN decrypted
        let result = ring().decrypt(&payload);
        // THEN it fails with the expected fixed error
        assert_eq!(result.err(), Some(*expected), "{name}");
    }
}

#[test]
fn unwrapped_key_of_unsupported_size_is_refused() {
    // GIVEN a 3-byte "AES key" wrapped correctly
    let public = PublicKey::from_public_key_der(key(0).public_key_der()).unwrap();
    let payload = EncryptedPayload {
        encrypted_data: "00".repeat(16),
        encrypted_key: hex::encode(public.pkcs1v15_encrypt(&[1, 2, 3]).unwrap()),
        public_key_fingerprint: key(0).fingerprint().to_owned(),
        oaep_hashing_algorithm: None,
        iv: None,
    };
    // WHEN decrypted THEN the key size is refused
    assert_eq!(
        ring().decrypt(&payload).err(),
        Some(CryptoError::UnsupportedAlgorithm)
    );
}

#[test]
fn errors_do_not_echo_input() {
    let mut payload = sealed_for(0, None, AesKeySize::Aes128);
    payload.encrypted_key = "a1b2c3".into();
    let err = ring().decrypt(&payload).unwrap_err();
    let printed = format!("{err} {err:?}");
    assert!(!printed.contains("a1b2c3"));
    assert!(!printed.contains(&payload.encrypted_data));
}

fn flip_first_hex_digit(value: &mut String) {
    let first = if value.starts_with('0') { "1" } else { "0" };
    value.replace_range(0..1, first);
}

/// Corrupts the second-to-last block so the last block's padding breaks
/// (with overwhelming probability).
fn flip_last_blocks(p: &mut EncryptedPayload) {
    let mut data = hex::decode(&p.encrypted_data).unwrap();
    let n = data.len();
    for b in &mut data[n - 32..n - 16] {
        *b ^= 0xa5;
    }
    data[n - 17] ^= 0x5a;
    p.encrypted_data = hex::encode(data);
}

#[test]
fn payloads_from_an_independent_implementation_decrypt() {
    // GIVEN a throw-away test key and payloads made with OpenSSL (Python
    // `cryptography`): OAEP-SHA256/AES-128, OAEP-SHA512/AES-256, PKCS#1 v1.5 with
    // no IV; upper-case hex and the SHA-1 fingerprint form
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/mdes_fle_openssl.json")).unwrap();
    let der = hex::decode(vectors["pkcs8"].as_str().unwrap()).unwrap();
    let key = MdesPrivateKey::from_pkcs8_der(&Secret::new(der)).unwrap();
    assert_eq!(key.fingerprint(), vectors["sha256"].as_str().unwrap());
    let ring = MdesKeyRing::new(vec![key]).accepting(LegacyForms::ALL);
    let payloads: Vec<EncryptedPayload> =
        serde_json::from_value(vectors["payloads"].clone()).unwrap();
    assert_eq!(payloads.len(), 3);
    for payload in &payloads {
        // WHEN decrypted THEN the document matches
        let plain = ring.decrypt(payload).unwrap();
        assert_eq!(
            plain.expose().as_slice(),
            vectors["doc"].as_str().unwrap().as_bytes()
        );
    }
}

#[test]
fn legacy_forms_are_refused_unless_accepted() {
    // GIVEN a key ring with the default (strict) policy
    let strict = MdesKeyRing::new(vec![key(0)]);
    let spki = key(0).public_key_der().to_vec();
    // WHEN a payload wraps its AES key with PKCS#1 v1.5
    let pkcs1 = encrypt(&spki, b"{}", None, AesKeySize::Aes128).unwrap();
    // THEN it is refused, and accepted once the issuer enables the legacy form
    assert_eq!(
        strict.decrypt(&pkcs1).unwrap_err(),
        CryptoError::UnsupportedAlgorithm
    );
    let lenient = MdesKeyRing::new(vec![key(0)]).accepting(LegacyForms {
        pkcs1v15_key_wrap: true,
        absent_iv: false,
    });
    assert!(lenient.decrypt(&pkcs1).is_ok());
    // WHEN a payload omits its IV (a zero IV)
    let mut no_iv = encrypt(&spki, b"{}", Some(OaepHash::Sha256), AesKeySize::Aes128).unwrap();
    no_iv.iv = None;
    // THEN the strict ring refuses it before any decryption
    assert!(strict.decrypt(&no_iv).is_err());
    assert!(lenient.decrypt(&no_iv).is_err());
}
