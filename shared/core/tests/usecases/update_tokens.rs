//! `UpdateTokens`: the network's token updates, each through the lifecycle,
//! the message completed with the last one.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;
use tmp_core::AppError;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Change, Initiator, Suspender, TokenStatus};
use tmp_core::usecases::update_tokens::{OPERATION, TokenUpdate, UpdateTokensCommand};

use crate::support::{PAN, RacingTokens, TOKEN, World, message, token_record};

fn set_status(status: TokenStatus, suspended_by: &[Suspender]) -> Option<Change> {
    Some(Change::SetStatus {
        status,
        suspended_by: suspended_by.iter().copied().collect(),
    })
}

fn update(token_ref: &str, change: Option<Change>) -> TokenUpdate {
    TokenUpdate {
        token_ref: token_ref.to_owned(),
        change,
        initial_status: TokenStatus::Inactive,
        token_expiry: None,
        details: json!({"suspendedBy": []}),
    }
}

fn command(request_id: &str, reason: &str, updates: Vec<TokenUpdate>) -> UpdateTokensCommand {
    let refs: Vec<&str> = updates.iter().map(|u| u.token_ref.as_str()).collect();
    UpdateTokensCommand {
        message: message(request_id, &[reason, &refs.join(",")]),
        reason_code: reason.to_owned(),
        announces_update: false,
        updates,
    }
}

fn seed(world: &World, token_ref: &str, status: TokenStatus) {
    let record = token_record(token_ref, status, Some(world.fingerprint(PAN)));
    world.state.seed_token(record, None);
}

fn events_of(world: &World, token_ref: &str) -> Vec<TokenEventType> {
    world
        .outbox(token_ref)
        .iter()
        .map(|(e, _)| e.event_type)
        .collect()
}

#[tokio::test]
async fn a_network_suspension_is_applied_and_announced() {
    // GIVEN an active token
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    // WHEN the network says the token requestor suspended it
    let suspend = update(
        TOKEN,
        set_status(TokenStatus::Suspended, &[Suspender::TokenRequestor]),
    );
    world
        .update_tokens()
        .update(&command("r1", "SUSPEND", vec![suspend]))
        .await
        .unwrap();
    // THEN suspended by it, TOKEN_STATUS_CHANGED published, the message completed
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert_eq!(
        token.state.suspenders,
        BTreeSet::from([Suspender::TokenRequestor])
    );
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TokenEventType::TokenStatusChanged);
    assert_eq!(events[0].reason_code.as_deref(), Some("SUSPEND"));
    assert_eq!(events[0].initiator, Some(Initiator::Tsp));
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
}

#[tokio::test]
async fn a_deletion_is_announced_uncounted_and_final() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let fingerprint = world.fingerprint(PAN);
    let update_tokens = world.update_tokens();
    // WHEN the network deletes the token
    update_tokens
        .update(&command(
            "r1",
            "DELETED_FROM_CONSUMER_APP",
            vec![update(TOKEN, Some(Change::Delete))],
        ))
        .await
        .unwrap();
    // THEN DEACTIVATED, TOKEN_DELETED, one less live token on the card
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Deactivated
    );
    assert_eq!(events_of(&world, TOKEN), vec![TokenEventType::TokenDeleted]);
    assert_eq!(world.state.live_tokens(&fingerprint), 0);
    // WHEN a later update says it is active again
    world.clock.advance(time::Duration::minutes(1));
    update_tokens
        .update(&command(
            "r2",
            "STATUS_UPDATE",
            vec![update(TOKEN, set_status(TokenStatus::Active, &[]))],
        ))
        .await
        .unwrap();
    // THEN it stays deleted: recorded, not applied, not announced, not counted
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Deactivated
    );
    assert!(!world.state.history_of(TOKEN)[1].applied);
    assert_eq!(events_of(&world, TOKEN), vec![TokenEventType::TokenDeleted]);
    assert_eq!(world.state.live_tokens(&fingerprint), 0);
    assert_eq!(
        world.ledger_state(OPERATION, "r2").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_re_issue_is_announced_as_token_updated() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let mut reissued = update(TOKEN, None);
    reissued.token_expiry = Some("1230".to_owned());
    let mut command = command("r1", "REDIGITIZATION_COMPLETE", vec![reissued]);
    command.announces_update = true;
    world.update_tokens().update(&command).await.unwrap();
    assert_eq!(events_of(&world, TOKEN), vec![TokenEventType::TokenUpdated]);
    let attributes = world.state.attributes_of(TOKEN).unwrap();
    assert_eq!(attributes.token_expiry.as_deref(), Some("1230"));
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn an_update_that_changes_nothing_announces_nothing() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world
        .update_tokens()
        .update(&command("r1", "STATUS_UPDATE", vec![update(TOKEN, None)]))
        .await
        .unwrap();
    assert!(world.outbox(TOKEN).is_empty());
    assert_eq!(world.state.history_of(TOKEN).len(), 1);
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_multi_token_message_updates_each_token_and_completes_once() {
    // GIVEN two known tokens and one we never saw
    let world = World::default();
    seed(&world, "T1", TokenStatus::Active);
    seed(&world, "T2", TokenStatus::Active);
    let fingerprint = world.fingerprint(PAN);
    world.state.set_live_tokens(&fingerprint, 2);
    let mut unknown = update(
        "T3",
        set_status(TokenStatus::Suspended, &[Suspender::Issuer]),
    );
    unknown.initial_status = TokenStatus::Suspended;
    let request = command(
        "r1",
        "STATUS_UPDATE",
        vec![
            update(
                "T1",
                set_status(TokenStatus::Suspended, &[Suspender::Issuer]),
            ),
            update("T2", Some(Change::Delete)),
            unknown,
        ],
    );
    // WHEN the message arrives
    world.update_tokens().update(&request).await.unwrap();
    // THEN every token moved, each announced once
    assert_eq!(
        world.state.token_of("T1").unwrap().state.status,
        TokenStatus::Suspended
    );
    assert_eq!(
        world.state.token_of("T2").unwrap().state.status,
        TokenStatus::Deactivated
    );
    let t3 = world.state.token_of("T3").unwrap();
    assert_eq!(t3.state.status, TokenStatus::Suspended);
    assert_eq!(t3.state.suspenders, BTreeSet::from([Suspender::Issuer]));
    assert_eq!(
        events_of(&world, "T1"),
        vec![TokenEventType::TokenStatusChanged]
    );
    assert_eq!(events_of(&world, "T2"), vec![TokenEventType::TokenDeleted]);
    assert_eq!(
        events_of(&world, "T3"),
        vec![TokenEventType::TokenStatusChanged]
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
    // WHEN the network retries the message
    world.update_tokens().update(&request).await.unwrap();
    // THEN nothing is applied or announced again
    assert_eq!(world.committed_events().len(), 3);
    for token_ref in ["T1", "T2", "T3"] {
        assert_eq!(world.state.history_of(token_ref).len(), 1, "{token_ref}");
    }
    assert_eq!(world.state.token_of("T1").unwrap().version, 2);
}

#[tokio::test]
async fn only_the_last_token_completes_the_message() {
    // GIVEN the commit of the second of three tokens fails
    let world = World::default();
    for token_ref in ["T1", "T2", "T3"] {
        seed(&world, token_ref, TokenStatus::Active);
    }
    let mut racing = RacingTokens::new(world.state.clone());
    racing.fail_commit = Some(2);
    let racing = Arc::new(racing);
    let update_tokens = world.update_tokens_on(racing.clone());
    let suspend = || set_status(TokenStatus::Suspended, &[Suspender::Issuer]);
    let request = command(
        "r1",
        "STATUS_UPDATE",
        vec![
            update("T1", suspend()),
            update("T2", suspend()),
            update("T3", suspend()),
        ],
    );
    // WHEN the message is processed
    let failed = update_tokens.update(&request).await;
    // THEN Unavailable, the first token changed but the message not completed
    assert!(matches!(failed, Err(AppError::Unavailable(_))));
    assert_eq!(
        world.state.token_of("T1").unwrap().state.status,
        TokenStatus::Suspended
    );
    assert_eq!(
        world.state.token_of("T2").unwrap().state.status,
        TokenStatus::Active
    );
    assert_eq!(world.ledger_state(OPERATION, "r1"), None, "claim released");
    // WHEN the network retries
    world.clock.advance(time::Duration::seconds(10));
    update_tokens.update(&request).await.unwrap();
    // THEN every token is suspended, each announced exactly once, the message completed
    for token_ref in ["T1", "T2", "T3"] {
        let token = world.state.token_of(token_ref).unwrap();
        assert_eq!(token.state.status, TokenStatus::Suspended, "{token_ref}");
        assert_eq!(
            events_of(&world, token_ref),
            vec![TokenEventType::TokenStatusChanged],
            "{token_ref}"
        );
    }
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_message_without_tokens_is_completed() {
    // GIVEN a message naming no token
    let world = World::default();
    let update_tokens = world.update_tokens();
    let request = command("r1", "STATUS_UPDATE", Vec::new());
    // WHEN it is processed
    update_tokens.update(&request).await.unwrap();
    // THEN it is completed, so that a retry is replayed at once
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED"),
        "the claim of an empty message is completed"
    );
    assert_eq!(update_tokens.update(&request).await, Ok(()));
    assert!(
        world.clock.slept().is_empty(),
        "the retry did not wait for a claim"
    );
    // AND nothing was written or published
    assert!(world.committed_events().is_empty());
    assert!(world.state.token_of(TOKEN).is_none());
}

#[tokio::test]
async fn a_request_id_reused_for_other_tokens_is_refused() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let update_tokens = world.update_tokens();
    update_tokens
        .update(&command("r1", "STATUS_UPDATE", vec![update(TOKEN, None)]))
        .await
        .unwrap();
    let reused = update_tokens
        .update(&command(
            "r1",
            "STATUS_UPDATE",
            vec![update("other", Some(Change::Delete))],
        ))
        .await;
    assert_eq!(reused, Err(AppError::RequestIdReused));
    assert!(world.state.token_of("other").is_none());
}
