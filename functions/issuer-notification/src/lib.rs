//! Token-events consumer that forwards every event to the issuer's webhook.
//! The queue is subscribed to the topic with raw message delivery; an SNS
//! envelope is accepted too. See [`tmp_shared::consumer`] for retry rules.

use std::sync::Arc;

use tmp_shared::adapters::KmsKeyVault;
use tmp_shared::adapters::sqs_backoff::retry_backoff;
use tmp_shared::adapters::webhook::issuer_notifier_from_env;
use tmp_shared::config::FunctionEnv;
use tmp_shared::consumer::{RecordError, process_batch, token_event_from_body, with_backoff};
use tmp_shared::lambda::{HandlerError, SqsHandler, sqs_handler};
use tmp_shared::services::issuer_notification::IssuerNotificationService;

/// Cold start: the webhook secret is decrypted once (KMS).
pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<SqsHandler, HandlerError> {
    let vault = KmsKeyVault::new(
        aws_sdk_kms::Client::new(sdk),
        env.require("SECRETS_KEY_ID")?,
    );
    let issuer = issuer_notifier_from_env(&vault, env).await?;
    let consumer = handler(IssuerNotificationService { issuer });
    Ok(with_backoff(consumer, retry_backoff(sdk, env)?))
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
