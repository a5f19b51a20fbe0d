//! `NotifyActivated`: the network says a token is provisioned and active.

use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use tmp_core::AppError;
use tmp_core::domain::decision::Decision;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Change, Initiator, Suspender, TokenStatus};
use tmp_core::error::{CardDataRejection, InputProblem};
use tmp_core::ports::TokenAttributes;
use tmp_core::usecases::notify_activated::{NotifyActivatedCommand, OPERATION};
use tmp_core::usecases::update_tokens::{self, TokenUpdate, UpdateTokensCommand};

use crate::support::{PAN, TOKEN, TestCardData, World, message, state_of, token_record};

const TOKEN_NUMBER: &str = "5204731600014792";

fn command(request_id: &str, card: &TestCardData, at: OffsetDateTime) -> NotifyActivatedCommand {
    NotifyActivatedCommand {
        message: message(request_id, &[TOKEN]),
        token_ref: TOKEN.to_owned(),
        card_data: card.sealed(),
        activated_at: at,
        activated_at_field: "tokenActivatedDateTime",
        decision_made_by: Some("ISSUER".to_owned()),
        account_pan_suffix: "4444".to_owned(),
        attributes: TokenAttributes {
            language: Some("en".to_owned()),
            device_name: Some("Jane's phone".to_owned()),
            ..TokenAttributes::default()
        },
        details: json!({"decisionMadeBy": "ISSUER"}),
    }
}

fn activation_data() -> TestCardData {
    TestCardData::activation(TOKEN_NUMBER, Some(PAN))
}

#[tokio::test]
async fn an_authorized_token_becomes_active_and_is_announced() {
    // GIVEN a token we authorized, awaiting activation, counted on its card
    let world = World::default();
    world.seed_token(TokenStatus::Inactive);
    let card = activation_data();
    // WHEN the network says it was activated 30 seconds ago
    let activated_at = world.now() - Duration::seconds(30);
    world
        .notify_activated()
        .notify(&command("r1", &card, activated_at))
        .await
        .unwrap();
    // THEN it is ACTIVE, still counted once, ordered by our arrival time
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.version, 2);
    assert_eq!(token.state.last_event_at, Some(world.now()));
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
    // AND TOKEN_ACTIVATED is published with language, statuses and initiator
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.event_type, TokenEventType::TokenActivated);
    assert_eq!(event.language.as_deref(), Some("en"));
    assert_eq!(event.status, Some(TokenStatus::Active));
    assert_eq!(event.previous_status, Some(TokenStatus::Inactive));
    assert_eq!(event.initiator, Some(Initiator::Tsp));
    assert_eq!(event.reason_code.as_deref(), Some("ISSUER"));
    assert_eq!(event.source_request_id.as_deref(), Some("r1"));
    assert_eq!(event.details, json!({"decisionMadeBy": "ISSUER"}));
    // occurring when the network says it did
    assert_eq!(
        event.occurred_at,
        activated_at.format(&Rfc3339).unwrap().as_str()
    );
    assert_eq!(world.outbox(TOKEN), vec![(event.clone(), false)]);
    // AND the token facts are recorded, the token number only as last 4 and MAC
    let attributes = world.state.attributes_of(TOKEN).unwrap();
    assert_eq!(attributes.token_last4.as_deref(), Some("4792"));
    let expected = world
        .mac
        .mac_of(format!("token-number|v1|{TOKEN_NUMBER}").as_bytes());
    assert_eq!(
        attributes.token_fingerprint.as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(attributes.pan_last4.as_deref(), Some("4444"));
    assert_eq!(attributes.language.as_deref(), Some("en"));
    assert_eq!(attributes.device_name.as_deref(), Some("Jane's phone"));
    // AND the history line and the completed request
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from, history[0].to, history[0].applied),
        (Some(TokenStatus::Inactive), TokenStatus::Active, true)
    );
    assert_eq!(history[0].operation, OPERATION);
    // arrival time orders the line; the network's time is recorded with it
    assert_eq!(history[0].at, world.now());
    assert_eq!(history[0].event_time, Some(activated_at));
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
    assert_eq!(card.opened(), 1);
}

#[tokio::test]
async fn a_token_we_never_authorized_is_created_with_its_card_and_counted() {
    // GIVEN a token the network decided on its own (stand-in)
    let world = World::default();
    let fingerprint = world.fingerprint(PAN);
    world.state.set_live_tokens(&fingerprint, 2);
    // WHEN its activation arrives
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), world.now()))
        .await
        .unwrap();
    // THEN it exists, ACTIVE, keyed by the card's fingerprint, counted
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(token.pan_last4.as_deref(), Some("4444"));
    assert_eq!(world.state.live_tokens(&fingerprint), 3);
    let history = world.state.history_of(TOKEN);
    assert_eq!(
        (history[0].from, history[0].to),
        (None, TokenStatus::Active)
    );
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TokenEventType::TokenActivated);
    assert_eq!(events[0].previous_status, None);
}

#[tokio::test]
async fn a_token_without_a_funding_pan_is_created_without_a_card() {
    let world = World::default();
    world
        .notify_activated()
        .notify(&command(
            "r1",
            &TestCardData::activation(TOKEN_NUMBER, None),
            world.now(),
        ))
        .await
        .unwrap();
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.pan_fingerprint, None);
    assert_eq!(
        token.pan_last4, None,
        "the suffix is only trusted with a PAN"
    );
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 0);
}

#[tokio::test]
async fn a_token_number_that_is_not_digits_is_not_fingerprinted() {
    let world = World::default();
    world.seed_token(TokenStatus::Inactive);
    world
        .notify_activated()
        .notify(&command(
            "r1",
            &TestCardData::activation("12ab", Some(PAN)),
            world.now(),
        ))
        .await
        .unwrap();
    let attributes = world.state.attributes_of(TOKEN).unwrap();
    assert_eq!(attributes.token_last4, None);
    assert_eq!(attributes.token_fingerprint, None);
}

#[tokio::test]
async fn an_activation_timed_before_the_newest_message_is_applied_in_arrival_order() {
    // GIVEN a token whose newest message arrived an hour ago
    let world = World::default();
    let seeded = world.seed_token(TokenStatus::Inactive);
    let newest = seeded.state.last_event_at.unwrap();
    // WHEN an activation arrives now that the network says happened before that
    let activated_at = newest - Duration::minutes(5);
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), activated_at))
        .await
        .unwrap();
    // THEN it is applied: our arrival time orders it, not the network's time
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.state.last_event_at, Some(world.now()));
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert!(history[0].applied);
    assert_eq!(history[0].event_time, Some(activated_at));
    assert_eq!(
        world.committed_events()[0].occurred_at,
        activated_at.format(&Rfc3339).unwrap().as_str()
    );
}

#[tokio::test]
async fn an_activation_arriving_before_the_newest_message_is_recorded_not_applied() {
    // GIVEN a token whose newest message arrived after our clock's now (an
    // instance whose clock runs ahead)
    let world = World::default();
    let mut seeded = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    seeded.state.last_event_at = Some(world.now() + Duration::minutes(1));
    world.state.seed_token(seeded.clone(), None);
    // WHEN an activation arrives
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), world.now()))
        .await
        .unwrap();
    // THEN state untouched, history says not applied, no event, request completed
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state, seeded.state);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert!(!history[0].applied);
    assert_eq!(history[0].event_time, Some(world.now()));
    assert!(world.outbox(TOKEN).is_empty());
    assert!(world.committed_events().is_empty());
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn an_update_right_after_an_activation_timed_ahead_of_our_clock_is_applied() {
    // GIVEN an activation the network times 3 minutes ahead of our clock
    // (within the tolerated skew)
    let world = World::default();
    world.seed_token(TokenStatus::Inactive);
    let ahead = world.now() + Duration::minutes(3);
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), ahead))
        .await
        .unwrap();
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.last_event_at,
        Some(world.now()),
        "the token's time is our arrival time, not the network's"
    );
    // WHEN a suspension arrives one second later
    world.clock.advance(Duration::seconds(1));
    let suspension = UpdateTokensCommand {
        message: message("u1", &["SUSPEND", TOKEN]),
        reason_code: "SUSPEND".to_owned(),
        announces_update: false,
        updates: vec![TokenUpdate {
            token_ref: TOKEN.to_owned(),
            change: Some(Change::SetStatus {
                status: TokenStatus::Suspended,
                suspended_by: [Suspender::Issuer].into(),
            }),
            initial_status: TokenStatus::Inactive,
            token_expiry: None,
            details: json!({}),
        }],
    };
    world.update_tokens().update(&suspension).await.unwrap();
    // THEN it is applied after the activation, not discarded as older
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert_eq!(token.state.last_event_at, Some(world.now()));
    let history = world.state.history_of(TOKEN);
    let moves: Vec<_> = history
        .iter()
        .map(|h| (h.operation.as_str(), h.to, h.applied))
        .collect();
    assert_eq!(
        moves,
        vec![
            (OPERATION, TokenStatus::Active, true),
            (update_tokens::OPERATION, TokenStatus::Suspended, true),
        ]
    );
    assert_eq!(
        world
            .committed_events()
            .iter()
            .map(|e| e.event_type)
            .collect::<Vec<_>>(),
        vec![
            TokenEventType::TokenActivated,
            TokenEventType::TokenStatusChanged
        ]
    );
}

#[tokio::test]
async fn an_activation_time_far_ahead_of_our_clock_is_refused_and_nothing_written() {
    // GIVEN a token awaiting activation
    let world = World::default();
    let seeded = world.seed_token(TokenStatus::Inactive);
    let card = activation_data();
    // WHEN the network says it was activated more than 5 minutes from now
    let far = world.now() + Duration::minutes(5) + Duration::seconds(1);
    let result = world
        .notify_activated()
        .notify(&command("r1", &card, far))
        .await;
    // THEN the field is refused, before the card data is even opened
    match result {
        Err(AppError::Invalid(input)) => {
            assert_eq!(input.field, "tokenActivatedDateTime");
            assert_eq!(input.problem, InputProblem::Value);
        }
        other => panic!("expected tokenActivatedDateTime refused, got {other:?}"),
    }
    assert_eq!(card.opened(), 0);
    // AND nothing was written: token, history, events as they were, claim released
    assert_eq!(world.state.token_of(TOKEN).unwrap(), seeded);
    assert!(world.state.history_of(TOKEN).is_empty());
    assert!(world.outbox(TOKEN).is_empty());
    assert!(world.committed_events().is_empty());
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    // AND exactly 5 minutes ahead (clock skew) is accepted
    world
        .notify_activated()
        .notify(&command("r2", &card, world.now() + Duration::minutes(5)))
        .await
        .unwrap();
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn a_declined_token_never_becomes_active() {
    // GIVEN a token whose authorization we declined
    let world = World::default();
    let seeded = world.seed_decided(TokenStatus::Declined, Decision::Declined);
    let fingerprint = world.fingerprint(PAN);
    // WHEN the network says it is activated
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), world.now()))
        .await
        .unwrap();
    // THEN it stays DECLINED and uncounted: recorded, not applied, not announced
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state, seeded.state);
    assert_eq!(world.state.live_tokens(&fingerprint), 0);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from, history[0].to, history[0].applied),
        (Some(TokenStatus::Declined), TokenStatus::Declined, false)
    );
    assert!(world.outbox(TOKEN).is_empty());
    assert!(world.committed_events().is_empty());
    // AND the message is answered
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn activating_an_active_token_again_announces_nothing() {
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), world.now()))
        .await
        .unwrap();
    assert!(world.committed_events().is_empty());
    let history = world.state.history_of(TOKEN);
    assert!(history[0].applied);
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.last_event_at,
        Some(world.now())
    );
}

#[tokio::test]
async fn a_suspended_token_is_not_activated() {
    let world = World::default();
    let mut record = token_record(TOKEN, TokenStatus::Suspended, Some(world.fingerprint(PAN)));
    record.state = state_of(TokenStatus::Suspended, &[Suspender::Issuer]);
    world.state.seed_token(record, None);
    world
        .notify_activated()
        .notify(&command("r1", &activation_data(), world.now()))
        .await
        .unwrap();
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert!(!world.state.history_of(TOKEN)[0].applied);
    assert!(world.committed_events().is_empty());
}

#[tokio::test]
async fn refused_card_data_is_the_card_data_error_and_writes_nothing() {
    let world = World::default();
    world.seed_token(TokenStatus::Inactive);
    let result = world
        .notify_activated()
        .notify(&command(
            "r1",
            &TestCardData::rejected(CardDataRejection::Undecryptable),
            world.now(),
        ))
        .await;
    assert_eq!(
        result,
        Err(AppError::CardData(CardDataRejection::Undecryptable))
    );
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Inactive
    );
    assert!(world.state.history_of(TOKEN).is_empty());
}

#[tokio::test]
async fn a_retry_is_answered_without_opening_the_card_data_or_announcing_again() {
    let world = World::default();
    world.seed_token(TokenStatus::Inactive);
    let notify = world.notify_activated();
    let card = activation_data();
    notify
        .notify(&command("r1", &card, world.now()))
        .await
        .unwrap();
    world.clock.advance(Duration::seconds(5));
    notify
        .notify(&command("r1", &card, world.now() - Duration::seconds(5)))
        .await
        .unwrap();
    assert_eq!(card.opened(), 1);
    assert_eq!(world.committed_events().len(), 1);
    assert_eq!(world.state.history_of(TOKEN).len(), 1);
    assert_eq!(world.state.token_of(TOKEN).unwrap().version, 2);
}

#[tokio::test]
async fn a_key_service_outage_is_unavailable_and_writes_nothing() {
    let world = World::default();
    world.seed_token(TokenStatus::Inactive);
    world.mac.fail(true);
    let result = world
        .notify_activated()
        .notify(&command("r1", &activation_data(), world.now()))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert!(world.state.history_of(TOKEN).is_empty());
}
