//! Handler tests over an in-memory webhook: envelopes, batch outcomes.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde_json::{Value, json};
use tmp_core::usecases::issuer_notification::IssuerNotificationService;
use tmp_testkit::memory::RecordingNotifier;

fn token_event(id: &str) -> Value {
    json!({
        "eventId": id, "eventType": "TOKEN_ACTIVATED", "schemaVersion": 1,
        "occurredAt": "2026-03-01T10:00:00Z", "network": "MDES",
        "tokenUniqueReference": "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45",
        "panLast4": "4444", "tokenRequestorId": "50110030273", "status": "ACTIVE"
    })
}

fn sns_envelope(message: &Value) -> String {
    json!({
        "Type": "Notification", "MessageId": "5f1c", "Message": message.to_string(),
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:TokenEventsTopic",
        "Timestamp": "2026-03-01T10:00:01.000Z", "SignatureVersion": "1",
        "MessageAttributes": {"eventType": {"Type": "String", "Value": "TOKEN_ACTIVATED"}}
    })
    .to_string()
}

fn event(records: &[(&str, String)]) -> SqsEvent {
    let records: Vec<_> = records
        .iter()
        .map(|(id, body)| {
            json!({"messageId": id, "receiptHandle": "rh", "body": body,
            "attributes": {"ApproximateReceiveCount": "2"}, "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:IssuerNotificationQueue"})
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn failed(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[tokio::test]
async fn raw_and_enveloped_events_are_forwarded_under_their_event_id() {
    // GIVEN one raw event and one inside an SNS envelope
    let issuer = Arc::new(RecordingNotifier::default());
    let handler = super::handler(IssuerNotificationService {
        issuer: issuer.clone(),
        log: Arc::new(tmp_testkit::memory::MemoryTokenState::default()),
    });
    let batch = event(&[
        ("m1", token_event("evt-raw").to_string()),
        ("m2", sns_envelope(&token_event("evt-env"))),
    ]);
    // WHEN handled
    let response = handler(batch).await.unwrap();
    // THEN both reach the issuer as the event JSON, keyed by eventId
    assert!(failed(&response).is_empty());
    let mut sent = issuer.sent();
    sent.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(sent[0], ("evt-env".to_owned(), token_event("evt-env")));
    assert_eq!(sent[1], ("evt-raw".to_owned(), token_event("evt-raw")));
}

#[tokio::test]
async fn failures_are_reported_per_record() {
    // GIVEN a webhook that is down for one event and refuses another
    let issuer = Arc::new(RecordingNotifier {
        transient_failures: vec!["evt-503".to_owned()],
        permanent_failures: vec!["evt-400".to_owned()],
        ..Default::default()
    });
    let handler = super::handler(IssuerNotificationService {
        issuer: issuer.clone(),
        log: Arc::new(tmp_testkit::memory::MemoryTokenState::default()),
    });
    let batch = event(&[
        ("m-503", token_event("evt-503").to_string()),
        ("m-ok", token_event("evt-ok").to_string()),
        ("m-400", token_event("evt-400").to_string()),
        ("m-poison", "<xml/>".to_owned()),
        (
            "m-bad-envelope",
            json!({"Type": "Notification", "Message": "{}"}).to_string(),
        ),
    ]);
    // WHEN handled
    let response = handler(batch).await.unwrap();
    // THEN the good event is delivered and every other record is reported
    assert_eq!(
        failed(&response),
        ["m-503", "m-400", "m-poison", "m-bad-envelope"]
    );
    assert_eq!(issuer.sent().len(), 1);
    assert_eq!(issuer.sent()[0].0, "evt-ok");
}

#[tokio::test]
async fn sample_events_are_forwarded() {
    // GIVEN the sample events (raw, enveloped, and a batch with a poison record)
    let issuer = Arc::new(RecordingNotifier::default());
    let handler = super::handler(IssuerNotificationService {
        issuer: issuer.clone(),
        log: Arc::new(tmp_testkit::memory::MemoryTokenState::default()),
    });
    let mut failures = 0;
    for sample in [
        include_str!("../../../../events/issuer-notification/token-activated-raw.json"),
        include_str!("../../../../events/issuer-notification/token-deleted-sns-envelope.json"),
        include_str!("../../../../events/issuer-notification/batch-with-poison.json"),
    ] {
        // WHEN handled
        let response = handler(serde_json::from_str(sample).unwrap())
            .await
            .unwrap();
        failures += response.batch_item_failures.len();
    }
    // THEN three events reach the issuer and only the poison record is reported
    let ids: Vec<_> = issuer.sent().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["evt-0001", "evt-0002", "evt-0003"]);
    assert_eq!(failures, 1);
}
