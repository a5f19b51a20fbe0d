//! DynamoDB stream event source mappings, as Lambda's poller runs them: for
//! every template function with a `DynamoDB` event, each shard of the
//! stream is read in order, one batch at a time; records that match no
//! `FilterCriteria` filter are dropped; the handler gets the event Lambda
//! would build; batch item failures, function errors (retried, bisected),
//! `MaximumRetryAttempts` and the `OnFailure` destination follow Lambda.
//!
//! The mapping reads the stream and writes to the destination with the
//! emulator's own credentials, as the permissions SAM adds to the
//! function's role for a `DynamoDB` event (`AWSLambdaDynamoDBExecutionRole`,
//! `sqs:SendMessage` on the destination) would allow.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use tmp_runtime::lambda::EventHandler;
use tokio::sync::watch;

use crate::consumers::{self, ConsumerStartError, Pollers};
use crate::deployment::Deployment;
use crate::registry;
use crate::resolve::ResolveError;
use crate::template::{FunctionEvent, StartingPosition, Template};

mod filter;
mod on_failure;
mod reader;
mod record;
mod settle;
mod shard;

pub use filter::{Filter, FilterError};
pub use on_failure::Destination;

#[derive(Debug, thiserror::Error)]
pub enum StreamSourceError {
    #[error("function {function}: resolving its DynamoDB event's {what}")]
    Resolve {
        function: String,
        what: &'static str,
        #[source]
        source: ResolveError,
    },
    #[error(
        "function {function}: its DynamoDB event names no stream of a provisioned table ({arn}); does the table have a StreamSpecification?"
    )]
    UnknownStream { function: String, arn: String },
    #[error(
        "function {function}: its DynamoDB event's OnFailure destination is no provisioned SQS queue or SNS topic ({arn})"
    )]
    UnknownDestination { function: String, arn: String },
    #[error("function {function}: filter {index} of its DynamoDB event")]
    Filter {
        function: String,
        index: usize,
        #[source]
        source: FilterError,
    },
    #[error(transparent)]
    Start(#[from] ConsumerStartError),
}

/// One `DynamoDB` event of one function: what its poller needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSource {
    /// The function's logical id.
    pub function: String,
    pub binary: String,
    pub function_arn: String,
    pub stream_arn: String,
    pub starting_position: StartingPosition,
    pub batch_size: u32,
    pub maximum_batching_window: Duration,
    pub bisect_batch_on_function_error: bool,
    /// -1: until the records expire.
    pub maximum_retry_attempts: i32,
    pub report_batch_item_failures: bool,
    pub on_failure: Option<Destination>,
    pub filters: Vec<Filter>,
}

/// Every `DynamoDB` event of the template, resolved against the deployment.
pub fn stream_sources(
    template: &Template,
    deployment: &Deployment,
) -> Result<Vec<StreamSource>, StreamSourceError> {
    let mut sources = Vec::new();
    for f in &template.functions {
        for (_, event) in &f.events {
            let FunctionEvent::DynamoDb {
                stream,
                starting_position,
                batch_size,
                maximum_batching_window,
                bisect_batch_on_function_error,
                maximum_retry_attempts,
                report_batch_item_failures,
                on_failure,
                filters,
            } = event
            else {
                continue;
            };
            let function = f.logical_id.as_str();
            let resolve = |what, expr| {
                deployment
                    .resolve(expr)
                    .map_err(|source| StreamSourceError::Resolve {
                        function: function.to_owned(),
                        what,
                        source,
                    })
            };
            let stream_arn = resolve("Stream", stream)?;
            let provisioned = deployment.resources().values().any(|r| {
                r.kind == "AWS::DynamoDB::Table"
                    && r.attributes.get("StreamArn") == Some(&stream_arn)
            });
            if !provisioned {
                return Err(StreamSourceError::UnknownStream {
                    function: function.to_owned(),
                    arn: stream_arn,
                });
            }
            let on_failure = match on_failure {
                Some(expr) => Some(destination(
                    deployment,
                    function,
                    resolve("OnFailure destination", expr)?,
                )?),
                None => None,
            };
            let filters = filters
                .iter()
                .enumerate()
                .map(|(index, pattern)| {
                    Filter::parse(pattern).map_err(|source| StreamSourceError::Filter {
                        function: function.to_owned(),
                        index,
                        source,
                    })
                })
                .collect::<Result<_, _>>()?;
            sources.push(StreamSource {
                function: function.to_owned(),
                binary: f.binary.clone(),
                function_arn: deployment
                    .resource(function)
                    .and_then(|r| r.arn())
                    .map(str::to_owned)
                    .unwrap_or_else(|| deployment.physical_name(function)),
                stream_arn,
                starting_position: *starting_position,
                batch_size: *batch_size,
                maximum_batching_window: *maximum_batching_window,
                bisect_batch_on_function_error: *bisect_batch_on_function_error,
                maximum_retry_attempts: *maximum_retry_attempts,
                report_batch_item_failures: *report_batch_item_failures,
                on_failure,
                filters,
            });
        }
    }
    Ok(sources)
}

fn destination(
    deployment: &Deployment,
    function: &str,
    arn: String,
) -> Result<Destination, StreamSourceError> {
    let found = deployment
        .resources()
        .values()
        .find_map(|r| match r.kind.as_str() {
            "AWS::SQS::Queue" if r.arn() == Some(arn.as_str()) => Some(Destination::Sqs {
                queue_url: r.reference.clone(),
                arn: arn.clone(),
            }),
            "AWS::SNS::Topic" if r.reference == arn => Some(Destination::Sns {
                topic_arn: arn.clone(),
            }),
            _ => None,
        });
    found.ok_or_else(|| StreamSourceError::UnknownDestination {
        function: function.to_owned(),
        arn,
    })
}

/// Cold-starts, from the registry, each consumer of `sources` that `given`
/// does not already provide (tests inject handlers that way).
pub async fn cold_start(
    sources: &[StreamSource],
    deployment: &Deployment,
    sdk_for: &crate::gateway::FunctionSdk,
    given: HashMap<String, EventHandler>,
) -> Result<HashMap<String, EventHandler>, StreamSourceError> {
    let consumers = sources.iter().map(|s| consumers::Consumer {
        function: &s.function,
        binary: &s.binary,
    });
    Ok(consumers::cold_start(
        consumers,
        registry::lookup_event,
        "an event function",
        deployment,
        sdk_for,
        given,
    )
    .await?)
}

/// How the stream pollers read and retry.
#[derive(Debug, Clone)]
pub struct StreamPollOptions {
    /// Pause after a read that found nothing new, or failed. Short reads
    /// only: moto serves one request at a time (`infra/scripts/moto-server`).
    pub idle_delay: Duration,
    /// The pause doubles, up to this, while reads keep finding nothing:
    /// moto keeps every shard iterator it hands out (some 6 KB a read).
    pub max_idle_delay: Duration,
    /// Pause before a batch is retried (or its halves are).
    pub retry_delay: Duration,
}

impl Default for StreamPollOptions {
    fn default() -> Self {
        Self {
            idle_delay: Duration::from_millis(150),
            max_idle_delay: Duration::from_secs(1),
            retry_delay: Duration::from_millis(200),
        }
    }
}

/// What a shard consumer shares with the others of its mapping.
struct Consumer {
    source: StreamSource,
    handler: EventHandler,
    options: StreamPollOptions,
    sqs: aws_sdk_sqs::Client,
    sns: aws_sdk_sns::Client,
}

/// Starts one poller per source, calling `handlers[source.function]`.
/// A source without a handler is an error.
pub fn start(
    sdk: &SdkConfig,
    sources: Vec<StreamSource>,
    handlers: &HashMap<String, EventHandler>,
    options: &StreamPollOptions,
) -> Result<Pollers, StreamSourceError> {
    let (stop, stopped) = watch::channel(false);
    let streams = aws_sdk_dynamodbstreams::Client::new(sdk);
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let sns = aws_sdk_sns::Client::new(sdk);
    let mut tasks = Vec::new();
    for source in sources {
        let handler = handlers.get(&source.function).cloned().ok_or_else(|| {
            ConsumerStartError::Unregistered {
                function: source.function.clone(),
                binary: source.binary.clone(),
                kind: "an event function",
            }
        })?;
        let consumer = Arc::new(Consumer {
            source,
            handler,
            options: options.clone(),
            sqs: sqs.clone(),
            sns: sns.clone(),
        });
        tasks.push(tokio::spawn(run(
            consumer,
            streams.clone(),
            stopped.clone(),
        )));
    }
    Ok(Pollers::new(stop, tasks))
}

/// A mapping: its stream's shards, each consumed on its own (moto keeps one
/// open shard per stream; they are listed once, at start).
async fn run(
    consumer: Arc<Consumer>,
    streams: aws_sdk_dynamodbstreams::Client,
    mut stopped: watch::Receiver<bool>,
) {
    let source = &consumer.source;
    let shards = loop {
        match reader::shards(&streams, &source.stream_arn).await {
            Ok(shards) if !shards.is_empty() => break shards,
            Ok(_) => tracing::debug!(function = source.function, "the stream has no shard yet"),
            Err(e) => {
                tracing::warn!(function = source.function, error = %e, "describing the stream failed")
            }
        }
        if !shard::pause(&mut stopped, consumer.options.idle_delay).await {
            return;
        }
    };
    tracing::info!(
        function = source.function,
        stream = source.stream_arn,
        shards = shards.len(),
        "DynamoDB stream event source polling"
    );
    let consumers = shards.iter().map(|id| {
        shard::run(
            Arc::clone(&consumer),
            reader::ShardReader::new(streams.clone(), &source.stream_arn, id),
            stopped.clone(),
        )
    });
    futures::future::join_all(consumers).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::DeployedResource;

    const STREAM: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/p-Table/stream/2026-01-01T00:00:00.000";

    fn template(destination: &str, pattern: &str) -> Template {
        Template::parse(&format!(
            r#"
Resources:
  Table: {{ Type: AWS::DynamoDB::Table, Properties: {{ AttributeDefinitions: [], KeySchema: [] }} }}
  Dlq: {{ Type: AWS::SQS::Queue }}
  Topic: {{ Type: AWS::SNS::Topic }}
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {{ BuildProperties: {{ Binary: f }} }}
    Properties:
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            DestinationConfig: {{ OnFailure: {{ Destination: {destination} }} }}
            FilterCriteria: {{ Filters: [{{ Pattern: '{pattern}' }}] }}
"#
        ))
        .unwrap()
    }

    fn deployment(t: &Template, with_stream: bool) -> Deployment {
        let mut d = Deployment::new(t, "p-", &HashMap::new());
        let table = DeployedResource::new("AWS::DynamoDB::Table", "p-Table").with(
            "Arn",
            "arn:aws:dynamodb:us-east-1:123456789012:table/p-Table",
        );
        d.insert(
            "Table",
            if with_stream {
                table.with("StreamArn", STREAM)
            } else {
                table
            },
        );
        d.insert(
            "Dlq",
            DeployedResource::new("AWS::SQS::Queue", "http://q/123456789012/p-Dlq")
                .with("Arn", "arn:aws:sqs:us-east-1:123456789012:p-Dlq"),
        );
        d.insert(
            "Topic",
            DeployedResource::new(
                "AWS::SNS::Topic",
                "arn:aws:sns:us-east-1:123456789012:p-Topic",
            ),
        );
        d.insert(
            "Fn",
            DeployedResource::new("AWS::Serverless::Function", "p-Fn")
                .with("Arn", "arn:aws:lambda:us-east-1:123456789012:function:p-Fn"),
        );
        d
    }

    const INSERTS: &str = r#"{"eventName": ["INSERT"]}"#;

    #[test]
    fn a_stream_event_resolves_to_the_tables_stream_and_its_destination() {
        // GIVEN a stream event whose failures go to a queue
        let t = template("!GetAtt Dlq.Arn", INSERTS);
        let sources = stream_sources(&t, &deployment(&t, true)).unwrap();
        // THEN the stream, the queue's URL and the function's ARN are resolved
        let [s] = sources.as_slice() else {
            panic!("{sources:?}")
        };
        assert_eq!(s.stream_arn, STREAM);
        assert_eq!(
            s.function_arn,
            "arn:aws:lambda:us-east-1:123456789012:function:p-Fn"
        );
        assert_eq!(
            s.on_failure,
            Some(Destination::Sqs {
                queue_url: "http://q/123456789012/p-Dlq".into(),
                arn: "arn:aws:sqs:us-east-1:123456789012:p-Dlq".into(),
            })
        );
        assert_eq!(s.filters, vec![Filter::parse(INSERTS).unwrap()]);
        assert_eq!(s.batch_size, 100);
        // AND a topic is a destination too
        let t = template("!Ref Topic", INSERTS);
        let sources = stream_sources(&t, &deployment(&t, true)).unwrap();
        assert!(matches!(
            sources[0].on_failure,
            Some(Destination::Sns { .. })
        ));
    }

    #[test]
    fn what_cannot_be_polled_as_the_template_says_stops_start_up() {
        // GIVEN a table without a stream
        let t = template("!GetAtt Dlq.Arn", INSERTS);
        let err = stream_sources(&t, &deployment(&t, false)).unwrap_err();
        assert!(matches!(err, StreamSourceError::Resolve { .. }), "{err}");
        // GIVEN a destination that is not a queue or topic of the deployment
        let t = template("arn:aws:sqs:us-east-1:123456789012:elsewhere", INSERTS);
        let err = stream_sources(&t, &deployment(&t, true)).unwrap_err();
        assert!(
            matches!(err, StreamSourceError::UnknownDestination { .. }),
            "{err}"
        );
        // GIVEN a filter tmp-local cannot evaluate
        let t = template("!GetAtt Dlq.Arn", r#"{"eventName": [{"wildcard": "IN*"}]}"#);
        let err = stream_sources(&t, &deployment(&t, true)).unwrap_err();
        assert!(err.to_string().contains("filter 0"), "{err}");
    }
}
