//! Reconciliation: pending actions settled from the network's state or sent
//! again, drift repaired, tokens the network forgot deleted; every repair
//! recorded as reconciliation's.

use std::collections::BTreeSet;

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::token::{Initiator, Suspender, TokenStatus};
use tmp_core::ports::{NetworkAnswer, NetworkView};
use tmp_core::usecases::token_actions::{IssuerRequest, TokenActionCommand};

use crate::support::{TOKEN, World, token_record};

fn known(status: TokenStatus, suspenders: &[Suspender]) -> NetworkView {
    NetworkView::Known {
        status,
        suspenders: suspenders.iter().copied().collect(),
    }
}

async fn suspend_pending(world: &World) {
    world.networks.answer_next([NetworkAnswer::Unknown]);
    world
        .token_actions()
        .act(&TokenActionCommand {
            token_ref: TOKEN.to_owned(),
            action: TokenAction::Suspend,
            reason: ActionReason::DeviceLost,
            comment: None,
            operator: "agent.17".to_owned(),
            request: IssuerRequest {
                client_id: "issuer-backoffice".to_owned(),
                idempotency_key: "k-1".to_owned(),
            },
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pending_action_the_network_applied_is_settled_from_its_state() {
    // GIVEN a suspension left pending, which the network did apply
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    suspend_pending(&world).await;
    world
        .networks
        .set_view(TOKEN, known(TokenStatus::Suspended, &[Suspender::Issuer]));
    // WHEN reconciliation runs
    let report = world.reconcile_tokens().run().await.unwrap();
    // THEN the token is suspended, nothing pending, recorded as reconciliation's
    assert_eq!(report.settled, 1, "{report:?}");
    let token = world.token_queries().token(TOKEN).await.unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Suspended);
    assert_eq!(token.record.pending, None);
    let line = token.history.last().unwrap();
    assert_eq!(line.initiator, Initiator::Reconciliation);
    assert_eq!(line.reason_code.as_deref(), Some("PENDING_SETTLED"));
    // AND the network was not asked to act again
    assert_eq!(world.networks.calls().len(), 1);
}

#[tokio::test]
async fn a_pending_action_the_network_did_not_apply_is_sent_again_under_its_id() {
    // GIVEN a suspension pending for three minutes, the network still active
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    suspend_pending(&world).await;
    world
        .networks
        .set_view(TOKEN, known(TokenStatus::Active, &[]));
    // WHEN reconciliation runs too early THEN it waits for the network's word
    let early = world.reconcile_tokens().run().await.unwrap();
    assert_eq!((early.resent, early.in_step), (0, 1), "{early:?}");
    // WHEN it runs after the resend delay
    world.clock.advance(time::Duration::minutes(3));
    let report = world.reconcile_tokens().run().await.unwrap();
    // THEN the same request id went again, and the confirmation is applied
    assert_eq!(report.resent, 1, "{report:?}");
    let calls = world.networks.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].request_id, calls[1].request_id);
    let token = world.token_queries().token(TOKEN).await.unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Suspended);
    assert_eq!(
        token.record.state.suspenders,
        BTreeSet::from([Suspender::Issuer])
    );
    assert_eq!(token.record.pending, None);
}

#[tokio::test]
async fn drift_is_repaired_and_a_token_the_network_forgot_is_deleted() {
    // GIVEN two active tokens: one the wallet suspended at the network, one the
    // network no longer holds (never activated, removed after 30 days)
    let world = World::default();
    let drifted = "DWSPMC000000000000000000000000000000000000000077";
    let forgotten = "DWSPMC000000000000000000000000000000000000000078";
    for token_ref in [drifted, forgotten] {
        world
            .state
            .seed_token(token_record(token_ref, TokenStatus::Active, None), None);
    }
    world.networks.set_view(
        drifted,
        known(TokenStatus::Suspended, &[Suspender::TokenRequestor]),
    );
    // WHEN reconciliation runs
    let report = world.reconcile_tokens().run().await.unwrap();
    // THEN both repaired, each line reconciliation's
    assert_eq!((report.checked, report.repaired), (2, 2), "{report:?}");
    let queries = world.token_queries();
    let token = queries.token(drifted).await.unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Suspended);
    assert_eq!(
        token.record.state.suspenders,
        BTreeSet::from([Suspender::TokenRequestor])
    );
    assert_eq!(
        token.history.last().unwrap().reason_code.as_deref(),
        Some("DRIFT")
    );
    let token = queries.token(forgotten).await.unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Deactivated);
    let line = token.history.last().unwrap();
    assert_eq!(
        (line.initiator, line.reason_code.as_deref()),
        (Initiator::Reconciliation, Some("NOT_AT_NETWORK"))
    );
    // AND a second run finds everything in step
    let again = world.reconcile_tokens().run().await.unwrap();
    assert_eq!(again.repaired, 0, "{again:?}");
}

#[tokio::test]
async fn a_network_that_cannot_be_asked_changes_nothing() {
    // GIVEN an active token and its network down
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.networks.set_unavailable(true);
    // WHEN reconciliation runs THEN it counts the token unavailable, state untouched
    let report = world.reconcile_tokens().run().await.unwrap();
    assert_eq!(report.unavailable, 1, "{report:?}");
    let token = world.token_queries().token(TOKEN).await.unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Active);
    assert!(token.history.is_empty());
}
