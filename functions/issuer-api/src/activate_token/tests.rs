//! activateToken over its samples: an inactive token activated at its
//! network, an active one refused as a conflict, a request without its
//! Idempotency-Key refused.

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::token::TokenStatus;

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        ACTIVATE,
        &[
            "inactive-token-activated",
            "error-token-already-active",
            "error-missing-idempotency-key",
        ],
    );
}

#[tokio::test]
async fn an_inactive_token_is_activated_once_the_network_confirms() {
    // GIVEN the inactive Mastercard token
    let fx = Fixture::new();
    // WHEN the back office activates it after verifying the cardholder
    let body = fx
        .play(ACTIVATE, "inactive-token-activated")
        .await
        .assert_ok();
    // THEN ACTIVE, confirmed
    assert_eq!(body["tokenId"], INACTIVE_TOKEN);
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(body["networkStatus"], "CONFIRMED");
    // AND MDES was asked once to activate it
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].token_ref.as_str(),
            calls[0].action,
            calls[0].reason
        ),
        (
            INACTIVE_TOKEN,
            TokenAction::Activate,
            ActionReason::CardholderVerified
        )
    );
    assert_eq!(
        fx.state.token_of(INACTIVE_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn activations_refused_before_any_network_is_asked() {
    assert_refusals(
        ACTIVATE,
        &[
            ("error-token-already-active", 409, STATE_CONFLICT),
            ("error-missing-idempotency-key", 400, NO_IDEMPOTENCY_KEY),
        ],
    )
    .await;
}
