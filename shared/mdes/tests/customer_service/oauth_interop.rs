//! Our OAuth 1.0a signer against Mastercard's own (mastercard-oauth1-signer,
//! through `infra/scripts/mc-oauth1.py`).

use std::time::Duration;

use time::OffsetDateTime;
use tmp_mdes::oauth1::{self, OAuthError};

use crate::support::*;

/// A consumer key shaped like Mastercard's (with `!`).
const CONSUMER_KEY: &str =
    "UTrQ-XHb_nOx1Sm4Cp9t6ZR0!ba2a6fa6c5a44f1a9d3e0c2e1c9b4a8f0000000000000000";
const NONCE: &str = "aB3dE5fG7hJ9kL1m";
const TS: u64 = 1_767_225_600;
const BASE: &str = "https://sandbox.api.mastercard.com/mdes/csapi/v2";

fn script(args: &[&str]) -> Result<String, String> {
    let path = workspace_root().join("infra/scripts/mc-oauth1.py");
    let mut all = vec![path.to_str().unwrap()];
    all.extend_from_slice(args);
    run_python(&all, b"").map(|out| String::from_utf8(out).unwrap())
}

fn theirs(method: &str, url: &str, body: &[u8], consumer_key: &str) -> String {
    let body = Scratch::new("body", body);
    let key = private_pem();
    let ts = TS.to_string();
    script(&[
        "sign",
        "--method",
        method,
        "--url",
        url,
        "--body-file",
        body.path(),
        "--consumer-key",
        consumer_key,
        "--private-key",
        key.path(),
        "--nonce",
        NONCE,
        "--timestamp",
        &ts,
    ])
    .unwrap()
}

fn they_verify(method: &str, url: &str, body: &[u8], header: &str) -> Result<String, String> {
    let body = Scratch::new("body", body);
    let key = public_pem();
    script(&[
        "verify",
        "--method",
        method,
        "--url",
        url,
        "--body-file",
        body.path(),
        "--consumer-key",
        CONSUMER_KEY,
        "--public-key",
        key.path(),
        "--header",
        header,
    ])
}

fn ours(method: &str, url: &str, body: &[u8]) -> String {
    oauth1::sign(method, url, body, CONSUMER_KEY, key(), NONCE, TS).unwrap()
}

fn at(ts: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(i64::try_from(ts).unwrap()).unwrap()
}

fn we_verify(
    method: &str,
    url: &str,
    body: &[u8],
    header: &str,
    now: u64,
) -> Result<oauth1::VerifiedRequest, OAuthError> {
    oauth1::verify(
        method,
        url,
        body,
        header,
        &key().to_public_key(),
        at(now),
        Duration::from_secs(300),
    )
}

/// The requests both signers must agree on.
fn requests() -> Vec<(&'static str, String, Vec<u8>)> {
    let json = br#"{"TokenSuspendRequest":{"TokenUniqueReference":"DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c","ReasonCode":"T","CommentText":"caf\u00e9 +1 ~*","AuditInfo":{"UserId":"A1435477","UserName":"John Smith","Organization":"Any Bank"}}}"#;
    vec![
        // GET with encoded query: space, '+', '~', '*', unicode, a repeated key, an empty value
        (
            "GET",
            format!(
                "{BASE}/systemstatus?q=a%20b&plus=1%2B2&tilde=~x&star=%2A&u=%C3%A9t%C3%A9&k=2&k=1&empty="
            ),
            Vec::new(),
        ),
        // '+' as a form-encoded space, reserved characters and a key needing encoding
        (
            "GET",
            format!("{BASE}/search?name=John+Smith&a%2Fb=c%26d&x=%7E"),
            Vec::new(),
        ),
        // a query with no escapes at all (the libraries' other branch)
        ("GET", format!("{BASE}/search?b=2&a=1&z=~.-_"), Vec::new()),
        // upper-case host and default port
        (
            "GET",
            "https://SANDBOX.api.mastercard.com:443/mdes/csapi/v2/systemstatus".to_owned(),
            Vec::new(),
        ),
        ("POST", format!("{BASE}/token/suspend"), json.to_vec()),
        (
            "POST",
            format!("{BASE}/token/suspend"),
            "{\"CommentText\":\"é ü 🙂\"}".as_bytes().to_vec(),
        ),
        ("POST", format!("{BASE}/token/delete"), Vec::new()),
        ("DELETE", format!("{BASE}/x?y=1"), Vec::new()),
    ]
}

#[test]
fn our_header_equals_mastercards_byte_for_byte() {
    for (method, url, body) in requests() {
        // GIVEN a request, a fixed nonce and timestamp
        // WHEN both sign it
        let (ours, theirs) = (
            ours(method, &url, &body),
            theirs(method, &url, &body, CONSUMER_KEY),
        );
        // THEN the headers are identical
        assert_eq!(ours, theirs, "{method} {url}");
    }
}

#[test]
fn mastercards_header_verifies_with_ours_and_ours_with_theirs() {
    for (method, url, body) in requests() {
        // GIVEN the library's header WHEN we verify it THEN it is accepted
        let header = theirs(method, &url, &body, CONSUMER_KEY);
        let verified = we_verify(method, &url, &body, &header, TS + 10).unwrap();
        assert_eq!(verified.consumer_key, CONSUMER_KEY);
        assert_eq!(verified.nonce, NONCE);
        // AND the library's functions verify a header our signer drew itself
        let signer = oauth1::OAuthSigner::new(CONSUMER_KEY, key().clone());
        let fresh = signer.authorization(method, &url, &body).unwrap();
        they_verify(method, &url, &body, &fresh).unwrap();
    }
}

/// name, method, URL, body, header, now.
type Case<'a> = (&'a str, &'a str, String, &'a [u8], &'a str, u64);

#[test]
fn a_changed_request_is_refused_by_both() {
    let url = format!("{BASE}/token/suspend?x=1");
    let body = br#"{"a":1}"#;
    let header = theirs("POST", &url, body, CONSUMER_KEY);
    let other_consumer = theirs("POST", &url, body, "someone-else!abc");
    let tampered = {
        let (head, sig) = header.rsplit_once("oauth_signature=\"").unwrap();
        let flipped = if sig.starts_with('A') { "B" } else { "A" };
        format!("{head}oauth_signature=\"{flipped}{}", &sig[1..])
    };
    // GIVEN the library's header for one request, and requests that differ from it
    let cases: Vec<Case> = vec![
        ("body", "POST", url.clone(), b"{\"a\":2}", &header, TS),
        (
            "url",
            "POST",
            format!("{BASE}/token/delete?x=1"),
            body,
            &header,
            TS,
        ),
        (
            "query",
            "POST",
            format!("{BASE}/token/suspend?x=2"),
            body,
            &header,
            TS,
        ),
        ("method", "PUT", url.clone(), body, &header, TS),
        ("timestamp", "POST", url.clone(), body, &header, TS + 301),
        ("signature", "POST", url.clone(), body, &tampered, TS),
    ];
    for (name, method, url, body, header, now) in cases {
        // WHEN we verify THEN it is refused, with one opaque error
        let result = we_verify(method, &url, body, header, now);
        assert!(
            matches!(result, Err(OAuthError::Refused(_))),
            "{name}: {result:?}"
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "request authentication failed"
        );
        // AND Mastercard's functions refuse it too (the skew is ours alone)
        if name != "timestamp" {
            assert!(they_verify(method, &url, body, header).is_err(), "{name}");
        }
    }
    // AND a header made for another consumer key verifies only as that key
    let verified = we_verify("POST", &url, body, &other_consumer, TS).unwrap();
    assert_eq!(verified.consumer_key, "someone-else!abc");
    assert!(they_verify("POST", &url, body, &other_consumer).is_err());
}
