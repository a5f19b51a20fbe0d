//! The one place MDES answers become HTTP responses: 200 with the operation's
//! body, or the spec's `ErrorsResponse` with the code's status.

use ::http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use crate::{ErrorsResponse, MdesError};

fn json_response(status: u16, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub fn ok<T: Serialize>(body: &T) -> Response<Vec<u8>> {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_response(200, bytes),
        Err(_) => error(&fresh_response_id(), &MdesError::internal()),
    }
}

/// `responseId` echoes the request's `requestId`, or a fresh id when the
/// request had none we could read.
pub fn error(response_id: &str, error: &MdesError) -> Response<Vec<u8>> {
    let body = ErrorsResponse::new(response_id, error);
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    json_response(error.code.http_status(), bytes)
}

pub fn fresh_response_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
