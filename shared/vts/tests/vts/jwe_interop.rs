//! `encryptedData` against an independent JOSE implementation (jwcrypto),
//! and the one answer for every way it can fail.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tmp_core::domain::card::SealedCardData;
use tmp_vts::approve_provisioning::ApproveProvisioning;
use tmp_vts::card_data::VtsCardData;
use tmp_vts::jwe::JweError;
use tmp_vts::operation::VtsRequest;
use tmp_vts::{VtsError, http, translate};

use crate::support::*;

/// jwcrypto encrypts `plaintext` for `key_kid`'s public key, naming `kid`.
fn jwcrypto_encrypt(key_kid: &str, kid: &str, extra: &[&str], plaintext: &[u8]) -> String {
    let public = public_pem(key_kid);
    let mut args = vec!["encrypt", "--public-key", public.path(), "--kid", kid];
    args.extend_from_slice(extra);
    String::from_utf8(vts_jwe(&args, plaintext).unwrap()).unwrap()
}

fn replace_part(jwe: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    parts[index] = part.to_owned();
    parts.join(".")
}

#[test]
fn a_jwcrypto_payload_opens_with_whichever_active_key_it_names() {
    for kid in [KID_A, KID_B] {
        // GIVEN approveProvisioning content encrypted by jwcrypto for one of two active keys
        let content = provisioning_content();
        let jwe = jwcrypto_encrypt(kid, kid, &[], content.to_string().as_bytes());
        // WHEN our ring decrypts it
        let plain = ring().decrypt(&jwe).unwrap();
        // THEN the document is intact
        let back: Value = serde_json::from_slice(plain.expose()).unwrap();
        assert_eq!(back, content, "{kid}");
        // AND the core sees the card through SealedCardData
        let card = VtsCardData::for_provisioning(&jwe, &ring())
            .open(OffsetDateTime::now_utc())
            .unwrap();
        let card = card.card.unwrap();
        assert_eq!(card.pan.last4(), "1111");
        assert!(card.cvc.is_some());
    }
}

#[test]
fn jwcrypto_opens_what_our_encoder_seals() {
    // GIVEN tokenChanged content sealed by our own encoder (as sample events are)
    let content = token_changed_content();
    let jwe = sealed(KID_B, &content);
    // WHEN jwcrypto decrypts it, allowing only RSA-OAEP-256 + A256GCM and checking the kid
    let private = private_pem(KID_B);
    let plain = vts_jwe(
        &["decrypt", "--private-key", private.path(), "--kid", KID_B],
        jwe.as_bytes(),
    )
    .unwrap();
    // THEN it reads the same document
    assert_eq!(serde_json::from_slice::<Value>(&plain).unwrap(), content);
}

/// One bad `encryptedData` per failure class, each made the way an attacker
/// or a misconfigured sender would.
fn failures() -> Vec<(&'static str, String)> {
    let content = provisioning_content().to_string();
    let good = jwcrypto_encrypt(KID_A, KID_A, &[], content.as_bytes());
    let parts: Vec<&str> = good.split('.').collect();
    let mut tag = URL_SAFE_NO_PAD.decode(parts[4]).unwrap();
    tag[15] ^= 0x80;
    let mut bad_pan = provisioning_content();
    bad_pan["cardholderInfo"]["primaryAccountNumber"] = json!("4111111111111112");
    let mut no_expiry = provisioning_content();
    no_expiry["cardholderInfo"]
        .as_object_mut()
        .unwrap()
        .remove("expirationDate");
    let enc = |kid: &str, extra: &[&str], plain: &[u8]| jwcrypto_encrypt(KID_A, kid, extra, plain);
    vec![
        ("unknown kid", enc("vts-unknown", &[], content.as_bytes())),
        (
            "alg RSA1_5",
            enc(KID_A, &["--alg", "RSA1_5"], content.as_bytes()),
        ),
        (
            "alg RSA-OAEP (SHA-1)",
            enc(KID_A, &["--alg", "RSA-OAEP"], content.as_bytes()),
        ),
        ("alg dir", enc(KID_A, &["--alg", "dir"], content.as_bytes())),
        (
            "enc A128GCM",
            enc(KID_A, &["--enc", "A128GCM"], content.as_bytes()),
        ),
        (
            "enc A256CBC-HS512",
            enc(KID_A, &["--enc", "A256CBC-HS512"], content.as_bytes()),
        ),
        (
            "wrong key",
            jwcrypto_encrypt(STRANGER, KID_A, &[], content.as_bytes()),
        ),
        (
            "bad tag",
            replace_part(&good, 4, &URL_SAFE_NO_PAD.encode(&tag)),
        ),
        ("truncated: four parts", parts[..4].join(".")),
        (
            "truncated: ciphertext cut",
            replace_part(&good, 3, &parts[3][..parts[3].len() - 8]),
        ),
        ("truncated: empty tag", replace_part(&good, 4, "")),
        (
            "bad base64",
            replace_part(&good, 2, &format!("{}*", &parts[2][1..])),
        ),
        (
            "base64 padding",
            replace_part(&good, 1, &format!("{}=", parts[1])),
        ),
        (
            "non-JSON plaintext",
            enc(KID_A, &[], b"cardholderInfo=4111111111111111"),
        ),
        ("JSON, not the document", enc(KID_A, &[], b"[1,2,3]")),
        (
            "no cardholderInfo",
            enc(KID_A, &[], br#"{"riskInformation":{}}"#),
        ),
        (
            "Luhn-invalid PAN inside",
            enc(KID_A, &[], bad_pan.to_string().as_bytes()),
        ),
        (
            "no expiry inside",
            enc(KID_A, &[], no_expiry.to_string().as_bytes()),
        ),
    ]
}

#[test]
fn every_failure_class_gets_the_same_error_and_the_same_body() {
    let reference = http::error(&VtsError::cryptography());
    assert_eq!(reference.status().as_u16(), 400);
    let reference_body = reference.body().clone();
    assert_eq!(
        serde_json::from_slice::<Value>(&reference_body).unwrap(),
        json!({"errorCode": "ISE40010", "errorDescription": "encryptedData could not be decrypted"})
    );
    let keys = ring();
    for (name, jwe) in failures() {
        // GIVEN a bad encryptedData in an otherwise valid approveProvisioning request
        let body = approve_body(&jwe);
        let request = ApproveProvisioning::from_parts(&token_params(), body.clone());
        // WHEN it is refused at the JWE, by the core's SealedCardData, by the
        // translation, and through the whole operation
        if let Ok(plain) = keys.decrypt(&jwe) {
            // (only plaintext-level failures get past the JWE)
            assert!(
                name.contains("inside") || name.contains("JSON") || name.contains("cardholderInfo"),
                "{name}: decrypted {} bytes",
                plain.expose().len()
            );
        } else {
            assert_eq!(keys.decrypt(&jwe).unwrap_err(), JweError, "{name}");
        }
        let opened = VtsCardData::for_provisioning(&jwe, &keys)
            .open(OffsetDateTime::now_utc())
            .unwrap_err();
        // (the translation leaves the payload sealed: it fails when the use case opens it)
        let translated = match request {
            Ok(request) => match translate::approve_provisioning_command(&request, &keys) {
                Ok(command) => command
                    .card_data
                    .open(OffsetDateTime::now_utc())
                    .err()
                    .map(VtsError::from),
                Err(err) => Some(err),
            },
            Err(err) => Some(err),
        };
        let response = respond(
            &FakeApprove { keys: keys.clone() },
            &token_params(),
            body.to_string().as_bytes(),
        );
        // THEN every path gives the one ISE40010, byte for byte
        assert_eq!(VtsError::from(opened), VtsError::cryptography(), "{name}");
        assert_eq!(translated, Some(VtsError::cryptography()), "{name}");
        assert_eq!(response.status().as_u16(), 400, "{name}");
        assert_eq!(response.body(), &reference_body, "{name}");
    }
}

#[test]
fn the_same_request_with_a_good_payload_is_answered() {
    // GIVEN the request the failures were made from, with a good jwcrypto payload
    let jwe = jwcrypto_encrypt(
        KID_A,
        KID_A,
        &[],
        provisioning_content().to_string().as_bytes(),
    );
    // WHEN it goes through the operation
    let response = respond(
        &FakeApprove { keys: ring() },
        &token_params(),
        approve_body(&jwe).to_string().as_bytes(),
    );
    // THEN it is approved (so the failures above failed for their one flaw)
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        serde_json::from_slice::<Value>(response.body()).unwrap(),
        json!({"actionCode": "00", "cvv2ResultsCode": "M"})
    );
}
