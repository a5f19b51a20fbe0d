use std::time::Duration;

use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _};
use rsa::signature::Verifier as _;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use rsa::{PrivateKey, PublicKey};
use time::OffsetDateTime;
use tmp_core::ports::KeyVault;
use tmp_mdes::oauth1;
use tmp_testkit::memory::MemoryKeyVault;

use super::*;
use crate::config_secret::{DATA_SEALING_KEY, ISSUER_OAUTH_CLIENT_SECRET};

const URL: &str = "https://api.mastercard.com/mdes/csapi/v2/token/suspend";
const CN: &str = "Example Bank MDES Customer Service";

/// The DER inside a PEM block (`label`) of `text`.
fn pem_der(text: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----\n");
    let end = format!("-----END {label}-----");
    let body = text
        .split(&begin)
        .nth(1)
        .unwrap()
        .split(&end)
        .next()
        .unwrap();
    STANDARD.decode(body.replace('\n', "")).unwrap()
}

/// One DER element of `bytes`: (tag, the whole element, its content, what follows).
fn element(bytes: &[u8]) -> (u8, &[u8], &[u8], &[u8]) {
    let tag = bytes[0];
    let (len, header) = match bytes[1] {
        short if short < 0x80 => (usize::from(short), 2),
        long => {
            let n = usize::from(long & 0x7f);
            let len = bytes[2..2 + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, 2 + n)
        }
    };
    let (whole, rest) = bytes.split_at(header + len);
    (tag, whole, &whole[header..], rest)
}

/// The key the ciphertext holds, as the functions unwrap it.
async fn unwrap(vault: &MemoryKeyVault, ciphertext: &str) -> Secret<Vec<u8>> {
    config_secret::decrypt_key(vault, ciphertext, MDES_OAUTH_SIGNING_KEY)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_ciphertext_opens_under_its_purpose_only_and_holds_a_signing_key() {
    // GIVEN a key generated into the key service
    let vault = MemoryKeyVault::default();
    let generated = generate(&vault, DEFAULT_COMMON_NAME).await.unwrap();
    // WHEN the functions unwrap it as compose::issuer does
    let der = unwrap(&vault, &generated.ciphertext).await;
    // THEN it is a key OAuthSigner accepts, of 2048 bits
    let signer = OAuthSigner::from_pkcs8_der("consumer-key-1", &der).unwrap();
    assert_eq!(signer.consumer_key(), "consumer-key-1");
    let key = PrivateKey::from_pkcs8_der(der.expose()).unwrap();
    assert_eq!(key.size() * 8, KEY_BITS);
    // AND under any other purpose, or with more context, the key service refuses it
    for purpose in [
        ISSUER_OAUTH_CLIENT_SECRET,
        DATA_SEALING_KEY,
        "mdes-private-key",
    ] {
        let refused = config_secret::decrypt_key(&vault, &generated.ciphertext, purpose).await;
        assert!(refused.is_err(), "{purpose}");
    }
    let mut wider = encryption_context();
    wider.insert(
        "fingerprint".to_owned(),
        generated.public.fingerprint.clone(),
    );
    let raw = STANDARD.decode(&generated.ciphertext).unwrap();
    assert!(vault.decrypt(&raw, &wider).await.is_err());
}

#[tokio::test]
async fn a_signature_made_with_the_key_verifies_with_the_printed_public_key() {
    // GIVEN a generated key and the public key its output prints
    let vault = MemoryKeyVault::default();
    let generated = generate(&vault, DEFAULT_COMMON_NAME).await.unwrap();
    let printed = render_generated(&generated);
    let public = PublicKey::from_public_key_der(&pem_der(&printed, "PUBLIC KEY")).unwrap();
    // WHEN a function signs a Customer Service request with the unwrapped key
    let der = unwrap(&vault, &generated.ciphertext).await;
    let signer = OAuthSigner::from_pkcs8_der("consumer-key-1", &der).unwrap();
    let body = br#"{"requestId":"r-1","tokenUniqueReferences":["DWSPMC00000000001"]}"#;
    let header = signer.authorization("POST", URL, body).unwrap();
    // THEN Mastercard, holding the printed key, accepts it
    let verified = oauth1::verify(
        "POST",
        URL,
        body,
        &header,
        &public,
        OffsetDateTime::now_utc(),
        Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(verified.consumer_key, "consumer-key-1");
    // AND the printed fingerprint is the SHA-256 of that key
    let spki = public.to_public_key_der().unwrap();
    assert_eq!(
        generated.public.fingerprint,
        spki_fingerprint(spki.as_bytes())
    );
    assert_eq!(generated.public.fingerprint.len(), 64);
}

#[tokio::test]
async fn show_prints_the_same_public_key_and_csr_again() {
    // GIVEN a generated key's ciphertext
    let vault = MemoryKeyVault::default();
    let generated = generate(&vault, CN).await.unwrap();
    // WHEN shown from its ciphertext
    let shown = show(&vault, &generated.ciphertext, CN).await.unwrap();
    // THEN the same public key, fingerprint and (deterministic) CSR
    assert_eq!(shown, generated.public);
    // AND each key generated is a new one
    let other = generate(&vault, CN).await.unwrap();
    assert_ne!(other.public.fingerprint, generated.public.fingerprint);
}

#[tokio::test]
async fn the_output_never_contains_the_private_key() {
    // GIVEN a generated key and its private parts
    let vault = MemoryKeyVault::default();
    let generated = generate(&vault, CN).await.unwrap();
    let der = unwrap(&vault, &generated.ciphertext).await;
    let key = PrivateKey::from_pkcs8_der(der.expose()).unwrap();
    let secrets: Vec<Vec<u8>> = std::iter::once(key.d().to_be_bytes().to_vec())
        .chain(key.primes().iter().map(|p| p.to_be_bytes().to_vec()))
        .collect();
    // WHEN the public part is printed (show, and generate after the ciphertext)
    let shown = render_public(&show(&vault, &generated.ciphertext, CN).await.unwrap());
    let printed = render_generated(&generated);
    let public_part = printed.split_once(&generated.ciphertext).unwrap().1;
    for text in [shown.as_str(), public_part] {
        // THEN no private key block, no PKCS#8 DER in any encoding
        assert!(!text.contains("PRIVATE"), "{text}");
        assert!(!text.contains(&STANDARD.encode(der.expose())));
        assert!(!text.contains(&hex::encode(der.expose())));
        // AND neither DER block it holds carries the exponent or a prime
        for label in ["PUBLIC KEY", "CERTIFICATE REQUEST"] {
            let block = pem_der(text, label);
            for secret in &secrets {
                assert!(
                    !block.windows(secret.len()).any(|w| w == secret.as_slice()),
                    "{label} carries a private part"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_csr_is_a_pkcs10_request_signed_by_the_key_for_its_cn() {
    // GIVEN a generated key's CSR
    let vault = MemoryKeyVault::default();
    let generated = generate(&vault, CN).await.unwrap();
    let csr = pem_der(&generated.public.csr_pem, "CERTIFICATE REQUEST");
    // WHEN read as RFC 2986 says
    let (tag, whole, request, rest) = element(&csr);
    assert_eq!((tag, whole.len(), rest.len()), (0x30, csr.len(), 0));
    let (info_tag, info, info_content, after_info) = element(request);
    let (_, algorithm, _, after_algorithm) = element(after_info);
    let (bits_tag, _, bits, end) = element(after_algorithm);
    assert_eq!((info_tag, bits_tag, end.len()), (0x30, 0x03, 0));
    // THEN version 0, subject CN, the public key, no attributes
    let (_, version, _, after_version) = element(info_content);
    assert_eq!(version, [0x02, 0x01, 0x00]);
    let (_, subject, _, after_subject) = element(after_version);
    let mut expected_subject = vec![
        0x30, 0x2d, 0x31, 0x2b, 0x30, 0x29, 0x06, 0x03, 0x55, 0x04, 0x03,
    ];
    expected_subject.extend([0x0c, 0x22]);
    expected_subject.extend(CN.as_bytes());
    assert_eq!(subject, expected_subject);
    let (_, spki, _, attributes) = element(after_subject);
    assert_eq!(spki, pem_der(&generated.public.pem, "PUBLIC KEY"));
    assert_eq!(attributes, [0xa0, 0x00]);
    // AND signed sha256WithRSAEncryption by the key the public key names
    assert_eq!(
        algorithm,
        [
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05,
            0x00
        ]
    );
    let public = PublicKey::from_public_key_der(spki).unwrap();
    let signature = Signature::try_from(&bits[1..]).unwrap();
    assert_eq!(bits[0], 0, "no unused bits");
    VerifyingKey::<Sha256>::new(public)
        .verify(info, &signature)
        .unwrap();
}

#[tokio::test]
async fn python_cryptography_reads_the_csr_as_ours() {
    // GIVEN a generated key's CSR and public key
    let vault = MemoryKeyVault::default();
    let generated = generate(&vault, CN).await.unwrap();
    // WHEN an independent implementation (Python's cryptography) loads the CSR
    let script = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
csr_pem, key_pem = sys.stdin.read().split("@@")
csr = x509.load_pem_x509_csr(csr_pem.encode())
key = serialization.load_pem_public_key(key_pem.encode())
spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
print(csr.is_signature_valid, csr.signature_hash_algorithm.name,
      csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value,
      csr.public_key().public_bytes(*spki) == key.public_bytes(*spki), sep="|")
"#;
    let input = format!("{}@@{}", generated.public.csr_pem, generated.public.pem);
    let out = tmp_testkit::python::run_python(&["-c", script], input.as_bytes()).unwrap();
    // THEN its signature is valid, SHA-256, for our CN and our public key
    assert_eq!(
        String::from_utf8(out).unwrap().trim(),
        format!("True|sha256|{CN}|True")
    );
}

#[tokio::test]
async fn what_is_not_a_usable_signing_key_is_refused() {
    let vault = MemoryKeyVault::default();
    // GIVEN a 1024-bit key, bytes that are no key, and text that is no base64
    let small = PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
    let small = encrypt_private_key(&vault, &small).await.unwrap();
    let junk = STANDARD.encode(
        vault
            .encrypt(b"not a key", &encryption_context())
            .await
            .unwrap(),
    );
    // WHEN shown THEN each is refused, and the refusal names no key material
    for (ciphertext, expected) in [
        (small.as_str(), "NotASigningKey"),
        (junk.as_str(), "NotASigningKey"),
        ("%%%", "NotBase64"),
    ] {
        let error = show(&vault, ciphertext, CN).await.unwrap_err();
        assert!(format!("{error:?}").contains(expected), "{error:?}");
    }
    // AND with the key service down, generate fails rather than print a key
    vault.fail(true);
    let error = generate(&vault, CN).await.unwrap_err();
    assert!(matches!(error, MdesOAuthKeyError::Secret(_)), "{error:?}");
}

#[tokio::test]
async fn the_common_name_is_checked_before_any_key_is_made() {
    let vault = MemoryKeyVault::default();
    for bad in [
        "",
        " leading",
        "trailing ",
        "tab\there",
        "é-bank",
        &"x".repeat(65),
    ] {
        let error = generate(&vault, bad).await.unwrap_err();
        assert!(matches!(error, MdesOAuthKeyError::CommonName), "{bad:?}");
    }
    assert!(generate(&vault, &"x".repeat(64)).await.is_ok());
}
