//! Jobs: started once per key with one item per live token, each item run as
//! a lifecycle action, retried while its network does not answer, settled in
//! the job; the card-event policy decides each token's step.

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::job::{CardEventKind, ItemFailure, ItemState, JobPlan};
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::ports::NetworkAnswer;
use tmp_core::usecases::jobs::{ItemRun, JobTarget, StartJobCommand};
use tmp_core::usecases::token_actions::{IssuerRequest, TokenActionCommand};

use crate::support::{World, token_record};

const CARD: &str = "card-0001";
const T1: &str = "DWSPMC000000000000000000000000000000000000000101";
const T2: &str = "DWSPMC000000000000000000000000000000000000000102";
const GONE: &str = "DWSPMC000000000000000000000000000000000000000103";

fn request(key: &str) -> IssuerRequest {
    IssuerRequest {
        client_id: "issuer-backoffice".to_owned(),
        idempotency_key: key.to_owned(),
    }
}

/// Two active tokens of the card and a deleted one.
fn world() -> World {
    let world = World::default();
    for (token_ref, status) in [
        (T1, TokenStatus::Active),
        (T2, TokenStatus::Active),
        (GONE, TokenStatus::Deactivated),
    ] {
        world
            .state
            .seed_token(token_record(token_ref, status, None), None);
        world
            .state
            .set_card_and_device(token_ref, CARD, Some("phone-1"));
    }
    world
}

fn bulk(action: TokenAction, reason: ActionReason, key: &str) -> StartJobCommand {
    StartJobCommand {
        target: JobTarget::Card {
            card_id: CARD.to_owned(),
        },
        plan: JobPlan::Action {
            action,
            reason,
            comment: None,
            operator: "agent.17".to_owned(),
        },
        request: request(key),
    }
}

fn card_event(event: CardEventKind, key: &str) -> StartJobCommand {
    StartJobCommand {
        target: JobTarget::Card {
            card_id: CARD.to_owned(),
        },
        plan: JobPlan::CardEvent {
            event,
            lost_or_stolen: TokenAction::Delete,
        },
        request: request(key),
    }
}

/// Delivers every queued message once, as attempt `attempt`; returns the
/// runs' answers.
async fn deliver(world: &World, attempt: u32) -> Vec<ItemRun> {
    let jobs = world.job_runner();
    let mut runs = Vec::new();
    for message in world.job_queue.messages() {
        runs.push(jobs.run_item(&message, attempt).await.unwrap());
    }
    runs
}

#[tokio::test]
async fn a_bulk_action_queues_one_item_per_live_token_once_per_key() {
    // GIVEN a card with two live tokens and a deleted one
    let world = world();
    let jobs = world.job_runner();
    // WHEN the issuer suspends every token of the card
    let job_id = jobs
        .start(&bulk(
            TokenAction::Suspend,
            ActionReason::SuspectedFraud,
            "k-bulk-1",
        ))
        .await
        .unwrap();
    // THEN one item per live token, each queued once
    let job = jobs.job(&job_id).await.unwrap();
    let mut refs: Vec<&str> = job.items.iter().map(|i| i.token_ref.as_str()).collect();
    refs.sort_unstable();
    assert_eq!(refs, [T1, T2]);
    assert!(job.items.iter().all(|i| i.state == ItemState::Queued));
    assert_eq!(world.job_queue.messages().len(), 2);
    // AND a retried start answers the same job and queues nothing more
    let again = jobs
        .start(&bulk(
            TokenAction::Suspend,
            ActionReason::SuspectedFraud,
            "k-bulk-1",
        ))
        .await
        .unwrap();
    assert_eq!(again, job_id);
    assert_eq!(world.job_queue.messages().len(), 2);
    // WHEN the items run and the network confirms
    assert_eq!(deliver(&world, 1).await, [ItemRun::Done, ItemRun::Done]);
    // THEN both tokens are suspended by the issuer and the job says so
    let job = jobs.job(&job_id).await.unwrap();
    assert!(
        job.items
            .iter()
            .all(|i| i.state == ItemState::Succeeded && i.confirmed == Some(true))
    );
    for token_ref in [T1, T2] {
        let token = world.token_queries().token(token_ref).await.unwrap();
        assert_eq!(token.record.state.status, TokenStatus::Suspended);
        assert!(token.record.state.suspenders.contains(&Suspender::Issuer));
    }
    // AND a redelivered message changes nothing and calls no network
    let calls = world.networks.calls().len();
    assert_eq!(deliver(&world, 2).await, [ItemRun::Done, ItemRun::Done]);
    assert_eq!(world.networks.calls().len(), calls);
}

#[tokio::test]
async fn an_item_the_network_never_answers_is_retried_then_reported_failed() {
    // GIVEN a bulk delete, the network answering the first call and never the rest
    let world = world();
    let jobs = world.job_runner();
    let job_id = jobs
        .start(&bulk(
            TokenAction::Delete,
            ActionReason::DeviceStolen,
            "k-bulk-2",
        ))
        .await
        .unwrap();
    world.networks.answer_next(
        std::iter::once(NetworkAnswer::Confirmed)
            .chain(std::iter::repeat_n(NetworkAnswer::Unknown, 10)),
    );
    let messages = world.job_queue.messages();
    // WHEN each is delivered up to its fifth attempt
    assert_eq!(jobs.run_item(&messages[0], 1).await.unwrap(), ItemRun::Done);
    for attempt in 1..5 {
        assert_eq!(
            jobs.run_item(&messages[1], attempt).await.unwrap(),
            ItemRun::Retry,
            "attempt {attempt}"
        );
    }
    assert_eq!(jobs.run_item(&messages[1], 5).await.unwrap(), ItemRun::Done);
    // THEN one succeeded, one failed as unavailable, its action left pending
    let job = jobs.job(&job_id).await.unwrap();
    let failed = job
        .items
        .iter()
        .find(|i| i.token_ref == messages[1].token_ref)
        .unwrap();
    assert_eq!(
        (failed.state, failed.failure),
        (ItemState::Failed, Some(ItemFailure::NetworkUnavailable))
    );
    let token = world
        .token_queries()
        .token(&messages[1].token_ref)
        .await
        .unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Active);
    assert_eq!(token.record.pending.unwrap().action, TokenAction::Delete);
    // AND every retry went to the network under the same request id
    let calls = world.networks.calls();
    let ids: Vec<&str> = calls
        .iter()
        .filter(|c| c.token_ref == messages[1].token_ref)
        .map(|c| c.request_id.as_str())
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.iter().all(|id| *id == ids[0]));
}

#[tokio::test]
async fn a_lost_card_deletes_its_tokens_by_the_default_policy() {
    // GIVEN the card's two live tokens
    let world = world();
    // WHEN the issuer reports the card lost
    let job_id = world
        .job_runner()
        .start(&card_event(CardEventKind::Lost, "k-lost-1"))
        .await
        .unwrap();
    deliver(&world, 1).await;
    // THEN both are deleted, recorded under the card event's reason
    for token_ref in [T1, T2] {
        let token = world.token_queries().token(token_ref).await.unwrap();
        assert_eq!(token.record.state.status, TokenStatus::Deactivated);
        assert_eq!(
            token.history.last().unwrap().reason_code.as_deref(),
            Some("CARD_LOST")
        );
    }
    let job = world.job_runner().job(&job_id).await.unwrap();
    assert!(job.items.iter().all(|i| i.state == ItemState::Succeeded));
}

#[tokio::test]
async fn an_unblocked_card_lifts_only_what_its_block_suspended() {
    // GIVEN T2 suspended earlier by the issuer for fraud, then the card blocked
    let world = world();
    world
        .token_actions()
        .act(&TokenActionCommand {
            token_ref: T2.to_owned(),
            action: TokenAction::Suspend,
            reason: ActionReason::SuspectedFraud,
            comment: None,
            operator: "agent.17".to_owned(),
            request: request("k-fraud-1"),
        })
        .await
        .unwrap();
    world
        .job_runner()
        .start(&card_event(CardEventKind::Blocked, "k-block-1"))
        .await
        .unwrap();
    deliver(&world, 1).await;
    let t1 = world.token_queries().token(T1).await.unwrap();
    assert_eq!(t1.record.state.status, TokenStatus::Suspended);
    // WHEN the card is unblocked
    let job_id = world
        .job_runner()
        .start(&card_event(CardEventKind::Unblocked, "k-unblock-1"))
        .await
        .unwrap();
    for message in world.job_queue.messages().iter().skip(2) {
        world.job_runner().run_item(message, 1).await.unwrap();
    }
    // THEN T1 is active again and T2 stays suspended for its fraud
    let queries = world.token_queries();
    assert_eq!(
        queries.token(T1).await.unwrap().record.state.status,
        TokenStatus::Active
    );
    assert_eq!(
        queries.token(T2).await.unwrap().record.state.status,
        TokenStatus::Suspended
    );
    let job = world.job_runner().job(&job_id).await.unwrap();
    assert!(job.items.iter().all(|i| i.state == ItemState::Succeeded));
    let t2 = job.items.iter().find(|i| i.token_ref == T2).unwrap();
    assert_eq!(t2.confirmed, None, "nothing was sent for T2");
}
