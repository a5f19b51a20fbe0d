//! The table's stream as Lambda delivers it: a batch of records, each with
//! its sequence number and the new image in DynamoDB's JSON. Only outbox
//! items are turned into [`OutboxRecord`]s; the event source's filter sends
//! nothing else, and anything else is skipped.

use serde::Deserialize;
use tmp_core::domain::events::TokenEvent;
use tmp_core::usecases::events::OutboxRecord;

use super::keys::{EVENT_PREFIX, SK};

/// What a batch held.
#[derive(Debug, Default)]
pub struct StreamBatch {
    pub records: Vec<OutboxRecord>,
    /// Records that were not outbox inserts (filtered out by the template's
    /// `FilterCriteria`; counted, not published).
    pub ignored: usize,
    /// Outbox items whose event cannot be read: never publishable, logged by
    /// position, left unpublished in the table for an operator.
    pub unreadable: Vec<String>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "eventName", default)]
    event_name: String,
    dynamodb: Change,
}

#[derive(Deserialize)]
struct Change {
    #[serde(rename = "SequenceNumber")]
    sequence_number: String,
    #[serde(rename = "Keys", default)]
    keys: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "NewImage", default)]
    new_image: serde_json::Map<String, serde_json::Value>,
}

/// A string attribute of an image (`{"S": "..."}`).
fn string_attribute<'a>(
    image: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a str> {
    image.get(name)?.get("S")?.as_str()
}

/// The outbox records of a stream event; an event that is not a stream
/// batch at all is an error (Lambda would not send it).
pub fn outbox_batch(event: serde_json::Value) -> Result<StreamBatch, serde_json::Error> {
    let event: Event = serde_json::from_value(event)?;
    let mut batch = StreamBatch::default();
    for record in event.records {
        let outbox_insert = record.event_name == "INSERT"
            && string_attribute(&record.dynamodb.keys, SK)
                .is_some_and(|sk| sk.starts_with(EVENT_PREFIX));
        if !outbox_insert {
            batch.ignored += 1;
            continue;
        }
        let position = record.dynamodb.sequence_number;
        match string_attribute(&record.dynamodb.new_image, "event")
            .and_then(|json| serde_json::from_str::<TokenEvent>(json).ok())
        {
            Some(event) => batch.records.push(OutboxRecord { position, event }),
            None => batch.unreadable.push(position),
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(name: &str, seq: &str, sk: &str, event: Option<&str>) -> serde_json::Value {
        let mut image =
            json!({"pk": {"S": "TOKEN#T1"}, "sk": {"S": sk}, "published": {"BOOL": false}});
        if let Some(event) = event {
            image["event"] = json!({"S": event});
        }
        json!({
            "eventID": "e",
            "eventName": name,
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"pk": {"S": "TOKEN#T1"}, "sk": {"S": sk}},
                "NewImage": image,
                "SequenceNumber": seq,
                "StreamViewType": "NEW_IMAGE"
            }
        })
    }

    fn event_json(id: &str) -> String {
        json!({
            "eventId": id,
            "eventType": "TOKEN_AUTHORIZED",
            "schemaVersion": 1,
            "occurredAt": "2026-12-01T10:00:00Z",
            "network": "MDES",
            "tokenUniqueReference": "T1"
        })
        .to_string()
    }

    #[test]
    fn outbox_inserts_become_records_and_the_rest_is_set_aside() {
        // GIVEN a batch with an outbox insert, a modify, a token item and an unreadable event
        let event = json!({"Records": [
            record("INSERT", "100", "EVENT#ev-1", Some(&event_json("ev-1"))),
            record("MODIFY", "101", "EVENT#ev-1", Some(&event_json("ev-1"))),
            record("INSERT", "102", "TOKEN", None),
            record("INSERT", "103", "EVENT#ev-2", Some("not json")),
        ]});
        // WHEN read
        let batch = outbox_batch(event).unwrap();
        // THEN only the insert is a record, with its position; the unreadable one is named
        assert_eq!(batch.records.len(), 1);
        assert_eq!(batch.records[0].position, "100");
        assert_eq!(batch.records[0].event.event_id, "ev-1");
        assert_eq!(batch.ignored, 2);
        assert_eq!(batch.unreadable, vec!["103".to_owned()]);
    }

    #[test]
    fn something_that_is_not_a_stream_batch_is_refused() {
        assert!(outbox_batch(json!({"Records": [{"eventName": "INSERT"}]})).is_err());
        assert!(outbox_batch(json!({"Records": "x"})).is_err());
        assert_eq!(outbox_batch(json!({})).unwrap().records.len(), 0);
    }
}
