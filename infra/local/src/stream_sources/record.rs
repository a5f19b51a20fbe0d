//! One stream record as Lambda hands it to the function: the DynamoDB Streams
//! `Record` (attribute values in DynamoDB JSON, as the stream gives them) plus
//! the `eventSourceARN` of the stream.

use aws_sdk_dynamodbstreams::types::{AttributeValue, Identity, Record};
use base64::Engine;
use serde_json::{Map, Value as Json, json};

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("a stream record has no SequenceNumber")]
    NoSequenceNumber,
    #[error("stream record {0} has an attribute of a type this SDK does not know")]
    UnknownAttributeType(String),
}

/// A record read from a shard, in the shape Lambda delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    /// `dynamodb.SequenceNumber`: the `itemIdentifier` of a batch item failure.
    pub sequence_number: String,
    /// `eventID`: tells a record from another that reuses its sequence number.
    pub event_id: String,
    /// `dynamodb.ApproximateCreationDateTime`, UNIX seconds.
    pub created_at: Option<i64>,
    /// The record Lambda puts in `Records`.
    pub lambda: Json,
}

impl StreamRecord {
    pub fn from_sdk(r: &Record, stream_arn: &str) -> Result<Self, RecordError> {
        let change = r.dynamodb();
        let sequence_number = change
            .and_then(|c| c.sequence_number())
            .ok_or(RecordError::NoSequenceNumber)?
            .to_owned();
        let image = |item: Option<&std::collections::HashMap<String, AttributeValue>>| {
            item.map(|item| item_json(item, &sequence_number))
                .transpose()
        };
        // Rounded down to the second, as DynamoDB Streams documents it.
        let created_at = change
            .and_then(|c| c.approximate_creation_date_time())
            .map(|t| t.secs());
        let mut dynamodb = Map::new();
        let mut put = |key: &str, value: Option<Json>| {
            if let Some(value) = value {
                dynamodb.insert(key.to_owned(), value);
            }
        };
        put("ApproximateCreationDateTime", created_at.map(Json::from));
        put("Keys", image(change.and_then(|c| c.keys()))?);
        put("NewImage", image(change.and_then(|c| c.new_image()))?);
        put("OldImage", image(change.and_then(|c| c.old_image()))?);
        put("SequenceNumber", Some(Json::from(sequence_number.clone())));
        put(
            "SizeBytes",
            change.and_then(|c| c.size_bytes()).map(Json::from),
        );
        put(
            "StreamViewType",
            change
                .and_then(|c| c.stream_view_type())
                .map(|v| Json::from(v.as_str())),
        );
        let mut lambda = Map::new();
        let mut put = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                lambda.insert(key.to_owned(), Json::from(value));
            }
        };
        put("eventID", r.event_id());
        put("eventName", r.event_name().map(|n| n.as_str()));
        put("eventVersion", r.event_version());
        put("eventSource", r.event_source());
        put("awsRegion", r.aws_region());
        put("eventSourceARN", Some(stream_arn));
        lambda.insert("dynamodb".to_owned(), Json::Object(dynamodb));
        if let Some(identity) = r.user_identity() {
            lambda.insert("userIdentity".to_owned(), identity_json(identity));
        }
        Ok(Self {
            event_id: r.event_id().unwrap_or_default().to_owned(),
            sequence_number,
            created_at,
            lambda: Json::Object(lambda),
        })
    }
}

/// TTL deletions carry who deleted the item (`dynamodb.amazonaws.com`).
fn identity_json(identity: &Identity) -> Json {
    json!({
        "type": identity.r#type(),
        "principalId": identity.principal_id(),
    })
}

fn item_json(
    item: &std::collections::HashMap<String, AttributeValue>,
    sequence_number: &str,
) -> Result<Json, RecordError> {
    item.iter()
        .map(|(k, v)| Ok((k.clone(), attribute_json(v, sequence_number)?)))
        .collect::<Result<Map<_, _>, _>>()
        .map(Json::Object)
}

/// An attribute value in DynamoDB JSON (`{"S": "x"}`, `{"N": "1"}`, binary
/// base64 encoded), as the DynamoDB Streams API and Lambda write it.
fn attribute_json(v: &AttributeValue, sequence_number: &str) -> Result<Json, RecordError> {
    let b64 = |b: &aws_sdk_dynamodbstreams::primitives::Blob| {
        Json::from(base64::engine::general_purpose::STANDARD.encode(b.as_ref()))
    };
    let (kind, value) = match v {
        AttributeValue::S(s) => ("S", Json::from(s.as_str())),
        AttributeValue::N(n) => ("N", Json::from(n.as_str())),
        AttributeValue::B(b) => ("B", b64(b)),
        AttributeValue::Ss(ss) => ("SS", Json::from(ss.clone())),
        AttributeValue::Ns(ns) => ("NS", Json::from(ns.clone())),
        AttributeValue::Bs(bs) => ("BS", Json::Array(bs.iter().map(b64).collect())),
        AttributeValue::Bool(b) => ("BOOL", Json::Bool(*b)),
        AttributeValue::Null(b) => ("NULL", Json::Bool(*b)),
        AttributeValue::L(items) => (
            "L",
            Json::Array(
                items
                    .iter()
                    .map(|i| attribute_json(i, sequence_number))
                    .collect::<Result<_, _>>()?,
            ),
        ),
        AttributeValue::M(map) => ("M", item_json(map, sequence_number)?),
        _ => {
            return Err(RecordError::UnknownAttributeType(
                sequence_number.to_owned(),
            ));
        }
    };
    let mut out = Map::new();
    out.insert(kind.to_owned(), value);
    Ok(Json::Object(out))
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodbstreams::primitives::{Blob, DateTime};
    use aws_sdk_dynamodbstreams::types::{OperationType, StreamViewType};

    use super::*;

    #[test]
    fn a_record_is_shaped_as_lambda_delivers_it() {
        // GIVEN an INSERT record with every attribute type in its new image
        let image = [
            ("pk", AttributeValue::S("TOKEN#1".into())),
            ("n", AttributeValue::N("42".into())),
            ("b", AttributeValue::B(Blob::new(b"xy".to_vec()))),
            ("ss", AttributeValue::Ss(vec!["a".into(), "b".into()])),
            ("ns", AttributeValue::Ns(vec!["1".into()])),
            ("bs", AttributeValue::Bs(vec![Blob::new(b"z".to_vec())])),
            ("ok", AttributeValue::Bool(true)),
            ("none", AttributeValue::Null(true)),
            ("l", AttributeValue::L(vec![AttributeValue::S("x".into())])),
            (
                "m",
                AttributeValue::M([("k".to_owned(), AttributeValue::N("1".into()))].into()),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let record = Record::builder()
            .event_id("e-1")
            .event_name(OperationType::Insert)
            .event_version("1.1")
            .event_source("aws:dynamodb")
            .aws_region("us-east-1")
            .dynamodb(
                aws_sdk_dynamodbstreams::types::StreamRecord::builder()
                    .approximate_creation_date_time(DateTime::from_secs_f64(1_700_000_000.75))
                    .keys("pk", AttributeValue::S("TOKEN#1".into()))
                    .set_new_image(Some(image))
                    .sequence_number("1100000000017454423009")
                    .size_bytes(120)
                    .stream_view_type(StreamViewType::NewImage)
                    .build(),
            )
            .build();
        // WHEN it is converted
        let r = StreamRecord::from_sdk(&record, "arn:stream").unwrap();
        // THEN it carries Lambda's fields, and DynamoDB JSON as the stream gives it
        assert_eq!(r.sequence_number, "1100000000017454423009");
        assert_eq!(r.event_id, "e-1");
        assert_eq!(r.created_at, Some(1_700_000_000));
        assert_eq!(
            r.lambda,
            json!({
                "eventID": "e-1",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:stream",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1_700_000_000,
                    "Keys": {"pk": {"S": "TOKEN#1"}},
                    "NewImage": {
                        "pk": {"S": "TOKEN#1"},
                        "n": {"N": "42"},
                        "b": {"B": "eHk="},
                        "ss": {"SS": ["a", "b"]},
                        "ns": {"NS": ["1"]},
                        "bs": {"BS": ["eg=="]},
                        "ok": {"BOOL": true},
                        "none": {"NULL": true},
                        "l": {"L": [{"S": "x"}]},
                        "m": {"M": {"k": {"N": "1"}}},
                    },
                    "SequenceNumber": "1100000000017454423009",
                    "SizeBytes": 120,
                    "StreamViewType": "NEW_IMAGE",
                },
            })
        );
    }

    #[test]
    fn a_record_without_a_sequence_number_is_refused() {
        let record = Record::builder().event_id("e").build();
        assert!(matches!(
            StreamRecord::from_sdk(&record, "arn"),
            Err(RecordError::NoSequenceNumber)
        ));
    }
}
