//! Handler tests over the real use case and in-memory ports: the yellow
//! path's token becomes ACTIVE, once, and is announced.

use serde_json::json;
use time::macros::datetime;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Initiator, TokenStatus};
use tmp_core::usecases::notify_activated::OPERATION;

use crate::testing::{
    ACTIVATED, Fixture, FunctionUnderTest, JANE_PAN, NOW, REFUSED_PAYLOADS, TOKEN_REQUESTOR,
    YELLOW_TOKEN, assert_answers, assert_refusals, body_with_payload, cryptography_error,
    sample_body, sample_payload,
};

const SAMPLE: &str = "yellow-token-activated";

#[tokio::test]
async fn the_authorized_token_becomes_active_and_is_announced() {
    // GIVEN the yellow path's token, authorized through authorizeService
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    // WHEN MDES reports it active (payload for the test key) THEN acknowledged
    let body = json!({"responseId": "sample-nsa-0001"});
    assert_answers(
        &fx.notify_service_activated_handler(),
        ACTIVATED,
        SAMPLE,
        body,
    )
    .await;
    // AND the token is ACTIVE, with the facts MDES gave and its number only as
    // a MAC; its time is our arrival time (MDES's activation time is ahead)
    let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.state.last_event_at, Some(NOW));
    assert_eq!(token.language.as_deref(), Some("en"));
    let attributes = fx.state.attributes_of(YELLOW_TOKEN).unwrap();
    assert_eq!(
        attributes.activated_at.as_deref(),
        Some("2026-11-26T10:02:30.000Z")
    );
    assert_eq!(attributes.token_last4.as_deref(), Some("5454"));
    assert_eq!(
        attributes.token_fingerprint,
        Some(fx.mac.mac_of(b"token-number|v1|5454545454545454"))
    );
    assert_eq!(
        attributes.decision_made_by.as_deref(),
        Some("AUTHORIZATION_REQUEST")
    );
    assert_eq!(attributes.device_name.as_deref(), Some("Sample Phone"));
    assert_eq!(attributes.pan_last4.as_deref(), Some("4444"));
    // AND still counted once against Jane's card
    assert_eq!(fx.state.live_tokens(&fx.fingerprint(JANE_PAN)), 1);
    // AND the history has the activation after the authorization
    let history = fx.state.history_of(YELLOW_TOKEN);
    assert_eq!(history.len(), 2);
    let activation = &history[1];
    assert_eq!(activation.operation, OPERATION);
    assert_eq!(activation.at, NOW);
    assert_eq!(
        activation.event_time,
        Some(datetime!(2026-11-26 10:02:30 UTC))
    );
    assert_eq!(activation.from, Some(TokenStatus::Inactive));
    assert_eq!(activation.to, TokenStatus::Active);
    assert_eq!(activation.initiator, Initiator::Tsp);
    assert_eq!(
        activation.reason_code.as_deref(),
        Some("AUTHORIZATION_REQUEST")
    );
    assert_eq!(activation.source_request_id, "sample-nsa-0001");
    assert!(activation.applied);
    // AND TOKEN_ACTIVATED ("card added to wallet") was committed for publishing
    let published = fx.committed_events();
    let types: Vec<_> = published.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            TokenEventType::TokenAuthorized,
            TokenEventType::TokenActivated
        ]
    );
    let event = &published[1];
    assert_eq!(event.token_unique_reference, YELLOW_TOKEN);
    assert_eq!(event.status, Some(TokenStatus::Active));
    assert_eq!(event.previous_status, Some(TokenStatus::Inactive));
    assert_eq!(event.initiator, Some(Initiator::Tsp));
    assert_eq!(event.occurred_at, "2026-11-26T10:02:30Z");
    assert_eq!(event.pan_last4.as_deref(), Some("4444"));
    assert_eq!(event.token_requestor_id.as_deref(), Some(TOKEN_REQUESTOR));
    assert_eq!(event.wallet_id.as_deref(), Some("103"));
    assert_eq!(event.language.as_deref(), Some("en"));
    assert_eq!(event.source_request_id.as_deref(), Some("sample-nsa-0001"));
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
async fn a_retried_activation_is_applied_once() {
    // GIVEN an activation already acknowledged
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let first = fx.expect_ok(ACTIVATED, SAMPLE).await;
    // WHEN MDES retries it THEN the same answer, one history line, one event
    let retried = fx.expect_ok(ACTIVATED, SAMPLE).await;
    assert_eq!(retried, first);
    assert_eq!(fx.state.history_of(YELLOW_TOKEN).len(), 2);
    assert_eq!(fx.committed_events().len(), 2);
}

#[tokio::test]
async fn a_token_we_never_authorized_is_created_active_on_its_card() {
    // GIVEN no authorization (MDES decided in stand-in)
    let fx = Fixture::new();
    // WHEN MDES reports the token active THEN acknowledged
    let body = json!({"responseId": "sample-nsa-0001"});
    assert_answers(
        &fx.notify_service_activated_handler(),
        ACTIVATED,
        SAMPLE,
        body,
    )
    .await;
    // AND the token exists, ACTIVE, keyed and counted by its card
    let fingerprint = fx.fingerprint(JANE_PAN);
    let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
    let history = fx.state.history_of(YELLOW_TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].from, None);
    let published = fx.committed_events();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].event_type, TokenEventType::TokenActivated);
    assert_eq!(published[0].previous_status, None);
}

#[tokio::test]
async fn an_activation_time_far_in_the_future_is_refused() {
    // GIVEN the authorized yellow token
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN]);
    // WHEN MDES says it was activated tomorrow (it would outrank every later message)
    let mut body = sample_body(ACTIVATED, SAMPLE);
    body["tokenActivatedDateTime"] = json!("2026-11-27T10:00:00.000Z");
    let (status, answer) = fx.send_body(ACTIVATED, SAMPLE, &body).await;
    // THEN 400 naming the field, and nothing written
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer,
        json!({
            "responseId": "sample-nsa-0001",
            "errorCode": "INVALID_FIELD_VALUE",
            "errorDescription": "tokenActivatedDateTime has an invalid value",
        })
    );
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), before);
    assert_eq!(fx.ledger_entry(OPERATION, "sample-nsa-0001"), None);
    // AND 5 minutes ahead of our clock (skew) is accepted, as the retry shows
    body["tokenActivatedDateTime"] = json!("2026-11-26T10:05:00.000Z");
    let (status, answer) = fx.send_body(ACTIVATED, SAMPLE, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn every_unusable_payload_is_the_same_cryptography_error_and_writes_nothing() {
    // GIVEN the authorized yellow token
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN]);
    let (invalid_field, undecryptable) = REFUSED_PAYLOADS.split_last().unwrap();
    assert_eq!(*invalid_field, "crypto-invalid-card-field");
    for sample in undecryptable {
        // WHEN MDES reports it active with card data for another key, whose
        // key cannot be unwrapped, in a refused legacy form, or expired
        let body = body_with_payload(ACTIVATED, SAMPLE, &sample_payload(sample));
        let (status, answer) = fx.send_body(ACTIVATED, SAMPLE, &body).await;
        // THEN 400 with the one CRYPTOGRAPHY_ERROR
        assert_eq!(status, 400, "{sample}: {answer}");
        assert_eq!(answer, cryptography_error("sample-nsa-0001"), "{sample}");
        // AND the token stays as authorized, the claim released
        assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), before, "{sample}");
        assert_eq!(
            fx.ledger_entry(OPERATION, "sample-nsa-0001"),
            None,
            "{sample}"
        );
    }
}

// A payload decrypting to an invalid card field (a Luhn-invalid
// accountNumber) gets the answer authorizeService and
// requestActivationMethods give: the token is neither activated nor created.
#[tokio::test]
async fn an_invalid_card_field_inside_is_the_same_cryptography_error_and_writes_nothing() {
    // GIVEN the authorized yellow token
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN]);
    // WHEN MDES reports it active with card data holding an invalid card field
    let payload = sample_payload("crypto-invalid-card-field");
    let body = body_with_payload(ACTIVATED, SAMPLE, &payload);
    let (status, answer) = fx.send_body(ACTIVATED, SAMPLE, &body).await;
    // THEN 400 with the one CRYPTOGRAPHY_ERROR, as for any unusable payload
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer, cryptography_error("sample-nsa-0001"));
    // AND the token stays as authorized, the claim released
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), before);
    assert_eq!(fx.ledger_entry(OPERATION, "sample-nsa-0001"), None);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    // GIVEN the yellow path's token, authorized
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::notify_service_activated_handler,
            function: ACTIVATED,
            valid_event: SAMPLE,
            missing_event: "error-missing-account-pan-suffix",
            missing_field: "accountPanSuffix",
            operation: Some(OPERATION),
        },
        &fx,
    )
    .await;
}
