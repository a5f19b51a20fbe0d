//! Outbound channels: the OTP job queue, the token-events topic, SMS, and the
//! issuer's notification webhook.

use async_trait::async_trait;

use crate::domain::delivery::OtpDeliveryJob;
use crate::domain::events::TokenEvent;
use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying (timeouts, 5xx, throttling).
    #[error("delivery channel temporarily unavailable: {0}")]
    Transient(String),
    /// Retrying will not help (bad address, 4xx other than 408/429).
    #[error("delivery refused: {0}")]
    Permanent(String),
}

/// Puts activation-code delivery jobs on the OTP queue (SQS).
#[async_trait]
pub trait OtpJobQueue: Send + Sync {
    async fn enqueue(&self, job: &OtpDeliveryJob) -> Result<(), DeliveryError>;
}

/// Publishes token events on the token-events topic (SNS), with the event
/// type as a message attribute `eventType` for subscription filters.
#[async_trait]
pub trait EventPublisher: Send + Sync {
    async fn publish(&self, event: &TokenEvent) -> Result<(), DeliveryError>;
}

/// Sends a text message to a phone number (SNS direct publish).
#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send_sms(
        &self,
        phone_number: &Secret<String>,
        text: &Secret<String>,
    ) -> Result<(), DeliveryError>;
}

/// POSTs a JSON document to the issuer's notification webhook, signed
/// (`X-TMP-Signature: t=<unix>,v1=<hex HMAC-SHA256 over "<t>.<body>">`), with
/// `X-TMP-Event-Id` so the issuer can apply each message once.
#[async_trait]
pub trait IssuerNotifier: Send + Sync {
    async fn notify(&self, event_id: &str, body: &[u8]) -> Result<(), DeliveryError>;
}

/// What was sent about a token (for customer service), recorded after the
/// send. Recording is best effort: a send is never repeated because its
/// record could not be written (see [`record_delivery`]).
#[async_trait]
pub trait DeliveryLog: Send + Sync {
    async fn record(
        &self,
        token_ref: &str,
        record: &crate::domain::delivery_log::DeliveryRecord,
    ) -> Result<(), crate::ports::StoreError>;
}

/// Records `record`, logging (never failing) when it cannot.
pub async fn record_delivery(
    log: &dyn DeliveryLog,
    token_ref: &str,
    record: crate::domain::delivery_log::DeliveryRecord,
) {
    if let Err(err) = log.record(token_ref, &record).await {
        tracing::warn!(error = %err, kind = ?record.kind, "the delivery was not recorded on the token");
    }
}
