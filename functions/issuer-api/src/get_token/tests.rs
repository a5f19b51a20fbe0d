//! getToken over its samples: a token's details, and the look-ups refused
//! (unknown or impossible id, a token without the read scope, an expired one).

use serde_json::json;

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        GET,
        &[
            "active-token",
            "error-unknown-token",
            "error-invalid-token-id",
            "error-missing-scope",
            "error-expired-access-token",
        ],
    );
}

#[tokio::test]
async fn a_token_is_answered_with_its_details() {
    // GIVEN the active Mastercard token
    let fx = Fixture::new();
    // WHEN the back office reads it
    let body = fx.play(GET, "active-token").await.assert_ok();
    // THEN its summary, an empty history and nothing in flight
    assert_eq!(body["tokenId"], ACTIVE_TOKEN);
    assert_eq!(
        (&body["network"], &body["status"], &body["panLast4"]),
        (&json!("MASTERCARD"), &json!("ACTIVE"), &json!("4444"))
    );
    assert_eq!(body["walletId"], "103");
    assert_eq!(body["history"], json!([]));
    assert!(body.get("pendingNetworkAction").is_none(), "{body}");
    // AND no network was asked
    assert!(fx.networks.calls().is_empty());
}

#[tokio::test]
async fn a_suspension_shows_in_the_tokens_history() {
    // GIVEN the active token suspended through its sample
    let fx = Fixture::new();
    fx.play(SUSPEND, "active-token-suspended").await.assert_ok();
    // WHEN read again
    let body = fx.play(GET, "active-token").await.assert_ok();
    // THEN SUSPENDED by the issuer, the operator's line last in its history
    assert_eq!(body["status"], "SUSPENDED");
    assert_eq!(body["suspendedBy"], json!(["ISSUER"]));
    let last = body["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            &last["status"],
            &last["initiator"],
            &last["reasonCode"],
            &last["operator"]
        ),
        (
            &json!("SUSPENDED"),
            &json!("OPERATOR"),
            &json!("DEVICE_LOST"),
            &json!("agent.17")
        )
    );
}

#[tokio::test]
async fn look_ups_that_cannot_be_answered_are_refused() {
    // GIVEN no token UNKNOWN_TOKEN (every case starts from the samples' world)
    assert!(Fixture::new().state.token_of(UNKNOWN_TOKEN).is_none());
    assert_refusals(
        GET,
        &[
            ("error-unknown-token", 404, NOT_FOUND),
            ("error-invalid-token-id", 404, NOT_FOUND),
            ("error-missing-scope", 403, FORBIDDEN),
            ("error-expired-access-token", 401, UNAUTHORIZED),
        ],
    )
    .await;
}
