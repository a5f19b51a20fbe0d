//! Publishing token events from the outbox. Every change commits its events
//! as outbox items in the same transaction; no request waits on the topic.
//! The table's stream hands each new item to [`PublishEvents`], which
//! publishes it and marks it. A batch the stream delivers again (after a
//! failure or a crash) skips what was marked, so each event is published
//! once; only a crash between the topic's acknowledgement and the mark
//! publishes one again, under the same `eventId`, which subscribers dedupe.

use std::collections::HashSet;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::clock::{Clock, IdGenerator};
use crate::domain::Network;
use crate::domain::events::{TOKEN_EVENT_SCHEMA_VERSION, TokenEvent, TokenEventType};
use crate::ports::{EventOutbox, EventPublisher, OutboxKey};

/// One outbox item as the stream delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRecord {
    /// Where the record is in its stream (the stream's sequence number).
    pub position: String,
    pub event: TokenEvent,
}

impl OutboxRecord {
    fn key(&self) -> OutboxKey {
        OutboxKey {
            token_ref: self.event.token_unique_reference.clone(),
            event_id: self.event.event_id.clone(),
        }
    }
}

/// What became of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    /// Events published now.
    pub published: usize,
    /// Events a previous delivery of the batch had published already.
    pub skipped: usize,
    /// The first record not published: it and every record after it must be
    /// delivered again (order per token is kept).
    pub retry_from: Option<String>,
}

#[derive(Clone)]
pub struct PublishEvents {
    pub publisher: Arc<dyn EventPublisher>,
    pub outbox: Arc<dyn EventOutbox>,
    pub clock: Arc<dyn Clock>,
}

impl PublishEvents {
    #[tracing::instrument(skip_all, fields(records = records.len()))]
    pub async fn publish(&self, records: &[OutboxRecord]) -> Published {
        let Some(first) = records.first() else {
            return Published::default();
        };
        let keys: Vec<OutboxKey> = records.iter().map(OutboxRecord::key).collect();
        let done: HashSet<String> = match self.outbox.published_among(&keys).await {
            Ok(done) => done,
            Err(err) => {
                tracing::warn!(error = %err, "reading the outbox failed; the batch will be retried");
                return Published {
                    retry_from: Some(first.position.clone()),
                    ..Published::default()
                };
            }
        };
        let mut report = Published::default();
        for record in records {
            let event = &record.event;
            if done.contains(&event.event_id) {
                report.skipped += 1;
                continue;
            }
            if let Err(err) = self.publisher.publish(event).await {
                tracing::warn!(error = %err, event_id = %event.event_id, "publishing failed; retried from this event");
                report.retry_from = Some(record.position.clone());
                break;
            }
            report.published += 1;
            // Published but unmarked is published again on a redelivery of
            // this record only: subscribers dedupe by eventId.
            if let Err(err) = self
                .outbox
                .mark_published(&record.key(), self.clock.now())
                .await
            {
                tracing::warn!(error = %err, event_id = %event.event_id, "event published but not marked");
            }
        }
        tracing::info!(
            published = report.published,
            skipped = report.skipped,
            retry = report.retry_from.is_some(),
            "outbox batch handled"
        );
        report
    }
}

/// A new event with a fresh id, at `at`.
pub fn new_event(
    ids: &dyn IdGenerator,
    network: Network,
    event_type: TokenEventType,
    token_ref: &str,
    at: OffsetDateTime,
) -> TokenEvent {
    TokenEvent {
        event_id: ids.new_id(),
        event_type,
        schema_version: TOKEN_EVENT_SCHEMA_VERSION,
        occurred_at: at.format(&Rfc3339).unwrap_or_default(),
        network,
        token_unique_reference: token_ref.to_owned(),
        pan_unique_reference: None,
        pan_last4: None,
        token_requestor_id: None,
        wallet_id: None,
        status: None,
        previous_status: None,
        initiator: None,
        reason_code: None,
        source_request_id: None,
        language: None,
        details: serde_json::Value::Null,
    }
}
