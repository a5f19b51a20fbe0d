//! The table's stream as Lambda delivers it: a batch of records, each with
//! its sequence number and the new image in DynamoDB's JSON. Only outbox
//! items are turned into [`OutboxRecord`]s; the event source's filter sends
//! nothing else, and anything else is skipped.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use tmp_core::domain::Network;
use tmp_core::domain::events::TokenEvent;
use tmp_core::domain::report::{DecisionFact, DecisionPath, FunnelKey};
use tmp_core::domain::wallet::Wallet;
use tmp_core::usecases::events::OutboxRecord;
use tmp_core::usecases::reports::{ReportInput, ReportRecord};

use super::keys::{DECISION_PREFIX, EVENT_PREFIX, SK};

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

/// What a batch held for the reports.
#[derive(Debug, Default)]
pub struct ReportBatch {
    pub records: Vec<ReportRecord>,
    /// Records that are neither decisions nor outbox inserts.
    pub ignored: usize,
    /// Decisions or events that cannot be read: never countable, logged by
    /// position and skipped (they would stop the shard forever).
    pub unreadable: Vec<String>,
}

/// A decision item's new image as the funnel counts it.
fn decision_fact(
    keys: &serde_json::Map<String, serde_json::Value>,
    image: &serde_json::Map<String, serde_json::Value>,
) -> Option<DecisionFact> {
    let pk = string_attribute(keys, super::keys::PK)?;
    let sk = string_attribute(keys, SK)?;
    let created = string_attribute(image, "created_at")?;
    let day = OffsetDateTime::parse(created, &Rfc3339)
        .ok()?
        .to_offset(UtcOffset::UTC)
        .date();
    let network = string_attribute(image, "network").and_then(Network::parse)?;
    let token_requestor_id = string_attribute(image, "token_requestor_id").map(str::to_owned);
    let wallet = Wallet::of(
        token_requestor_id.as_deref(),
        string_attribute(image, "wallet_id"),
    );
    let path = string_attribute(image, "path").and_then(DecisionPath::parse)?;
    Some(DecisionFact {
        id: format!("{pk}#{sk}"),
        key: FunnelKey {
            day,
            network,
            token_requestor_id,
        },
        wallet,
        path,
    })
}

/// The decisions and token events of a stream event, for the reports; an
/// event that is not a stream batch at all is an error.
pub fn report_batch(event: serde_json::Value) -> Result<ReportBatch, serde_json::Error> {
    let event: Event = serde_json::from_value(event)?;
    let mut batch = ReportBatch::default();
    for record in event.records {
        let sk = string_attribute(&record.dynamodb.keys, SK).unwrap_or_default();
        let position = record.dynamodb.sequence_number;
        if record.event_name != "INSERT" {
            batch.ignored += 1;
            continue;
        }
        let input = if sk.starts_with(DECISION_PREFIX) {
            decision_fact(&record.dynamodb.keys, &record.dynamodb.new_image)
                .map(ReportInput::Decision)
        } else if sk.starts_with(EVENT_PREFIX) {
            string_attribute(&record.dynamodb.new_image, "event")
                .and_then(|json| serde_json::from_str::<TokenEvent>(json).ok())
                .map(|e| ReportInput::Event(Box::new(e)))
        } else {
            batch.ignored += 1;
            continue;
        };
        match input {
            Some(input) => batch.records.push(ReportRecord { position, input }),
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

    fn decision_record(seq: &str, path: Option<&str>) -> serde_json::Value {
        let sk = "DECISION#2026-12-01T10:00:00Z#r1";
        let mut image = json!({
            "pk": {"S": "TOKEN#T1"}, "sk": {"S": sk},
            "created_at": {"S": "2026-12-01T23:30:00+02:00"},
            "network": {"S": "VISA"}, "token_requestor_id": {"S": "40010030273"},
            "decision": {"S": "APPROVED"}
        });
        if let Some(path) = path {
            image["path"] = json!({"S": path});
        }
        json!({
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"pk": {"S": "TOKEN#T1"}, "sk": {"S": sk}},
                "NewImage": image,
                "SequenceNumber": seq
            }
        })
    }

    #[test]
    fn decisions_and_events_are_report_inputs_and_the_rest_is_set_aside() {
        // GIVEN a decision, an event, a token item, a modify and an unreadable decision
        let event = json!({"Records": [
            decision_record("200", Some("yellow")),
            record("INSERT", "201", "EVENT#ev-1", Some(&event_json("ev-1"))),
            record("INSERT", "202", "TOKEN", None),
            record("MODIFY", "203", "EVENT#ev-1", Some(&event_json("ev-1"))),
            decision_record("204", None),
        ]});
        // WHEN read for the reports
        let batch = report_batch(event).unwrap();
        // THEN the decision counts on its UTC day, by its path and wallet
        assert_eq!(batch.records.len(), 2);
        let ReportInput::Decision(fact) = &batch.records[0].input else {
            panic!("not a decision");
        };
        assert_eq!(fact.key.day, time::macros::date!(2026 - 12 - 01));
        assert_eq!(fact.key.network, Network::Visa);
        assert_eq!(fact.wallet, Wallet::ApplePay);
        assert_eq!(fact.path, DecisionPath::Yellow);
        assert_eq!(fact.id, "TOKEN#T1#DECISION#2026-12-01T10:00:00Z#r1");
        assert!(matches!(batch.records[1].input, ReportInput::Event(_)));
        assert_eq!(batch.ignored, 2);
        assert_eq!(batch.unreadable, vec!["204".to_owned()]);
    }

    #[test]
    fn something_that_is_not_a_stream_batch_is_refused() {
        assert!(outbox_batch(json!({"Records": [{"eventName": "INSERT"}]})).is_err());
        assert!(outbox_batch(json!({"Records": "x"})).is_err());
        assert_eq!(outbox_batch(json!({})).unwrap().records.len(), 0);
    }
}
