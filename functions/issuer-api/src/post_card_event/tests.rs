//! postCardEvent over its samples: each card event is accepted as a job of
//! one queued item per live token of the card (no network asked until the
//! worker runs them), once per Idempotency-Key; what the worker then does to
//! each token follows the event; the events refused queue nothing.

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::job::ItemState;
use tmp_core::domain::token::TokenStatus;

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        CARD_EVENT,
        &[
            "card-lost",
            "card-blocked",
            "card-unblocked",
            "card-closed",
            "card-replaced",
            "card-renewed",
            "error-new-pan-on-lost",
            "error-missing-idempotency-key",
            "error-read-only-access-token",
            "error-malformed-json",
        ],
    );
}

/// The card's three Mastercard tokens (all live), by reference.
const CARD_TOKENS: [&str; 3] = [ACTIVE_TOKEN, SUSPENDED_TOKEN, INACTIVE_TOKEN];

#[tokio::test]
async fn every_card_event_is_accepted_as_one_item_per_live_token_of_the_card() {
    for name in ["card-lost", "card-blocked", "card-unblocked", "card-closed"] {
        // GIVEN Jane's card with three live tokens (the Visa card's token is elsewhere)
        let fx = Fixture::new();
        // WHEN the issuer posts the event
        let job_id = accepted_job(&fx.play(CARD_EVENT, name).await);
        // THEN one item queued per token of the card, for this job, and no network asked
        let mut queued = fx.queued();
        queued.sort();
        let expected: Vec<(String, String)> = CARD_TOKENS
            .iter()
            .map(|t| (job_id.clone(), (*t).to_owned()))
            .collect();
        assert_eq!(queued, expected, "{name}");
        assert!(fx.networks.calls().is_empty(), "{name}");
        // AND the job holds them, none settled
        let items = fx.job_items(&job_id).await;
        assert_eq!(items.len(), 3, "{name}");
        assert!(items.iter().all(|i| i.state == ItemState::Queued), "{name}");
    }
}

#[tokio::test]
async fn a_replayed_card_event_answers_the_same_job_and_queues_nothing_more() {
    // GIVEN the lost card reported once
    let fx = Fixture::new();
    let first = accepted_job(&fx.play(CARD_EVENT, "card-lost").await);
    // WHEN the back office retries it with the same Idempotency-Key
    let again = accepted_job(&fx.play(CARD_EVENT, "card-lost").await);
    // THEN the same job, still three items queued
    assert_eq!(again, first);
    assert_eq!(fx.queued().len(), 3);
    // AND another event under its own key is another job
    let blocked = accepted_job(&fx.play(CARD_EVENT, "card-blocked").await);
    assert_ne!(blocked, first);
    assert_eq!(fx.queued().len(), 6);
}

#[tokio::test]
async fn a_lost_card_has_its_tokens_deleted_by_the_default_policy() {
    // GIVEN the lost card's job accepted
    let fx = Fixture::new();
    let job_id = accepted_job(&fx.play(CARD_EVENT, "card-lost").await);
    // WHEN the worker runs its items
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN MDES was asked to delete each token once, for the lost card
    let mut calls = fx.networks.calls();
    calls.sort_by(|a, b| a.token_ref.cmp(&b.token_ref));
    let asked: Vec<(&str, TokenAction, ActionReason)> = calls
        .iter()
        .map(|c| (c.token_ref.as_str(), c.action, c.reason))
        .collect();
    assert_eq!(
        asked,
        CARD_TOKENS
            .iter()
            .map(|t| (*t, TokenAction::Delete, ActionReason::CardLost))
            .collect::<Vec<_>>()
    );
    // AND every token is deleted, every item succeeded, the Visa token untouched
    for token_ref in CARD_TOKENS {
        assert_eq!(
            fx.state.token_of(token_ref).unwrap().state.status,
            TokenStatus::Deactivated
        );
        assert_eq!(
            fx.item_state(&job_id, token_ref).await,
            ItemState::Succeeded
        );
    }
    assert_eq!(
        fx.state.token_of(VISA_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn a_closed_card_has_its_tokens_deleted_for_the_closed_account() {
    // GIVEN the closed card's job accepted
    let fx = Fixture::new();
    accepted_job(&fx.play(CARD_EVENT, "card-closed").await);
    // WHEN the worker runs its items
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN each token deleted, recorded under ACCOUNT_CLOSED
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 3);
    assert!(
        calls
            .iter()
            .all(|c| (c.action, c.reason) == (TokenAction::Delete, ActionReason::AccountClosed))
    );
    for token_ref in CARD_TOKENS {
        assert_eq!(
            fx.state.token_of(token_ref).unwrap().state.status,
            TokenStatus::Deactivated
        );
    }
}

#[tokio::test]
async fn an_unblocked_card_lifts_only_what_its_block_suspended() {
    // GIVEN the card blocked and its job run: the active token suspended for the
    // block; the token the issuer had suspended before and the inactive one left
    let fx = Fixture::new();
    accepted_job(&fx.play(CARD_EVENT, "card-blocked").await);
    assert!(failed(&fx.work(1).await).is_empty());
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
            ActionReason::CardBlocked
        )
    );
    assert_eq!(
        fx.state.token_of(ACTIVE_TOKEN).unwrap().state.status,
        TokenStatus::Suspended
    );
    // WHEN the card is unblocked and its job run
    let job_id = accepted_job(&fx.play(CARD_EVENT, "card-unblocked").await);
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN the block's suspension is lifted, the earlier one stays
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (
            calls[1].token_ref.as_str(),
            calls[1].action,
            calls[1].reason
        ),
        (
            ACTIVE_TOKEN,
            TokenAction::Unsuspend,
            ActionReason::CardUnblocked
        )
    );
    let status = |t| fx.state.token_of(t).unwrap().state.status;
    assert_eq!(status(ACTIVE_TOKEN), TokenStatus::Active);
    assert_eq!(status(SUSPENDED_TOKEN), TokenStatus::Suspended);
    assert_eq!(status(INACTIVE_TOKEN), TokenStatus::Inactive);
    // AND every item of the unblock succeeded (nothing to do is done)
    let items = fx.job_items(&job_id).await;
    assert!(items.iter().all(|i| i.state == ItemState::Succeeded));
    let lifted: Vec<&str> = items
        .iter()
        .filter(|i| i.confirmed == Some(true))
        .map(|i| i.token_ref.as_str())
        .collect();
    assert_eq!(lifted, [ACTIVE_TOKEN]);
}

#[tokio::test]
async fn a_replaced_card_has_its_tokens_mapped_to_the_new_pan_and_moved_to_it() {
    // GIVEN the replaced card's job accepted (new PAN ending 5100, expiry 09/30)
    let fx = Fixture::new();
    let old = fx.fingerprint(PAN);
    let new = fx.fingerprint("5105105105105100");
    let job_id = accepted_job(&fx.play(CARD_EVENT, "card-replaced").await);
    // THEN nothing queued or planned carries the new PAN
    let job = fx.job_runner().job(&job_id).await.unwrap();
    assert!(
        !serde_json::to_string(&job.plan)
            .unwrap()
            .contains("5105105105105100")
    );
    assert!(job.sealed_card.is_some());
    assert!(!format!("{:?}", fx.queued()).contains("5105105105105100"));
    // WHEN the worker runs its items
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN MDES was asked to map the active and the suspended token (not the inactive one)
    let mut updates = fx.networks.updates();
    updates.sort_by(|a, b| a.token_ref.cmp(&b.token_ref));
    let mut expected = vec![ACTIVE_TOKEN, SUSPENDED_TOKEN];
    expected.sort_unstable();
    assert_eq!(
        updates
            .iter()
            .map(|u| u.token_ref.as_str())
            .collect::<Vec<_>>(),
        expected
    );
    for update in &updates {
        assert_eq!(update.new_pan.as_ref().unwrap().last4(), "5100");
        assert_eq!(
            update
                .new_expiry
                .map(tmp_core::domain::card::Expiry::slashed),
            Some("09/30".to_owned())
        );
    }
    // AND those two are on the new card now, the inactive one still on the old
    let card_of = |t| fx.state.token_of(t).unwrap().pan_fingerprint;
    assert_eq!(card_of(ACTIVE_TOKEN), Some(new.clone()));
    assert_eq!(card_of(SUSPENDED_TOKEN), Some(new));
    assert_eq!(card_of(INACTIVE_TOKEN), Some(old));
    assert_eq!(
        fx.state
            .token_of(ACTIVE_TOKEN)
            .unwrap()
            .pan_last4
            .as_deref(),
        Some("5100")
    );
    // AND every item succeeded, the inactive one with nothing sent
    for token_ref in CARD_TOKENS {
        assert_eq!(
            fx.item_state(&job_id, token_ref).await,
            ItemState::Succeeded
        );
    }
}

#[tokio::test]
async fn a_renewed_card_has_its_tokens_given_the_new_expiry() {
    // GIVEN the renewed card's job accepted (expiry 11/31, same PAN)
    let fx = Fixture::new();
    accepted_job(&fx.play(CARD_EVENT, "card-renewed").await);
    // WHEN the worker runs its items
    assert!(failed(&fx.work(1).await).is_empty());
    // THEN each token in use was sent the new expiry and no PAN, and stays on its card
    let updates = fx.networks.updates();
    assert_eq!(updates.len(), 2);
    assert!(updates.iter().all(|u| u.new_pan.is_none()
        && u.new_expiry.map(tmp_core::domain::card::Expiry::slashed) == Some("11/31".to_owned())));
    assert_eq!(
        fx.state.token_of(ACTIVE_TOKEN).unwrap().pan_fingerprint,
        Some(fx.fingerprint(PAN))
    );
}

#[tokio::test]
async fn card_events_refused_before_any_job_is_started() {
    assert_refusals(
        CARD_EVENT,
        &[
            (
                "error-new-pan-on-lost",
                422,
                "newPan is not allowed in this request",
            ),
            ("error-missing-idempotency-key", 400, NO_IDEMPOTENCY_KEY),
            ("error-read-only-access-token", 403, FORBIDDEN),
            (
                "error-malformed-json",
                400,
                "The request body is not a valid JSON object",
            ),
        ],
    )
    .await;
}
