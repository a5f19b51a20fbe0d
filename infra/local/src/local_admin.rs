//! The local stand-in for the agents' Cognito user pool (`AdminUserPool`)
//! and for the panel's S3 + CloudFront site:
//! - `POST /_local/admin/sign-in` `{"email", "password"}` signs a seeded
//!   agent in and answers `{"access_token", "token_type", "expires_in"}`: an
//!   RS256 access token with the claims Cognito's hosted UI would issue
//!   (`username`, `cognito:groups`, scopes `openid email`), verified by the
//!   admin functions with the same code as on AWS, against
//!   `GET /_local/admin/.well-known/jwks.json`;
//! - `/admin/` serves the built panel (`admin/dist`, or `TMP_ADMIN_DIST`)
//!   with CloudFront's security headers, and `/admin/config.json` tells it
//!   to use the local sign-in.
//!
//! A seed step points `AdminTokenIssuerUrl` and `AdminTokenClientIds` at
//! this issuer. The key is new at every start. The agents are the users of
//! the emulator's `AdminUserPool` (created with its role groups from the
//! template), so an administrator's role change in the panel (the admin
//! functions' Cognito calls) applies at the agent's next sign-in, as on AWS.
//! The seed creates one agent per role, all with password `local-password`
//! (every agent's here): `viewer@bank.test`, `agent@bank.test`,
//! `supervisor@bank.test`, `admin@bank.test`.

mod site;
pub use site::security_headers;
#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext;

use crate::issuer_simulator::ClientCredentials;
use crate::local_auth::TokenIssuer;
use crate::platform::{LocalPlatform, SeedContext, SeedError};

pub use site::{SITE_PATH, site_router};

/// Where the sign-in is mounted; with the gateway's base URL, the tokens' `iss`.
pub const LOCAL_ADMIN_PATH: &str = "/_local/admin";
/// The panel's (public) app client locally.
pub const LOCAL_PANEL_CLIENT_ID: &str = "admin-panel-local";
/// Every seeded agent's password.
pub const LOCAL_PASSWORD: &str = "local-password";
/// Lifetime of an agent's access token (the template's AccessTokenValidity).
pub const TOKEN_LIFETIME: time::Duration = time::Duration::minutes(15);
pub const ISSUER_URL_PARAMETER: &str = "AdminTokenIssuerUrl";
/// The template's user pool of agents (logical id).
pub const ADMIN_USER_POOL: &str = "AdminUserPool";
pub const CLIENT_IDS_PARAMETER: &str = "AdminTokenClientIds";

/// The seeded agents: e-mail and group (= role).
pub const AGENTS: [(&str, &str); 4] = [
    ("viewer@bank.test", "viewer"),
    ("agent@bank.test", "agent"),
    ("supervisor@bank.test", "supervisor"),
    ("admin@bank.test", "admin"),
];

/// A stable `sub` for a seeded agent (a UUID-shaped digest of the e-mail).
fn sub_of(email: &str) -> String {
    let d = hex::encode(Sha256::digest(email.as_bytes()));
    let part = |a: usize, b: usize| d.get(a..b).unwrap_or_default().to_owned();
    format!(
        "{}-{}-4{}-8{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    email: String,
    password: String,
}

fn problem(status: StatusCode, slug: &str, title: &str, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": format!("{}{slug}", tmp_api::PROBLEM_TYPE_BASE),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(tmp_api::PROBLEM_JSON),
    );
    response
}

/// One answer for an unknown agent and a wrong password alike.
fn refused() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
        "The e-mail address or the password is not right",
    )
}

/// Where the sign-in finds the agents and their groups: the emulator's
/// `AdminUserPool`.
#[derive(Clone)]
pub struct AgentPool {
    client: aws_sdk_cognitoidentityprovider::Client,
    pool_id: String,
}

/// An agent that may sign in: their username and groups.
type Known = Option<(String, Vec<String>)>;

impl AgentPool {
    async fn find(&self, email: &str) -> Result<Known, SignInError> {
        let email = email.trim().to_ascii_lowercase();
        let Self { client, pool_id } = self;
        let user = match client
            .admin_get_user()
            .user_pool_id(pool_id)
            .username(&email)
            .send()
            .await
        {
            Ok(user) => user,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_user_not_found_exception()) =>
            {
                return Ok(None);
            }
            Err(_) => return Err(SignInError),
        };
        if !user.enabled() {
            return Ok(None);
        }
        let groups = client
            .admin_list_groups_for_user()
            .user_pool_id(pool_id)
            .username(&email)
            .limit(60)
            .send()
            .await
            .map_err(|_| SignInError)?
            .groups()
            .iter()
            .filter_map(|g| g.group_name().map(str::to_owned))
            .collect();
        Ok(Some((email, groups)))
    }
}

#[derive(Debug)]
struct SignInError;

#[derive(Clone)]
pub struct SignInState {
    pub issuer: TokenIssuer,
    /// `None` when the template has no `AdminUserPool`: no one signs in.
    pub agents: Option<AgentPool>,
}

fn unavailable(detail: &str) -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "service-unavailable",
        "Service unavailable",
        detail,
    )
}

async fn sign_in(State(state): State<SignInState>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<SignIn>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "Malformed request",
            "The body must be {\"email\", \"password\"}",
        );
    };
    let password_ok = same(request.password.as_bytes(), LOCAL_PASSWORD.as_bytes());
    let Some(pool) = &state.agents else {
        return refused();
    };
    let agent = match pool.find(&request.email).await {
        Ok(agent) => agent,
        Err(SignInError) => return unavailable("The agents' directory could not be reached"),
    };
    let Some((email, groups)) = agent.filter(|_| password_ok) else {
        tracing::info!("local admin sign-in refused");
        return refused();
    };
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    let now = time::OffsetDateTime::now_utc();
    match state
        .issuer
        .issue_user((&sub_of(&email), &email), &groups, now, TOKEN_LIFETIME)
    {
        Ok(token) => {
            tracing::info!(groups = ?groups, "local admin sign-in");
            let mut response = axum::Json(serde_json::json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME.whole_seconds(),
            }))
            .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => unavailable("Signing the token failed"),
    }
}

async fn jwks(State(state): State<SignInState>) -> Response {
    (
        [(header::CACHE_CONTROL, "max-age=300")],
        axum::Json(state.issuer.jwks().clone()),
    )
        .into_response()
}

pub fn router(state: SignInState) -> Router {
    Router::new()
        .route("/sign-in", post(sign_in))
        .route(crate::local_auth::JWKS_PATH, get(jwks))
        .with_state(state)
}

/// Mounts the sign-in, its seed step and the panel's site on `platform`.
pub fn mount(platform: LocalPlatform) -> LocalPlatform {
    let slot: Arc<OnceLock<SignInState>> = Arc::default();
    let seeded = Arc::clone(&slot);
    platform
        .seed(move |ctx| Box::pin(async move { seed(ctx, &seeded).await }))
        .extra_router_with(LOCAL_ADMIN_PATH, move |_| match slot.get() {
            Some(state) => router(state.clone()),
            None => {
                tracing::error!("the local admin sign-in was not seeded");
                Router::new()
            }
        })
        .site(SITE_PATH, site_router(site::dist_dir()))
}

async fn seed(ctx: &mut SeedContext<'_>, slot: &OnceLock<SignInState>) -> Result<(), SeedError> {
    let url = format!("{}{LOCAL_ADMIN_PATH}", ctx.base_url);
    let issuer = TokenIssuer::generate(
        url.clone(),
        ClientCredentials::new(LOCAL_PANEL_CLIENT_ID, "public-client"),
    )
    .await?;
    if ctx.deployment.declares_parameter(ISSUER_URL_PARAMETER) {
        ctx.deployment.set_parameter(ISSUER_URL_PARAMETER, url);
    }
    if ctx.deployment.declares_parameter(CLIENT_IDS_PARAMETER) {
        ctx.deployment
            .set_parameter(CLIENT_IDS_PARAMETER, LOCAL_PANEL_CLIENT_ID);
    }
    let agents = seed_agents(ctx).await?;
    tracing::info!(issuer = issuer.issuer(), "local admin sign-in ready");
    slot.set(SignInState { issuer, agents })
        .map_err(|_| "the local admin sign-in was seeded twice")?;
    Ok(())
}

/// A password no one knows, of every character class.
fn unused_password() -> Result<String, SeedError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(format!("Aa1!{}", hex::encode(bytes)))
}

/// Creates the seeded agents in the emulator's `AdminUserPool`, each in
/// their role's group (the pool and groups come from the template).
async fn seed_agents(ctx: &SeedContext<'_>) -> Result<Option<AgentPool>, SeedError> {
    let pool = ctx
        .deployment
        .resource(ADMIN_USER_POOL)
        .filter(|r| r.kind == "AWS::Cognito::UserPool")
        .map(|r| r.reference.clone());
    let Some(pool_id) = pool else {
        tracing::warn!("the template has no AdminUserPool: no agent can sign in");
        return Ok(None);
    };
    let client = aws_sdk_cognitoidentityprovider::Client::new(ctx.sdk);
    for (email, group) in AGENTS {
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(email)
            .user_attributes(
                aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                    .name("email")
                    .value(email)
                    .build()?,
            )
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "creating the local agent failed: {}",
                    DisplayErrorContext(&e)
                )
            })?;
        // Confirmed, as an agent who has set their password. The pool's password is never
        // used (the local sign-in checks `local-password` itself, which no real policy
        // would admit), so it is a random one that meets Cognito's policy.
        client
            .admin_set_user_password()
            .user_pool_id(&pool_id)
            .username(email)
            .password(unused_password()?)
            .permanent(true)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "setting the local agent's password failed: {}",
                    DisplayErrorContext(&e)
                )
            })?;
        client
            .admin_add_user_to_group()
            .user_pool_id(&pool_id)
            .username(email)
            .group_name(group)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "adding the local agent to {group} failed: {}",
                    DisplayErrorContext(&e)
                )
            })?;
    }
    tracing::info!(
        agents = AGENTS.len(),
        "local agents created in the admin user pool"
    );
    Ok(Some(AgentPool { client, pool_id }))
}
