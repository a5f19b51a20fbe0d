//! Handler tests over the real use case and in-memory ports: suspicious
//! activity is recorded and announced, the token left as it is.

use serde_json::json;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Initiator, TokenStatus};
use tmp_core::usecases::suspicious_activity::OPERATION;

use crate::testing::{
    Fixture, FunctionUnderTest, SUSPICIOUS, YELLOW_TOKEN, assert_answers, assert_refusals,
    sample_body,
};

const SAMPLE: &str = "replenish-suspicious-atcs";

#[tokio::test]
async fn suspicious_replenishment_is_recorded_and_announced() {
    // GIVEN the yellow path's token, authorized and activated through the handlers
    let fx = Fixture::new();
    fx.activate_yellow().await;
    let before = fx.state.token_of(YELLOW_TOKEN).unwrap();
    // WHEN MDES reports suspicious ATCs on it THEN acknowledged with the requestId
    let body = json!({"responseId": "sample-nse-0001"});
    assert_answers(
        &fx.notify_suspicious_events_handler(),
        SUSPICIOUS,
        SAMPLE,
        body,
    )
    .await;
    // AND the token's state is unchanged
    let after = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(after.state.status, TokenStatus::Active);
    assert_eq!(after.state.suspenders, before.state.suspenders);
    // AND the report is in its history
    let last = fx.state.history_of(YELLOW_TOKEN).pop().unwrap();
    assert_eq!(last.operation, OPERATION);
    assert_eq!(last.reason_code.as_deref(), Some("REPLENISH"));
    assert_eq!(last.source_request_id, "sample-nse-0001");
    assert_eq!(last.from, Some(TokenStatus::Active));
    assert_eq!(last.to, TokenStatus::Active);
    assert!(last.applied);
    // AND SUSPICIOUS_ACTIVITY was committed with MDES's event details
    let published = fx.committed_events();
    assert_eq!(published.len(), 3);
    let event = &published[2];
    assert_eq!(event.event_type, TokenEventType::SuspiciousActivity);
    assert_eq!(event.token_unique_reference, YELLOW_TOKEN);
    assert_eq!(event.status, Some(TokenStatus::Active));
    assert_eq!(event.previous_status, Some(TokenStatus::Active));
    assert_eq!(event.initiator, Some(Initiator::Tsp));
    assert_eq!(event.reason_code.as_deref(), Some("REPLENISH"));
    assert_eq!(event.source_request_id.as_deref(), Some("sample-nse-0001"));
    assert_eq!(event.details, sample_body(SUSPICIOUS, SAMPLE)["events"]);
    // (committed to the outbox; the stream's publisher sends them)
    assert!(
        fx.state
            .events_of(YELLOW_TOKEN)
            .iter()
            .all(|(_, sent)| !*sent)
    );
    assert_eq!(fx.publisher.attempts(), 0);
}

#[tokio::test]
async fn a_retried_report_is_recorded_once() {
    // GIVEN an acknowledged report
    let fx = Fixture::new();
    fx.activate_yellow().await;
    let first = fx.expect_ok(SUSPICIOUS, SAMPLE).await;
    // WHEN MDES retries it THEN the same answer, one history line, one event
    let retried = fx.expect_ok(SUSPICIOUS, SAMPLE).await;
    assert_eq!(retried, first);
    assert_eq!(fx.state.history_of(YELLOW_TOKEN).len(), 3);
    assert_eq!(fx.committed_events().len(), 3);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    // GIVEN the yellow path's token, authorized and activated
    let fx = Fixture::new();
    fx.activate_yellow().await;
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::notify_suspicious_events_handler,
            function: SUSPICIOUS,
            valid_event: SAMPLE,
            missing_event: "error-missing-events",
            missing_field: "events",
            operation: Some(OPERATION),
        },
        &fx,
    )
    .await;
}
