//! Token-events consumer: forwards every event to the issuer's signed webhook.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::issuer_notification::IssuerNotificationService;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::consumer::{RecordError, process_batch, token_event_from_body, with_backoff};
use tmp_runtime::lambda::{HandlerError, SqsHandler, sqs_handler};

pub const INIT: Init = crate::sqs_init!(init);

/// Cold start: the webhook secret decrypted once, the service.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<SqsHandler, HandlerError> {
    let consumer = handler(compose::issuer_notification(sdk, env).await?);
    Ok(with_backoff(consumer, compose::retry_backoff(sdk, env)?))
}

/// The batch handler over a ready service.
pub fn handler(service: IssuerNotificationService) -> SqsHandler {
    sqs_handler(Arc::new(service), |service, event| async move {
        Ok(process_batch(event, |record| {
            let service = Arc::clone(&service);
            async move {
                let event = token_event_from_body(record.body.as_deref())?;
                service.forward(&event).await.map_err(RecordError::from)
            }
        })
        .await)
    })
}

#[cfg(test)]
mod tests;
