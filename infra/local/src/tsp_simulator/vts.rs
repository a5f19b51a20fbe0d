//! The simulated VTS under `/_local/vts`: the lifecycle and inquiry calls
//! (`/rsrv_VNTSTokenUpdateService/LifeCycle/v1`, `…/Inquiry/v1`) with the
//! `tmp_vts::lifecycle` types, the token registration used by tests and
//! `make run` (`/tokens`), and the control endpoints (`/calls`,
//! `/fail-next`, `/notifications`).
//!
//! No authentication is checked: Visa's is mutual TLS at the transport,
//! which the local platform does not simulate. Refusals: a malformed request
//! is 400 `invalidParameter` naming our field; a state that does not allow
//! the change is 400 `invalidRequest` (details `["tokenState"]`); an unknown
//! token (or another requestor's) is 404 `TOKEN_NOT_FOUND`; an injected
//! failure is 500 `serviceError`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tmp_vts::jwe::{VtsKeyRing, VtsPrivateKey};
use tmp_vts::lifecycle::{
    ErrorBody, ErrorResponse, INQUIRY_PATH, InquiryRequest, InquiryResponse, LIFECYCLE_PATH,
    LifecycleRequest, LifecycleResponse, TOKEN_NOT_FOUND,
};

use super::calls;
use super::control::{self, Desk};
use super::faults::{FaultMode, HOLD};
use super::notify::Outbound;
use super::vts_book::{self, Refusal, VtsBook, VtsRegistration};

/// Where the simulated VTS is mounted (`VtsLifecycleBaseUrl`).
pub const VTS_PATH: &str = "/_local/vts";
const LIFECYCLE: &[&str] = &["LifeCycle"];

pub struct VtsSim {
    pub desk: Arc<Desk>,
    book: Mutex<VtsBook>,
    /// Visa's private key for the card updates' `cardholderInfo` (its
    /// public half is the platform's `VtsLifecycleEncryptionKey`).
    visa_key: Mutex<Option<Arc<VtsKeyRing>>>,
}

impl VtsSim {
    pub fn new(outbound: Outbound) -> Self {
        Self {
            desk: Arc::new(Desk::new(LIFECYCLE, outbound)),
            book: Mutex::new(VtsBook::default()),
            visa_key: Mutex::new(None),
        }
    }

    pub fn install_visa_key(&self, key: VtsPrivateKey) -> Result<(), tmp_vts::jwe::VtsKeyError> {
        let ring = VtsKeyRing::new(vec![key])?;
        *self.visa_key.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(ring));
        Ok(())
    }

    fn visa_key(&self) -> Option<Arc<VtsKeyRing>> {
        self.visa_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn book(&self) -> MutexGuard<'_, VtsBook> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub fn router(sim: Arc<VtsSim>) -> Router {
    let desk = Arc::clone(&sim.desk);
    Router::new()
        .route(&format!("/{LIFECYCLE_PATH}"), post(lifecycle))
        .route(&format!("/{INQUIRY_PATH}"), post(inquiry))
        .route("/tokens", post(register))
        .route("/tokens/{reference}", get(show).delete(forget))
        .with_state(sim)
        .merge(control::router(desk))
}

fn error(status: StatusCode, reason: &str, message: &str, details: &[&str]) -> (u16, Value) {
    let body = ErrorResponse {
        error_response: ErrorBody {
            status: Some(status.as_u16().to_string()),
            message: message.to_owned(),
            reason: reason.to_owned(),
            details: details.iter().map(|d| (*d).to_owned()).collect(),
        },
    };
    (
        status.as_u16(),
        serde_json::to_value(body).unwrap_or(Value::Null),
    )
}

fn respond((status, body): (u16, Value)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

fn refusal(refusal: Refusal) -> (u16, Value) {
    match refusal {
        Refusal::Invalid(field) => error(
            StatusCode::BAD_REQUEST,
            "invalidParameter",
            "A request field is missing or not valid",
            &[field],
        ),
        Refusal::NotFound => error(
            StatusCode::NOT_FOUND,
            TOKEN_NOT_FOUND,
            "Token not found",
            &[],
        ),
        Refusal::WrongState => error(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            "The token's state does not allow this change",
            &["tokenState"],
        ),
    }
}

/// Records the call and returns the fault it must suffer.
fn receive(
    desk: &Desk,
    operation: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<FaultMode> {
    let url = calls::request_url(headers, VTS_PATH, uri);
    desk.calls.record(method, &url, headers, body);
    desk.faults.take(operation)
}

/// Answers `answer()`, or fails as the armed fault says.
async fn answer_or_fail(
    fault: Option<FaultMode>,
    answer: impl FnOnce() -> (u16, Value),
) -> Response {
    match fault {
        Some(FaultMode::ServerError) => respond(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "serviceError",
            "Injected failure",
            &[],
        )),
        Some(FaultMode::Timeout) => {
            let _applied = answer();
            tokio::time::sleep(HOLD).await;
            respond(error(
                StatusCode::GATEWAY_TIMEOUT,
                "serviceError",
                "Injected timeout",
                &[],
            ))
        }
        None => respond(answer()),
    }
}

async fn lifecycle(
    State(sim): State<Arc<VtsSim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = receive(&sim.desk, "LifeCycle", &method, &uri, &headers, &body);
    answer_or_fail(fault, || sim.apply(&body)).await
}

async fn inquiry(
    State(sim): State<Arc<VtsSim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = receive(&sim.desk, "Inquiry", &method, &uri, &headers, &body);
    answer_or_fail(fault, || sim.inquire(&body)).await
}

impl VtsSim {
    /// One lifecycle request, applied once per `requestID`.
    fn apply(&self, body: &[u8]) -> (u16, Value) {
        let Ok(request) = serde_json::from_slice::<LifecycleRequest>(body) else {
            return refusal(Refusal::Invalid("request"));
        };
        if let Err(refused) = vts_book::check(&request) {
            return refusal(refused);
        }
        let ring = self.visa_key();
        let mut book = self.book();
        if let Some(first) = book.answers.get(&request.request_id) {
            return first.clone();
        }
        let opened = match vts_book::open_card(ring.as_deref(), &request) {
            Ok(opened) => opened,
            Err(refused) => return refusal(refused),
        };
        let answer = match book.apply(&request) {
            Ok(changed) => {
                if let Some(card) = &opened {
                    book.remap(&request.token_reference_id, card);
                }
                if changed && let Some(token) = book.tokens.get(&request.token_reference_id) {
                    self.announce(token, request.message_reason_code.as_str());
                }
                let ok = LifecycleResponse {
                    request_id: Some(request.request_id.clone()),
                };
                (200, serde_json::to_value(ok).unwrap_or(Value::Null))
            }
            Err(refused) => refusal(refused),
        };
        book.answers.insert(request.request_id, answer.clone());
        answer
    }

    fn inquire(&self, body: &[u8]) -> (u16, Value) {
        let Ok(request) = serde_json::from_slice::<InquiryRequest>(body) else {
            return refusal(Refusal::Invalid("request"));
        };
        let book = self.book();
        let details: Vec<_> = match (&request.token_reference_id, &request.pan_reference_id) {
            (Some(reference), _) => book
                .tokens
                .get(reference)
                .filter(|t| {
                    request
                        .token_requestor_id
                        .as_ref()
                        .is_none_or(|r| *r == t.requestor)
                })
                .map(|t| t.detail())
                .into_iter()
                .collect(),
            (None, Some(pan_reference)) => {
                let mut found: Vec<_> = book
                    .tokens
                    .values()
                    .filter(|t| t.pan_reference_id.as_ref() == Some(pan_reference))
                    .map(|t| t.detail())
                    .collect();
                found.sort_by(|a, b| a.token_reference_id.cmp(&b.token_reference_id));
                found
            }
            (None, None) => return refusal(Refusal::Invalid("tokenReferenceID")),
        };
        if details.is_empty() {
            return refusal(Refusal::NotFound);
        }
        let answer = InquiryResponse {
            token_details: details,
        };
        (200, serde_json::to_value(answer).unwrap_or(Value::Null))
    }
}

async fn register(State(sim): State<Arc<VtsSim>>, body: Bytes) -> Response {
    let Ok(registration) = serde_json::from_slice::<VtsRegistration>(&body) else {
        return control::bad_request(
            r#"{"tokenReferenceID", "tokenRequestorID", "status": "ACTIVE"|"SUSPENDED"|"INACTIVE"|"DEACTIVATED", "panReferenceID"?, "lastFourOfPAN"?, "tokenExpiration"?}"#,
        );
    };
    match sim.book().register(registration) {
        Ok(token) => Json(token.view()).into_response(),
        Err(problem) => (StatusCode::BAD_REQUEST, Json(json!({"error": problem}))).into_response(),
    }
}

async fn show(State(sim): State<Arc<VtsSim>>, Path(reference): Path<String>) -> Response {
    match sim.book().tokens.get(&reference) {
        Some(token) => Json(token.view()).into_response(),
        None => control::unknown_token(),
    }
}

async fn forget(State(sim): State<Arc<VtsSim>>, Path(reference): Path<String>) -> Response {
    match sim.book().tokens.remove(&reference) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => control::unknown_token(),
    }
}
