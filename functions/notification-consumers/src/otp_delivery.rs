//! OTP queue consumer: each record is one [`OtpDeliveryJob`]; see
//! [`tmp_runtime::consumer`] for which records are reported back for retry.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::domain::delivery::OtpDeliveryJob;
use tmp_core::usecases::otp_delivery::OtpDeliveryService;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::consumer::{RecordError, parse_body, process_batch, with_backoff};
use tmp_runtime::lambda::{HandlerError, SqsHandler, sqs_handler};

pub const INIT: Init = crate::sqs_init!(init);

/// Cold start: AWS clients, the webhook secret (key service), the service.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<SqsHandler, HandlerError> {
    let consumer = handler(compose::otp_delivery(sdk, env).await?);
    Ok(with_backoff(consumer, compose::retry_backoff(sdk, env)?))
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
