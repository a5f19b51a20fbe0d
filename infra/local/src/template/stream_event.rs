//! A SAM `DynamoDB` event: the properties of a stream event source mapping,
//! with Lambda's defaults and ranges. A value tmp-local cannot honour (an
//! intrinsic where a number is needed, an unknown starting position) is an
//! error rather than a silent default.

use std::time::Duration;

use serde_norway::{Mapping, Value};

use super::{FunctionEvent, TemplateError, invalid, reports_batch_item_failures, scalar_string};
use crate::intrinsics::Expr;

/// Lambda's default `BatchSize` for DynamoDB streams, and its maximum.
const DEFAULT_BATCH_SIZE: u32 = 100;
const MAX_BATCH_SIZE: u32 = 10_000;
/// `MaximumBatchingWindowInSeconds` at most 300.
const MAX_WINDOW_SECONDS: u64 = 300;
/// `MaximumRetryAttempts`: -1 (until the record expires) to 10 000.
const MAX_RETRY_ATTEMPTS: i32 = 10_000;

/// Where a new mapping starts reading each shard (`AT_TIMESTAMP` is Kinesis only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartingPosition {
    /// The oldest record the stream holds.
    TrimHorizon,
    /// Only records written after the mapping starts.
    Latest,
}

pub(super) fn dynamodb(id: &str, ep: &Mapping) -> Result<FunctionEvent, TemplateError> {
    let stream = ep
        .get("Stream")
        .cloned()
        .ok_or_else(|| invalid(id, "a DynamoDB event lacks Stream"))?;
    let starting_position = match ep.get("StartingPosition").and_then(Value::as_str) {
        Some("TRIM_HORIZON") => StartingPosition::TrimHorizon,
        Some("LATEST") => StartingPosition::Latest,
        Some(_) => {
            return Err(invalid(
                id,
                "a DynamoDB event's StartingPosition must be TRIM_HORIZON or LATEST",
            ));
        }
        None => return Err(invalid(id, "a DynamoDB event lacks StartingPosition")),
    };
    let batch_size = number(id, ep, "BatchSize")?.unwrap_or(i64::from(DEFAULT_BATCH_SIZE));
    let batch_size = u32::try_from(batch_size)
        .ok()
        .filter(|n| (1..=MAX_BATCH_SIZE).contains(n))
        .ok_or_else(|| invalid(id, "a DynamoDB event's BatchSize must be 1 to 10000"))?;
    let window = number(id, ep, "MaximumBatchingWindowInSeconds")?.unwrap_or(0);
    let window = u64::try_from(window)
        .ok()
        .filter(|s| *s <= MAX_WINDOW_SECONDS)
        .ok_or_else(|| {
            invalid(
                id,
                "a DynamoDB event's MaximumBatchingWindowInSeconds must be 0 to 300",
            )
        })?;
    let retries = number(id, ep, "MaximumRetryAttempts")?.unwrap_or(-1);
    let maximum_retry_attempts = i32::try_from(retries)
        .ok()
        .filter(|r| (-1..=MAX_RETRY_ATTEMPTS).contains(r))
        .ok_or_else(|| {
            invalid(
                id,
                "a DynamoDB event's MaximumRetryAttempts must be -1 to 10000",
            )
        })?;
    Ok(FunctionEvent::DynamoDb {
        stream: Expr(stream),
        starting_position,
        batch_size,
        maximum_batching_window: Duration::from_secs(window),
        bisect_batch_on_function_error: boolean(id, ep, "BisectBatchOnFunctionError")?,
        maximum_retry_attempts,
        report_batch_item_failures: reports_batch_item_failures(ep),
        on_failure: ep
            .get("DestinationConfig")
            .and_then(|d| d.get("OnFailure"))
            .and_then(|o| o.get("Destination"))
            .cloned()
            .map(Expr),
        filters: filters(id, ep)?,
    })
}

/// A literal integer property; `None` when absent.
fn number(id: &str, ep: &Mapping, key: &str) -> Result<Option<i64>, TemplateError> {
    match ep.get(key) {
        None => Ok(None),
        Some(v) => scalar_string(v)
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| {
                invalid(
                    id,
                    "a DynamoDB event's numeric property must be a literal integer locally",
                )
            }),
    }
}

fn boolean(id: &str, ep: &Mapping, key: &str) -> Result<bool, TemplateError> {
    match ep.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(invalid(
            id,
            "a DynamoDB event's boolean property must be a literal true or false locally",
        )),
    }
}

/// `FilterCriteria.Filters[].Pattern`, each the JSON text Lambda takes.
fn filters(id: &str, ep: &Mapping) -> Result<Vec<String>, TemplateError> {
    let Some(criteria) = ep.get("FilterCriteria") else {
        return Ok(Vec::new());
    };
    criteria
        .get("Filters")
        .and_then(Value::as_sequence)
        .ok_or_else(|| invalid(id, "FilterCriteria lacks a Filters list"))?
        .iter()
        .map(|f| {
            f.get("Pattern")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    invalid(
                        id,
                        "a FilterCriteria filter's Pattern must be literal JSON text locally",
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn event(properties: &str) -> Result<FunctionEvent, TemplateError> {
        let text = format!(
            r#"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {{ BuildProperties: {{ Binary: f }} }}
    Properties:
      Events:
        Stream:
          Type: DynamoDB
          Properties: {properties}
"#
        );
        let t = Template::parse(&text)?;
        Ok(t.function("Fn").unwrap().events[0].1.clone())
    }

    #[test]
    fn every_property_is_read() {
        // GIVEN the workspace template's stream event, spelled out
        let e = event(
            r#"
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 25
            MaximumBatchingWindowInSeconds: 1
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 100
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig:
              OnFailure: { Type: SQS, Destination: !GetAtt Dlq.Arn }
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"]}'
                - Pattern: '{"eventName": ["MODIFY"]}'"#,
        )
        .unwrap();
        // THEN each is modelled
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
        } = e
        else {
            panic!("not a DynamoDb event: {e:?}")
        };
        assert_eq!(stream.references(), vec!["Table"]);
        assert_eq!(starting_position, StartingPosition::TrimHorizon);
        assert_eq!(batch_size, 25);
        assert_eq!(maximum_batching_window, Duration::from_secs(1));
        assert!(bisect_batch_on_function_error);
        assert_eq!(maximum_retry_attempts, 100);
        assert!(report_batch_item_failures);
        assert_eq!(on_failure.unwrap().references(), vec!["Dlq"]);
        assert_eq!(
            filters,
            vec![
                r#"{"eventName": ["INSERT"]}"#,
                r#"{"eventName": ["MODIFY"]}"#
            ]
        );
    }

    #[test]
    fn lambda_defaults_fill_what_is_left_out() {
        // GIVEN only the required properties
        let e = event("{ Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST }").unwrap();
        // THEN Lambda's defaults apply
        assert!(matches!(
            e,
            FunctionEvent::DynamoDb {
                starting_position: StartingPosition::Latest,
                batch_size: 100,
                maximum_retry_attempts: -1,
                bisect_batch_on_function_error: false,
                report_batch_item_failures: false,
                on_failure: None,
                ref filters,
                ..
            } if filters.is_empty()
        ));
    }

    #[test]
    fn the_workspace_outbox_publisher_reads_the_token_state_tables_stream() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let t = Template::from_path(&path).unwrap();
        // THEN the table has a stream of new images
        let table = t
            .tables
            .iter()
            .find(|t| t.logical_id == "TokenStateTable")
            .unwrap();
        assert_eq!(table.stream_view_type.as_deref(), Some("NEW_IMAGE"));
        // AND the publisher's event is modelled, not left as Other
        let f = t.function("TokenEventPublisherFunction").unwrap();
        let streams: Vec<_> = f
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                FunctionEvent::DynamoDb {
                    stream,
                    on_failure,
                    filters,
                    ..
                } => Some((stream.references(), on_failure.clone(), filters.len())),
                _ => None,
            })
            .collect();
        assert_eq!(streams.len(), 1, "{:?}", f.events);
        let (stream, on_failure, filters) = &streams[0];
        assert_eq!(stream, &vec!["TokenStateTable"]);
        assert_eq!(
            on_failure.as_ref().unwrap().references(),
            vec!["TokenEventPublisherDeadLetterQueue"]
        );
        assert_eq!(*filters, 1);
    }

    #[test]
    fn the_report_aggregator_reads_decisions_and_events_from_the_same_stream() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let t = Template::from_path(&path).unwrap();
        let f = t.function("ReportAggregatorFunction").unwrap();
        assert_eq!(f.binary, "report-aggregator");
        let streams: Vec<_> = f
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                FunctionEvent::DynamoDb {
                    stream,
                    on_failure,
                    filters,
                    ..
                } => Some((stream.references(), on_failure.clone(), filters.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(streams.len(), 1, "{:?}", f.events);
        let (stream, on_failure, filters) = &streams[0];
        assert_eq!(stream, &vec!["TokenStateTable"]);
        assert_eq!(
            on_failure.as_ref().unwrap().references(),
            vec!["ReportAggregatorDeadLetterQueue"]
        );
        // THEN only inserted decisions and outbox items reach it
        let prefixes: Vec<bool> = filters
            .iter()
            .map(|f| f.contains("\"DECISION#\"") || f.contains("\"EVENT#\""))
            .collect();
        assert_eq!(prefixes, [true, true]);
        assert!(filters.iter().all(|f| f.contains("\"INSERT\"")));
        // AND it may write only the reports table, and only read the tokens
        assert_eq!(
            f.environment.keys().map(String::as_str).collect::<Vec<_>>(),
            ["REPORTS_TABLE", "RUST_LOG", "TOKEN_STATE_TABLE"]
        );
    }

    #[test]
    fn what_lambda_would_refuse_or_tmp_local_cannot_honour_is_an_error() {
        for properties in [
            "{ StartingPosition: LATEST }",
            "{ Stream: x }",
            "{ Stream: x, StartingPosition: AT_TIMESTAMP }",
            "{ Stream: x, StartingPosition: LATEST, BatchSize: 0 }",
            "{ Stream: x, StartingPosition: LATEST, BatchSize: 10001 }",
            "{ Stream: x, StartingPosition: LATEST, BatchSize: !Ref Size }",
            "{ Stream: x, StartingPosition: LATEST, MaximumRetryAttempts: -2 }",
            "{ Stream: x, StartingPosition: LATEST, MaximumBatchingWindowInSeconds: 301 }",
            "{ Stream: x, StartingPosition: LATEST, BisectBatchOnFunctionError: maybe }",
            "{ Stream: x, StartingPosition: LATEST, FilterCriteria: { Filters: [{ Pattern: !Sub x }] } }",
        ] {
            let err = event(properties).unwrap_err();
            assert!(
                err.to_string().contains("resource Fn"),
                "{properties}: {err}"
            );
        }
    }
}
