//! `EventDispatch`: events committed with their change, published after, and
//! published later when publishing failed.

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

#[tokio::test]
async fn a_publish_failure_leaves_the_event_in_the_outbox_until_dispatched() {
    // GIVEN the topic is down when a token is suspended
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.publisher.fail(true);
    world
        .update_tokens()
        .update(&suspend_command("r1"))
        .await
        .unwrap();
    // THEN the change is committed, its event unpublished in the outbox
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Suspended
    );
    let outbox = world.outbox(TOKEN);
    assert_eq!(outbox.len(), 1);
    assert!(!outbox[0].1);
    assert_eq!(world.publisher.attempts(), 1);
    assert!(world.publisher.events().is_empty());
    // WHEN the topic is back and the outbox is dispatched
    world.publisher.fail(false);
    let events = world.events();
    events.dispatch_pending(TOKEN).await;
    // THEN the event is published, marked, and never again
    assert_eq!(world.publisher.events(), vec![outbox[0].0.clone()]);
    assert!(world.outbox(TOKEN)[0].1);
    events.dispatch_pending(TOKEN).await;
    assert_eq!(world.publisher.attempts(), 2);
    assert_eq!(world.publisher.events().len(), 1);
}

#[tokio::test]
async fn a_retried_message_publishes_what_its_first_attempt_left() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.publisher.fail(true);
    let update_tokens = world.update_tokens();
    update_tokens.update(&suspend_command("r1")).await.unwrap();
    world.publisher.fail(false);
    // WHEN the network retries the message
    update_tokens.update(&suspend_command("r1")).await.unwrap();
    // THEN the committed event is published, once, and nothing is re-applied
    let published = world.publisher.events();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].event_type, TokenEventType::TokenStatusChanged);
    assert!(world.outbox(TOKEN).iter().all(|(_, published)| *published));
    assert_eq!(world.state.history_of(TOKEN).len(), 1);
}

#[tokio::test]
async fn an_authorization_is_answered_even_when_its_event_cannot_be_published() {
    let world = World::default().with_card(active_card());
    world.publisher.fail(true);
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
    assert_eq!(outcome.decision, Decision::Approved);
    let outbox = world.outbox(TOKEN);
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0.event_type, TokenEventType::TokenAuthorized);
    assert!(!outbox[0].1);
    world.publisher.fail(false);
    world.events().dispatch_pending(TOKEN).await;
    assert_eq!(world.publisher.events().len(), 1);
    assert!(world.outbox(TOKEN)[0].1);
}

#[tokio::test]
async fn an_event_published_but_not_marked_is_published_again_with_the_same_id() {
    // GIVEN an event left in the outbox
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.publisher.fail(true);
    world
        .update_tokens()
        .update(&suspend_command("r1"))
        .await
        .unwrap();
    world.publisher.fail(false);
    let pending: Vec<_> = world.outbox(TOKEN).into_iter().map(|(e, _)| e).collect();
    // WHEN it is published while the state store is down (the mark fails)
    world.state.unavailable(true);
    let events = world.events();
    events.dispatch(TOKEN, &pending).await;
    world.state.unavailable(false);
    assert!(!world.outbox(TOKEN)[0].1);
    // THEN the next dispatch publishes it again, under the same event id
    // (subscribers dedupe by eventId), and then it is marked
    events.dispatch_pending(TOKEN).await;
    let published = world.publisher.events();
    assert_eq!(published.len(), 2);
    assert_eq!(published[0].event_id, published[1].event_id);
    assert!(world.outbox(TOKEN)[0].1);
}

#[tokio::test]
async fn an_outbox_outage_publishes_nothing() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.publisher.fail(true);
    world
        .update_tokens()
        .update(&suspend_command("r1"))
        .await
        .unwrap();
    world.publisher.fail(false);
    world.state.unavailable(true);
    world.events().dispatch_pending(TOKEN).await;
    assert_eq!(world.publisher.attempts(), 1);
    world.state.unavailable(false);
    world.events().dispatch_pending(TOKEN).await;
    assert_eq!(world.publisher.events().len(), 1);
}

#[tokio::test]
async fn an_empty_outbox_publishes_nothing() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.events().dispatch_pending(TOKEN).await;
    world.events().dispatch_pending("never-seen").await;
    assert_eq!(world.publisher.attempts(), 0);
}
