//! `POST /oauth/token`: OAuth2 client-credentials grant (RFC 6749 §4.4),
//! client authenticated by HTTP Basic or by form fields.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use tmp_core::secret::Secret;

use super::SimulatorState;

#[derive(Deserialize)]
pub(super) struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub(super) async fn issue(
    State(state): State<Arc<SimulatorState>>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    state.token_calls.fetch_add(1, Ordering::Relaxed);
    let Ok(Form(form)) = form else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let presented = basic_credentials(&headers).or(match (form.client_id, form.client_secret) {
        (Some(id), Some(secret)) => Some((id, Secret::new(secret))),
        _ => None,
    });
    let authenticated = presented.is_some_and(|(id, secret)| {
        id == state.credentials.client_id && secret == state.credentials.client_secret
    });
    if !authenticated {
        tracing::info!(status = 401, "issuer simulator refused a token request");
        let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"issuer\""),
        );
        return response;
    }
    let body = serde_json::json!({
        "access_token": state.issue_token(),
        "token_type": "Bearer",
        "expires_in": state.token_ttl.as_secs(),
    });
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `Authorization: Basic base64(client_id:client_secret)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, Secret<String>)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), Secret::new(secret.to_owned())))
}

/// RFC 6749 §5.2 error body.
fn oauth_error(status: StatusCode, error: &'static str) -> Response {
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}
