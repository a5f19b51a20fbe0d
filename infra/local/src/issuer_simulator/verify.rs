//! `POST /cards/verify`: looks the PAN up in the card book and reports status,
//! CVC and expiry checks and the cardholder's contact details.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tmp_core::domain::card::{CardStatus, CvcResult};
use tmp_core::secret::Secret;

use super::SimulatorState;
use super::card_book::{is_digits, is_month};
use super::problem::{INVALID_REQUEST, INVALID_TOKEN, UNKNOWN_CARD, problem};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyRequest {
    pan: String,
    #[serde(default)]
    expiry_month: Option<String>,
    #[serde(default)]
    expiry_year: Option<String>,
    #[serde(default)]
    cvc: Option<String>,
    request_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyResponse<'a> {
    card_id: &'a str,
    card_status: CardStatus,
    cvc_result: CvcResult,
    expiry_match: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    product_category: &'a str,
}

pub(super) async fn verify(
    State(state): State<Arc<SimulatorState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.verify_calls.fetch_add(1, Ordering::Relaxed);
    if !bearer_token(&headers).is_some_and(|t| state.token_is_valid(t)) {
        tracing::info!(status = 401, "issuer simulator refused a verify call");
        let mut response = problem(
            StatusCode::UNAUTHORIZED,
            INVALID_TOKEN,
            "Unauthorized",
            "The access token is missing, unknown or expired.",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        return response;
    }
    // serde's message could quote the PAN, so it is not passed on.
    let Ok(request) = serde_json::from_slice::<VerifyRequest>(&body) else {
        return invalid("The body is not a card verification request.");
    };
    let request_id = request.request_id.as_str();
    let cvc = request.cvc.map(Secret::new);
    if let Err(detail) = validate(
        &request.pan,
        &request.expiry_month,
        &request.expiry_year,
        &cvc,
    ) {
        tracing::info!(
            request_id,
            status = 400,
            "issuer simulator rejected a verify call"
        );
        return invalid(detail);
    }
    let Some(card) = state.book.find(&request.pan) else {
        tracing::info!(request_id, status = 404, "issuer simulator: unknown card");
        return problem(
            StatusCode::NOT_FOUND,
            UNKNOWN_CARD,
            "Unknown card",
            "The issuer has no card with this account number.",
        );
    };
    let cvc_result = match &cvc {
        None => CvcResult::NotChecked,
        Some(cvc) if *cvc == card.cvc => CvcResult::Match,
        Some(_) => CvcResult::Mismatch,
    };
    let expiry_match = request.expiry_month.as_deref() == Some(card.expiry_month.as_str())
        && request.expiry_year.as_deref() == Some(card.expiry_year.as_str());
    tracing::info!(request_id, status = 200, card_id = %card.card_id, "issuer simulator verified a card");
    Json(VerifyResponse {
        card_id: &card.card_id,
        card_status: card.status,
        cvc_result,
        expiry_match,
        phone_number: card.phone_number.as_ref().map(|p| p.expose().as_str()),
        email: card.email.as_ref().map(|e| e.expose().as_str()),
        product_category: &card.product_category,
    })
    .into_response()
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
}

/// Field checks of the OpenAPI schema; fixed details only.
fn validate(
    pan: &str,
    month: &Option<String>,
    year: &Option<String>,
    cvc: &Option<Secret<String>>,
) -> Result<(), &'static str> {
    if !is_digits(pan, 12..=19) {
        return Err("pan must be 12 to 19 digits.");
    }
    match (month, year) {
        (None, None) => {}
        (Some(m), Some(y)) if is_month(m) && is_digits(y, 2..=2) => {}
        _ => return Err("expiryMonth (MM) and expiryYear (YY) must be sent together and valid."),
    }
    if cvc.as_ref().is_some_and(|c| !is_digits(c.expose(), 3..=4)) {
        return Err("cvc must be 3 or 4 digits.");
    }
    Ok(())
}

fn invalid(detail: &str) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        INVALID_REQUEST,
        "Invalid request",
        detail,
    )
}
