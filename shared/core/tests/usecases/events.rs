//! Events leave through the outbox: every change commits its events with it,
//! no request waits on the topic, and `PublishEvents` (on the table's stream)
//! publishes each one once, in order.

use tmp_core::domain::decision::Decision;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Change, Suspender, TokenStatus};
use tmp_core::usecases::update_tokens::{TokenUpdate, UpdateTokensCommand};

use crate::support::{
    PAN, TOKEN, TestCardData, World, active_card, authorize_command, green_wallet, message,
};

fn suspend_command(request_id: &str) -> UpdateTokensCommand {
    UpdateTokensCommand {
        message: message(request_id, &[TOKEN]),
        reason_code: "SUSPEND".to_owned(),
        announces_update: false,
        updates: vec![TokenUpdate {
            token_ref: TOKEN.to_owned(),
            change: Some(Change::SetStatus {
                status: TokenStatus::Suspended,
                suspended_by: [Suspender::Issuer].into_iter().collect(),
            }),
            initial_status: TokenStatus::Inactive,
            token_expiry: None,
            details: serde_json::Value::Null,
        }],
    }
}

fn resume_command(request_id: &str) -> UpdateTokensCommand {
    let mut command = suspend_command(request_id);
    command.reason_code = "RESUME".to_owned();
    command.updates[0].change = Some(Change::SetStatus {
        status: TokenStatus::Active,
        suspended_by: Default::default(),
    });
    command
}

#[tokio::test]
async fn an_authorization_commits_its_event_and_publishes_nothing_itself() {
    // GIVEN a green authorization
    let world = World::default().with_card(active_card());
    // WHEN decided
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN its event is in the outbox, unpublished, and the topic was never called
    assert_eq!(outcome.decision, Decision::Approved);
    let outbox = world.outbox(TOKEN);
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0.event_type, TokenEventType::TokenAuthorized);
    assert!(!outbox[0].1);
    assert_eq!(world.publisher.attempts(), 0);
}

#[tokio::test]
async fn a_lifecycle_change_commits_its_event_and_a_retry_adds_none() {
    // GIVEN an active token, suspended by a message and its retry
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let update_tokens = world.update_tokens();
    update_tokens.update(&suspend_command("r1")).await.unwrap();
    update_tokens.update(&suspend_command("r1")).await.unwrap();
    // THEN one event is in the outbox and nothing was published by the requests
    let outbox = world.outbox(TOKEN);
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0.event_type, TokenEventType::TokenStatusChanged);
    assert_eq!(world.publisher.attempts(), 0);
}

#[tokio::test]
async fn the_publisher_stops_at_the_first_failure_and_resumes_there() {
    // GIVEN two committed changes (two outbox events) and a topic that takes one
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world
        .update_tokens()
        .update(&suspend_command("r1"))
        .await
        .unwrap();
    world
        .update_tokens()
        .update(&resume_command("r2"))
        .await
        .unwrap();
    let records = world.stream_records(TOKEN);
    assert_eq!(records.len(), 2);
    world.publisher.fail_after(1);
    let publish = world.publish_events();
    // WHEN the stream delivers them
    let first = publish.publish(&records).await;
    // THEN the first is published and marked, and delivery resumes at the second
    assert_eq!(first.published, 1);
    assert_eq!(
        first.retry_from.as_deref(),
        Some(records[1].position.as_str())
    );
    assert!(world.outbox(TOKEN)[0].1);
    assert!(!world.outbox(TOKEN)[1].1);
    // WHEN the topic is back and the whole batch comes again
    world.publisher.fail_after(5);
    let again = publish.publish(&records).await;
    // THEN the marked one is skipped, the other published: each once
    assert_eq!(
        (again.published, again.skipped, again.retry_from),
        (1, 1, None)
    );
    let published: Vec<_> = world
        .publisher
        .events()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    let expected: Vec<_> = records.iter().map(|r| r.event.event_id.clone()).collect();
    assert_eq!(published, expected);
}

#[tokio::test]
async fn an_empty_batch_calls_nothing() {
    let world = World::default();
    let report = world.publish_events().publish(&[]).await;
    assert_eq!(report.published + report.skipped, 0);
    assert_eq!(world.publisher.attempts(), 0);
}
