//! `POST /_local/auth/token`: the client-credentials grant (RFC 6749 §4.4)
//! as Cognito's `/oauth2/token` answers it. The client authenticates with
//! HTTP Basic or with `client_id` and `client_secret` form fields (one of
//! the two); `scope` (space-separated) may narrow the grant, and without it
//! the token carries every scope the client has. Refusals are RFC 6749 §5.2
//! error bodies, `{"error": "<code>"}`, never saying more.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use tmp_api::auth::Scope;
use tmp_core::secret::Secret;

use super::{TOKEN_LIFETIME, TokenIssuer};

#[derive(Deserialize)]
pub(super) struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// RFC 6749 §5.2's codes (and a signing failure of ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OAuthError {
    /// Not a form, no `grant_type`, or two client authentications.
    InvalidRequest,
    /// Unknown client or wrong secret.
    InvalidClient,
    UnsupportedGrantType,
    /// A scope the client does not have.
    InvalidScope,
    ServerError,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, code) = match self {
            Self::InvalidRequest => (StatusCode::BAD_REQUEST, "invalid_request"),
            Self::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client"),
            Self::UnsupportedGrantType => (StatusCode::BAD_REQUEST, "unsupported_grant_type"),
            Self::InvalidScope => (StatusCode::BAD_REQUEST, "invalid_scope"),
            Self::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "server_error"),
        };
        let mut response =
            (status, axum::Json(serde_json::json!({ "error": code }))).into_response();
        no_store(&mut response);
        if self == Self::InvalidClient {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"tmp-local\""),
            );
        }
        response
    }
}

/// Token answers and refusals must not be cached (RFC 6749 §5.1).
fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

pub(super) async fn token(
    State(issuer): State<TokenIssuer>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    match grant(&issuer, &headers, form) {
        Ok(token) => {
            let body = serde_json::json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME.whole_seconds(),
            });
            let mut response = axum::Json(body).into_response();
            no_store(&mut response);
            response
        }
        Err(error) => {
            tracing::info!(?error, "local token issuer refused a token request");
            error.into_response()
        }
    }
}

fn grant(
    issuer: &TokenIssuer,
    headers: &HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<String, OAuthError> {
    let Ok(Form(form)) = form else {
        return Err(OAuthError::InvalidRequest);
    };
    let grant_type = form.grant_type.ok_or(OAuthError::InvalidRequest)?;
    let in_form = match (form.client_id, form.client_secret) {
        (Some(id), Some(secret)) => Some((id, Secret::new(secret))),
        (None, None) => None,
        // An id without its secret (or the reverse) authenticates no one.
        _ => return Err(OAuthError::InvalidClient),
    };
    let presented = match (basic_credentials(headers)?, in_form) {
        (Some(_), Some(_)) => return Err(OAuthError::InvalidRequest),
        (basic, form) => basic.or(form).ok_or(OAuthError::InvalidClient)?,
    };
    let credentials = issuer.credentials();
    let (id, secret) = presented;
    // Both compared (the secret in constant time), whichever is wrong.
    let id_ok = id == credentials.client_id;
    let secret_ok = secret == credentials.client_secret;
    if !(id_ok & secret_ok) {
        return Err(OAuthError::InvalidClient);
    }
    if grant_type != "client_credentials" {
        return Err(OAuthError::UnsupportedGrantType);
    }
    let scopes = requested_scopes(form.scope.as_deref())?;
    issuer
        .issue(&scopes, time::OffsetDateTime::now_utc())
        .map_err(|e| {
            tracing::error!(error = %e, "local token issuer could not sign");
            OAuthError::ServerError
        })
}

/// The scopes to grant: those named (each a TMP scope), in a fixed order,
/// or every one when none is named.
fn requested_scopes(scope: Option<&str>) -> Result<Vec<Scope>, OAuthError> {
    let named: Vec<&str> = scope
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if named.is_empty() {
        return Ok(Scope::ALL.to_vec());
    }
    let parsed = named
        .iter()
        .map(|s| Scope::parse(s).ok_or(OAuthError::InvalidScope))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scope::ALL
        .into_iter()
        .filter(|s| parsed.contains(s))
        .collect())
}

/// `Authorization: Basic base64(client_id:client_secret)`, if sent; one that
/// cannot be read is a failed authentication.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, Secret<String>)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let read = || {
        let value = value.to_str().ok()?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some((id.to_owned(), Secret::new(secret.to_owned())))
    };
    read().map(Some).ok_or(OAuthError::InvalidClient)
}
