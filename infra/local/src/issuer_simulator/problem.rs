//! RFC 9457 problem details, the error format of the Card Verification API.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub(super) const UNKNOWN_CARD: &str = "https://tmp.example/problems/unknown-card";
pub(super) const INVALID_REQUEST: &str = "https://tmp.example/problems/invalid-request";
pub(super) const INVALID_TOKEN: &str = "https://tmp.example/problems/invalid-token";

/// `detail` must be a fixed text: it never quotes the request.
pub(super) fn problem(status: StatusCode, kind: &str, title: &str, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": kind,
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
