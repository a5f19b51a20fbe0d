//! deleteToken over its samples: a Visa token deleted at VTS; bodies the
//! contract refuses and an unknown token ask no network.

use tmp_core::domain::Network;
use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::token::TokenStatus;

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        DELETE,
        &[
            "visa-token-deleted",
            "error-other-without-comment",
            "error-unknown-member",
            "error-unknown-token",
        ],
    );
}

#[tokio::test]
async fn a_visa_token_is_deleted_at_vts() {
    // GIVEN the active Visa token
    let fx = Fixture::new();
    // WHEN the back office deletes it for confirmed fraud
    let body = fx.play(DELETE, "visa-token-deleted").await.assert_ok();
    // THEN DEACTIVATED, a Visa token, confirmed
    assert_eq!(body["tokenId"], VISA_TOKEN);
    assert_eq!(body["network"], "VISA");
    assert_eq!(body["status"], "DEACTIVATED");
    assert_eq!(body["networkStatus"], "CONFIRMED");
    // AND VTS (not MDES) was asked once, with the case in the comment
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].network, calls[0].action, calls[0].reason),
        (
            Network::Visa,
            TokenAction::Delete,
            ActionReason::ConfirmedFraud
        )
    );
    assert_eq!(calls[0].comment.as_deref(), Some("Case 4711"));
    assert_eq!(
        fx.state.token_of(VISA_TOKEN).unwrap().state.status,
        TokenStatus::Deactivated
    );
}

#[tokio::test]
async fn deletions_refused_before_any_network_is_asked() {
    assert_refusals(
        DELETE,
        &[
            ("error-other-without-comment", 422, "comment is required"),
            (
                "error-unknown-member",
                422,
                "The request body has a member the contract does not define",
            ),
            ("error-unknown-token", 404, NOT_FOUND),
        ],
    )
    .await;
}
