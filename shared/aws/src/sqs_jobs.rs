//! The job queue on SQS: one message per job item, sent in batches of ten
//! (SQS's limit). Messages carry the job and token ids only, never card data.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use tmp_core::ports::{DeliveryError, JobMessage, JobQueue};

use super::aws_error::AwsFailure;
use super::delivery_error;

const BATCH: usize = 10;

#[derive(Debug, Clone)]
pub struct SqsJobQueue {
    client: Client,
    queue_url: String,
}

impl SqsJobQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

#[async_trait]
impl JobQueue for SqsJobQueue {
    async fn enqueue(&self, messages: &[JobMessage]) -> Result<(), DeliveryError> {
        for chunk in messages.chunks(BATCH) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, message) in chunk.iter().enumerate() {
                let body = serde_json::to_string(message)
                    .map_err(|_| DeliveryError::Permanent("job item is not serialisable".into()))?;
                entries.push(
                    SendMessageBatchRequestEntry::builder()
                        .id(format!("m{i}"))
                        .message_body(body)
                        .build()
                        .map_err(|e| DeliveryError::Permanent(e.to_string()))?,
                );
            }
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| delivery_error(AwsFailure::new(&e)))?;
            // A partly sent batch: the start is retried whole (items run once).
            if !out.failed.is_empty() {
                return Err(DeliveryError::Transient(format!(
                    "{} job messages not accepted",
                    out.failed.len()
                )));
            }
        }
        Ok(())
    }
}

/// The worker's queue: it settles items and never starts a job.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoJobQueue;

#[async_trait]
impl JobQueue for NoJobQueue {
    async fn enqueue(&self, _messages: &[JobMessage]) -> Result<(), DeliveryError> {
        Err(DeliveryError::Permanent(
            "this function does not start jobs".into(),
        ))
    }
}
