//! bulkCardTokens and bulkDeviceTokens over their samples: one action on
//! every live token of a card or a device, accepted as a job of one queued
//! item per token (no network asked until the worker runs them), once per
//! Idempotency-Key; an action that is no bulk action, or a reason of another
//! action, is refused and queues nothing.

use std::collections::BTreeSet;

use tmp_core::domain::Network;
use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::job::ItemState;
use tmp_core::domain::token::{Suspender, TokenStatus};

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        BULK_CARD,
        &[
            "card-tokens-suspended",
            "error-unknown-action",
            "error-activate-not-bulk",
            "error-reason-of-another-action",
        ],
    );
    assert_samples(BULK_DEVICE, &["device-tokens-deleted"]);
}

#[tokio::test]
async fn a_card_suspension_queues_each_live_token_of_the_card_and_asks_no_network() {
    // GIVEN Jane's card: ACTIVE, SUSPENDED (by the issuer) and INACTIVE tokens
    let fx = Fixture::new();
    // WHEN the back office suspends every token of the card
    let job_id = accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    // THEN one item per token queued for the job, and no network asked yet
    let mut queued = fx.queued();
    queued.sort();
    assert_eq!(
        queued,
        [ACTIVE_TOKEN, SUSPENDED_TOKEN, INACTIVE_TOKEN].map(|t| (job_id.clone(), t.to_owned()))
    );
    assert!(fx.networks.calls().is_empty());
    assert_eq!(
        fx.state.token_of(ACTIVE_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn the_worker_suspends_what_can_be_suspended_with_the_operators_reason() {
    // GIVEN the card suspension accepted
    let fx = Fixture::new();
    let job_id = accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    // WHEN the worker runs its items
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN MDES was asked once, for the active token, with the operator's reason and comment
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].token_ref.as_str(),
            calls[0].action,
            calls[0].reason
        ),
        (
            ACTIVE_TOKEN,
            TokenAction::Suspend,
            ActionReason::SuspectedFraud
        )
    );
    assert_eq!(calls[0].operator, "agent.17");
    assert_eq!(calls[0].comment.as_deref(), Some("Case 4712"));
    let record = fx.state.token_of(ACTIVE_TOKEN).unwrap();
    assert_eq!(record.state.status, TokenStatus::Suspended);
    assert_eq!(record.state.suspenders, BTreeSet::from([Suspender::Issuer]));
    // AND every item succeeded: the already suspended and the inactive token had nothing to do
    let items = fx.job_items(&job_id).await;
    assert!(items.iter().all(|i| i.state == ItemState::Succeeded));
    assert_eq!(
        fx.state.token_of(INACTIVE_TOKEN).unwrap().state.status,
        TokenStatus::Inactive
    );
}

#[tokio::test]
async fn a_replayed_bulk_action_answers_the_same_job_and_queues_nothing_more() {
    // GIVEN the card suspension accepted and run
    let fx = Fixture::new();
    let first = accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    fx.work(1).await;
    let calls = fx.networks.calls().len();
    // WHEN the back office retries it with the same Idempotency-Key
    let again = accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    // THEN the same job, nothing more queued, no network asked again
    assert_eq!(again, first);
    assert_eq!(fx.queued().len(), 3);
    assert!(failed(&fx.work(2).await).is_empty());
    assert_eq!(fx.networks.calls().len(), calls);
}

#[tokio::test]
async fn a_device_deletion_reaches_each_network_of_the_devices_tokens() {
    // GIVEN the phone holding the active Mastercard token and the Visa token
    let fx = Fixture::new();
    // WHEN the back office deletes every token of the lost device
    let job_id = accepted_job(&fx.play(BULK_DEVICE, "device-tokens-deleted").await);
    // THEN the device's two tokens queued, no network asked yet
    let mut queued = fx.queued();
    queued.sort();
    assert_eq!(
        queued,
        [VISA_TOKEN, ACTIVE_TOKEN].map(|t| (job_id.clone(), t.to_owned()))
    );
    assert!(fx.networks.calls().is_empty());
    // WHEN the worker runs them
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN MDES and VTS were each asked once to delete their token
    let mut asked: Vec<(Network, String, TokenAction, ActionReason)> = fx
        .networks
        .calls()
        .into_iter()
        .map(|c| (c.network, c.token_ref, c.action, c.reason))
        .collect();
    asked.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        asked,
        [
            (
                Network::Visa,
                VISA_TOKEN.to_owned(),
                TokenAction::Delete,
                ActionReason::DeviceLost
            ),
            (
                Network::Mastercard,
                ACTIVE_TOKEN.to_owned(),
                TokenAction::Delete,
                ActionReason::DeviceLost
            ),
        ]
    );
    // AND both are deleted, the other device's tokens untouched
    let status = |t| fx.state.token_of(t).unwrap().state.status;
    assert_eq!(status(ACTIVE_TOKEN), TokenStatus::Deactivated);
    assert_eq!(status(VISA_TOKEN), TokenStatus::Deactivated);
    assert_eq!(status(SUSPENDED_TOKEN), TokenStatus::Suspended);
    assert_eq!(status(INACTIVE_TOKEN), TokenStatus::Inactive);
    let items = fx.job_items(&job_id).await;
    assert!(
        items
            .iter()
            .all(|i| i.state == ItemState::Succeeded && i.confirmed == Some(true))
    );
}

#[tokio::test]
async fn bulk_actions_refused_before_any_job_is_started() {
    assert_refusals(
        BULK_CARD,
        &[
            ("error-unknown-action", 404, NOT_FOUND),
            ("error-activate-not-bulk", 404, NOT_FOUND),
            (
                "error-reason-of-another-action",
                422,
                "reasonCode is not valid",
            ),
        ],
    )
    .await;
}
