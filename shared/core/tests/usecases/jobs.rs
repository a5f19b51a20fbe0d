//! Jobs: started once per key with one item per live token, each item run as
//! a lifecycle action, retried while its network does not answer, settled in
//! the job; the card-event policy decides each token's step.

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::card::Expiry;
use tmp_core::domain::job::{CardEventKind, ItemFailure, ItemState, JobPlan};
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::ports::NetworkAnswer;
use tmp_core::usecases::jobs::{CardUpdateCommand, ItemRun, JobTarget, StartJobCommand};
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
            operator: None,
            comment: None,
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

const NEW_PAN: &str = "5105105105105100";

/// The card's two live tokens on its old PAN (counted there), and a deleted one.
fn card_world() -> World {
    let world = World::default();
    let old = world.fingerprint(crate::support::PAN);
    for (token_ref, status) in [
        (T1, TokenStatus::Active),
        (T2, TokenStatus::Suspended),
        (GONE, TokenStatus::Deactivated),
    ] {
        world
            .state
            .seed_token(token_record(token_ref, status, Some(old.clone())), None);
        world.state.set_card_and_device(token_ref, CARD, None);
    }
    world.state.set_live_tokens(&old, 2);
    world
}

fn card_update(
    event: CardEventKind,
    pan: Option<&str>,
    expiry: &str,
    key: &str,
) -> CardUpdateCommand {
    CardUpdateCommand {
        card_id: CARD.to_owned(),
        event,
        new_pan: pan.map(|p| p.parse().unwrap()),
        new_expiry: Expiry::parse_slashed(expiry),
        request: request(key),
    }
}

#[tokio::test]
async fn a_replaced_card_maps_every_live_token_to_the_new_pan_and_moves_it() {
    // GIVEN a card with an active and a suspended token (and a deleted one)
    let world = card_world();
    let jobs = world.job_runner();
    let old = world.fingerprint(crate::support::PAN);
    let new = world.fingerprint(NEW_PAN);
    // WHEN the issuer reports the card replaced by a new number and expiry
    let command = card_update(CardEventKind::Replaced, Some(NEW_PAN), "09/30", "k-repl-1");
    let job_id = jobs.start_card_update(&command).await.unwrap();
    // THEN the job holds the new PAN only sealed: the plan has its fingerprint and last four
    let job = jobs.job(&job_id).await.unwrap();
    let plan = serde_json::to_string(&job.plan).unwrap();
    assert!(plan.contains(&new) && plan.contains("\"5100\""), "{plan}");
    assert!(!plan.contains(NEW_PAN));
    assert!(job.sealed_card.is_some());
    assert_eq!(job.items.len(), 2);
    // AND nothing queued carries the PAN
    assert!(
        world
            .job_queue
            .messages()
            .iter()
            .all(|m| !format!("{m:?}").contains(NEW_PAN))
    );
    // WHEN the items run and the networks confirm
    assert_eq!(deliver(&world, 1).await, [ItemRun::Done, ItemRun::Done]);
    // THEN each network got the new PAN and expiry for its token, one stable request id each
    let updates = world.networks.updates();
    assert_eq!(updates.len(), 2);
    for update in &updates {
        assert_eq!(update.new_pan.as_ref().unwrap().expose(), NEW_PAN);
        assert_eq!(update.new_expiry, Expiry::parse_slashed("09/30"));
        assert_eq!(update.event, CardEventKind::Replaced);
    }
    assert_ne!(updates[0].request_id, updates[1].request_id);
    // AND both tokens are on the new card, the counters moved, the status kept
    for (token_ref, status) in [(T1, TokenStatus::Active), (T2, TokenStatus::Suspended)] {
        let token = world.token_queries().token(token_ref).await.unwrap();
        assert_eq!(token.record.pan_fingerprint.as_deref(), Some(new.as_str()));
        assert_eq!(token.record.pan_last4.as_deref(), Some("5100"));
        assert_eq!(token.record.state.status, status);
        let line = token.history.last().unwrap();
        assert_eq!(line.reason_code.as_deref(), Some("CARD_REPLACED"));
        assert_eq!((line.from, line.to), (Some(status), status));
    }
    assert_eq!(world.state.live_tokens(&old), 0);
    assert_eq!(world.state.live_tokens(&new), 2);
    let job = jobs.job(&job_id).await.unwrap();
    assert!(
        job.items
            .iter()
            .all(|i| i.state == ItemState::Succeeded && i.confirmed == Some(true))
    );
    // AND a retried start answers the same job; the same key with another PAN is refused
    assert_eq!(jobs.start_card_update(&command).await.unwrap(), job_id);
    let other = card_update(
        CardEventKind::Replaced,
        Some("4111111111111111"),
        "09/30",
        "k-repl-1",
    );
    assert!(matches!(
        jobs.start_card_update(&other).await.unwrap_err(),
        tmp_core::AppError::RequestIdReused
    ));
}

#[tokio::test]
async fn a_refused_or_unanswered_update_leaves_the_token_on_its_old_card() {
    // GIVEN a replaced card: the network refuses the first token and never answers the second
    let world = card_world();
    let jobs = world.job_runner();
    let old = world.fingerprint(crate::support::PAN);
    let job_id = jobs
        .start_card_update(&card_update(
            CardEventKind::Replaced,
            Some(NEW_PAN),
            "09/30",
            "k-repl-2",
        ))
        .await
        .unwrap();
    world.networks.answer_next(
        std::iter::once(NetworkAnswer::Refused {
            code: "INVALID_FIELD_VALUE".to_owned(),
        })
        .chain(std::iter::repeat_n(NetworkAnswer::Unknown, 5)),
    );
    let messages = world.job_queue.messages();
    // WHEN the first runs once and the second up to its last attempt
    assert_eq!(jobs.run_item(&messages[0], 1).await.unwrap(), ItemRun::Done);
    for attempt in 1..5 {
        assert_eq!(
            jobs.run_item(&messages[1], attempt).await.unwrap(),
            ItemRun::Retry
        );
    }
    assert_eq!(jobs.run_item(&messages[1], 5).await.unwrap(), ItemRun::Done);
    // THEN one failed as refused, one as unavailable, every retry under one request id
    let job = jobs.job(&job_id).await.unwrap();
    let failure = |token_ref: &str| {
        job.items
            .iter()
            .find(|i| i.token_ref == token_ref)
            .and_then(|i| i.failure)
    };
    assert_eq!(
        failure(&messages[0].token_ref),
        Some(ItemFailure::NetworkRefused)
    );
    assert_eq!(
        failure(&messages[1].token_ref),
        Some(ItemFailure::NetworkUnavailable)
    );
    let ids: Vec<String> = world
        .networks
        .updates()
        .iter()
        .filter(|u| u.token_ref == messages[1].token_ref)
        .map(|u| u.request_id.clone())
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.iter().all(|id| *id == ids[0]));
    // AND both tokens are still on the old card, which still counts them
    for token_ref in [T1, T2] {
        let token = world.token_queries().token(token_ref).await.unwrap();
        assert_eq!(token.record.pan_fingerprint.as_deref(), Some(old.as_str()));
    }
    assert_eq!(world.state.live_tokens(&old), 2);
}

#[tokio::test]
async fn a_renewed_card_sends_the_new_expiry_and_keeps_the_card() {
    // GIVEN the card's live tokens
    let world = card_world();
    let jobs = world.job_runner();
    let old = world.fingerprint(crate::support::PAN);
    // WHEN the issuer reports the card renewed with a new expiry only
    let job_id = jobs
        .start_card_update(&card_update(
            CardEventKind::Renewed,
            None,
            "11/31",
            "k-renew-1",
        ))
        .await
        .unwrap();
    assert!(jobs.job(&job_id).await.unwrap().sealed_card.is_none());
    assert_eq!(deliver(&world, 1).await, [ItemRun::Done, ItemRun::Done]);
    // THEN each network got the expiry and no PAN
    let updates = world.networks.updates();
    assert_eq!(updates.len(), 2);
    assert!(
        updates
            .iter()
            .all(|u| u.new_pan.is_none() && u.new_expiry == Expiry::parse_slashed("11/31"))
    );
    // AND the tokens stay on the card, with a CARD_RENEWED line
    let token = world.token_queries().token(T1).await.unwrap();
    assert_eq!(token.record.pan_fingerprint.as_deref(), Some(old.as_str()));
    assert_eq!(
        token.history.last().unwrap().reason_code.as_deref(),
        Some("CARD_RENEWED")
    );
    assert_eq!(world.state.live_tokens(&old), 2);
}
