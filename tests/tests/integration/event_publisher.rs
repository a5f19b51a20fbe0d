//! The outbox publisher on the real template, moto, the real SDK clients and
//! the local stream event source: a publisher that crashes after publishing
//! part of a batch still gets every event out exactly once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde_json::{Value, json};
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, workspace_root};
use tmp_runtime::lambda::{EventHandler, HandlerError};

const PUBLISHER: &str = "TokenEventPublisherFunction";
const TOKEN: &str = "DWSPMC0000000000000000000000000000000000000000e1";

/// The real publisher behind a wrapper whose first invocation publishes the
/// batch's first record and then dies (no answer: Lambda retries the batch).
struct CrashingOnce {
    real: OnceLock<EventHandler>,
    crashed: AtomicBool,
}

fn crashing_publisher(state: Arc<CrashingOnce>) -> EventHandler {
    Arc::new(move |event: Value| {
        let state = Arc::clone(&state);
        Box::pin(async move {
            let real = state
                .real
                .get()
                .cloned()
                .ok_or_else(|| HandlerError::from("publisher not ready"))?;
            if !state.crashed.swap(true, Ordering::SeqCst) {
                let first = json!({ "Records": [event["Records"][0].clone()] });
                real(first).await?;
                return Err(HandlerError::from(
                    "the publisher crashed after publishing its first event",
                ));
            }
            real(event).await
        })
    })
}

fn event_json(id: &str) -> String {
    json!({
        "eventId": id,
        "eventType": "TOKEN_STATUS_CHANGED",
        "schemaVersion": 1,
        "occurredAt": "2026-12-01T10:00:00Z",
        "network": "MDES",
        "tokenUniqueReference": TOKEN,
        "status": "SUSPENDED"
    })
    .to_string()
}

/// An outbox item as the adapters write it.
fn outbox_put(table: &str, id: &str) -> TransactWriteItem {
    let item = HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("TOKEN#{TOKEN}"))),
        ("sk".to_owned(), AttributeValue::S(format!("EVENT#{id}"))),
        ("event".to_owned(), AttributeValue::S(event_json(id))),
        ("published".to_owned(), AttributeValue::Bool(false)),
        (
            "created_at".to_owned(),
            AttributeValue::S("2026-12-01T10:00:00Z".to_owned()),
        ),
    ]);
    TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn a_publisher_crashing_midway_publishes_every_event_exactly_once() {
    // GIVEN the local platform whose stream publisher crashes once, after publishing
    let root = workspace_root();
    let state = Arc::new(CrashingOnce {
        real: OnceLock::new(),
        crashed: AtomicBool::new(false),
    });
    let platform = seed::standard(
        LocalPlatform::new(PlatformOptions {
            template_path: root.join("template.yaml"),
            port: 0,
            prefix: format!("e{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            emulator: EmulatorSource::default(),
            ..PlatformOptions::default()
        })
        .stream_consumer(PUBLISHER, crashing_publisher(Arc::clone(&state))),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap();
    let env = platform.deployment.function_env(PUBLISHER).unwrap();
    let real = notification_consumers::token_event_publisher::init(&platform.sdk, &env)
        .await
        .unwrap();
    assert!(state.real.set(real).is_ok());
    // AND a raw SQS subscription counting what reaches the topic
    let sqs = aws_sdk_sqs::Client::new(&platform.sdk);
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("count-{}", uuid::Uuid::new_v4().simple()))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    aws_sdk_sns::Client::new(&platform.sdk)
        .subscribe()
        .topic_arn(platform.deployment.reference("TokenEventsTopic").unwrap())
        .protocol("sqs")
        .endpoint(queue_arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();

    // WHEN one transaction commits three events
    let table = platform
        .deployment
        .reference("TokenStateTable")
        .unwrap()
        .to_owned();
    let ddb = aws_sdk_dynamodb::Client::new(&platform.sdk);
    let ids = ["ev-crash-1", "ev-crash-2", "ev-crash-3"];
    ddb.transact_write_items()
        .set_transact_items(Some(ids.iter().map(|id| outbox_put(&table, id)).collect()))
        .send()
        .await
        .unwrap();

    // THEN the topic gets each of them exactly once, although the publisher crashed
    let mut seen: HashMap<String, usize> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    // Until all three arrived, then a few more seconds for any duplicate.
    let mut quiet_until: Option<Instant> = None;
    while Instant::now() < deadline && quiet_until.is_none_or(|q| Instant::now() < q) {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        for message in received.messages.unwrap_or_default() {
            let body: Value = serde_json::from_str(message.body.as_deref().unwrap()).unwrap();
            *seen
                .entry(body["eventId"].as_str().unwrap().to_owned())
                .or_default() += 1;
            sqs.delete_message()
                .queue_url(&queue_url)
                .receipt_handle(message.receipt_handle.unwrap())
                .send()
                .await
                .unwrap();
        }
        if seen.len() == ids.len() && quiet_until.is_none() {
            quiet_until = Some(Instant::now() + Duration::from_secs(3));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(state.crashed.load(Ordering::SeqCst), "the crash happened");
    let expected: HashMap<String, usize> = ids.iter().map(|id| ((*id).to_owned(), 1)).collect();
    assert_eq!(seen, expected);
    // AND every outbox item is marked published
    for id in ids {
        let item = ddb
            .get_item()
            .table_name(&table)
            .key("pk", AttributeValue::S(format!("TOKEN#{TOKEN}")))
            .key("sk", AttributeValue::S(format!("EVENT#{id}")))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
            .unwrap();
        assert_eq!(item["published"], AttributeValue::Bool(true), "{id}");
    }
    platform.shutdown().await;
}
