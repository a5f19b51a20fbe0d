//! The samples' access tokens: the TEST-ONLY issuer's JWKS and signing key,
//! reading a compact JWS, and re-issuing a sample token at the wall clock.

use std::sync::{Arc, OnceLock};

use lambda_http::http::HeaderValue;
use lambda_http::http::header::AUTHORIZATION;
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey as _;
use serde_json::Value;
use time::OffsetDateTime;
use tmp_api::auth::{AccessTokenClaims, AccessTokenVerifier, Jwks};
use tmp_testkit::world::base64_decode;

use super::{CLIENT, ISSUER, read};

/// The TEST-ONLY issuer's JWKS, as `TMP_API_TOKEN_ISSUER` would serve it.
pub fn jwks() -> Jwks {
    Jwks::from_slice(read("events/test-keys/tmp-api-test-jwks.json").as_bytes()).unwrap()
}

/// The verifier every handler is built with: production settings.
pub fn verifier() -> Arc<AccessTokenVerifier> {
    Arc::new(AccessTokenVerifier::new(ISSUER, jwks(), [CLIENT]))
}

/// The TEST-ONLY signing key (PKCS#8 PEM), read once.
fn signing_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = read("events/test-keys/tmp-api-test-private-key.pem");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        PrivateKey::from_pkcs8_der(&base64_decode(&body)).unwrap()
    })
}

/// One part of a compact JWS, decoded.
fn jws_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    let standard: String = part
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    serde_json::from_slice(&base64_decode(&standard)).unwrap()
}

/// The claims of a compact JWS (unverified: for re-issuing and assertions).
pub fn claims_of(token: &str) -> AccessTokenClaims {
    serde_json::from_value(jws_part(token, 1)).unwrap()
}

/// The bearer token of a request, if any.
pub fn bearer(request: &lambda_http::Request) -> Option<String> {
    request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// A sample token: valid under the JWKS at its own `iat`, issued after now.
pub fn is_sample_token(token: &str, now: OffsetDateTime) -> bool {
    let claims = claims_of(token);
    let at = OffsetDateTime::from_unix_timestamp(claims.iat).unwrap();
    at > now && verifier().verify(token, at).is_ok()
}

/// `token`'s claims issued `now` for the same lifetime, by the test key.
pub fn reissued(token: &str, now: OffsetDateTime) -> String {
    let claims = claims_of(token);
    let kid = jws_part(token, 0)["kid"].as_str().unwrap().to_owned();
    let iat = now.unix_timestamp();
    let claims = AccessTokenClaims {
        auth_time: iat,
        iat,
        exp: iat + (claims.exp - claims.iat),
        ..claims
    };
    tmp_api::auth::issue(signing_key(), &kid, &claims).unwrap()
}

/// `request` with its sample token (if any) re-issued now.
pub fn with_fresh_token(mut request: lambda_http::Request) -> lambda_http::Request {
    let now = OffsetDateTime::now_utc();
    if let Some(token) = bearer(&request).filter(|t| is_sample_token(t, now)) {
        let value = format!("Bearer {}", reissued(&token, now));
        request
            .headers_mut()
            .insert(AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
    }
    request
}
