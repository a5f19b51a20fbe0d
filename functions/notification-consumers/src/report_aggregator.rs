//! The reports' counter, on the token state table's stream: each new
//! decision counts on its day's funnel row by its path, each token event
//! entering or leaving ACTIVE moves the active-token count, and a token's
//! first activation counts on the day it was requested. A record that could
//! not be counted is reported (`batchItemFailures`): Lambda delivers it and
//! every later record of its shard again, and what was counted before it is
//! remembered, so nothing counts twice.

use std::sync::Arc;

use aws_config::SdkConfig;
use serde_json::{Value, json};
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_aws::dynamodb::stream::report_batch;
use tmp_core::usecases::reports::AggregateReports;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{EventHandler, HandlerError};

pub const INIT: Init = Init::Event(|sdk, env| Box::pin(init(sdk, env)));

/// Cold start: the reports table's and the token table's clients.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<EventHandler, HandlerError> {
    Ok(handler(compose::aggregate_reports(sdk, env)?))
}

/// The stream batch handler over a ready aggregator.
pub fn handler(aggregator: AggregateReports) -> EventHandler {
    let aggregator = Arc::new(aggregator);
    Arc::new(move |event: Value| {
        let aggregator = Arc::clone(&aggregator);
        Box::pin(async move {
            let batch = report_batch(event)
                .map_err(|_| HandlerError::from("not a DynamoDB stream batch"))?;
            for position in &batch.unreadable {
                tracing::error!(
                    sequence_number = %position,
                    "decision or event the reports cannot read: not counted"
                );
            }
            let outcome = aggregator.aggregate(&batch.records).await;
            tracing::info!(counted = outcome.counted, "counted");
            let failures: Vec<Value> = outcome
                .retry_from
                .iter()
                .map(|position| json!({"itemIdentifier": position}))
                .collect();
            Ok(json!({ "batchItemFailures": failures }))
        })
    })
}
