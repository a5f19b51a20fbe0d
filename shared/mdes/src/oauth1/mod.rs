//! OAuth 1.0a request signing for the MDES Customer Service API 2.0.7 (and
//! every Mastercard API): RSA-SHA256 with the `oauth_body_hash` extension,
//! byte for byte as Mastercard's oauth1-signer libraries produce it
//! (`mastercard-oauth1-signer` 1.9.2 is the reference our tests run).
//!
//! [`sign`] builds the `Authorization` header value; [`verify`] checks one,
//! for the local TSP simulator. Verification failures are one opaque
//! [`OAuthError::Refused`]; its [`Refusal`] is for logs only.

mod base_string;
mod header;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub use base_string::{percent_decode, percent_encode};

/// The only signature method we send or accept.
pub const SIGNATURE_METHOD: &str = "RSA-SHA256";
/// The only protocol version we send or accept.
pub const VERSION: &str = "1.0";
/// Length of the nonces [`OAuthSigner`] draws (as the libraries do).
pub const NONCE_LEN: usize = 16;

/// Why signing failed, or that a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("the request URL is not an absolute URL")]
    InvalidUrl,
    #[error("the request could not be signed")]
    Signing,
    #[error("no randomness for the nonce")]
    Randomness,
    /// The one answer a caller gets for any bad request; the reason is for logs.
    #[error("request authentication failed")]
    Refused(Refusal),
}

/// Why [`verify`] refused a request (log it, never answer it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    InvalidUrl,
    MalformedHeader,
    DuplicateParameter,
    UnexpectedParameter,
    MissingParameter(&'static str),
    UnsupportedSignatureMethod,
    UnsupportedVersion,
    InvalidTimestamp,
    TimestampOutsideWindow,
    BodyHashMismatch,
    MalformedSignature,
    BadSignature,
}

/// What a verified `Authorization` header established. The caller may keep
/// `(consumer_key, nonce, timestamp)` to refuse replays inside the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequest {
    pub consumer_key: String,
    pub nonce: String,
    pub timestamp: u64,
}

/// `base64(SHA-256(body))`: the empty body hashes the empty string.
pub fn body_hash(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

/// The `Authorization` header value for one request, with the given nonce
/// and timestamp (seconds since the epoch).
pub fn sign(
    method: &str,
    url: &str,
    body: &[u8],
    consumer_key: &str,
    key: &PrivateKey,
    nonce: &str,
    timestamp: u64,
) -> Result<String, OAuthError> {
    sign_with(
        &SigningKey::<Sha256>::new(key.clone()),
        method,
        url,
        body,
        consumer_key,
        nonce,
        timestamp,
    )
}

fn sign_with(
    key: &SigningKey<Sha256>,
    method: &str,
    url: &str,
    body: &[u8],
    consumer_key: &str,
    nonce: &str,
    timestamp: u64,
) -> Result<String, OAuthError> {
    let split = base_string::split_url(url).map_err(|_| OAuthError::InvalidUrl)?;
    let timestamp = timestamp.to_string();
    let hash = body_hash(body);
    // The libraries' order, which is also the header's.
    let params = [
        ("oauth_consumer_key", consumer_key),
        ("oauth_nonce", nonce),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_signature_method", SIGNATURE_METHOD),
        ("oauth_version", VERSION),
        ("oauth_body_hash", hash.as_str()),
    ];
    let base = base_string::base_string(method, &split, &params);
    let signature = key
        .try_sign(base.as_bytes())
        .map_err(|_| OAuthError::Signing)?;
    Ok(header::render(
        &params,
        &percent_encode(&STANDARD.encode(signature.to_bytes())),
    ))
}

/// A consumer key and its RSA signing key; draws a fresh nonce and reads the
/// clock for every request. Never prints the key.
pub struct OAuthSigner {
    consumer_key: String,
    key: SigningKey<Sha256>,
}

impl std::fmt::Debug for OAuthSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSigner")
            .field("consumer_key", &self.consumer_key)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl OAuthSigner {
    pub fn new(consumer_key: impl Into<String>, key: PrivateKey) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            key: SigningKey::new(key),
        }
    }

    /// The signer of a PKCS#8 DER private key (as unwrapped from KMS at a
    /// cold start); keys under 2048 bits are refused.
    pub fn from_pkcs8_der(
        consumer_key: impl Into<String>,
        der: &tmp_core::secret::Secret<Vec<u8>>,
    ) -> Result<Self, OAuthError> {
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::traits::PublicKeyParts as _;
        let key = PrivateKey::from_pkcs8_der(der.expose()).map_err(|_| OAuthError::Signing)?;
        if key.size() * 8 < 2048 {
            return Err(OAuthError::Signing);
        }
        Ok(Self::new(consumer_key, key))
    }

    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The `Authorization` header value, with a random nonce and the current time.
    pub fn authorization(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
    ) -> Result<String, OAuthError> {
        let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp())
            .map_err(|_| OAuthError::Signing)?;
        sign_with(
            &self.key,
            method,
            url,
            body,
            &self.consumer_key,
            &nonce()?,
            now,
        )
    }
}

/// 16 characters drawn uniformly from `[0-9a-zA-Z]` (rejection sampling).
pub fn nonce() -> Result<String, OAuthError> {
    const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = String::with_capacity(NONCE_LEN);
    while out.len() < NONCE_LEN {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| OAuthError::Randomness)?;
        for b in bytes {
            // 248 = 4 * 62: below it every character is equally likely.
            if b < 248
                && out.len() < NONCE_LEN
                && let Some(&c) = ALPHABET.get(usize::from(b % 62))
            {
                out.push(char::from(c));
            }
        }
    }
    Ok(out)
}

/// Checks an `Authorization` header against the request it came with: only
/// RSA-SHA256 and version 1.0, a timestamp within `max_skew` of `now`, the
/// body's hash, then the signature over the base string.
pub fn verify(
    method: &str,
    url: &str,
    body: &[u8],
    header: &str,
    key: &PublicKey,
    now: OffsetDateTime,
    max_skew: std::time::Duration,
) -> Result<VerifiedRequest, OAuthError> {
    check(method, url, body, header, key, now, max_skew).map_err(OAuthError::Refused)
}

fn check(
    method: &str,
    url: &str,
    body: &[u8],
    header: &str,
    key: &PublicKey,
    now: OffsetDateTime,
    max_skew: std::time::Duration,
) -> Result<VerifiedRequest, Refusal> {
    let split = base_string::split_url(url)?;
    let params = header::parse(header)?;
    let get = |name: &'static str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or(Refusal::MissingParameter(name))
    };
    if get("oauth_signature_method")? != SIGNATURE_METHOD {
        return Err(Refusal::UnsupportedSignatureMethod);
    }
    if get("oauth_version")? != VERSION {
        return Err(Refusal::UnsupportedVersion);
    }
    let consumer_key = get("oauth_consumer_key")?;
    let nonce = get("oauth_nonce")?;
    let timestamp_text = get("oauth_timestamp")?;
    if timestamp_text.is_empty() || !timestamp_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::InvalidTimestamp);
    }
    let timestamp: u64 = timestamp_text
        .parse()
        .map_err(|_| Refusal::InvalidTimestamp)?;
    let skew = i128::from(now.unix_timestamp()) - i128::from(timestamp);
    if skew.unsigned_abs() > u128::from(max_skew.as_secs()) {
        return Err(Refusal::TimestampOutsideWindow);
    }
    if get("oauth_body_hash")? != body_hash(body) {
        return Err(Refusal::BodyHashMismatch);
    }
    let signature = STANDARD
        .decode(get("oauth_signature")?)
        .map_err(|_| Refusal::MalformedSignature)?;
    let signature =
        Signature::try_from(signature.as_slice()).map_err(|_| Refusal::MalformedSignature)?;
    let signed: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "oauth_signature" && k != "realm")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let base = base_string::base_string(method, &split, &signed);
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(base.as_bytes(), &signature)
        .map_err(|_| Refusal::BadSignature)?;
    Ok(VerifiedRequest {
        consumer_key: consumer_key.to_owned(),
        nonce: nonce.to_owned(),
        timestamp,
    })
}

#[cfg(test)]
mod tests;
