//! SQS consumers' batch rules, shared by every queue-driven function.
//!
//! Each record is processed on its own; the batch answer lists the records
//! to keep (`ReportBatchItemFailures`), so one bad record never holds back
//! or replays the others. Every failure is reported, whatever its kind:
//! - transient (timeouts, throttling, 5xx): redelivered after the visibility
//!   timeout and usually succeeds;
//! - poison (unparseable) and permanent (refused by the channel): redelivered
//!   too, then moved to the dead-letter queue after `maxReceiveCount`, whose
//!   alarm brings an operator. Deleting them silently would lose a code or a
//!   notice without trace; the few extra attempts cost nothing.

use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use serde::de::DeserializeOwned;

use tmp_core::domain::events::TokenEvent;
use tmp_core::ports::DeliveryError;

/// Why one record was not processed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The body is not the expected document (`at` is the JSON path, no content).
    #[error("unreadable message at {at}")]
    Poison { at: String },
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

impl RecordError {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Poison { .. } => "poison",
            Self::Delivery(DeliveryError::Transient(_)) => "transient",
            Self::Delivery(DeliveryError::Permanent(_)) => "permanent",
        }
    }
}

/// Runs `process` over every record concurrently and reports the failed ones.
pub async fn process_batch<F, Fut>(event: SqsEvent, process: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), RecordError>>,
{
    let runs = event.records.into_iter().map(|record| {
        let message_id = record.message_id.clone().unwrap_or_default();
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .cloned()
            .unwrap_or_default();
        let run = process(record);
        async move { (message_id, receive_count, run.await) }
    });
    let mut response = SqsBatchResponse::default();
    for (message_id, receive_count, result) in futures::future::join_all(runs).await {
        if let Err(error) = result {
            tracing::warn!(
                message_id,
                receive_count,
                kind = error.kind(),
                error = %error,
                "record not processed; left on the queue"
            );
            response.add_failure(message_id);
        }
    }
    response
}

/// Parses a record body as `T`; errors name the JSON path, never the content.
pub fn parse_body<T: DeserializeOwned>(body: Option<&str>) -> Result<T, RecordError> {
    let body = body.ok_or_else(|| RecordError::Poison {
        at: "(no body)".to_owned(),
    })?;
    let mut de = serde_json::Deserializer::from_str(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| RecordError::Poison {
        at: match e.path().to_string().as_str() {
            "." => "(document)".to_owned(),
            path => path.to_owned(),
        },
    })
}

/// A token event from a topic subscription: the raw event (raw message
/// delivery), or unwrapped from the SNS envelope (`"Type":"Notification"`).
pub fn token_event_from_body(body: Option<&str>) -> Result<TokenEvent, RecordError> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "Type")]
        kind: String,
        #[serde(rename = "Message")]
        message: String,
    }
    if let Ok(envelope) = parse_body::<Envelope>(body)
        && envelope.kind == "Notification"
    {
        return parse_body(Some(&envelope.message));
    }
    parse_body(body)
}

/// Postpones a failed record's next attempt (exponential backoff).
#[async_trait::async_trait]
pub trait RetryBackoff: Send + Sync {
    async fn postpone(&self, queue_arn: &str, receipt_handle: &str, receive_count: u32);
}

/// Wraps a consumer so that every record it reports as failed is postponed
/// through `backoff` before SQS makes it visible again.
pub fn with_backoff(
    inner: crate::lambda::SqsHandler,
    backoff: std::sync::Arc<dyn RetryBackoff>,
) -> crate::lambda::SqsHandler {
    std::sync::Arc::new(move |event: SqsEvent| {
        let inner = std::sync::Arc::clone(&inner);
        let backoff = std::sync::Arc::clone(&backoff);
        let sources: std::collections::HashMap<String, (String, String, u32)> = event
            .records
            .iter()
            .filter_map(|r| {
                let count = r
                    .attributes
                    .get("ApproximateReceiveCount")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1);
                Some((
                    r.message_id.clone()?,
                    (
                        r.event_source_arn.clone()?,
                        r.receipt_handle.clone()?,
                        count,
                    ),
                ))
            })
            .collect();
        Box::pin(async move {
            let response = inner(event).await?;
            for failure in &response.batch_item_failures {
                if let Some((arn, handle, count)) = sources.get(&failure.item_identifier) {
                    backoff.postpone(arn, handle, *count).await;
                }
            }
            Ok(response)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"eventId":"evt-1","eventType":"TOKEN_DELETED","schemaVersion":1,"occurredAt":"2026-03-01T10:00:00Z","network":"MDES","tokenUniqueReference":"DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c"}"#;

    #[test]
    fn raw_and_enveloped_token_events_both_parse() {
        // GIVEN the same event raw and inside an SNS envelope
        let envelope = serde_json::json!({
            "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
            "Message": EVENT, "MessageAttributes": {"eventType": {"Type": "String", "Value": "TOKEN_DELETED"}}
        })
        .to_string();
        // WHEN parsed, THEN both give the event
        let raw = token_event_from_body(Some(EVENT)).unwrap();
        let unwrapped = token_event_from_body(Some(&envelope)).unwrap();
        assert_eq!(raw, unwrapped);
        assert_eq!(raw.event_id, "evt-1");
    }

    #[test]
    fn poison_bodies_name_the_path_not_the_content() {
        let err = token_event_from_body(Some(
            r#"{"eventId":"e","eventType":"SECRET_5555555555554444"}"#,
        ))
        .unwrap_err();
        assert!(matches!(err, RecordError::Poison { .. }));
        assert!(!err.to_string().contains("5555555555554444"), "{err}");
        assert!(err.to_string().contains("eventType"), "{err}");
        assert!(matches!(
            token_event_from_body(None),
            Err(RecordError::Poison { .. })
        ));
        assert!(matches!(
            token_event_from_body(Some("not json")),
            Err(RecordError::Poison { .. })
        ));
    }
}
