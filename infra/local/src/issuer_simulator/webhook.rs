//! `POST /webhook`: the issuer's event receiver. Verifies the TMP signature
//! (`X-TMP-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`),
//! rejects stale deliveries, and records each `X-TMP-Event-Id` once: a
//! redelivery is acknowledged but not recorded again. `POST /webhook/fail-next`
//! makes the next deliveries fail (tests of the sender's retries).
//! Bodies may carry activation codes: they are stored, never logged.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use tmp_core::secret::Secret;

use super::SimulatorState;

pub const SIGNATURE_HEADER: &str = "x-tmp-signature";
pub const EVENT_ID_HEADER: &str = "x-tmp-event-id";
/// Deliveries signed longer ago than this are refused (replay window).
pub const MAX_AGE_SECONDS: i64 = 300;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A delivery the issuer accepted (first delivery of its event id).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub event_id: String,
    /// The body's `type`, if it is a JSON object with one.
    pub event_type: Option<String>,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

#[derive(Default)]
struct Inbox {
    accepted: Vec<WebhookDelivery>,
    seen: HashSet<String>,
    attempts: u64,
    fail_next: u32,
    fail_status: u16,
}

/// The receiver's secret and what it received.
pub(super) struct WebhookReceiver {
    secret: Secret<String>,
    inbox: Mutex<Inbox>,
}

impl WebhookReceiver {
    pub(super) fn new(secret: Secret<String>) -> Self {
        Self {
            secret,
            inbox: Mutex::new(Inbox::default()),
        }
    }

    pub(super) fn secret(&self) -> &Secret<String> {
        &self.secret
    }

    fn inbox(&self) -> std::sync::MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn accepted(&self) -> Vec<WebhookDelivery> {
        self.inbox().accepted.clone()
    }

    pub(super) fn attempts(&self) -> u64 {
        self.inbox().attempts
    }
}

/// A fresh random signing secret (32 bytes, hex).
pub fn generate_secret() -> Result<Secret<String>, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(Secret::new(hex::encode(bytes)))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length: this never fails.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-TMP-Signature` value a sender puts on `body` at `timestamp`.
pub fn signature_header(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// `(t, v1 bytes)` of a signature header.
fn parse_signature(value: &str) -> Option<(i64, Vec<u8>)> {
    let mut t = None;
    let mut v1 = None;
    for part in value.split(',') {
        match part.trim().split_once('=')? {
            ("t", ts) => t = ts.parse().ok(),
            ("v1", hex) => v1 = hex::decode(hex).ok(),
            _ => {}
        }
    }
    Some((t?, v1?))
}

fn problem(status: StatusCode, title: &str) -> Response {
    (
        status,
        Json(json!({ "title": title, "status": status.as_u16() })),
    )
        .into_response()
}

pub(super) async fn receive(
    State(state): State<Arc<SimulatorState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let receiver = &state.webhook;
    {
        let mut inbox = receiver.inbox();
        inbox.attempts += 1;
        if inbox.fail_next > 0 {
            inbox.fail_next -= 1;
            let status =
                StatusCode::from_u16(inbox.fail_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return problem(status, "Injected failure");
        }
    }
    let Some((timestamp, tag)) = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_signature)
    else {
        return problem(StatusCode::UNAUTHORIZED, "Missing or malformed signature");
    };
    // Constant-time comparison.
    if mac(receiver.secret.expose().as_bytes(), timestamp, &body)
        .verify_slice(&tag)
        .is_err()
    {
        tracing::warn!("issuer webhook: bad signature");
        return problem(StatusCode::UNAUTHORIZED, "Bad signature");
    }
    let now = OffsetDateTime::now_utc().unix_timestamp();
    if (now - timestamp).abs() > MAX_AGE_SECONDS {
        return problem(StatusCode::BAD_REQUEST, "Stale signature timestamp");
    }
    let Some(event_id) = headers
        .get(EVENT_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
    else {
        return problem(StatusCode::BAD_REQUEST, "Missing X-TMP-Event-Id");
    };
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return problem(StatusCode::BAD_REQUEST, "Body is not UTF-8");
    };
    let event_type = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned));
    let mut inbox = receiver.inbox();
    if !inbox.seen.insert(event_id.to_owned()) {
        tracing::info!(event_id, "issuer webhook: duplicate delivery acknowledged");
        return (StatusCode::OK, Json(json!({ "status": "duplicate" }))).into_response();
    }
    inbox.accepted.push(WebhookDelivery {
        event_id: event_id.to_owned(),
        event_type: event_type.clone(),
        body: text,
        received_at: OffsetDateTime::now_utc(),
    });
    tracing::info!(event_id, event_type, "issuer webhook: event accepted");
    (StatusCode::OK, Json(json!({ "status": "accepted" }))).into_response()
}

#[derive(Deserialize)]
pub(super) struct FailNext {
    count: u32,
    #[serde(default = "default_fail_status")]
    status: u16,
}

fn default_fail_status() -> u16 {
    500
}

/// `POST /webhook/fail-next {"count": N, "status": S}`.
pub(super) async fn fail_next(
    State(state): State<Arc<SimulatorState>>,
    Json(req): Json<FailNext>,
) -> Response {
    if !(400..=599).contains(&req.status) {
        return problem(StatusCode::BAD_REQUEST, "status must be 4xx or 5xx");
    }
    let mut inbox = state.webhook.inbox();
    inbox.fail_next = req.count;
    inbox.fail_status = req.status;
    (
        StatusCode::OK,
        Json(json!({ "count": req.count, "status": req.status })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_header_parses_back_and_verifies() {
        // GIVEN a signed body
        let header = signature_header(b"k", 1_700_000_000, b"{}");
        // THEN it parses into its timestamp and tag, which verify only for that body
        let (t, tag) = parse_signature(&header).unwrap();
        assert_eq!(t, 1_700_000_000);
        assert!(mac(b"k", t, b"{}").verify_slice(&tag).is_ok());
        assert!(mac(b"k", t, b"{ }").verify_slice(&tag).is_err());
        assert!(mac(b"other", t, b"{}").verify_slice(&tag).is_err());
        assert!(parse_signature("v1=00").is_none());
        assert!(parse_signature("t=1,v1=zz").is_none());
    }
}
