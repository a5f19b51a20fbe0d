//! The on-failure destination: what Lambda sends when it gives up on a batch
//! (`services-dynamodb-errors`): the batch's shard and sequence range, never
//! the records themselves.

use serde_json::{Value as Json, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::record::StreamRecord;

/// Where discarded batches are described.
#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    Sqs { queue_url: String, arn: String },
    Sns { topic_arn: String },
}

impl Destination {
    pub fn arn(&self) -> &str {
        match self {
            Self::Sqs { arn, .. } => arn,
            Self::Sns { topic_arn } => topic_arn,
        }
    }
}

/// Why Lambda gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    RetryAttemptsExhausted,
    /// The stream's 24 h retention passed while the batch was retried.
    RecordAgeExceeded,
}

impl Condition {
    fn as_str(self) -> &'static str {
        match self {
            Self::RetryAttemptsExhausted => "RetryAttemptsExhausted",
            Self::RecordAgeExceeded => "RecordAgeExceeded",
        }
    }
}

/// The batch given up on, and how.
#[derive(Debug)]
pub struct Discarded<'a> {
    pub function_arn: &'a str,
    pub stream_arn: &'a str,
    pub shard_id: &'a str,
    pub records: &'a [StreamRecord],
    pub condition: Condition,
    pub invocations: u32,
    /// The last invocation failed (rather than reporting batch item failures).
    pub function_error: bool,
}

/// Lambda's invocation record for a discarded stream batch.
pub fn invocation_record(d: &Discarded<'_>, request_id: &str, now: OffsetDateTime) -> Json {
    let arrival = |r: Option<&StreamRecord>| {
        r.and_then(|r| r.created_at)
            .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
            .and_then(|t| t.format(&Rfc3339).ok())
    };
    let mut response = serde_json::Map::new();
    response.insert("statusCode".to_owned(), json!(200));
    response.insert("executedVersion".to_owned(), json!("$LATEST"));
    if d.function_error {
        response.insert("functionError".to_owned(), json!("Unhandled"));
    }
    let millis = now.replace_nanosecond(u32::from(now.millisecond()) * 1_000_000);
    json!({
        "requestContext": {
            "requestId": request_id,
            "functionArn": d.function_arn,
            "condition": d.condition.as_str(),
            "approximateInvokeCount": d.invocations,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": millis.unwrap_or(now).format(&Rfc3339).ok(),
        "DDBStreamBatchInfo": {
            "shardId": d.shard_id,
            "startSequenceNumber": d.records.first().map(|r| r.sequence_number.as_str()),
            "endSequenceNumber": d.records.last().map(|r| r.sequence_number.as_str()),
            "approximateArrivalOfFirstRecord": arrival(d.records.first()),
            "approximateArrivalOfLastRecord": arrival(d.records.last()),
            "batchSize": d.records.len(),
            "streamArn": d.stream_arn,
        },
    })
}

/// Sends `body` to the destination.
pub async fn send(
    destination: &Destination,
    sqs: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    body: String,
) -> Result<(), String> {
    match destination {
        Destination::Sqs { queue_url, .. } => sqs
            .send_message()
            .queue_url(queue_url)
            .message_body(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()),
        Destination::Sns { topic_arn } => sns
            .publish()
            .topic_arn(topic_arn)
            .message(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_sns::error::DisplayErrorContext(&e).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn record(seq: &str, created_at: i64) -> StreamRecord {
        StreamRecord {
            sequence_number: seq.to_owned(),
            event_id: format!("e-{seq}"),
            created_at: Some(created_at),
            lambda: Json::Null,
        }
    }

    #[test]
    fn the_record_has_lambdas_shape() {
        // GIVEN a two-record batch that failed three invocations
        let records = [record("101", 1_573_690_399), record("102", 1_573_690_400)];
        let d = Discarded {
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f",
            stream_arn: "arn:stream",
            shard_id: "shardId-1",
            records: &records,
            condition: Condition::RetryAttemptsExhausted,
            invocations: 3,
            function_error: true,
        };
        // WHEN it is described
        let r = invocation_record(&d, "req-1", datetime!(2019-11-14 00:13:49.717_123 UTC));
        // THEN as Lambda does
        assert_eq!(
            r,
            json!({
                "requestContext": {
                    "requestId": "req-1",
                    "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": 3,
                },
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    "functionError": "Unhandled",
                },
                "version": "1.0",
                "timestamp": "2019-11-14T00:13:49.717Z",
                "DDBStreamBatchInfo": {
                    "shardId": "shardId-1",
                    "startSequenceNumber": "101",
                    "endSequenceNumber": "102",
                    "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z",
                    "approximateArrivalOfLastRecord": "2019-11-14T00:13:20Z",
                    "batchSize": 2,
                    "streamArn": "arn:stream",
                },
            })
        );
        // AND a batch given up on after partial failures has no function error
        let partial = Discarded {
            function_error: false,
            ..d
        };
        let r = invocation_record(&partial, "req-2", datetime!(2019-11-14 00:13:49 UTC));
        assert!(r["responseContext"].get("functionError").is_none());
    }
}
