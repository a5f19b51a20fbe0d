//! What each simulated network offers the tests besides its API: the calls
//! it received (`GET /calls`), fault injection (`POST /fail-next`) and the
//! notification switch and record (`POST`/`GET /notifications`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::calls::CallLog;
use super::faults::{FailNext, Faults};
use super::notify::{Notifications, Outbound, Switch};

/// One network's calls, faults and notifications.
pub struct Desk {
    pub calls: CallLog,
    pub faults: Faults,
    pub notifications: Arc<Notifications>,
    pub outbound: Outbound,
}

impl Desk {
    pub fn new(lifecycle: &'static [&'static str], outbound: Outbound) -> Self {
        Self {
            calls: CallLog::default(),
            faults: Faults::new(lifecycle),
            notifications: Arc::new(Notifications::default()),
            outbound,
        }
    }
}

/// A control body that is not what the endpoint takes (never echoed).
pub fn bad_request(what: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": format!("the body is not {what}")})),
    )
        .into_response()
}

pub fn router(desk: Arc<Desk>) -> Router {
    Router::new()
        .route(
            "/calls",
            get(|State(desk): State<Arc<Desk>>| async move { Json(desk.calls.all()) }),
        )
        .route(
            "/fail-next",
            post(
                |State(desk): State<Arc<Desk>>, body: axum::body::Bytes| async move {
                    match serde_json::from_slice::<FailNext>(&body) {
                        Ok(request) => {
                            desk.faults.arm(request);
                            StatusCode::NO_CONTENT.into_response()
                        }
                        Err(_) => bad_request(
                            r#"{"count": n, "mode": "timeout"|"500", "operations"?: [...]}"#,
                        ),
                    }
                },
            ),
        )
        .route(
            "/notifications",
            get(|State(desk): State<Arc<Desk>>| async move { Json(desk.notifications.sent()) })
                .post(
                    |State(desk): State<Arc<Desk>>, body: axum::body::Bytes| async move {
                        match serde_json::from_slice::<Switch>(&body) {
                            Ok(switch) => {
                                desk.notifications.switch(&switch);
                                StatusCode::NO_CONTENT.into_response()
                            }
                            Err(_) => bad_request(r#"{"enabled": true|false, "delayMs"?: n}"#),
                        }
                    },
                ),
        )
        .with_state(desk)
}

/// 404 for a token the simulated network does not hold.
pub fn unknown_token() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "no such token"})),
    )
        .into_response()
}
