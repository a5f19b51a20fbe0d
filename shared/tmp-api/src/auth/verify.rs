//! Verifying a bearer access token: format, RS256 signature under the key
//! its `kid` names, then Cognito's claims, then the operation's scope.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1v15::Signature;
use rsa::signature::Verifier;
use serde::Deserialize;
use serde::de::IgnoredAny;
use time::OffsetDateTime;

use super::{ALG, Jwks, Scope};
use crate::Problem;

/// Longest `Authorization` value we read (a Cognito access token is ~1 KB).
const MAX_TOKEN_LEN: usize = 8 * 1024;
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: i64 = 30;
/// Cognito's longest access-token validity (one day).
const MAX_LIFETIME_SECS: i64 = 24 * 3600;

/// Why a token was refused: log-safe (no token content), never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no Authorization header")]
    Missing,
    #[error("Authorization is not a Bearer credential")]
    NotBearer,
    #[error("token is not a compact JWS")]
    Malformed,
    #[error("header alg is not RS256")]
    Algorithm,
    #[error("header has crit")]
    CriticalHeader,
    #[error("kid names no key of the JWKS")]
    UnknownKey,
    #[error("signature does not verify")]
    Signature,
    #[error("claims are missing or of the wrong type")]
    Claims,
    #[error("iss is not the configured issuer")]
    Issuer,
    #[error("token_use is not access")]
    NotAccessToken,
    #[error("client_id is not allowed")]
    Client,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token lifetime is longer than Cognito allows")]
    Lifetime,
}

/// The outcome of authorising a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// 401, whatever the reason.
    #[error("unauthenticated: {0}")]
    Unauthenticated(TokenError),
    /// 403: the token is good, the scope is not granted.
    #[error("scope {0} not granted")]
    MissingScope(Scope),
}

impl From<AuthFailure> for Problem {
    fn from(failure: AuthFailure) -> Self {
        match failure {
            AuthFailure::Unauthenticated(_) => Self::unauthorized(),
            AuthFailure::MissingScope(_) => Self::forbidden(),
        }
    }
}

/// What a verified token tells the handler (for logs and audit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub client_id: String,
    pub sub: String,
    pub jti: Option<String>,
    pub scopes: BTreeSet<String>,
    /// A user pool user's sign-in name (absent for client credentials).
    pub username: Option<String>,
    /// A user pool user's groups (`cognito:groups`).
    pub groups: BTreeSet<String>,
}

impl VerifiedToken {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(scope.as_str())
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<IgnoredAny>,
}

/// Cognito's access-token claims we rely on; others are ignored. Types are
/// strict: a NumericDate must be an integer.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    client_id: String,
    token_use: String,
    scope: Option<String>,
    exp: i64,
    iat: i64,
    nbf: Option<i64>,
    jti: Option<String>,
    username: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
}

/// Verifies access tokens of one issuer (a Cognito user pool, or the local
/// issuer) for an allow-list of app clients.
#[derive(Debug, Clone)]
pub struct AccessTokenVerifier {
    issuer: String,
    jwks: Jwks,
    clients: BTreeSet<String>,
    leeway_secs: i64,
}

impl AccessTokenVerifier {
    pub fn new<C: Into<String>>(
        issuer: impl Into<String>,
        jwks: Jwks,
        allowed_clients: impl IntoIterator<Item = C>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            jwks,
            clients: allowed_clients.into_iter().map(Into::into).collect(),
            leeway_secs: DEFAULT_LEEWAY_SECS,
        }
    }

    pub fn with_leeway_secs(mut self, seconds: i64) -> Self {
        self.leeway_secs = seconds.max(0);
        self
    }

    /// Authorises a request: the `Authorization` header must carry a valid
    /// token granting `required`.
    pub fn authorize(
        &self,
        authorization: Option<&str>,
        required: Scope,
        now: OffsetDateTime,
    ) -> Result<VerifiedToken, AuthFailure> {
        let token = bearer(authorization).map_err(AuthFailure::Unauthenticated)?;
        let verified = self.verify(token, now).map_err(|reason| {
            tracing::info!(%reason, "access token refused");
            AuthFailure::Unauthenticated(reason)
        })?;
        if verified.has(required) {
            Ok(verified)
        } else {
            tracing::info!(client_id = %verified.client_id, scope = %required, "scope not granted");
            Err(AuthFailure::MissingScope(required))
        }
    }

    /// Authenticates a request whose permission is decided by the caller
    /// (the admin API: roles from the token's groups, not scopes).
    pub fn authenticate(
        &self,
        authorization: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<VerifiedToken, AuthFailure> {
        let token = bearer(authorization).map_err(AuthFailure::Unauthenticated)?;
        self.verify(token, now).map_err(|reason| {
            tracing::info!(%reason, "access token refused");
            AuthFailure::Unauthenticated(reason)
        })
    }

    /// Verifies a compact JWS access token at `now`.
    pub fn verify(&self, token: &str, now: OffsetDateTime) -> Result<VerifiedToken, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| TokenError::Malformed)
        };
        let header: Header =
            serde_json::from_slice(&decode(header_b64)?).map_err(|_| TokenError::Malformed)?;
        // The algorithm is ours, never the token's choice: `none`, HS256
        // (with our public key as a "secret") and the rest stop here.
        if header.alg != ALG {
            return Err(TokenError::Algorithm);
        }
        if header.crit.is_some() {
            return Err(TokenError::CriticalHeader);
        }
        let (key, size) = header
            .kid
            .as_deref()
            .and_then(|kid| self.jwks.key(kid))
            .ok_or(TokenError::UnknownKey)?;
        let signature = decode(signature_b64)?;
        if signature.len() != *size {
            return Err(TokenError::Signature);
        }
        let signature =
            Signature::try_from(signature.as_slice()).map_err(|_| TokenError::Signature)?;
        let signed = token
            .get(..header_b64.len() + 1 + payload_b64.len())
            .ok_or(TokenError::Malformed)?;
        key.verify(signed.as_bytes(), &signature)
            .map_err(|_| TokenError::Signature)?;
        // Only a signed payload is parsed.
        let claims: Claims =
            serde_json::from_slice(&decode(payload_b64)?).map_err(|_| TokenError::Claims)?;
        self.check_claims(&claims, now.unix_timestamp())?;
        Ok(VerifiedToken {
            client_id: claims.client_id,
            sub: claims.sub,
            jti: claims.jti,
            scopes: claims
                .scope
                .as_deref()
                .unwrap_or_default()
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            username: claims.username,
            groups: claims.groups.into_iter().collect(),
        })
    }

    fn check_claims(&self, claims: &Claims, now: i64) -> Result<(), TokenError> {
        if claims.iss != self.issuer {
            return Err(TokenError::Issuer);
        }
        if claims.token_use != "access" {
            return Err(TokenError::NotAccessToken);
        }
        if !self.clients.contains(&claims.client_id) {
            return Err(TokenError::Client);
        }
        let leeway = self.leeway_secs;
        if now >= claims.exp.saturating_add(leeway) {
            return Err(TokenError::Expired);
        }
        if claims.iat > now.saturating_add(leeway)
            || claims
                .nbf
                .is_some_and(|nbf| nbf > now.saturating_add(leeway))
        {
            return Err(TokenError::NotYetValid);
        }
        if claims.exp.saturating_sub(claims.iat) > MAX_LIFETIME_SECS || claims.exp <= claims.iat {
            return Err(TokenError::Lifetime);
        }
        Ok(())
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive,
/// RFC 9110 §11.1).
fn bearer(authorization: Option<&str>) -> Result<&str, TokenError> {
    let value = authorization.ok_or(TokenError::Missing)?;
    let (scheme, token) = value.split_once(' ').ok_or(TokenError::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::NotBearer);
    }
    let token = token.trim_matches(' ');
    if token.is_empty() {
        return Err(TokenError::NotBearer);
    }
    Ok(token)
}
