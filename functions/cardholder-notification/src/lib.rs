//! Token-events consumer that tells cardholders when a card is added to or
//! removed from a wallet. The subscription's filter policy only lets the
//! notifiable event types through; the service checks again against
//! `CARDHOLDER_NOTIFICATIONS`. See [`tmp_shared::consumer`] for retry rules.

use std::sync::Arc;

use tmp_shared::adapters::sqs_backoff::retry_backoff;
use tmp_shared::adapters::webhook::issuer_notifier_from_env;
use tmp_shared::adapters::{DynamoDbContactDirectory, KmsKeyVault, SnsSmsSender};
use tmp_shared::config::FunctionEnv;
use tmp_shared::consumer::{RecordError, process_batch, token_event_from_body, with_backoff};
use tmp_shared::lambda::{HandlerError, SqsHandler, sqs_handler};
use tmp_shared::ports::KeyVault;
use tmp_shared::services::cardholder_notification::{
    CardholderNotificationService, EnabledNotifications,
};

/// Name in the texts when `ISSUER_NAME` is unset.
pub const DEFAULT_ISSUER_NAME: &str = "your bank";

/// Cold start: AWS clients, configuration, the webhook secret (KMS).
pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<SqsHandler, HandlerError> {
    let enabled = EnabledNotifications::parse(env.get("CARDHOLDER_NOTIFICATIONS"))?;
    let vault: Arc<dyn KeyVault> = Arc::new(KmsKeyVault::new(
        aws_sdk_kms::Client::new(sdk),
        env.require("SECRETS_KEY_ID")?,
    ));
    let contacts = DynamoDbContactDirectory::new(
        aws_sdk_dynamodb::Client::new(sdk),
        env.require("TOKEN_STATE_TABLE")?,
        Arc::clone(&vault),
    );
    let issuer = issuer_notifier_from_env(vault.as_ref(), env).await?;
    let sms = SnsSmsSender::new(
        aws_sdk_sns::Client::new(sdk),
        env.get("SMS_SENDER_ID").map(str::to_owned),
    );
    let consumer = handler(CardholderNotificationService {
        contacts: Arc::new(contacts),
        sms: Arc::new(sms),
        issuer,
        issuer_name: env
            .get("ISSUER_NAME")
            .unwrap_or(DEFAULT_ISSUER_NAME)
            .to_owned(),
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
