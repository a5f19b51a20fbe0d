//! unsuspendToken over its samples: the issuer lifts its own suspension;
//! an operator that is not an id, or no Idempotency-Key, is refused.

use serde_json::json;
use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::token::TokenStatus;

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        UNSUSPEND,
        &[
            "suspended-token-unsuspended",
            "error-operator-not-an-id",
            "error-missing-idempotency-key",
        ],
    );
}

#[tokio::test]
async fn the_issuers_suspension_is_lifted_once_the_network_confirms() {
    // GIVEN the token the issuer suspended
    let fx = Fixture::new();
    // WHEN the back office unsuspends it, the device found
    let body = fx
        .play(UNSUSPEND, "suspended-token-unsuspended")
        .await
        .assert_ok();
    // THEN ACTIVE, nobody's suspension left, confirmed
    assert_eq!(body["tokenId"], SUSPENDED_TOKEN);
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(body["suspendedBy"], json!([]));
    assert_eq!(body["networkStatus"], "CONFIRMED");
    // AND MDES was asked once
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].action, calls[0].reason),
        (TokenAction::Unsuspend, ActionReason::DeviceFound)
    );
    assert_eq!(
        fx.state.token_of(SUSPENDED_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn unsuspensions_refused_before_any_network_is_asked() {
    assert_refusals(
        UNSUSPEND,
        &[
            ("error-operator-not-an-id", 422, "operator is not valid"),
            ("error-missing-idempotency-key", 400, NO_IDEMPOTENCY_KEY),
        ],
    )
    .await;
}
