//! The local stand-in for the issuer's Cognito user pool (`IssuerUserPool`):
//! the OAuth2 client-credentials grant (RFC 6749 §4.4) at
//! `POST /_local/auth/token`, issuing RS256 access tokens with Cognito's
//! claims (`tmp_api::auth::issue`), and the JWKS they verify against at
//! `GET /_local/auth/.well-known/jwks.json`, where the TMP API's functions
//! read it as they read Cognito's on AWS.
//!
//! Its `iss` is `{base}/_local/auth`. A seed step makes that, and the one
//! local client (`issuer-backoffice` / `local-backoffice-secret`), the
//! template's `IssuerTokenIssuerUrl` and `IssuerTokenClientIds` (when
//! declared), so the functions run exactly the verification they run on AWS.
//! The RSA-2048 key is new at every start: a token from an earlier run is
//! refused, as after a key rotation.

mod issuer;
#[cfg(test)]
mod tests;
mod token;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use issuer::{LocalAuthError, TokenIssuer};

use crate::issuer_simulator::ClientCredentials;
use crate::platform::{LocalPlatform, SeedContext, SeedError};

/// Where the issuer is mounted; with the gateway's base URL, the tokens' `iss`.
pub const LOCAL_AUTH_PATH: &str = "/_local/auth";
/// The token endpoint, below [`LOCAL_AUTH_PATH`].
pub const TOKEN_PATH: &str = "/token";
/// The JWKS, below [`LOCAL_AUTH_PATH`] (where Cognito publishes its own).
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The one client the local issuer knows: the issuer's back office.
pub const LOCAL_CLIENT_ID: &str = "issuer-backoffice";
pub const LOCAL_CLIENT_SECRET: &str = "local-backoffice-secret";
/// Lifetime of the access tokens (`expires_in`).
pub const TOKEN_LIFETIME: time::Duration = time::Duration::hours(1);
/// The template parameters the seed step sets (only when declared).
pub const ISSUER_URL_PARAMETER: &str = "IssuerTokenIssuerUrl";
pub const CLIENT_IDS_PARAMETER: &str = "IssuerTokenClientIds";

/// The local back office's client id and secret.
pub fn local_credentials() -> ClientCredentials {
    ClientCredentials::new(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)
}

/// The issuer's endpoints, to be nested at [`LOCAL_AUTH_PATH`].
pub fn router(issuer: TokenIssuer) -> Router {
    Router::new()
        .route(TOKEN_PATH, post(token::token))
        .route(JWKS_PATH, get(jwks))
        .with_state(issuer)
}

/// The JWKS; a function reads it once per cold start, as from Cognito.
async fn jwks(State(issuer): State<TokenIssuer>) -> Response {
    (
        [(header::CACHE_CONTROL, "max-age=300")],
        axum::Json(issuer.jwks().clone()),
    )
        .into_response()
}

/// Mounts the local issuer on `platform`: a seed step generates its key and
/// points the template's parameters at it; its router serves under
/// [`LOCAL_AUTH_PATH`] (built after the seeds, with the seeded issuer).
pub fn mount(platform: LocalPlatform) -> LocalPlatform {
    let slot: Arc<OnceLock<TokenIssuer>> = Arc::default();
    let seeded = Arc::clone(&slot);
    platform
        .seed(move |ctx| Box::pin(async move { seed(ctx, &seeded).await }))
        .extra_router_with(LOCAL_AUTH_PATH, move |_| match slot.get() {
            Some(issuer) => router(issuer.clone()),
            None => {
                tracing::error!(
                    "the local token issuer was not seeded: /_local/auth serves nothing"
                );
                Router::new()
            }
        })
}

async fn seed(ctx: &mut SeedContext<'_>, slot: &OnceLock<TokenIssuer>) -> Result<(), SeedError> {
    let url = format!("{}{LOCAL_AUTH_PATH}", ctx.base_url);
    let issuer = TokenIssuer::generate(url.clone(), local_credentials()).await?;
    if ctx.deployment.declares_parameter(ISSUER_URL_PARAMETER) {
        ctx.deployment.set_parameter(ISSUER_URL_PARAMETER, url);
    }
    if ctx.deployment.declares_parameter(CLIENT_IDS_PARAMETER) {
        ctx.deployment
            .set_parameter(CLIENT_IDS_PARAMETER, LOCAL_CLIENT_ID);
    }
    tracing::info!(
        issuer = issuer.issuer(),
        kid = issuer.kid(),
        "local token issuer ready"
    );
    slot.set(issuer)
        .map_err(|_| "the local token issuer was seeded twice")?;
    Ok(())
}
