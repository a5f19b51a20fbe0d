//! Token-events consumer: tells the cardholder when a card is added to or
//! removed from a wallet.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::cardholder_notification::CardholderNotificationService;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::consumer::{RecordError, process_batch, token_event_from_body, with_backoff};
use tmp_runtime::lambda::{HandlerError, SqsHandler, sqs_handler};

pub const INIT: Init = crate::sqs_init!(init);

/// Cold start: which notices are on, the channels, the webhook secret.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<SqsHandler, HandlerError> {
    let consumer = handler(compose::cardholder_notification(sdk, env).await?);
    Ok(with_backoff(consumer, compose::retry_backoff(sdk, env)?))
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
