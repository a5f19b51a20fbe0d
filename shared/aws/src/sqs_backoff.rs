//! Exponential backoff for failed SQS records: the message's visibility
//! timeout becomes `base × 2^(receives − 1)` (capped at 15 minutes), so a
//! failing webhook is retried after 10 s, 20 s, 40 s … instead of hammering it
//! every visibility timeout, until the redrive policy dead-letters it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;

use tmp_runtime::consumer::RetryBackoff;

const MAX_VISIBILITY: Duration = Duration::from_secs(900);

pub struct SqsRetryBackoff {
    client: Client,
    base: Duration,
    /// Queue ARN → URL, resolved once per queue.
    urls: Mutex<HashMap<String, String>>,
}

impl SqsRetryBackoff {
    pub fn new(client: Client, base: Duration) -> Self {
        Self {
            client,
            base,
            urls: Mutex::new(HashMap::new()),
        }
    }

    /// The delay before the next attempt after `receive_count` receives.
    pub fn delay(base: Duration, receive_count: u32) -> Duration {
        let exponent = receive_count.saturating_sub(1).min(16);
        base.saturating_mul(1 << exponent).min(MAX_VISIBILITY)
    }

    async fn queue_url(&self, queue_arn: &str) -> Option<String> {
        if let Some(url) = self
            .urls
            .lock()
            .ok()
            .and_then(|u| u.get(queue_arn).cloned())
        {
            return Some(url);
        }
        // arn:aws:sqs:<region>:<account>:<name>
        let mut parts = queue_arn.rsplitn(3, ':');
        let name = parts.next()?;
        let account = parts.next()?;
        let url = self
            .client
            .get_queue_url()
            .queue_name(name)
            .queue_owner_aws_account_id(account)
            .send()
            .await
            .ok()?
            .queue_url?;
        if let Ok(mut urls) = self.urls.lock() {
            urls.insert(queue_arn.to_owned(), url.clone());
        }
        Some(url)
    }
}

#[async_trait]
impl RetryBackoff for SqsRetryBackoff {
    async fn postpone(&self, queue_arn: &str, receipt_handle: &str, receive_count: u32) {
        let Some(url) = self.queue_url(queue_arn).await else {
            tracing::warn!(
                "cannot resolve the queue of a failed record: default visibility applies"
            );
            return;
        };
        let delay = Self::delay(self.base, receive_count);
        let result = self
            .client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(i32::try_from(delay.as_secs()).unwrap_or(900))
            .send()
            .await;
        if result.is_err() {
            tracing::warn!("postponing a failed record failed: default visibility applies");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_are_capped() {
        let base = Duration::from_secs(10);
        let delays: Vec<u64> = (1..=5)
            .map(|n| SqsRetryBackoff::delay(base, n).as_secs())
            .collect();
        assert_eq!(delays, [10, 20, 40, 80, 160]);
        assert_eq!(SqsRetryBackoff::delay(base, 40), MAX_VISIBILITY);
    }
}
