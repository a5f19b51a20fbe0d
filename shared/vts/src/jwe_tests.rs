use std::sync::OnceLock;

use super::*;

const DOC: &[u8] = br#"{"cardholderInfo":{"primaryAccountNumber":"4111111111111111"}}"#;

/// RSA key generation is slow: every test shares three keys (two in the
/// ring, one stranger), rebuilt from PKCS#8.
fn pem(index: usize) -> Secret<String> {
    static KEYS: OnceLock<Vec<Secret<String>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (0..3)
            .map(|i| {
                VtsPrivateKey::generate(&format!("key-{i}"), MIN_KEY_BITS)
                    .unwrap()
                    .to_pkcs8_pem()
                    .unwrap()
            })
            .collect()
    })[index]
        .clone()
}

fn key(index: usize) -> VtsPrivateKey {
    VtsPrivateKey::from_pkcs8_pem(&format!("key-{index}"), &pem(index)).unwrap()
}

fn ring() -> VtsKeyRing {
    VtsKeyRing::new(vec![key(0), key(1)]).unwrap()
}

fn sealed_for(index: usize) -> String {
    encrypt_as_vts(key(index).public_key_der(), &format!("key-{index}"), DOC).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWE whose content is properly encrypted for key 0 under `header`: only
/// the header's claims can make it fail.
fn with_header(header: &serde_json::Value) -> String {
    let header = b64(header.to_string().as_bytes());
    let public = PublicKey::from_public_key_der(key(0).public_key_der()).unwrap();
    let cek = [7u8; CEK_LEN];
    let iv = [9u8; IV_LEN];
    let sealed = Aes256Gcm::new_from_slice(&cek)
        .unwrap()
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: DOC,
                aad: header.as_bytes(),
            },
        )
        .unwrap();
    let (ciphertext, tag) = sealed.split_at(sealed.len() - TAG_LEN);
    [
        header,
        b64(&public.oaep_encrypt::<Sha256>(&cek).unwrap()),
        b64(&iv),
        b64(ciphertext),
        b64(tag),
    ]
    .join(".")
}

fn replace_part(jwe: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    parts[index] = part.to_owned();
    parts.join(".")
}

#[test]
fn each_key_of_the_ring_opens_what_was_sealed_for_it() {
    for index in [0, 1] {
        // GIVEN a JWE sealed the way VTS does, for one of two active keys
        let jwe = sealed_for(index);
        // WHEN the ring decrypts it
        let plain = ring().decrypt(&jwe).unwrap();
        // THEN its `kid` picked the key and the document comes back intact
        assert_eq!(plain.expose().as_slice(), DOC);
    }
}

#[test]
fn the_header_is_exactly_the_allow_list() {
    // GIVEN our own encoder's header
    let jwe = sealed_for(0);
    let header = URL_SAFE_NO_PAD
        .decode(jwe.split('.').next().unwrap())
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    // THEN it names RSA-OAEP-256, A256GCM and the kid
    assert_eq!(
        header,
        serde_json::json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "key-0"})
    );
    // AND a header with extra, unlisted members still decrypts (RFC 7516)
    let extra = with_header(&serde_json::json!({"alg": ALG, "enc": ENC, "kid": "key-0",
        "typ": "JOSE", "iat": 1_796_000_000, "channelSecurityContext": "RSA_PKI"}));
    assert!(ring().decrypt(&extra).is_ok());
}

#[test]
fn every_failure_is_the_same_opaque_error() {
    let good = sealed_for(0);
    let parts: Vec<&str> = good.split('.').collect();
    let header = |h: serde_json::Value| with_header(&h);
    let mut flipped_tag = URL_SAFE_NO_PAD.decode(parts[4]).unwrap();
    flipped_tag[0] ^= 1;
    let mut flipped_ct = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
    flipped_ct[0] ^= 1;
    let cases: Vec<(&str, String)> = vec![
        (
            "unknown kid",
            header(serde_json::json!({"alg": ALG, "enc": ENC, "kid": "key-9"})),
        ),
        (
            "no kid",
            header(serde_json::json!({"alg": ALG, "enc": ENC})),
        ),
        (
            "alg RSA1_5",
            header(serde_json::json!({"alg": "RSA1_5", "enc": ENC, "kid": "key-0"})),
        ),
        (
            "alg RSA-OAEP",
            header(serde_json::json!({"alg": "RSA-OAEP", "enc": ENC, "kid": "key-0"})),
        ),
        (
            "alg dir",
            replace_part(
                &header(serde_json::json!({"alg": "dir", "enc": ENC, "kid": "key-0"})),
                1,
                "",
            ),
        ),
        (
            "alg none",
            header(serde_json::json!({"alg": "none", "enc": ENC, "kid": "key-0"})),
        ),
        (
            "enc A128GCM",
            header(serde_json::json!({"alg": ALG, "enc": "A128GCM", "kid": "key-0"})),
        ),
        (
            "zip",
            header(serde_json::json!({"alg": ALG, "enc": ENC, "kid": "key-0", "zip": "DEF"})),
        ),
        (
            "crit",
            header(
                serde_json::json!({"alg": ALG, "enc": ENC, "kid": "key-0", "crit": ["exp"], "exp": 1}),
            ),
        ),
        (
            "duplicate alg",
            replace_part(
                &good,
                0,
                &b64(br#"{"alg":"RSA-OAEP-256","alg":"RSA1_5","enc":"A256GCM","kid":"key-0"}"#),
            ),
        ),
        (
            "header not JSON",
            replace_part(&good, 0, &b64(b"alg=RSA-OAEP-256")),
        ),
        (
            "header changed (AAD)",
            replace_part(
                &good,
                0,
                &b64(br#"{"kid":"key-0","alg":"RSA-OAEP-256","enc":"A256GCM"}"#),
            ),
        ),
        ("bad tag", replace_part(&good, 4, &b64(&flipped_tag))),
        ("bad ciphertext", replace_part(&good, 3, &b64(&flipped_ct))),
        (
            "short tag",
            replace_part(&good, 4, &b64(&flipped_tag[..12])),
        ),
        ("short iv", replace_part(&good, 2, &b64(&[0u8; 8]))),
        (
            "short encrypted key",
            replace_part(&good, 1, &b64(&[1u8; 255])),
        ),
        (
            "random encrypted key",
            replace_part(&good, 1, &b64(&[1u8; 256])),
        ),
        ("four parts", parts[..4].join(".")),
        ("six parts", format!("{good}.x")),
        ("empty", String::new()),
        (
            "padding",
            replace_part(&good, 2, &format!("{}==", parts[2])),
        ),
        (
            "standard base64",
            replace_part(&good, 3, &format!("+/{}", parts[3].get(2..).unwrap())),
        ),
        ("not base64", replace_part(&good, 1, "!!!!")),
        ("too long", format!("{good}{}", "A".repeat(MAX_COMPACT_LEN))),
        (
            "wrong key",
            encrypt_as_vts(key(2).public_key_der(), "key-0", DOC).unwrap(),
        ),
    ];
    for (name, jwe) in cases {
        // WHEN the ring decrypts it THEN the one opaque error, nothing else
        assert_eq!(ring().decrypt(&jwe).err(), Some(JweError), "{name}");
    }
}

#[test]
fn keys_are_checked_and_never_printed() {
    // GIVEN a ring with one key
    let mut ring = ring();
    // THEN a second key with the same kid is refused
    assert_eq!(ring.insert(key(0)).unwrap_err(), VtsKeyError::DuplicateKid);
    assert_eq!(ring.kids(), ["key-0", "key-1"]);
    // AND small keys, bad PEM and bad kids are refused
    assert_eq!(
        VtsPrivateKey::generate("k", 1024).unwrap_err(),
        VtsKeyError::KeyTooSmall
    );
    assert_eq!(
        VtsPrivateKey::from_pkcs8_pem("k", &Secret::new("nope".into())).unwrap_err(),
        VtsKeyError::InvalidPrivateKey
    );
    assert_eq!(
        VtsPrivateKey::from_pkcs8_pem("k y", &pem(0)).unwrap_err(),
        VtsKeyError::InvalidKid
    );
    // AND DER round-trips the same key
    let der = rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(pem(0).expose())
        .map(|k: PrivateKey| k.to_pkcs8_der().unwrap().as_bytes().to_vec())
        .unwrap();
    let from_der = VtsPrivateKey::from_pkcs8_der("key-0", &Secret::new(der)).unwrap();
    assert_eq!(from_der.public_key_der(), key(0).public_key_der());
    // AND Debug shows the kid only
    let printed = format!("{:?}", key(0));
    assert!(printed.contains("key-0") && printed.contains("REDACTED"));
    assert!(!printed.contains("PRIVATE"));
    assert!(
        key(0)
            .public_key_pem()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
}
