//! Making access tokens the way Cognito does for the client-credentials
//! grant: used by tests and by tmp-local's `/_local/auth/token`, so the
//! local platform runs the same verification as AWS.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::PrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use tmp_core::crypto::random_bytes;

use super::ALG;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("no randomness for the token id")]
    Randomness,
    #[error("the claims could not be serialised")]
    Claims,
    #[error("RSA signing failed")]
    Signature,
}

/// Exactly Cognito's access-token claim set for a client-credentials token
/// (there `sub` is the app client's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub sub: String,
    pub iss: String,
    pub client_id: String,
    pub token_use: String,
    /// Space-separated granted scopes.
    pub scope: String,
    pub auth_time: i64,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub version: u8,
    /// A user pool user's sign-in name (Cognito `username`); absent for
    /// client credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A user pool user's groups.
    #[serde(
        rename = "cognito:groups",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<String>,
}

impl AccessTokenClaims {
    /// A token for `client_id` granting `scopes`, issued `now`, valid for
    /// `lifetime`, with a fresh UUIDv4 `jti`.
    pub fn client_credentials(
        issuer: &str,
        client_id: &str,
        scopes: &[&str],
        now: OffsetDateTime,
        lifetime: Duration,
    ) -> Result<Self, SignError> {
        let iat = now.unix_timestamp();
        Ok(Self {
            sub: client_id.to_owned(),
            iss: issuer.to_owned(),
            client_id: client_id.to_owned(),
            token_use: "access".to_owned(),
            scope: scopes.join(" "),
            auth_time: iat,
            exp: iat.saturating_add(lifetime.whole_seconds()),
            iat,
            jti: uuid_v4()?,
            version: 2,
            username: None,
            groups: Vec::new(),
        })
    }

    /// A user pool user's access token (authorization code flow): `sub` the
    /// user's id, `username`, `cognito:groups`, scopes `openid email`.
    pub fn user(
        issuer: &str,
        client_id: &str,
        user: (&str, &str),
        groups: &[&str],
        now: OffsetDateTime,
        lifetime: Duration,
    ) -> Result<Self, SignError> {
        let (sub, username) = user;
        let mut claims =
            Self::client_credentials(issuer, client_id, &["openid", "email"], now, lifetime)?;
        claims.sub = sub.to_owned();
        claims.username = Some(username.to_owned());
        claims.groups = groups.iter().map(|g| (*g).to_owned()).collect();
        Ok(claims)
    }
}

fn uuid_v4() -> Result<String, SignError> {
    let mut b = [0u8; 16];
    random_bytes(&mut b).map_err(|_| SignError::Randomness)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    ))
}

/// Signs `claims` as a compact RS256 JWT whose header is Cognito's
/// (`{"kid", "alg": "RS256"}`).
pub fn issue(key: &PrivateKey, kid: &str, claims: &AccessTokenClaims) -> Result<String, SignError> {
    let header = serde_json::json!({"kid": kid, "alg": ALG});
    let header = serde_json::to_vec(&header).map_err(|_| SignError::Claims)?;
    let payload = serde_json::to_vec(claims).map_err(|_| SignError::Claims)?;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = SigningKey::<Sha256>::new(key.clone())
        .try_sign(input.as_bytes())
        .map_err(|_| SignError::Signature)?;
    Ok(format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_vec())
    ))
}
