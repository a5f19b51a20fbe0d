//! The job queue's consumer: each record is one item of a bulk action or
//! card event, run as a lifecycle action at its token's network. A network
//! that does not answer leaves the record on the queue (exponential backoff);
//! its last delivery settles the item as failed (the action stays pending on
//! the token for reconciliation). See [`tmp_runtime::consumer`].

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose::{self, issuer};
use tmp_core::ports::{DeliveryError, JobMessage};
use tmp_core::usecases::jobs::{ItemRun, Jobs};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::consumer::{RecordError, parse_body, process_batch, with_backoff};
use tmp_runtime::lambda::{HandlerError, SqsHandler, sqs_handler};

pub const INIT: Init = Init::Sqs(|sdk, env| Box::pin(init(sdk, env)));

/// Cold start: the table, the network clients (the MDES signing key
/// unwrapped once), the data-sealing key (card updates' new PAN, unwrapped
/// once) and the queue's backoff.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<SqsHandler, HandlerError> {
    let (mut jobs, card_keys) = tokio::try_join!(
        issuer::jobs(sdk, env, issuer::JobRole::Work),
        issuer::card_keys(sdk, env, false),
    )?;
    jobs.card_keys = Some(card_keys);
    let consumer = handler(jobs);
    Ok(with_backoff(consumer, compose::retry_backoff(sdk, env)?))
}

/// The batch handler over ready jobs.
pub fn handler(jobs: Jobs) -> SqsHandler {
    sqs_handler(Arc::new(jobs), |jobs, event| async move {
        Ok(process_batch(event, |record| {
            let jobs = Arc::clone(&jobs);
            async move {
                // SQS counts deliveries: the first is 1.
                let attempt = record
                    .attributes
                    .get("ApproximateReceiveCount")
                    .and_then(|c| c.parse::<u32>().ok())
                    .unwrap_or(1);
                let message: JobMessage = parse_body(record.body.as_deref())?;
                match jobs.run_item(&message, attempt).await {
                    Ok(ItemRun::Done) => Ok(()),
                    Ok(ItemRun::Retry) => Err(RecordError::Delivery(DeliveryError::Transient(
                        "the item is not settled yet".into(),
                    ))),
                    Err(err) => Err(RecordError::Delivery(DeliveryError::Transient(
                        err.to_string(),
                    ))),
                }
            }
        })
        .await)
    })
}

#[cfg(test)]
mod tests;
