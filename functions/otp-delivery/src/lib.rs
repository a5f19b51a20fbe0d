//! OTP queue consumer: each record is one [`OtpDeliveryJob`]; see
//! [`tmp_shared::consumer`] for which records are reported back for retry.

use std::sync::Arc;

use tmp_shared::adapters::sqs_backoff::retry_backoff;
use tmp_shared::adapters::webhook::issuer_notifier_from_env;
use tmp_shared::adapters::{DynamoDbContactDirectory, KmsKeyVault, SnsSmsSender};
use tmp_shared::config::FunctionEnv;
use tmp_shared::consumer::{RecordError, parse_body, process_batch, with_backoff};
use tmp_shared::domain::delivery::OtpDeliveryJob;
use tmp_shared::lambda::{HandlerError, SqsHandler, sqs_handler};
use tmp_shared::ports::KeyVault;
use tmp_shared::services::otp_delivery::OtpDeliveryService;

/// Name in the texts when `ISSUER_NAME` is unset.
pub const DEFAULT_ISSUER_NAME: &str = "your bank";

/// Cold start: AWS clients, the webhook secret (KMS), the services.
pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<SqsHandler, HandlerError> {
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
    let consumer = handler(OtpDeliveryService {
        vault,
        contacts: Arc::new(contacts),
        sms: Arc::new(sms),
        issuer,
        issuer_name: env
            .get("ISSUER_NAME")
            .unwrap_or(DEFAULT_ISSUER_NAME)
            .to_owned(),
    });
    Ok(with_backoff(consumer, retry_backoff(sdk, env)?))
}

/// The batch handler over a ready service.
pub fn handler(service: OtpDeliveryService) -> SqsHandler {
    sqs_handler(Arc::new(service), |service, event| async move {
        let now = time::OffsetDateTime::now_utc();
        Ok(process_batch(event, |record| {
            let service = Arc::clone(&service);
            async move {
                let job: OtpDeliveryJob = parse_body(record.body.as_deref())?;
                service
                    .deliver(&job, now)
                    .await
                    .map_err(RecordError::from)?;
                Ok(())
            }
        })
        .await)
    })
}

#[cfg(test)]
mod tests;
