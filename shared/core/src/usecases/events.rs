//! Publishing token events from the outbox: events are committed with the
//! state change, published after, and marked. A crash in between leaves them
//! in the outbox; the next message for the token (or its retry) publishes
//! them. Subscribers dedupe by `eventId`.

use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::clock::{Clock, IdGenerator};
use crate::domain::Network;
use crate::domain::events::{TOKEN_EVENT_SCHEMA_VERSION, TokenEvent, TokenEventType};
use crate::ports::{EventOutbox, EventPublisher};

#[derive(Clone)]
pub struct EventDispatch {
    pub publisher: Arc<dyn EventPublisher>,
    pub outbox: Arc<dyn EventOutbox>,
    pub clock: Arc<dyn Clock>,
}

impl EventDispatch {
    pub async fn dispatch(&self, token_ref: &str, events: &[TokenEvent]) {
        for event in events {
            match self.publisher.publish(event).await {
                Ok(()) => {
                    if let Err(err) = self
                        .outbox
                        .mark_published(token_ref, &event.event_id, self.clock.now())
                        .await
                    {
                        tracing::warn!(error = %err, event_id = %event.event_id, "event published but not marked");
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, event_id = %event.event_id, "event left in the outbox");
                }
            }
        }
    }

    /// Publishes whatever an earlier invocation committed but did not publish.
    pub async fn dispatch_pending(&self, token_ref: &str) {
        match self.outbox.unpublished_events(token_ref).await {
            Ok(events) if !events.is_empty() => self.dispatch(token_ref, &events).await,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "reading the outbox failed"),
        }
    }
}

/// Publishes after commit when the function has a topic; does nothing otherwise.
pub async fn dispatch(events: Option<&EventDispatch>, token_ref: &str, batch: &[TokenEvent]) {
    if let Some(events) = events {
        events.dispatch(token_ref, batch).await;
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
