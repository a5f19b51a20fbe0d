//! suspendToken over its samples: the network's word decides (confirmed,
//! pending, refused), a replay calls no network again, and the requests
//! refused before any network is asked.

use std::collections::BTreeSet;

use serde_json::json;
use tmp_core::domain::Network;
use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::ports::NetworkAnswer;

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        SUSPEND,
        &[
            "active-token-suspended",
            "error-missing-idempotency-key",
            "error-reason-of-another-action",
            "error-unknown-token",
            "error-read-only-access-token",
            "error-tampered-access-token",
        ],
    );
}

#[tokio::test]
async fn a_confirmed_suspension_answers_the_suspended_token() {
    // GIVEN the active Mastercard token
    let fx = Fixture::new();
    // WHEN the back office suspends it for a lost device and MDES confirms
    let body = fx.play(SUSPEND, "active-token-suspended").await.assert_ok();
    // THEN the token as it is now: SUSPENDED by the issuer, confirmed
    assert_eq!(body["tokenId"], ACTIVE_TOKEN);
    assert_eq!(body["status"], "SUSPENDED");
    assert_eq!(body["suspendedBy"], json!(["ISSUER"]));
    assert_eq!(body["networkStatus"], "CONFIRMED");
    assert!(body.get("pendingNetworkAction").is_none(), "{body}");
    let last = body["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["comment"], "Cardholder called");
    assert_eq!(last["operator"], "agent.17");
    // AND Mastercard was asked once, for this token, with the operator's reason
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].network, calls[0].action, calls[0].reason),
        (
            Network::Mastercard,
            TokenAction::Suspend,
            ActionReason::DeviceLost
        )
    );
    assert_eq!(calls[0].token_ref, ACTIVE_TOKEN);
    assert_eq!(calls[0].operator, "agent.17");
    // AND our state says so
    let record = fx.state.token_of(ACTIVE_TOKEN).unwrap();
    assert_eq!(record.state.status, TokenStatus::Suspended);
    assert_eq!(record.state.suspenders, BTreeSet::from([Suspender::Issuer]));
}

#[tokio::test]
async fn a_replayed_request_answers_the_same_and_calls_no_network_again() {
    // GIVEN the suspension applied once
    let fx = Fixture::new();
    let first = fx.play(SUSPEND, "active-token-suspended").await.assert_ok();
    // WHEN the back office retries it with the same Idempotency-Key
    let again = fx.play(SUSPEND, "active-token-suspended").await.assert_ok();
    // THEN the same answer, and still one network call
    assert_eq!(again, first);
    assert_eq!(fx.networks.calls().len(), 1);
}

#[tokio::test]
async fn an_unanswered_call_leaves_the_suspension_pending() {
    // GIVEN MDES will not answer
    let fx = Fixture::new();
    fx.networks.answer_next([NetworkAnswer::Unknown]);
    // WHEN the token is suspended
    let body = fx.play(SUSPEND, "active-token-suspended").await.assert_ok();
    // THEN PENDING, the action in flight, the token still ACTIVE
    assert_eq!(body["networkStatus"], "PENDING");
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(body["pendingNetworkAction"]["action"], "SUSPEND");
    assert_eq!(fx.networks.calls().len(), 1);
}

#[tokio::test]
async fn a_suspension_the_network_refuses_is_a_conflict_and_changes_nothing() {
    // GIVEN MDES refuses the suspension
    let fx = Fixture::new();
    fx.networks.answer_next([NetworkAnswer::Refused {
        code: "INVALID_TOKEN_STATUS".to_owned(),
    }]);
    // WHEN the token is suspended
    let (event, request) = sample(SUSPEND, "active-token-suspended");
    let answer = fx.send(SUSPEND, request).await;
    // THEN 409, echoing nothing, and the token is still ACTIVE
    answer.assert_problem(
        409,
        "The card network refused the action; the token is unchanged",
    );
    assert_answer_hygiene(&event, &answer, "refused suspension");
    assert!(!answer.text().contains("INVALID_TOKEN_STATUS"));
    let record = fx.state.token_of(ACTIVE_TOKEN).unwrap();
    assert_eq!(record.state.status, TokenStatus::Active);
}

#[tokio::test]
async fn requests_refused_before_any_network_is_asked() {
    assert_refusals(
        SUSPEND,
        &[
            ("error-missing-idempotency-key", 400, NO_IDEMPOTENCY_KEY),
            (
                "error-reason-of-another-action",
                422,
                "reasonCode is not valid",
            ),
            ("error-unknown-token", 404, NOT_FOUND),
            ("error-read-only-access-token", 403, FORBIDDEN),
            ("error-tampered-access-token", 401, UNAUTHORIZED),
        ],
    )
    .await;
}
