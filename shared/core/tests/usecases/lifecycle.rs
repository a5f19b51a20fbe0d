//! `TokenLifecycle`: one transition through the state machine, committed
//! with its history and outbox event, retried when the token moved.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use serde_json::json;
use time::{Duration, OffsetDateTime};
use tmp_core::AppError;
use tmp_core::domain::Network;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Change, Initiator, Suspender, TokenStatus};
use tmp_core::ports::TokenAttributes;
use tmp_core::usecases::lifecycle::{ActionNote, EventRule, NewToken, Transition};

use crate::support::{PAN, RacingTokens, TOKEN, World};

const STATUS_CHANGES: EventRule = EventRule::OnStatusChange(TokenEventType::TokenStatusChanged);
const TOKEN_UPDATES: EventRule = EventRule::TokenUpdate {
    announces_update: false,
};

fn transition(
    request_id: &str,
    change: Change,
    at: OffsetDateTime,
    event: EventRule,
) -> Transition {
    Transition {
        network: Network::Mastercard,
        token_ref: TOKEN.to_owned(),
        change: Some(change),
        at,
        event_time: None,
        operation: "lifecycleTest",
        initiator: Initiator::Issuer,
        reason_code: Some("TEST".to_owned()),
        source_request_id: request_id.to_owned(),
        new_token: NewToken {
            status: TokenStatus::Inactive,
            pan_fingerprint: None,
        },
        attributes: TokenAttributes::default(),
        event,
        details: json!({"why": "test"}),
        completion: None,
        note: ActionNote::default(),
        settles_pending: false,
        card_move: None,
    }
}

fn event_types(world: &World) -> Vec<TokenEventType> {
    world
        .committed_events()
        .iter()
        .map(|e| e.event_type)
        .collect()
}

#[tokio::test]
async fn a_token_is_active_again_only_when_every_suspender_has_lifted() {
    // GIVEN an active token
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let lifecycle = world.lifecycle();
    let steps = [
        (
            Change::Suspend(Suspender::Issuer),
            TokenStatus::Suspended,
            1,
        ),
        (
            Change::Suspend(Suspender::Cardholder),
            TokenStatus::Suspended,
            2,
        ),
        (
            Change::Unsuspend(Suspender::Issuer),
            TokenStatus::Suspended,
            1,
        ),
        (
            Change::Unsuspend(Suspender::Cardholder),
            TokenStatus::Active,
            0,
        ),
    ];
    for (i, (change, status, suspenders)) in steps.into_iter().enumerate() {
        // WHEN each suspender suspends, then lifts its own suspension
        world.clock.advance(Duration::minutes(1));
        let step = transition(&format!("r{i}"), change, world.now(), STATUS_CHANGES);
        lifecycle.apply(&step).await.unwrap();
        // THEN the token follows, suspended while anyone holds a suspension
        let token = world.state.token_of(TOKEN).unwrap();
        assert_eq!(token.state.status, status, "step {i}");
        assert_eq!(token.state.suspenders.len(), suspenders, "step {i}");
        assert_eq!(token.version, u64::try_from(i).unwrap() + 2);
    }
    // AND an event only for the two status changes, each one marked published
    let events = world.committed_events();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].previous_status, events[0].status),
        (Some(TokenStatus::Active), Some(TokenStatus::Suspended))
    );
    assert_eq!(
        (events[1].previous_status, events[1].status),
        (Some(TokenStatus::Suspended), Some(TokenStatus::Active))
    );
    assert!(world.outbox(TOKEN).iter().all(|(_, published)| !*published));
    // AND every step in the history, with its suspenders
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 4);
    assert_eq!(
        history[1].suspenders,
        BTreeSet::from([Suspender::Issuer, Suspender::Cardholder])
    );
    assert!(history.iter().all(|h| h.applied));
    // AND the card counter never moved: the token stayed live
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
}

#[tokio::test]
async fn token_updates_announce_every_suspender_change() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let lifecycle = world.lifecycle();
    for (i, change) in [
        Change::Suspend(Suspender::Issuer),
        Change::Suspend(Suspender::Cardholder),
        Change::Suspend(Suspender::Cardholder),
    ]
    .into_iter()
    .enumerate()
    {
        let step = transition(&format!("r{i}"), change, world.now(), TOKEN_UPDATES);
        lifecycle.apply(&step).await.unwrap();
    }
    // the repeated suspension changes nothing and announces nothing
    assert_eq!(
        event_types(&world),
        vec![TokenEventType::TokenStatusChanged; 2]
    );
}

#[tokio::test]
async fn only_a_suspended_token_can_be_unsuspended() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let step = transition(
        "r1",
        Change::Unsuspend(Suspender::Issuer),
        world.now(),
        STATUS_CHANGES,
    );
    world.lifecycle().apply(&step).await.unwrap();
    // recorded, not applied
    let history = world.state.history_of(TOKEN);
    assert!(!history[0].applied);
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
    assert!(world.committed_events().is_empty());
}

#[tokio::test]
async fn deleting_announces_token_deleted_and_uncounts_the_token() {
    // GIVEN a live token counted on its card
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let fingerprint = world.fingerprint(PAN);
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    // WHEN deleted
    let step = transition("r1", Change::Delete, world.now(), TOKEN_UPDATES);
    world.lifecycle().apply(&step).await.unwrap();
    // THEN DEACTIVATED, TOKEN_DELETED published, the card's counter down by one
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Deactivated);
    assert!(token.state.suspenders.is_empty());
    assert_eq!(world.state.live_tokens(&fingerprint), 0);
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.event_type, TokenEventType::TokenDeleted);
    assert_eq!(event.status, Some(TokenStatus::Deactivated));
    assert_eq!(event.previous_status, Some(TokenStatus::Active));
    assert_eq!(event.initiator, Some(Initiator::Issuer));
    assert_eq!(event.reason_code.as_deref(), Some("TEST"));
    assert_eq!(event.source_request_id.as_deref(), Some("r1"));
    assert_eq!(event.pan_last4.as_deref(), Some("4444"));
    assert_eq!(event.details, json!({"why": "test"}));
}

#[tokio::test]
async fn a_deleted_token_stays_deleted() {
    // GIVEN a deleted token
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let lifecycle = world.lifecycle();
    let fingerprint = world.fingerprint(PAN);
    let delete = transition("r0", Change::Delete, world.now(), TOKEN_UPDATES);
    lifecycle.apply(&delete).await.unwrap();
    // WHEN anything tries to bring it back
    let revivals = [
        Change::Activate,
        Change::SetStatus {
            status: TokenStatus::Active,
            suspended_by: BTreeSet::new(),
        },
        Change::Suspend(Suspender::Issuer),
        Change::Unsuspend(Suspender::Issuer),
    ];
    for (i, change) in revivals.into_iter().enumerate() {
        world.clock.advance(Duration::minutes(1));
        let step = transition(&format!("r{}", i + 1), change, world.now(), TOKEN_UPDATES);
        lifecycle.apply(&step).await.unwrap();
    }
    // AND it is deleted again
    let again = transition("r9", Change::Delete, world.now(), TOKEN_UPDATES);
    lifecycle.apply(&again).await.unwrap();
    // THEN it stays DEACTIVATED and uncounted; the attempts are recorded, not applied
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Deactivated
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 0);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 6);
    assert!(
        history[1..5]
            .iter()
            .all(|h| !h.applied && h.to == TokenStatus::Deactivated)
    );
    assert!(history[5].applied, "a repeated delete is harmless");
    // AND only the first deletion was announced
    assert_eq!(event_types(&world), vec![TokenEventType::TokenDeleted]);
}

#[tokio::test]
async fn an_older_message_is_recorded_but_never_overwrites_newer_state() {
    // GIVEN a token whose newest applied message arrived an hour ago
    let world = World::default();
    let seeded = world.seed_token(TokenStatus::Active);
    let newest = seeded.state.last_event_at.unwrap();
    // WHEN a message that arrived two hours ago (committed late) asks to suspend it
    let step = transition(
        "old",
        Change::Suspend(Suspender::Issuer),
        newest - Duration::hours(1),
        TOKEN_UPDATES,
    );
    world.lifecycle().apply(&step).await.unwrap();
    // THEN the state is untouched, the message kept as not applied, nothing announced
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state, seeded.state);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert!(!history[0].applied);
    assert_eq!(
        (history[0].from, history[0].to),
        (Some(TokenStatus::Active), TokenStatus::Active)
    );
    assert!(world.outbox(TOKEN).is_empty());
    assert!(world.committed_events().is_empty());
}

#[tokio::test]
async fn an_unknown_token_is_created_by_its_message_and_counted() {
    // GIVEN a token we never saw
    let world = World::default();
    let fingerprint = world.fingerprint(PAN);
    let mut step = transition(
        "r1",
        Change::SetStatus {
            status: TokenStatus::Active,
            suspended_by: BTreeSet::new(),
        },
        world.now(),
        TOKEN_UPDATES,
    );
    step.new_token = NewToken {
        status: TokenStatus::Inactive,
        pan_fingerprint: Some(fingerprint.clone()),
    };
    step.network = Network::Visa;
    // WHEN a message about it arrives
    world.lifecycle().apply(&step).await.unwrap();
    // THEN it exists, keyed by its card, and the card counts it
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.network, Network::Visa);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(token.version, 1);
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    let history = world.state.history_of(TOKEN);
    assert_eq!(
        (history[0].from, history[0].to),
        (None, TokenStatus::Active)
    );
    // AND its event has no previous status
    let events = world.committed_events();
    assert_eq!(events[0].previous_status, None);
    assert_eq!(events[0].network, Network::Visa);
}

#[tokio::test]
async fn a_conflicting_commit_is_reloaded_and_retried() {
    // GIVEN the token moves under us twice (stale reads)
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let racing = Arc::new(RacingTokens::new(world.state.clone()));
    racing.stale_reads.store(2, Ordering::SeqCst);
    // WHEN a suspension is applied
    let step = transition(
        "r1",
        Change::Suspend(Suspender::Issuer),
        world.now(),
        TOKEN_UPDATES,
    );
    world
        .lifecycle_on(racing.clone())
        .apply(&step)
        .await
        .unwrap();
    // THEN the third commit lands, after two short back-offs, once
    assert_eq!(racing.commits.load(Ordering::SeqCst), 3);
    assert_eq!(world.clock.slept(), vec![StdDuration::from_millis(20); 2]);
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(
        (token.state.status, token.version),
        (TokenStatus::Suspended, 2)
    );
    assert_eq!(world.state.history_of(TOKEN).len(), 1);
    assert_eq!(world.committed_events().len(), 1);
}

#[tokio::test]
async fn a_concurrent_change_is_not_lost() {
    // GIVEN another invocation suspends the token (cardholder) between our
    // read and our commit
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let racing = Arc::new(RacingTokens::new(world.state.clone()));
    let other = transition(
        "other",
        Change::Suspend(Suspender::Cardholder),
        world.now(),
        TOKEN_UPDATES,
    );
    *racing.interloper.lock().unwrap() = Some((world.lifecycle(), other));
    // WHEN we suspend it (issuer)
    let ours = transition(
        "ours",
        Change::Suspend(Suspender::Issuer),
        world.now(),
        TOKEN_UPDATES,
    );
    world
        .lifecycle_on(racing.clone())
        .apply(&ours)
        .await
        .unwrap();
    // THEN both suspensions hold: ours was re-applied on the reloaded token
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert_eq!(
        token.state.suspenders,
        BTreeSet::from([Suspender::Issuer, Suspender::Cardholder])
    );
    assert_eq!(token.version, 3);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 2);
    let ours = history
        .iter()
        .find(|h| h.source_request_id == "ours")
        .unwrap();
    assert_eq!(ours.from, Some(TokenStatus::Suspended));
    assert_eq!(world.committed_events().len(), 2);
}

#[tokio::test]
async fn a_token_that_keeps_changing_is_unavailable_and_nothing_is_written() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let racing = Arc::new(RacingTokens::new(world.state.clone()));
    racing.stale_reads.store(100, Ordering::SeqCst);
    let step = transition("r1", Change::Delete, world.now(), TOKEN_UPDATES);
    let result = world.lifecycle_on(racing.clone()).apply(&step).await;
    assert_eq!(result, Err(AppError::Unavailable("token kept changing")));
    assert_eq!(racing.commits.load(Ordering::SeqCst), 5);
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
    assert!(world.state.history_of(TOKEN).is_empty());
    assert!(world.committed_events().is_empty());
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
}

#[tokio::test]
async fn a_store_failure_is_unavailable_at_once() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.state.fail_next_commits(1);
    let step = transition("r1", Change::Delete, world.now(), TOKEN_UPDATES);
    let result = world.lifecycle().apply(&step).await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert!(
        world.clock.slept().is_empty(),
        "an outage is not a conflict"
    );
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
    assert!(world.state.history_of(TOKEN).is_empty());
}

#[tokio::test]
async fn events_carry_the_token_facts_and_the_message_language() {
    let world = World::default();
    let mut record =
        crate::support::token_record(TOKEN, TokenStatus::Active, Some(world.fingerprint(PAN)));
    record.language = Some("de".to_owned());
    world.state.seed_token(record, None);
    let lifecycle = world.lifecycle();
    lifecycle
        .apply(&transition(
            "r1",
            Change::Suspend(Suspender::Issuer),
            world.now(),
            TOKEN_UPDATES,
        ))
        .await
        .unwrap();
    let mut step = transition(
        "r2",
        Change::Unsuspend(Suspender::Issuer),
        world.now(),
        TOKEN_UPDATES,
    );
    step.attributes.language = Some("fr".to_owned());
    lifecycle.apply(&step).await.unwrap();
    let events = world.committed_events();
    assert_eq!(events[0].language.as_deref(), Some("de"));
    assert_eq!(events[0].token_requestor_id.as_deref(), Some("50110030273"));
    assert_eq!(events[0].wallet_id.as_deref(), Some("103"));
    assert!(events[0].pan_unique_reference.is_some());
    assert_eq!(events[1].language.as_deref(), Some("fr"));
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().language.as_deref(),
        Some("fr")
    );
    assert_ne!(events[0].event_id, events[1].event_id);
}

#[tokio::test]
async fn arrival_orders_and_the_network_time_is_recorded() {
    // GIVEN an active token
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    // WHEN a suspension arrives that the network says happened 10 minutes
    // ago, before the token's newest message (an hour old) even arrived
    let happened = world.now() - Duration::hours(2);
    let mut step = transition(
        "r1",
        Change::Suspend(Suspender::Issuer),
        world.now(),
        TOKEN_UPDATES,
    );
    step.event_time = Some(happened);
    world.lifecycle().apply(&step).await.unwrap();
    // THEN it is applied in arrival order, the token's time is the arrival
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert_eq!(token.state.last_event_at, Some(world.now()));
    // AND the history line keeps both times
    let history = world.state.history_of(TOKEN);
    assert_eq!(
        (history[0].at, history[0].event_time, history[0].applied),
        (world.now(), Some(happened), true)
    );
    // AND the event occurred when the network says
    let events = world.committed_events();
    assert_eq!(
        events[0].occurred_at,
        happened
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    );
    // AND without a network time, the event occurs on arrival
    world.clock.advance(Duration::minutes(1));
    let lift = transition(
        "r2",
        Change::Unsuspend(Suspender::Issuer),
        world.now(),
        TOKEN_UPDATES,
    );
    world.lifecycle().apply(&lift).await.unwrap();
    let events = world.committed_events();
    assert_eq!(
        events[1].occurred_at,
        world
            .now()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    );
    assert_eq!(world.state.history_of(TOKEN)[1].event_time, None);
}
