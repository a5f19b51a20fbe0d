//! The one place TMP API answers become HTTP responses: JSON with its status,
//! or a problem as `application/problem+json` with the problem's status.

use ::http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use crate::problem::{PROBLEM_JSON, Problem};

fn response(status: u16, body: Vec<u8>, content_type: &'static str) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    // Every status we use is valid; 503 is the fallback callers retry.
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `status` (200, 202) with `body` as JSON.
pub fn json<T: Serialize>(status: u16, body: &T) -> Response<Vec<u8>> {
    match serde_json::to_vec(body) {
        Ok(bytes) => response(status, bytes, "application/json"),
        Err(_) => problem(&Problem::unavailable()),
    }
}

/// A CSV download (`text/csv`, RFC 4180) named `filename` (ours, never the
/// caller's text), not cached anywhere on the way.
pub fn csv(filename: &str, body: String) -> Response<Vec<u8>> {
    let mut response = response(200, body.into_bytes(), "text/csv; charset=utf-8");
    let disposition = format!("attachment; filename=\"{filename}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The problem with its status. A 401 also says how to authenticate
/// (RFC 6750 §3), without saying why the token was refused.
pub fn problem(problem: &Problem) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = response(problem.status, bytes, PROBLEM_JSON);
    if problem.status == 401 {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tmp\""),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProblemKind;

    #[test]
    fn problems_carry_their_status_and_media_type() {
        // GIVEN a problem of every kind
        for kind in ProblemKind::ALL {
            let p = Problem::new(kind, "d");
            // WHEN answered
            let response = problem(&p);
            // THEN the status is the kind's and the body is problem+json
            assert_eq!(response.status().as_u16(), kind.status());
            assert_eq!(
                response.headers().get(header::CONTENT_TYPE).unwrap(),
                PROBLEM_JSON
            );
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            assert_eq!(body["status"], kind.status());
            assert_eq!(body["type"], kind.type_uri());
            assert_eq!(
                response.headers().contains_key(header::WWW_AUTHENTICATE),
                kind == ProblemKind::Unauthorized
            );
        }
    }

    #[test]
    fn answers_are_json_with_their_status() {
        let response = json(202, &serde_json::json!({"jobId": "job_00000001"}));
        assert_eq!(response.status().as_u16(), 202);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
    }
}
