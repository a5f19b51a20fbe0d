//! Token-events consumer that tells cardholders when a card is added to or
//! removed from a wallet. The subscription's filter policy only lets the
//! notifiable event types through; the service checks again against
//! `CARDHOLDER_NOTIFICATIONS`. See [`tmp_shared::consumer`] for retry rules.

use std::sync::Arc;

use tmp_shared::adapters::sqs_backoff::retry_backoff;
use tmp_shared::config::FunctionEnv;
use tmp_shared::consumer::{RecordError, process_batch, token_event_from_body, with_backoff};
use tmp_shared::lambda::{HandlerError, SqsHandler, sqs_handler};
use tmp_shared::services::cardholder_notification::{
    CardholderNotificationService, EnabledNotifications,
};
use tmp_shared::services::delivery_wiring::cardholder_channels;

/// Cold start: AWS clients, configuration, the webhook secret (KMS).
pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<SqsHandler, HandlerError> {
    let enabled = EnabledNotifications::parse(env.get("CARDHOLDER_NOTIFICATIONS"))?;
    let channels = cardholder_channels(sdk, env).await?;
    let consumer = handler(CardholderNotificationService {
        contacts: channels.contacts,
        sms: channels.sms,
        issuer: channels.issuer,
        issuer_name: channels.issuer_name,
        enabled,
    });
    Ok(with_backoff(consumer, retry_backoff(sdk, env)?))
}

/// The batch handler over a ready service.
pub fn handler(service: CardholderNotificationService) -> SqsHandler {
    sqs_handler(Arc::new(service), |service, event| async move {
        Ok(process_batch(event, |record| {
            let service = Arc::clone(&service);
            async move {
                let event = token_event_from_body(record.body.as_deref())?;
                let outcome = service.notify(&event).await.map_err(RecordError::from)?;
                tracing::debug!(event_id = event.event_id, ?outcome, "token event handled");
                Ok(())
            }
        })
        .await)
    })
}

#[cfg(test)]
mod tests;
