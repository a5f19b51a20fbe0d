//! The key set tokens are verified against: Cognito's
//! `/.well-known/jwks.json` on AWS, our local issuer's JWKS locally.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1v15::VerifyingKey;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PublicKey};
use serde::Deserialize;
use sha2::Sha256;

use super::{ALG, MIN_KEY_BITS};

/// Why a JWKS could not be loaded (cold start: the function does not start).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwksError {
    #[error("the JWKS is not a JSON object with a keys array")]
    NotAJwks,
    #[error("the JWKS has no key")]
    Empty,
    #[error("key {index} is not an RSA signing key for RS256")]
    NotRs256 { index: usize },
    #[error("key {index} has an invalid modulus or exponent")]
    InvalidKey { index: usize },
    #[error("kid {kid} appears twice")]
    DuplicateKid { kid: String },
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: String,
    n: String,
    e: String,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
}

/// RSA verification keys by `kid`.
#[derive(Debug, Clone)]
pub struct Jwks {
    keys: BTreeMap<String, (VerifyingKey<Sha256>, usize)>,
}

impl Jwks {
    /// Every key must be an RSA key of at least 2048 bits whose `alg` (when
    /// given) is RS256 and `use` (when given) is `sig`: a set we cannot
    /// read entirely is a configuration error, not a key to skip.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, JwksError> {
        let set = JwkSet::deserialize(value).map_err(|_| JwksError::NotAJwks)?;
        if set.keys.is_empty() {
            return Err(JwksError::Empty);
        }
        let mut keys = BTreeMap::new();
        for (index, jwk) in set.keys.into_iter().enumerate() {
            let rs256 = jwk.kty == "RSA"
                && !jwk.kid.is_empty()
                && jwk.alg.as_deref().is_none_or(|a| a == ALG)
                && jwk.usage.as_deref().is_none_or(|u| u == "sig");
            if !rs256 {
                return Err(JwksError::NotRs256 { index });
            }
            let number = |b64: &str| {
                URL_SAFE_NO_PAD
                    .decode(b64)
                    .ok()
                    .filter(|b| !b.is_empty())
                    .map(|b| BoxedUint::from_be_slice_vartime(&b))
            };
            let key = number(&jwk.n)
                .zip(number(&jwk.e))
                .and_then(|(n, e)| {
                    PublicKey::new_with_size_limits(n, e, MIN_KEY_BITS..=PublicKey::MAX_SIZE).ok()
                })
                .ok_or(JwksError::InvalidKey { index })?;
            let size = key.size();
            if keys.contains_key(&jwk.kid) {
                return Err(JwksError::DuplicateKid { kid: jwk.kid });
            }
            keys.insert(jwk.kid, (VerifyingKey::<Sha256>::new(key), size));
        }
        Ok(Self { keys })
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, JwksError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|_| JwksError::NotAJwks)?;
        Self::from_json(&value)
    }

    /// The key `kid` names, with its modulus size in bytes.
    pub(super) fn key(&self, kid: &str) -> Option<&(VerifyingKey<Sha256>, usize)> {
        self.keys.get(kid)
    }

    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }
}

/// The public JWKS of one signing key, as Cognito publishes its own
/// (`{"keys": [{"kty", "kid", "n", "e", "alg": "RS256", "use": "sig"}]}`).
pub fn jwks(key: &PublicKey, kid: &str) -> serde_json::Value {
    serde_json::json!({
        "keys": [{
            "kty": "RSA",
            "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(key.n_bytes()),
            "e": URL_SAFE_NO_PAD.encode(key.e_bytes()),
            "alg": ALG,
            "use": "sig",
        }]
    })
}
