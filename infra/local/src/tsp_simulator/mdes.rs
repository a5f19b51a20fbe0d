//! The simulated MDES under `/_local/mdes`: Customer Service 2.0.7 at
//! `/csapi/v2/<operation>` behind the OAuth 1.0a gate, the token
//! registration used by tests and `make run` (`/tokens`), and the control
//! endpoints (`/calls`, `/fail-next`, `/notifications`).
//!
//! Answers (our choices where the spec is silent, see also `mdes_book.rs`):
//! an unknown TokenUniqueReference is 404 `{Source: TokenUniqueReference,
//! ReasonCode: INVALID_FIELD_VALUE, ErrorCode: TOKEN_NOT_FOUND}`; a status
//! that does not allow the change is 400 `INVALID_TOKEN_STATUS` (ErrorCode
//! `TOKEN_DELETED`, `TOKEN_NOT_ACTIVE`, `TOKEN_NOT_AWAITING_ACTIVATION`);
//! a body that is not the operation's request is 400 `INVALID_REQUEST`; a
//! request that fails the gate is 401 `AUTHENTICATION_FAILED`; an injected
//! failure is 500 `INTERNAL_SERVICE_FAILURE` (Recoverable). A suspend,
//! unsuspend or delete that finds the token already as asked is answered
//! 200 and changes nothing (a retry).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::json;
use tmp_mdes::customer_service::ErrorsResponse;
use tmp_mdes::customer_service::error::{ErrorItem, Errors};

use super::calls;
use super::control::{self, Desk};
use super::faults::{FaultMode, HOLD};
use super::mdes_auth::Gatekeeper;
use super::mdes_book::MdesBook;
use super::mdes_registration::Registration;
use super::notify::Outbound;

/// Where the simulated MDES is mounted.
pub const MDES_PATH: &str = "/_local/mdes";
/// The Customer Service base path under it (`MdesCustomerServiceBaseUrl`).
pub const CS_BASE_PATH: &str = "/csapi/v2";
/// The operations `fail-next` hits unless told otherwise.
const LIFECYCLE: &[&str] = &[
    "token/suspend",
    "token/unsuspend",
    "token/delete",
    "token/activate",
    "token/update",
];

pub struct MdesSim {
    pub desk: Arc<Desk>,
    pub gate: Gatekeeper,
    book: Mutex<MdesBook>,
    comments: Mutex<u64>,
}

impl MdesSim {
    pub fn new(outbound: Outbound) -> Self {
        Self {
            desk: Arc::new(Desk::new(LIFECYCLE, outbound)),
            gate: Gatekeeper::default(),
            book: Mutex::new(MdesBook::default()),
            comments: Mutex::new(0),
        }
    }

    pub(super) fn book(&self) -> MutexGuard<'_, MdesBook> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new `CommentId` for a request that carried `CommentText`.
    pub(super) fn comment_id(&self, comment: Option<&String>) -> Option<String> {
        comment?;
        let mut n = self.comments.lock().unwrap_or_else(PoisonError::into_inner);
        *n += 1;
        Some(format!("{:06}", 880_000 + *n))
    }
}

pub fn router(sim: Arc<MdesSim>) -> Router {
    let desk = Arc::clone(&sim.desk);
    Router::new()
        .route(
            &format!("{CS_BASE_PATH}/{{*operation}}"),
            post(customer_service),
        )
        .route("/tokens", post(register))
        .route("/tokens/{tur}", get(show).delete(forget))
        .with_state(sim)
        .merge(control::router(desk))
}

/// One MDES `Errors` answer (fixed texts: never the request's content).
#[derive(Debug, Clone, Copy)]
pub(super) struct Refusal {
    pub status: StatusCode,
    pub source: &'static str,
    pub reason: &'static str,
    pub description: &'static str,
    pub error_code: Option<&'static str>,
}

impl Refusal {
    pub fn new(
        status: StatusCode,
        source: &'static str,
        reason: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            status,
            source,
            reason,
            description,
            error_code: None,
        }
    }

    pub fn with_code(mut self, error_code: &'static str) -> Self {
        self.error_code = Some(error_code);
        self
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = ErrorsResponse {
            errors: Errors {
                error: vec![ErrorItem {
                    source: Some(self.source.to_owned()),
                    reason_code: Some(self.reason.to_owned()),
                    description: Some(self.description.to_owned()),
                    recoverable: Some(self.status.is_server_error()),
                    error_code: self.error_code.map(str::to_owned),
                    details: None,
                }],
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// The request of an operation, or its 400 (never quoting the body).
pub(super) fn parse<T: DeserializeOwned>(body: &[u8], root: &'static str) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|_| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            root,
            "INVALID_REQUEST",
            "The request body is not a valid request of this operation",
        )
    })
}

pub(super) fn not_found() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "TokenUniqueReference",
        "INVALID_FIELD_VALUE",
        "No token has this TokenUniqueReference",
    )
    .with_code("TOKEN_NOT_FOUND")
}

/// Holds the answer of a `timeout` call beyond any client's deadline.
pub(super) async fn hold() -> Response {
    tokio::time::sleep(HOLD).await;
    Refusal::new(
        StatusCode::GATEWAY_TIMEOUT,
        "System",
        "INTERNAL_SERVICE_FAILURE",
        "Injected timeout",
    )
    .into_response()
}

async fn customer_service(
    State(sim): State<Arc<MdesSim>>,
    Path(operation): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let url = calls::request_url(&headers, MDES_PATH, &uri);
    sim.desk.calls.record(&method, &url, &headers, &body);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Err(reason) = sim.gate.check(method.as_str(), &url, &body, authorization) {
        tracing::warn!(
            ?reason,
            operation,
            "MDES simulator: request not authenticated"
        );
        return Refusal::new(
            StatusCode::UNAUTHORIZED,
            "Authorization",
            "AUTHENTICATION_FAILED",
            "The request could not be authenticated",
        )
        .into_response();
    }
    match sim.desk.faults.take(&operation) {
        Some(FaultMode::ServerError) => Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "System",
            "INTERNAL_SERVICE_FAILURE",
            "Injected failure",
        )
        .into_response(),
        Some(FaultMode::Timeout) => {
            let _applied = sim.operate(&operation, &body);
            hold().await
        }
        None => sim.operate(&operation, &body),
    }
}

async fn register(State(sim): State<Arc<MdesSim>>, body: Bytes) -> Response {
    let Ok(registration) = serde_json::from_slice::<Registration>(&body) else {
        return control::bad_request(
            r#"{"tokenUniqueReference", "status": "ACTIVE"|"SUSPENDED"|"INACTIVE"|"DEACTIVATED", "suspendedBy"?, "accountPanSuffix"?, "tokenRequestorId"?, "expirationDate"?}"#,
        );
    };
    match sim.book().register(registration) {
        Ok(token) => Json(token.view()).into_response(),
        Err(problem) => (StatusCode::BAD_REQUEST, Json(json!({"error": problem}))).into_response(),
    }
}

async fn show(State(sim): State<Arc<MdesSim>>, Path(tur): Path<String>) -> Response {
    match sim.book().tokens.get(&tur) {
        Some(token) => Json(token.view()).into_response(),
        None => control::unknown_token(),
    }
}

/// MDES forgetting a token silently (e.g. one never activated).
async fn forget(State(sim): State<Arc<MdesSim>>, Path(tur): Path<String>) -> Response {
    match sim.book().tokens.remove(&tur) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => control::unknown_token(),
    }
}
