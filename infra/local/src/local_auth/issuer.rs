//! The local issuer's signing key and what it signs: Cognito-shaped access
//! tokens for its one client.

use std::sync::Arc;

use rsa::PrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tmp_api::auth::{self, AccessTokenClaims, Scope, SignError};

use super::TOKEN_LIFETIME;
use crate::issuer_simulator::ClientCredentials;

/// RSA modulus of the key generated at each start (Cognito's size).
const KEY_BITS: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum LocalAuthError {
    #[error("generating the local token issuer's RSA key failed")]
    KeyGeneration,
}

struct Inner {
    issuer: String,
    kid: String,
    key: PrivateKey,
    jwks: serde_json::Value,
    credentials: ClientCredentials,
}

/// One signing key, its `kid` and JWKS, the `iss` it signs for and the
/// client it issues to. Cheap to clone.
#[derive(Clone)]
pub struct TokenIssuer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("issuer", &self.inner.issuer)
            .field("kid", &self.inner.kid)
            .field("client_id", &self.inner.credentials.client_id)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// An issuer signing with `key`; its kid is `local-` and 16 hex digits
    /// of the SHA-256 of the key's modulus.
    pub fn new(issuer: impl Into<String>, key: PrivateKey, credentials: ClientCredentials) -> Self {
        let public = key.to_public_key();
        let digest = Sha256::digest(public.n_bytes());
        let kid = format!("local-{}", hex::encode(digest.get(..8).unwrap_or_default()));
        let jwks = auth::jwks(&public, &kid);
        Self {
            inner: Arc::new(Inner {
                issuer: issuer.into(),
                kid,
                key,
                jwks,
                credentials,
            }),
        }
    }

    /// An issuer with a fresh RSA-2048 key (generated off the async threads).
    pub async fn generate(
        issuer: impl Into<String>,
        credentials: ClientCredentials,
    ) -> Result<Self, LocalAuthError> {
        let key = tokio::task::spawn_blocking(|| PrivateKey::new(&mut getrandom::SysRng, KEY_BITS))
            .await
            .map_err(|_| LocalAuthError::KeyGeneration)?
            .map_err(|_| LocalAuthError::KeyGeneration)?;
        Ok(Self::new(issuer, key, credentials))
    }

    /// The tokens' `iss`.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    pub fn kid(&self) -> &str {
        &self.inner.kid
    }

    /// `{"keys": [the public key]}`, as Cognito publishes its JWKS.
    pub fn jwks(&self) -> &serde_json::Value {
        &self.inner.jwks
    }

    pub fn credentials(&self) -> &ClientCredentials {
        &self.inner.credentials
    }

    /// A signed access token of a user pool user (`sub`, `username`,
    /// `cognito:groups`) for the issuer's client, as the hosted UI's code
    /// flow issues it, valid for `lifetime`.
    pub fn issue_user(
        &self,
        user: (&str, &str),
        groups: &[&str],
        now: OffsetDateTime,
        lifetime: time::Duration,
    ) -> Result<String, SignError> {
        let claims = AccessTokenClaims::user(
            &self.inner.issuer,
            &self.inner.credentials.client_id,
            user,
            groups,
            now,
            lifetime,
        )?;
        auth::issue(&self.inner.key, &self.inner.kid, &claims)
    }

    /// A signed access token for the issuer's client granting `scopes`,
    /// issued `now`, valid for [`TOKEN_LIFETIME`].
    pub fn issue(&self, scopes: &[Scope], now: OffsetDateTime) -> Result<String, SignError> {
        let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        let claims = AccessTokenClaims::client_credentials(
            &self.inner.issuer,
            &self.inner.credentials.client_id,
            &names,
            now,
            TOKEN_LIFETIME,
        )?;
        auth::issue(&self.inner.key, &self.inner.kid, &claims)
    }
}
