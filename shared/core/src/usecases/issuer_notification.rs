//! Forwards every token event to the issuer's webhook, as published: the
//! issuer keeps its card records in step and applies each `eventId` once.

use std::sync::Arc;

use crate::domain::events::TokenEvent;
use crate::ports::{DeliveryError, IssuerNotifier};

pub struct IssuerNotificationService {
    pub issuer: Arc<dyn IssuerNotifier>,
}

impl IssuerNotificationService {
    pub async fn forward(&self, event: &TokenEvent) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(event)
            .map_err(|_| DeliveryError::Permanent("event is not serialisable".to_owned()))?;
        self.issuer.notify(&event.event_id, &body).await?;
        tracing::info!(event_id = event.event_id, event_type = ?event.event_type, "token event forwarded to the issuer");
        Ok(())
    }
}
