//! `RecordSuspiciousActivity`: kept in the history and published; the token
//! state does not change.

use serde_json::json;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::usecases::suspicious_activity::{OPERATION, SuspiciousActivityCommand};

use crate::support::{PAN, TOKEN, World, message, state_of, token_record};

fn command(request_id: &str, status: TokenStatus) -> SuspiciousActivityCommand {
    SuspiciousActivityCommand {
        message: message(request_id, &[TOKEN, "DEVICE_COMPROMISED"]),
        token_ref: TOKEN.to_owned(),
        event_name: Some("DEVICE_COMPROMISED".to_owned()),
        status,
        details: json!({"eventName": "DEVICE_COMPROMISED"}),
    }
}

#[tokio::test]
async fn suspicious_activity_is_published_without_changing_the_token() {
    // GIVEN a token suspended by the issuer
    let world = World::default();
    let mut record = token_record(TOKEN, TokenStatus::Suspended, Some(world.fingerprint(PAN)));
    record.state = state_of(TokenStatus::Suspended, &[Suspender::Issuer]);
    world.state.seed_token(record.clone(), None);
    world.state.set_live_tokens(&world.fingerprint(PAN), 1);
    // WHEN the network reports suspicious activity on it
    world
        .record_suspicious_activity()
        .record(&command("r1", TokenStatus::Active))
        .await
        .unwrap();
    // THEN SUSPICIOUS_ACTIVITY is published with the token's own status
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.event_type, TokenEventType::SuspiciousActivity);
    assert_eq!(event.status, Some(TokenStatus::Suspended));
    assert_eq!(event.previous_status, Some(TokenStatus::Suspended));
    assert_eq!(event.reason_code.as_deref(), Some("DEVICE_COMPROMISED"));
    assert_eq!(event.details, json!({"eventName": "DEVICE_COMPROMISED"}));
    assert_eq!(world.outbox(TOKEN), vec![(event.clone(), false)]);
    // AND the token keeps its status and suspenders; only time moves on
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, record.state.status);
    assert_eq!(token.state.suspenders, record.state.suspenders);
    assert_eq!(token.state.last_event_at, Some(world.now()));
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
    // AND it is in the history, and the message completed
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].operation, OPERATION);
    assert_eq!(
        (history[0].from, history[0].to, history[0].applied),
        (Some(TokenStatus::Suspended), TokenStatus::Suspended, true)
    );
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn suspicious_activity_on_a_deleted_token_is_still_reported() {
    let world = World::default();
    world.seed_token(TokenStatus::Deactivated);
    world
        .record_suspicious_activity()
        .record(&command("r1", TokenStatus::Deactivated))
        .await
        .unwrap();
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, Some(TokenStatus::Deactivated));
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Deactivated
    );
}

#[tokio::test]
async fn an_older_report_does_not_move_the_token_back_in_time() {
    let world = World::default();
    let seeded = world.seed_token(TokenStatus::Active);
    // the clock is behind the token's newest message
    world.clock.advance(-time::Duration::hours(2));
    world
        .record_suspicious_activity()
        .record(&command("r1", TokenStatus::Active))
        .await
        .unwrap();
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.last_event_at, seeded.state.last_event_at);
    assert_eq!(world.committed_events().len(), 1);
}

#[tokio::test]
async fn a_report_on_an_unknown_token_creates_it_with_the_reported_status() {
    let world = World::default();
    world
        .record_suspicious_activity()
        .record(&command("r1", TokenStatus::Active))
        .await
        .unwrap();
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    let events = world.committed_events();
    assert_eq!(events[0].event_type, TokenEventType::SuspiciousActivity);
    assert_eq!(events[0].previous_status, None);
}

#[tokio::test]
async fn a_retried_report_is_published_once() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let record = world.record_suspicious_activity();
    let request = command("r1", TokenStatus::Active);
    record.record(&request).await.unwrap();
    record.record(&request).await.unwrap();
    assert_eq!(world.committed_events().len(), 1);
    assert_eq!(world.state.history_of(TOKEN).len(), 1);
}
