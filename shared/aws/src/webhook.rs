//! The issuer's notification webhook: signed JSON POSTs with a strict deadline.
//!
//! Signature: `X-TMP-Signature: t=<unix seconds>,v1=<lowercase hex
//! HMAC-SHA256(secret, "<t>.<body>")>`. The issuer recomputes it, compares in
//! constant time and refuses stale `t` (replay); `X-TMP-Event-Id` lets it
//! apply each message once, since we deliver at least once.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::CONTENT_TYPE;
use sha2::Sha256;

use tmp_core::ports::{DeliveryError, IssuerNotifier};
use tmp_core::secret::Secret;

pub const EVENT_ID_HEADER: &str = "X-TMP-Event-Id";
pub const SIGNATURE_HEADER: &str = "X-TMP-Signature";

/// Whole-request budget unless `ISSUER_WEBHOOK_TIMEOUT_MS` says otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = 3000;

pub struct WebhookConfig {
    pub url: String,
    pub secret: Secret<String>,
    /// Whole-request budget (connect, send, answer).
    pub timeout: Duration,
}

/// [`IssuerNotifier`] over HTTPS.
pub struct WebhookNotifier {
    http: reqwest::Client,
    url: String,
    secret: Secret<String>,
}

/// The webhook answered with a status that is not a success.
#[derive(Debug, thiserror::Error)]
#[error("issuer webhook answered HTTP {0}")]
struct WebhookStatus(u16);

impl WebhookNotifier {
    /// Fails only if the TLS stack cannot start.
    pub fn new(config: WebhookConfig) -> Result<Self, DeliveryError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(1)))
            // A redirect would resend a code or an address elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| DeliveryError::Permanent("HTTP client cannot start".to_owned()))?;
        Ok(Self {
            http,
            url: config.url,
            secret: config.secret,
        })
    }
}

impl fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookNotifier")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// `t=<unix>,v1=<hex>` for `body` signed at `timestamp`.
pub fn signature_header(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// What a status means for redelivery.
pub fn classify_status(status: u16) -> Result<(), DeliveryError> {
    match status {
        200..=299 => Ok(()),
        408 | 429 | 500..=599 => Err(DeliveryError::Transient(WebhookStatus(status).to_string())),
        _ => Err(DeliveryError::Permanent(WebhookStatus(status).to_string())),
    }
}

#[async_trait]
impl IssuerNotifier for WebhookNotifier {
    async fn notify(&self, event_id: &str, body: &[u8]) -> Result<(), DeliveryError> {
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = signature_header(self.secret.expose().as_bytes(), timestamp, body);
        let response = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, event_id)
            .header(SIGNATURE_HEADER, signature)
            .body(body.to_vec())
            .send()
            .await
            .map_err(transport_failure)?;
        let status = response.status().as_u16();
        tracing::info!(event_id, status, "issuer webhook answered");
        classify_status(status)
    }
}

/// Timeouts and connection failures are worth retrying; the error text of
/// reqwest can hold the URL only, never the body.
fn transport_failure(error: reqwest::Error) -> DeliveryError {
    if error.is_timeout() {
        DeliveryError::Transient("issuer webhook timed out".to_owned())
    } else if error.is_connect() {
        DeliveryError::Transient("issuer webhook unreachable".to_owned())
    } else {
        DeliveryError::Transient("issuer webhook request failed".to_owned())
    }
}

/// Stands in when no webhook is configured: every hand-off is refused, so
/// it ends in the dead-letter queue where an operator sees it.
#[derive(Debug, Default)]
pub struct NoIssuerWebhook;

#[async_trait]
impl IssuerNotifier for NoIssuerWebhook {
    async fn notify(&self, _event_id: &str, _body: &[u8]) -> Result<(), DeliveryError> {
        Err(DeliveryError::Permanent(
            "issuer webhook is not configured".to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_an_independent_hmac_sha256() {
        // GIVEN a body signed at a fixed time (expected value from Python's
        // hmac.new(b"Jefe", b'1700000000.{"a":1}', sha256).hexdigest())
        let expected = "fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a";
        // WHEN signed
        let header = signature_header(b"Jefe", 1_700_000_000, br#"{"a":1}"#);
        // THEN the header carries the timestamp and the lowercase hex MAC
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn statuses_split_into_success_retry_and_refusal() {
        assert!(classify_status(200).is_ok());
        assert!(classify_status(204).is_ok());
        for retry in [408, 429, 500, 502, 503] {
            assert!(
                matches!(classify_status(retry), Err(DeliveryError::Transient(_))),
                "{retry}"
            );
        }
        for refused in [400, 401, 403, 404, 410, 422, 301] {
            assert!(
                matches!(classify_status(refused), Err(DeliveryError::Permanent(_))),
                "{refused}"
            );
        }
    }
}
