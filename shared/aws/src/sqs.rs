//! The OTP queue on SQS: one JSON message per activation-code delivery job.

use async_trait::async_trait;
use aws_sdk_sqs::Client;

use super::aws_error::AwsFailure;
use super::delivery_error;
use tmp_core::domain::delivery::OtpDeliveryJob;
use tmp_core::ports::{DeliveryError, OtpJobQueue};

/// [`OtpJobQueue`] on an SQS standard queue. The job carries the code only as
/// KMS ciphertext, so the message body is safe to store in the queue.
#[derive(Debug, Clone)]
pub struct SqsOtpJobQueue {
    client: Client,
    queue_url: String,
}

impl SqsOtpJobQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

#[async_trait]
impl OtpJobQueue for SqsOtpJobQueue {
    async fn enqueue(&self, job: &OtpDeliveryJob) -> Result<(), DeliveryError> {
        let body = serde_json::to_string(job)
            .map_err(|_| DeliveryError::Permanent("job is not serialisable".to_owned()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| delivery_error(AwsFailure::new(&e)))?;
        Ok(())
    }
}
