//! Handler tests over the real use case and in-memory ports: the yellow
//! path's active token is suspended, deactivated and deleted from the wallet.

use std::collections::BTreeSet;

use serde_json::json;
use time::Duration;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::usecases::update_tokens::OPERATION;

use crate::testing::{
    Fixture, FunctionUnderTest, JANE_PAN, TOKEN_UPDATED, YELLOW_TOKEN, assert_answers,
    assert_refusals,
};

#[tokio::test]
async fn status_changes_and_deletions_are_applied_in_order() {
    // GIVEN the yellow path's token, authorized and activated through the handlers
    let fx = Fixture::new();
    fx.activate_yellow().await;
    let handler = fx.notify_token_updated_handler();
    // (sample, requestId, status after, suspenders after)
    let steps = [
        (
            "suspended-by-token-requestor",
            "sample-ntu-0001",
            TokenStatus::Suspended,
            BTreeSet::from([Suspender::TokenRequestor]),
        ),
        (
            "deactivated",
            "sample-ntu-0002",
            TokenStatus::Deactivated,
            BTreeSet::new(),
        ),
        (
            "deleted-from-consumer-app",
            "sample-ntu-0003",
            TokenStatus::Deactivated,
            BTreeSet::new(),
        ),
    ];
    for (sample, request_id, status, suspenders) in steps {
        // WHEN MDES notifies the change THEN it is acknowledged with the requestId
        fx.clock.advance(Duration::minutes(1));
        let body = json!({"responseId": request_id});
        assert_answers(&handler, TOKEN_UPDATED, sample, body).await;
        // AND the token is in the notified state, the change in its history
        let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
        assert_eq!(token.state.status, status, "{sample}");
        assert_eq!(token.state.suspenders, suspenders, "{sample}");
        let last = fx.state.history_of(YELLOW_TOKEN).pop().unwrap();
        assert_eq!(last.operation, OPERATION, "{sample}");
        assert_eq!(last.source_request_id, request_id, "{sample}");
        assert_eq!(last.to, status, "{sample}");
        assert!(last.applied, "{sample}");
    }
    // THEN the history holds every step in order
    let history = fx.state.history_of(YELLOW_TOKEN);
    let moves: Vec<_> = history.iter().map(|h| (h.from, h.to)).collect();
    assert_eq!(
        moves,
        [
            (None, TokenStatus::Inactive),
            (Some(TokenStatus::Inactive), TokenStatus::Active),
            (Some(TokenStatus::Active), TokenStatus::Suspended),
            (Some(TokenStatus::Suspended), TokenStatus::Deactivated),
            (Some(TokenStatus::Deactivated), TokenStatus::Deactivated),
        ]
    );
    assert_eq!(
        history[4].reason_code.as_deref(),
        Some("DELETED_FROM_CONSUMER_APP")
    );
    // AND the suspension and the deletion were announced, the repeat was not
    let published = fx.committed_events();
    let types: Vec<_> = published.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            TokenEventType::TokenAuthorized,
            TokenEventType::TokenActivated,
            TokenEventType::TokenStatusChanged,
            TokenEventType::TokenDeleted,
        ]
    );
    assert_eq!(published[2].status, Some(TokenStatus::Suspended));
    assert_eq!(published[2].previous_status, Some(TokenStatus::Active));
    assert_eq!(published[2].reason_code.as_deref(), Some("STATUS_UPDATE"));
    assert_eq!(
        published[2].source_request_id.as_deref(),
        Some("sample-ntu-0001")
    );
    assert_eq!(published[3].status, Some(TokenStatus::Deactivated));
    assert_eq!(published[3].previous_status, Some(TokenStatus::Suspended));
    // AND the deleted token no longer counts against Jane's card
    assert_eq!(fx.state.live_tokens(&fx.fingerprint(JANE_PAN)), 0);
}

#[tokio::test]
async fn a_retried_update_is_applied_once() {
    // GIVEN an acknowledged suspension
    let fx = Fixture::new();
    fx.activate_yellow().await;
    let first = fx
        .expect_ok(TOKEN_UPDATED, "suspended-by-token-requestor")
        .await;
    let history = fx.state.history_of(YELLOW_TOKEN).len();
    // WHEN MDES retries it THEN the same answer, nothing applied twice
    fx.clock.advance(Duration::minutes(1));
    let retried = fx
        .expect_ok(TOKEN_UPDATED, "suspended-by-token-requestor")
        .await;
    assert_eq!(retried, first);
    assert_eq!(fx.state.history_of(YELLOW_TOKEN).len(), history);
    assert_eq!(fx.committed_events().len(), 3);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    // GIVEN the yellow path's token, authorized and activated
    let fx = Fixture::new();
    fx.activate_yellow().await;
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::notify_token_updated_handler,
            function: TOKEN_UPDATED,
            valid_event: "suspended-by-token-requestor",
            missing_event: "error-missing-status",
            missing_field: "tokens[0].status",
            operation: Some(OPERATION),
        },
        &fx,
    )
    .await;
}
