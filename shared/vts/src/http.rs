//! The one place VTS answers become HTTP responses: 200 with the operation's
//! JSON, 200 with no body (tokenChanged), or the error body with its code's
//! status (400, 404, 503; never 500).

use ::http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use crate::VtsError;

fn response(status: u16, body: Vec<u8>, json: bool) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    // Every status we use is valid; 503 is the fallback our callers retry.
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    if json {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

/// 200 with `body` as JSON.
pub fn ok<T: Serialize>(body: &T) -> Response<Vec<u8>> {
    match serde_json::to_vec(body) {
        Ok(bytes) => response(200, bytes, true),
        Err(_) => error(&VtsError::internal()),
    }
}

/// 200 with an empty body (tokenChanged's success).
pub fn empty_ok() -> Response<Vec<u8>> {
    response(200, Vec::new(), false)
}

/// `{"errorCode", "errorDescription"}` with the code's status.
pub fn error(error: &VtsError) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(&error.body()).unwrap_or_default();
    response(error.http_status(), bytes, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_their_status_and_json_body() {
        // GIVEN an unknown token reference and an outage
        for (err, status) in [
            (VtsError::unknown_token_reference(), 404),
            (VtsError::internal(), 503),
            (VtsError::cryptography(), 400),
        ] {
            // WHEN answered
            let response = error(&err);
            // THEN the status is the code's and the body is JSON
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(
                response.headers().get(header::CONTENT_TYPE).unwrap(),
                "application/json"
            );
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            assert_eq!(body["errorCode"], err.code.as_str());
        }
    }

    #[test]
    fn token_changed_success_is_an_empty_200() {
        let response = empty_ok();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.body().is_empty());
        assert!(response.headers().get(header::CONTENT_TYPE).is_none());
    }
}
