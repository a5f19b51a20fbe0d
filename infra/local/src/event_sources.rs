//! SQS event source mappings, as Lambda's poller runs them: for every template
//! function with an `SQS` event, a task receives batches from the queue, hands
//! the handler the `SqsEvent` Lambda would build, and deletes what succeeded.
//! Failed messages stay in the queue, reappear after the visibility timeout,
//! and moto moves them to the dead-letter queue after `maxReceiveCount`
//! receives (its `ReceiveMessage` applies the queue's `RedrivePolicy`).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_lambda_events::encodings::Base64Data;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage, SqsMessageAttribute};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, Message, MessageAttributeValue, MessageSystemAttributeName,
};
use tmp_runtime::lambda::{HandlerError, SqsHandler};
use tokio::sync::watch;

pub use crate::consumers::Pollers;
use crate::consumers::{self, Consumer, ConsumerStartError};
use crate::deployment::Deployment;
use crate::registry;
use crate::resolve::ResolveError;
use crate::template::{FunctionEvent, Template};

/// Lambda's default `BatchSize` for SQS.
const DEFAULT_BATCH_SIZE: u32 = 10;
/// `ReceiveMessage` returns at most 10 messages per call.
const MAX_RECEIVE: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum EventSourceError {
    #[error("function {function}: resolving its SQS event's queue")]
    Queue {
        function: String,
        #[source]
        source: ResolveError,
    },
    #[error("function {function}: its SQS event names no provisioned queue ({arn})")]
    UnknownQueue { function: String, arn: String },
    #[error(transparent)]
    Start(#[from] ConsumerStartError),
}

/// One SQS event of one function: what its poller needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SqsSource {
    /// The function's logical id.
    pub function: String,
    pub binary: String,
    pub queue_url: String,
    pub queue_arn: String,
    pub batch_size: u32,
    pub report_batch_item_failures: bool,
}

/// Every `SQS` event of the template, resolved against the deployment.
pub fn sqs_sources(
    template: &Template,
    deployment: &Deployment,
) -> Result<Vec<SqsSource>, EventSourceError> {
    let mut sources = Vec::new();
    for f in &template.functions {
        for (_, event) in &f.events {
            let FunctionEvent::Sqs {
                queue,
                batch_size,
                report_batch_item_failures,
            } = event
            else {
                continue;
            };
            let arn = deployment
                .resolve(queue)
                .map_err(|source| EventSourceError::Queue {
                    function: f.logical_id.clone(),
                    source,
                })?;
            let queue_url = deployment
                .resources()
                .values()
                .find(|r| r.kind == "AWS::SQS::Queue" && r.arn() == Some(arn.as_str()))
                .map(|r| r.reference.clone())
                .ok_or_else(|| EventSourceError::UnknownQueue {
                    function: f.logical_id.clone(),
                    arn: arn.clone(),
                })?;
            sources.push(SqsSource {
                function: f.logical_id.clone(),
                binary: f.binary.clone(),
                queue_url,
                queue_arn: arn,
                batch_size: batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
                report_batch_item_failures: *report_batch_item_failures,
            });
        }
    }
    Ok(sources)
}

/// Cold-starts, from the registry, each consumer of `sources` that `given`
/// does not already provide (tests inject handlers that way).
pub async fn cold_start(
    sources: &[SqsSource],
    deployment: &Deployment,
    sdk_for: &crate::gateway::FunctionSdk,
    given: HashMap<String, SqsHandler>,
) -> Result<HashMap<String, SqsHandler>, EventSourceError> {
    let consumers = sources.iter().map(|s| Consumer {
        function: &s.function,
        binary: &s.binary,
    });
    Ok(consumers::cold_start(
        consumers,
        registry::lookup_sqs,
        "an SQS consumer",
        deployment,
        sdk_for,
        given,
    )
    .await?)
}

/// How the pollers receive.
#[derive(Debug, Clone)]
pub struct PollOptions {
    /// `ReceiveMessage` `VisibilityTimeout`; `None` keeps the queue's own.
    pub visibility_timeout_override: Option<Duration>,
    /// `WaitTimeSeconds`. 0 by default: moto (served one request at a time by
    /// `infra/scripts/moto-server`) would block every other client while a
    /// long poll waits, so the pollers short-poll and sleep `idle_delay`.
    pub wait_time_seconds: i32,
    /// Pause after an empty receive or a failed call.
    pub idle_delay: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        Self {
            visibility_timeout_override: None,
            wait_time_seconds: 0,
            idle_delay: Duration::from_millis(200),
        }
    }
}

/// Starts one poller per source, calling `handlers[source.function]`.
/// A source without a handler is an error.
pub fn start(
    sdk: &SdkConfig,
    region: &str,
    sources: Vec<SqsSource>,
    handlers: &HashMap<String, SqsHandler>,
    options: &PollOptions,
) -> Result<Pollers, EventSourceError> {
    let (stop, stopped) = watch::channel(false);
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut tasks = Vec::new();
    for source in sources {
        let handler = handlers.get(&source.function).cloned().ok_or_else(|| {
            ConsumerStartError::Unregistered {
                function: source.function.clone(),
                binary: source.binary.clone(),
                kind: "an SQS consumer",
            }
        })?;
        let poller = Poller {
            sqs: sqs.clone(),
            region: region.to_owned(),
            source,
            handler,
            options: options.clone(),
        };
        tasks.push(tokio::spawn(poller.run(stopped.clone())));
    }
    Ok(Pollers::new(stop, tasks))
}

struct Poller {
    sqs: aws_sdk_sqs::Client,
    region: String,
    source: SqsSource,
    handler: SqsHandler,
    options: PollOptions,
}

impl Poller {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        tracing::info!(
            function = self.source.function,
            queue = self.source.queue_arn,
            "SQS event source polling"
        );
        while !*stopped.borrow() {
            let handled = tokio::select! {
                _ = stopped.changed() => break,
                received = self.receive() => match received {
                    Ok(messages) if !messages.is_empty() => {
                        self.handle(messages).await;
                        true
                    }
                    Ok(_) => false,
                    Err(message) => {
                        tracing::warn!(function = self.source.function, error = message, "ReceiveMessage failed");
                        false
                    }
                },
            };
            if !handled {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tokio::time::sleep(self.options.idle_delay) => {}
                }
            }
        }
    }

    async fn receive(&self) -> Result<Vec<Message>, String> {
        let max = self.source.batch_size.clamp(1, MAX_RECEIVE);
        let visibility = self
            .options
            .visibility_timeout_override
            .map(|d| i32::try_from(d.as_secs().max(1)).unwrap_or(i32::MAX));
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.source.queue_url)
            .max_number_of_messages(i32::try_from(max).unwrap_or(10))
            .wait_time_seconds(self.options.wait_time_seconds)
            .set_visibility_timeout(visibility)
            // Lambda's records carry every system attribute (receive count, timestamps...).
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        Ok(out.messages.unwrap_or_default())
    }

    async fn handle(&self, messages: Vec<Message>) {
        let event = sqs_event(&messages, &self.source.queue_arn, &self.region);
        let ids: Vec<String> = messages
            .iter()
            .filter_map(|m| m.message_id.clone())
            .collect();
        // Spawned so that a panicking consumer fails its batch, as a crashed Lambda would.
        let outcome = match tokio::spawn((self.handler)(event)).await {
            Ok(result) => result,
            Err(_) => Err(HandlerError::from("handler panicked")),
        };
        if let Err(e) = &outcome {
            tracing::error!(function = self.source.function, error = %e, "SQS handler error; batch will be retried");
        }
        let keep = settle(
            &self.source.function,
            &ids,
            outcome.as_ref().map_err(|_| ()),
            self.source.report_batch_item_failures,
        );
        let entries: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .filter(|(_, m)| m.message_id.as_ref().is_some_and(|id| !keep.contains(id)))
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle.clone())
                    .build()
                    .ok()
            })
            .collect();
        tracing::info!(
            function = self.source.function,
            received = messages.len(),
            deleted = entries.len(),
            "SQS batch handled"
        );
        if entries.is_empty() {
            return;
        }
        match self
            .sqs
            .delete_message_batch()
            .queue_url(&self.source.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(out) if !out.failed().is_empty() => tracing::warn!(
                function = self.source.function,
                failed = out.failed().len(),
                "some processed messages could not be deleted"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(
                function = self.source.function,
                error = %DisplayErrorContext(&e),
                "DeleteMessageBatch failed; processed messages will be redelivered"
            ),
        }
    }
}

/// The message ids to leave in the queue (retried), as Lambda decides:
/// a handler error retries the whole batch; with `ReportBatchItemFailures`,
/// the listed ids are retried, and an empty or unknown id retries the whole
/// batch; without it, the response is ignored and the whole batch succeeds.
pub fn settle(
    function: &str,
    batch: &[String],
    outcome: Result<&SqsBatchResponse, ()>,
    report_batch_item_failures: bool,
) -> HashSet<String> {
    let all = || batch.iter().cloned().collect();
    let Ok(response) = outcome else {
        return all();
    };
    let failures = &response.batch_item_failures;
    if !report_batch_item_failures {
        if !failures.is_empty() {
            // The consumer expects partial retries that Lambda would not do:
            // these messages would be lost in AWS. Say so loudly.
            tracing::error!(
                function,
                reported = failures.len(),
                "handler reported batchItemFailures but the SQS event lacks FunctionResponseTypes: [ReportBatchItemFailures]; Lambda ignores them and deletes the whole batch"
            );
        }
        return HashSet::new();
    }
    let known: HashSet<&str> = batch.iter().map(String::as_str).collect();
    if failures
        .iter()
        .any(|f| !known.contains(f.item_identifier.as_str()))
    {
        tracing::error!(
            function,
            "batchItemFailures names an empty or unknown itemIdentifier; the whole batch is retried"
        );
        return all();
    }
    failures.iter().map(|f| f.item_identifier.clone()).collect()
}

/// The event Lambda builds from received messages.
pub fn sqs_event(messages: &[Message], queue_arn: &str, region: &str) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = messages
        .iter()
        .map(|m| lambda_message(m, queue_arn, region))
        .collect();
    event
}

fn lambda_message(m: &Message, queue_arn: &str, region: &str) -> SqsMessage {
    let mut out = SqsMessage::default();
    out.message_id = m.message_id.clone();
    out.receipt_handle = m.receipt_handle.clone();
    out.body = m.body.clone();
    out.md5_of_body = m.md5_of_body.clone();
    out.md5_of_message_attributes = m.md5_of_message_attributes.clone();
    out.attributes = m
        .attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    out.message_attributes = m
        .message_attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| (k.clone(), lambda_attribute(v)))
                .collect()
        })
        .unwrap_or_default();
    out.event_source = Some("aws:sqs".to_owned());
    out.event_source_arn = Some(queue_arn.to_owned());
    out.aws_region = Some(region.to_owned());
    out
}

fn lambda_attribute(v: &MessageAttributeValue) -> SqsMessageAttribute {
    let mut a = SqsMessageAttribute::default();
    a.data_type = Some(v.data_type().to_owned());
    a.string_value = v.string_value().map(str::to_owned);
    a.binary_value = v.binary_value().map(|b| base64_data(b.as_ref()));
    a.string_list_values = v.string_list_values().to_vec();
    a.binary_list_values = v
        .binary_list_values()
        .iter()
        .map(|b| base64_data(b.as_ref()))
        .collect();
    a
}

fn base64_data(bytes: &[u8]) -> Base64Data {
    let mut data = Base64Data::default();
    data.0 = bytes.to_vec();
    data
}

#[cfg(test)]
mod tests {
    use aws_lambda_events::event::sqs::BatchItemFailure;

    use super::*;

    fn response(ids: &[&str]) -> SqsBatchResponse {
        let mut r = SqsBatchResponse::default();
        r.batch_item_failures = ids
            .iter()
            .map(|id| {
                let mut f = BatchItemFailure::default();
                f.item_identifier = (*id).to_owned();
                f
            })
            .collect();
        r
    }

    fn set(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn settlement_follows_lambda() {
        let batch: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        // WHEN all succeed THEN nothing is kept
        assert!(settle("F", &batch, Ok(&response(&[])), true).is_empty());
        // WHEN one is reported THEN only it is kept
        assert_eq!(
            settle("F", &batch, Ok(&response(&["b"])), true),
            set(&["b"])
        );
        // WHEN the handler fails THEN the whole batch is kept
        assert_eq!(settle("F", &batch, Err(()), true), set(&["a", "b", "c"]));
        assert_eq!(settle("F", &batch, Err(()), false), set(&["a", "b", "c"]));
        // WHEN an unknown or empty id is reported THEN the whole batch is kept
        assert_eq!(
            settle("F", &batch, Ok(&response(&["zz"])), true),
            set(&["a", "b", "c"])
        );
        assert_eq!(
            settle("F", &batch, Ok(&response(&[""])), true),
            set(&["a", "b", "c"])
        );
        // WHEN the event lacks ReportBatchItemFailures THEN the response is ignored
        assert!(settle("F", &batch, Ok(&response(&["b"])), false).is_empty());
    }

    #[test]
    fn the_event_is_shaped_as_lambda_builds_it() {
        // GIVEN a received message with a string attribute and system attributes
        let m = Message::builder()
            .message_id("m-1")
            .receipt_handle("rh-1")
            .body("{\"k\":1}")
            .md5_of_body("abc")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "2")
            .message_attributes(
                "kind",
                MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("otp")
                    .build()
                    .unwrap(),
            )
            .build();
        // WHEN the event is built
        let event = sqs_event(&[m], "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1");
        let json = serde_json::to_value(&event).unwrap();
        let r = &json["Records"][0];
        // THEN it has Lambda's field names and values
        assert_eq!(r["messageId"], "m-1");
        assert_eq!(r["receiptHandle"], "rh-1");
        assert_eq!(r["body"], "{\"k\":1}");
        assert_eq!(r["md5OfBody"], "abc");
        assert_eq!(r["attributes"]["ApproximateReceiveCount"], "2");
        assert_eq!(r["messageAttributes"]["kind"]["stringValue"], "otp");
        assert_eq!(r["messageAttributes"]["kind"]["dataType"], "String");
        assert_eq!(r["eventSource"], "aws:sqs");
        assert_eq!(r["eventSourceARN"], "arn:aws:sqs:us-east-1:123456789012:q");
        assert_eq!(r["awsRegion"], "us-east-1");
    }
}
