//! The outbox publisher, on the token state table's stream: each new outbox
//! item is published to the token events topic and marked, in stream order.
//! A record that could not be published is reported (`batchItemFailures`):
//! Lambda delivers it and every later record of its shard again, and the
//! ones already marked are skipped, so a crash midway publishes nothing twice.

use std::sync::Arc;

use aws_config::SdkConfig;
use serde_json::{Value, json};
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_aws::dynamodb::stream::outbox_batch;
use tmp_core::usecases::events::PublishEvents;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{EventHandler, HandlerError};

pub const INIT: Init = Init::Event(|sdk, env| Box::pin(init(sdk, env)));

/// Cold start: the topic's and the table's clients.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<EventHandler, HandlerError> {
    Ok(handler(compose::publish_events(sdk, env)?))
}

/// The stream batch handler over a ready publisher.
pub fn handler(publisher: PublishEvents) -> EventHandler {
    let publisher = Arc::new(publisher);
    Arc::new(move |event: Value| {
        let publisher = Arc::clone(&publisher);
        Box::pin(async move {
            // Not a stream batch: fail the invocation (Lambda never sends one).
            let batch = outbox_batch(event)
                .map_err(|_| HandlerError::from("not a DynamoDB stream batch"))?;
            for position in &batch.unreadable {
                tracing::error!(
                    sequence_number = %position,
                    "outbox item without a readable event: left unpublished for an operator"
                );
            }
            let report = publisher.publish(&batch.records).await;
            let failures: Vec<Value> = report
                .retry_from
                .iter()
                .map(|position| json!({"itemIdentifier": position}))
                .collect();
            Ok(json!({ "batchItemFailures": failures }))
        })
    })
}

#[cfg(test)]
mod tests;
