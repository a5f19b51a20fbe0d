//! Forwards every token event to the issuer's webhook, as published: the
//! issuer keeps its card records in step and applies each `eventId` once.

use std::sync::Arc;

use crate::domain::delivery_log::{DeliveryKind, DeliveryRecord, DeliveryResult, LoggedChannel};
use crate::domain::events::TokenEvent;
use crate::ports::{DeliveryError, DeliveryLog, IssuerNotifier, record_delivery};

pub struct IssuerNotificationService {
    pub issuer: Arc<dyn IssuerNotifier>,
    /// Where each forwarded event is recorded on its token.
    pub log: Arc<dyn DeliveryLog>,
}

impl IssuerNotificationService {
    pub async fn forward(&self, event: &TokenEvent) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(event)
            .map_err(|_| DeliveryError::Permanent("event is not serialisable".to_owned()))?;
        self.issuer.notify(&event.event_id, &body).await?;
        tracing::info!(event_id = event.event_id, event_type = ?event.event_type, "token event forwarded to the issuer");
        let record = DeliveryRecord {
            id: event.event_id.clone(),
            kind: DeliveryKind::IssuerEvent,
            channel: LoggedChannel::Webhook,
            at: time::OffsetDateTime::now_utc(),
            result: DeliveryResult::Delivered,
            event_type: Some(event.event_type),
        };
        record_delivery(self.log.as_ref(), &event.token_unique_reference, record).await;
        Ok(())
    }
}
