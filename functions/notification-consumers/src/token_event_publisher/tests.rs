//! Handler tests over in-memory ports: stream batches in Lambda's shape,
//! partial failures, redeliveries after a crash.

use serde_json::{Value, json};
use tmp_core::domain::Network;
use tmp_core::domain::events::{TokenEvent, TokenEventType};
use tmp_core::usecases::events::{OutboxRecord, new_event};
use tmp_testkit::memory::SequentialIds;
use tmp_testkit::world::World;

const TOKEN: &str = "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45";

/// A world whose outbox holds `count` events for [`TOKEN`], in order.
fn world_with_events(count: usize) -> (World, Vec<TokenEvent>) {
    let world = World::default();
    let ids = SequentialIds::default();
    let events: Vec<TokenEvent> = (0..count)
        .map(|_| {
            new_event(
                &ids,
                Network::Mastercard,
                TokenEventType::TokenStatusChanged,
                TOKEN,
                world.now(),
            )
        })
        .collect();
    for event in &events {
        world.state.seed_event(event);
    }
    (world, events)
}

/// The Lambda event the stream's event source builds for outbox inserts.
fn stream_event(records: &[OutboxRecord]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            let sk = format!("EVENT#{}", r.event.event_id);
            json!({
                "eventID": format!("id-{}", r.position),
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-12-01T00:00:00.000",
                "dynamodb": {
                    "Keys": {"pk": {"S": format!("TOKEN#{TOKEN}")}, "sk": {"S": sk}},
                    "NewImage": {
                        "pk": {"S": format!("TOKEN#{TOKEN}")},
                        "sk": {"S": sk},
                        "event": {"S": serde_json::to_string(&r.event).unwrap()},
                        "published": {"BOOL": false}
                    },
                    "SequenceNumber": r.position,
                    "SizeBytes": 300,
                    "StreamViewType": "NEW_IMAGE"
                }
            })
        })
        .collect();
    json!({ "Records": records })
}

fn failures(response: &Value) -> Vec<String> {
    response["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap().to_owned())
        .collect()
}

fn published_ids(world: &World) -> Vec<String> {
    world
        .publisher
        .events()
        .into_iter()
        .map(|e| e.event_id)
        .collect()
}

#[tokio::test]
async fn a_batch_is_published_in_order_and_marked() {
    // GIVEN three outbox events delivered by the stream
    let (world, events) = world_with_events(3);
    let handler = super::handler(world.publish_events());
    // WHEN handled
    let response = handler(stream_event(&world.stream_records(TOKEN)))
        .await
        .unwrap();
    // THEN each is published once, in order, and marked; nothing is retried
    assert!(failures(&response).is_empty());
    let expected: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(published_ids(&world), expected);
    assert!(world.outbox(TOKEN).iter().all(|(_, published)| *published));
}

#[tokio::test]
async fn a_publish_failing_midway_retries_from_that_record_and_publishes_nothing_twice() {
    // GIVEN a topic that takes one event and then goes down
    let (world, events) = world_with_events(3);
    let handler = super::handler(world.publish_events());
    let records = world.stream_records(TOKEN);
    world.publisher.fail_after(1);
    // WHEN the batch is handled
    let response = handler(stream_event(&records)).await.unwrap();
    // THEN the second record is reported: Lambda redelivers it and those after it
    assert_eq!(failures(&response), vec![records[1].position.clone()]);
    assert_eq!(published_ids(&world), vec![events[0].event_id.clone()]);
    // WHEN the topic is back and Lambda redelivers the rest of the batch
    world.publisher.fail(false);
    world.publisher.fail_after(10);
    let response = handler(stream_event(&records[1..])).await.unwrap();
    // THEN every event is published exactly once, in order
    assert!(failures(&response).is_empty());
    let expected: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(published_ids(&world), expected);
}

#[tokio::test]
async fn a_batch_redelivered_whole_after_a_crash_skips_what_was_marked() {
    // GIVEN a batch whose first two events were published and marked before the
    // function crashed (Lambda saw no answer and redelivers the whole batch)
    let (world, events) = world_with_events(3);
    let records = world.stream_records(TOKEN);
    let handler = super::handler(world.publish_events());
    world.publisher.fail_after(2);
    handler(stream_event(&records)).await.unwrap();
    world.publisher.fail_after(10);
    // WHEN the whole batch arrives again
    let response = handler(stream_event(&records)).await.unwrap();
    // THEN only the third is published now: each event once in all
    assert!(failures(&response).is_empty());
    let expected: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(published_ids(&world), expected);
    assert_eq!(world.publisher.attempts(), 4);
}

#[tokio::test]
async fn an_outbox_outage_retries_the_whole_batch_and_publishes_nothing() {
    let (world, _) = world_with_events(2);
    let records = world.stream_records(TOKEN);
    let handler = super::handler(world.publish_events());
    world.state.unavailable(true);
    let response = handler(stream_event(&records)).await.unwrap();
    assert_eq!(failures(&response), vec![records[0].position.clone()]);
    assert_eq!(world.publisher.attempts(), 0);
}

#[tokio::test]
async fn an_event_published_but_not_marked_is_published_again_under_its_id() {
    // GIVEN an event published while its mark could not be written: the
    // window in which a crash also leaves it unmarked
    let (world, events) = world_with_events(1);
    let records = world.stream_records(TOKEN);
    let publish = world.publish_events();
    publish.publisher.publish(&events[0]).await.unwrap();
    // WHEN the stream delivers the record
    let response = super::handler(publish)(stream_event(&records))
        .await
        .unwrap();
    // THEN it goes out again with the same eventId (subscribers dedupe by it), and is marked
    assert!(failures(&response).is_empty());
    let published = published_ids(&world);
    assert_eq!(published, vec![events[0].event_id.clone(); 2]);
    assert!(world.outbox(TOKEN)[0].1);
}

#[tokio::test]
async fn records_that_are_not_outbox_inserts_or_unreadable_are_not_published() {
    // GIVEN a batch with a token item, an unreadable outbox item and a good one
    let (world, events) = world_with_events(1);
    let mut batch = stream_event(&world.stream_records(TOKEN));
    let good = batch["Records"][0].clone();
    let mut token_item = good.clone();
    token_item["dynamodb"]["Keys"]["sk"] = json!({"S": "TOKEN"});
    let mut unreadable = good.clone();
    unreadable["dynamodb"]["NewImage"]["event"] = json!({"S": "{broken"});
    unreadable["dynamodb"]["SequenceNumber"] = json!("0");
    batch["Records"] = json!([token_item, unreadable, good]);
    // WHEN handled
    let response = super::handler(world.publish_events())(batch).await.unwrap();
    // THEN only the good one is published, and nothing is retried
    assert!(failures(&response).is_empty());
    assert_eq!(published_ids(&world), vec![events[0].event_id.clone()]);
}

#[tokio::test]
async fn an_event_that_is_not_a_stream_batch_fails_the_invocation() {
    let (world, _) = world_with_events(0);
    let handler = super::handler(world.publish_events());
    assert!(handler(json!({"Records": [{"nope": 1}]})).await.is_err());
    assert!(handler(json!("text")).await.is_err());
}

#[tokio::test]
async fn the_sample_stream_batch_is_published_in_order() {
    // GIVEN the sample batch of events/token-event-publisher, its events in the outbox
    let sample: Value = serde_json::from_str(include_str!(
        "../../../../events/token-event-publisher/outbox-inserts.json"
    ))
    .unwrap();
    let world = World::default();
    let events: Vec<TokenEvent> = sample["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_str(r["dynamodb"]["NewImage"]["event"]["S"].as_str().unwrap()).unwrap()
        })
        .collect();
    for event in &events {
        world.state.seed_event(event);
    }
    // WHEN handled
    let response = super::handler(world.publish_events())(sample)
        .await
        .unwrap();
    // THEN both go out in stream order, and both are marked
    assert!(failures(&response).is_empty());
    let expected: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(published_ids(&world), expected);
    assert!(world.outbox(TOKEN).iter().all(|(_, published)| *published));
}
