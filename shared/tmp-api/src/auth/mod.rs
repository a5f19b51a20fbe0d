//! Bearer access tokens as API Gateway's Cognito authorizer checks them, and
//! as our local issuer (`/_local/auth/token`) makes them: RS256 JWTs
//! (RFC 7519) with Cognito's access-token claims, keys from a JWKS by `kid`.
//!
//! Every refusal of a token is one 401 problem (the reason is a log-safe
//! [`TokenError`]); a valid token without the operation's scope is a 403.

mod jwks;
mod sign;
mod verify;

pub use jwks::{Jwks, JwksError, jwks};
pub use sign::{AccessTokenClaims, SignError, issue};
pub use verify::{AccessTokenVerifier, AuthFailure, TokenError, VerifiedToken};

/// The resource server's scopes (Cognito names them `<identifier>/<scope>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `GET /tokens/{tokenId}`, `POST /tokens/search`, `GET /jobs/{jobId}`.
    TokensRead,
    /// Lifecycle actions, card events, bulk actions.
    TokensWrite,
}

impl Scope {
    pub const ALL: [Self; 2] = [Self::TokensRead, Self::TokensWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokensRead => "tmp/tokens.read",
            Self::TokensWrite => "tmp/tokens.write",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The only signature algorithm we accept or make.
pub const ALG: &str = "RS256";
/// Smallest RSA modulus a JWKS key may have.
pub const MIN_KEY_BITS: usize = 2048;
