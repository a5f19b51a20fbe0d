//! OTP queue consumer: each record is one [`OtpDeliveryJob`]; see
//! [`tmp_shared::consumer`] for which records are reported back for retry.

use std::sync::Arc;

use tmp_shared::adapters::sqs_backoff::retry_backoff;
use tmp_shared::config::FunctionEnv;
use tmp_shared::consumer::{RecordError, parse_body, process_batch, with_backoff};
use tmp_shared::domain::delivery::OtpDeliveryJob;
use tmp_shared::lambda::{HandlerError, SqsHandler, sqs_handler};
use tmp_shared::services::delivery_wiring::cardholder_channels;
use tmp_shared::services::otp_delivery::OtpDeliveryService;

/// Cold start: AWS clients, the webhook secret (KMS), the services.
pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<SqsHandler, HandlerError> {
    let channels = cardholder_channels(sdk, env).await?;
    let consumer = handler(OtpDeliveryService {
        vault: channels.vault,
        contacts: channels.contacts,
        sms: channels.sms,
        issuer: channels.issuer,
        issuer_name: channels.issuer_name,
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
