#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::OnceLock;
use std::time::Duration;

use super::*;

const CONSUMER_KEY: &str = "abcdEFGH1234!0123456789abcdef";
const URL: &str = "https://api.mastercard.com/mdes/csapi/v2/token/suspend";
const BODY: &[u8] = br#"{"TokenSuspendRequest":{"TokenUniqueReference":"DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45"}}"#;
const TS: u64 = 1_767_225_600;

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap())
}

fn at(ts: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(i64::try_from(ts).unwrap()).unwrap()
}

fn signed() -> String {
    sign(
        "POST",
        URL,
        BODY,
        CONSUMER_KEY,
        key(),
        "n0nceN0nceN0nce1",
        TS,
    )
    .unwrap()
}

fn check(
    method: &str,
    url: &str,
    body: &[u8],
    header: &str,
    now: u64,
) -> Result<VerifiedRequest, OAuthError> {
    verify(
        method,
        url,
        body,
        header,
        &key().to_public_key(),
        at(now),
        Duration::from_secs(300),
    )
}

fn refusal(result: Result<VerifiedRequest, OAuthError>) -> Refusal {
    match result {
        Err(OAuthError::Refused(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_header_has_the_libraries_shape_and_order() {
    // GIVEN a signed POST
    let header = signed();
    // THEN it names every parameter in Mastercard's order, no spaces
    let names: Vec<&str> = header
        .strip_prefix("OAuth ")
        .unwrap()
        .split(',')
        .map(|p| p.split_once('=').unwrap().0)
        .collect();
    assert_eq!(
        names,
        [
            "oauth_consumer_key",
            "oauth_nonce",
            "oauth_timestamp",
            "oauth_signature_method",
            "oauth_version",
            "oauth_body_hash",
            "oauth_signature"
        ]
    );
    assert!(header.contains(&format!("oauth_body_hash=\"{}\"", body_hash(BODY))));
    assert!(header.contains("oauth_timestamp=\"1767225600\""));
}

#[test]
fn the_empty_body_hashes_the_empty_string() {
    assert_eq!(
        body_hash(b""),
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
}

#[test]
fn what_we_sign_we_verify() {
    // GIVEN a signed request WHEN verified with the right key, in the window
    let verified = check("POST", URL, BODY, &signed(), TS + 299).unwrap();
    // THEN the consumer key, nonce and timestamp come back
    assert_eq!(
        verified,
        VerifiedRequest {
            consumer_key: CONSUMER_KEY.into(),
            nonce: "n0nceN0nceN0nce1".into(),
            timestamp: TS
        }
    );
    // AND the method's case and the host's case do not matter, as in the base string
    check(
        "post",
        "https://API.mastercard.com:443/mdes/csapi/v2/token/suspend",
        BODY,
        &signed(),
        TS,
    )
    .unwrap();
}

#[test]
fn every_change_is_refused_with_its_reason() {
    let good = signed();
    let other_key = {
        let k = PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        sign("POST", URL, BODY, CONSUMER_KEY, &k, "n0nceN0nceN0nce1", TS).unwrap()
    };
    let tampered = {
        let (head, sig) = good.rsplit_once("oauth_signature=\"").unwrap();
        let mut sig = sig.to_owned();
        let first = if sig.starts_with('A') { "B" } else { "A" };
        sig.replace_range(0..1, first);
        format!("{head}oauth_signature=\"{sig}")
    };
    let replace = |from: &str, to: &str| good.replace(from, to);
    // GIVEN one change per way a request can be wrong
    let cases: Vec<(&str, Result<VerifiedRequest, OAuthError>, Refusal)> = vec![
        (
            "body",
            check("POST", URL, b"{}", &good, TS),
            Refusal::BodyHashMismatch,
        ),
        (
            "url",
            check("POST", &format!("{URL}x"), BODY, &good, TS),
            Refusal::BadSignature,
        ),
        (
            "query",
            check("POST", &format!("{URL}?a=1"), BODY, &good, TS),
            Refusal::BadSignature,
        ),
        (
            "method",
            check("PUT", URL, BODY, &good, TS),
            Refusal::BadSignature,
        ),
        (
            "consumer key",
            check(
                "POST",
                URL,
                BODY,
                &replace(CONSUMER_KEY, "someone-else"),
                TS,
            ),
            Refusal::BadSignature,
        ),
        (
            "too late",
            check("POST", URL, BODY, &good, TS + 301),
            Refusal::TimestampOutsideWindow,
        ),
        (
            "too early",
            check("POST", URL, BODY, &good, TS - 301),
            Refusal::TimestampOutsideWindow,
        ),
        (
            "timestamp",
            check("POST", URL, BODY, &replace("1767225600", "1767225601"), TS),
            Refusal::BadSignature,
        ),
        (
            "signature",
            check("POST", URL, BODY, &tampered, TS),
            Refusal::BadSignature,
        ),
        (
            "other key",
            check("POST", URL, BODY, &other_key, TS),
            Refusal::BadSignature,
        ),
        (
            "method name",
            check("POST", URL, BODY, &replace("RSA-SHA256", "HMAC-SHA1"), TS),
            Refusal::UnsupportedSignatureMethod,
        ),
        (
            "version",
            check("POST", URL, BODY, &replace("\"1.0\"", "\"2.0\""), TS),
            Refusal::UnsupportedVersion,
        ),
        (
            "duplicate",
            check("POST", URL, BODY, &format!("{good},oauth_nonce=\"x\""), TS),
            Refusal::DuplicateParameter,
        ),
        (
            "stranger",
            check("POST", URL, BODY, &format!("{good},x=\"1\""), TS),
            Refusal::UnexpectedParameter,
        ),
        (
            "no body hash",
            check(
                "POST",
                URL,
                BODY,
                &good.replace("oauth_body_hash", "oauth_bodyhash"),
                TS,
            ),
            Refusal::MissingParameter("oauth_body_hash"),
        ),
        (
            "scheme",
            check("POST", URL, BODY, &replace("OAuth ", "Bearer "), TS),
            Refusal::MalformedHeader,
        ),
        (
            "unquoted",
            check(
                "POST",
                URL,
                BODY,
                &replace("oauth_version=\"1.0\"", "oauth_version=1.0"),
                TS,
            ),
            Refusal::MalformedHeader,
        ),
        (
            "timestamp text",
            check("POST", URL, BODY, &replace("1767225600", "-1"), TS),
            Refusal::InvalidTimestamp,
        ),
        (
            "relative url",
            check("POST", "/token/suspend", BODY, &good, TS),
            Refusal::InvalidUrl,
        ),
    ];
    for (name, result, reason) in cases {
        // THEN each is refused, for the reason we log
        assert_eq!(refusal(result), reason, "{name}");
    }
    // AND the caller only ever reads one message
    assert_eq!(
        OAuthError::Refused(Refusal::BadSignature).to_string(),
        OAuthError::Refused(Refusal::BodyHashMismatch).to_string()
    );
}

#[test]
fn the_signer_draws_a_fresh_nonce_and_never_prints_its_key() {
    // GIVEN a signer
    let signer = OAuthSigner::new(CONSUMER_KEY, key().clone());
    // WHEN it signs twice
    let a = signer.authorization("GET", URL, b"").unwrap();
    let b = signer.authorization("GET", URL, b"").unwrap();
    // THEN the nonces differ and each verifies now
    assert_ne!(a, b);
    let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let verified = check("GET", URL, b"", &a, now).unwrap();
    assert_eq!(verified.nonce.len(), NONCE_LEN);
    assert!(verified.nonce.bytes().all(|c| c.is_ascii_alphanumeric()));
    // AND Debug shows the consumer key, not the key
    let debug = format!("{signer:?}");
    assert!(
        debug.contains("<redacted>") && !debug.contains("PrivateKey"),
        "{debug}"
    );
}

#[test]
fn an_unsignable_url_is_an_error_not_a_panic() {
    assert_eq!(
        sign("GET", "no-scheme", b"", CONSUMER_KEY, key(), "n", TS),
        Err(OAuthError::InvalidUrl)
    );
}
