//! `RecordTokenChange` (Visa tokenChanged): the network's creation and status
//! notices through the lifecycle engine, once per eventID.

use tmp_core::AppError;
use tmp_core::domain::Network;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::ports::TokenAttributes;
use tmp_core::usecases::ledger::{Message, signature};
use tmp_core::usecases::token_changed::{TokenChangeCommand, TokenChangeKind};

use crate::support::{PAN, TOKEN, World, pan, token_record};

const VISA_TOKEN: &str = "DNITHE302010001200000135";

fn command(event_id: &str, kind: TokenChangeKind, status: TokenStatus) -> TokenChangeCommand {
    TokenChangeCommand {
        message: Message {
            network: Network::Visa,
            request_id: event_id.to_owned(),
            signature: signature(&[VISA_TOKEN, event_id]),
        },
        token_ref: VISA_TOKEN.to_owned(),
        kind,
        status,
        reason_code: Some("3700".to_owned()),
        event_time: None,
        event_time_field: "dateTimeOfEvent",
        pan: Some(pan(PAN)),
        attributes: TokenAttributes {
            token_requestor_id: Some("40010030273".to_owned()),
            token_last4: Some("0135".to_owned()),
            pan_last4: Some("4444".to_owned()),
            ..TokenAttributes::default()
        },
    }
}

/// A Visa token we approved: INACTIVE, counted on [`PAN`].
fn seed_visa_token(world: &World) {
    let mut record = token_record(
        VISA_TOKEN,
        TokenStatus::Inactive,
        Some(world.fingerprint(PAN)),
    );
    record.network = Network::Visa;
    world.state.seed_token(record, None);
    world.state.set_live_tokens(&world.fingerprint(PAN), 1);
}

#[tokio::test]
async fn a_token_created_in_stand_in_is_recorded_and_counted_on_its_card() {
    // GIVEN no token of ours (Visa approved it on our behalf)
    let world = World::default();
    // WHEN Visa announces it, ACTIVE
    world
        .record_token_change()
        .record(&command(
            "ev-1",
            TokenChangeKind::Created,
            TokenStatus::Active,
        ))
        .await
        .unwrap();
    // THEN it exists with Visa's status, on its card, counted, and announced as activated
    let token = world.state.token_of(VISA_TOKEN).unwrap();
    assert_eq!(token.network, Network::Visa);
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.pan_fingerprint, Some(world.fingerprint(PAN)));
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TokenEventType::TokenActivated);
    assert_eq!(events[0].network, Network::Visa);
    assert_eq!(
        world
            .state
            .attributes_of(VISA_TOKEN)
            .unwrap()
            .token_last4
            .as_deref(),
        Some("0135")
    );
}

#[tokio::test]
async fn a_status_update_goes_through_the_lifecycle_once_per_event_id() {
    // GIVEN a Visa token awaiting activation
    let world = World::default();
    seed_visa_token(&world);
    let record = world.record_token_change();
    // WHEN Visa says ACTIVE, twice with the same eventID
    let activate = command("ev-2", TokenChangeKind::StatusUpdated, TokenStatus::Active);
    record.record(&activate).await.unwrap();
    record.record(&activate).await.unwrap();
    // THEN it is ACTIVE, with one history line and one event
    assert_eq!(
        world.state.token_of(VISA_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
    assert_eq!(world.state.history_of(VISA_TOKEN).len(), 1);
    assert_eq!(world.committed_events().len(), 1);
    assert_eq!(
        world.state.history_of(VISA_TOKEN)[0].reason_code.as_deref(),
        Some("3700")
    );
    // WHEN Visa suspends it, THEN the network holds the suspension
    record
        .record(&command(
            "ev-3",
            TokenChangeKind::StatusUpdated,
            TokenStatus::Suspended,
        ))
        .await
        .unwrap();
    let token = world.state.token_of(VISA_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert!(token.state.suspenders.contains(&Suspender::Network));
    // WHEN Visa deletes it, THEN it is no longer counted on the card
    record
        .record(&command(
            "ev-4",
            TokenChangeKind::StatusUpdated,
            TokenStatus::Deactivated,
        ))
        .await
        .unwrap();
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 0);
    let types: Vec<_> = world
        .committed_events()
        .iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(
        types,
        vec![
            TokenEventType::TokenActivated,
            TokenEventType::TokenStatusChanged,
            TokenEventType::TokenDeleted
        ]
    );
}

#[tokio::test]
async fn a_status_for_a_token_we_do_not_hold_or_of_another_network_is_refused() {
    let world = World::default();
    // GIVEN only a Mastercard token under the reference Visa names
    world
        .state
        .seed_token(token_record(VISA_TOKEN, TokenStatus::Active, None), None);
    let update = command(
        "ev-5",
        TokenChangeKind::StatusUpdated,
        TokenStatus::Suspended,
    );
    // WHEN Visa updates it, THEN it is unknown, and nothing changed
    assert_eq!(
        world.record_token_change().record(&update).await,
        Err(AppError::UnknownToken)
    );
    assert_eq!(
        world.state.token_of(VISA_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
    // AND a status for no token at all is unknown too
    let mut unknown = command("ev-6", TokenChangeKind::StatusUpdated, TokenStatus::Active);
    unknown.token_ref = TOKEN.to_owned();
    assert_eq!(
        world.record_token_change().record(&unknown).await,
        Err(AppError::UnknownToken)
    );
    assert!(world.committed_events().is_empty());
}

#[tokio::test]
async fn an_event_time_far_ahead_of_our_clock_is_refused() {
    let world = World::default();
    seed_visa_token(&world);
    let mut ahead = command("ev-7", TokenChangeKind::StatusUpdated, TokenStatus::Active);
    ahead.event_time = Some(world.now() + time::Duration::hours(1));
    let refused = world.record_token_change().record(&ahead).await;
    assert!(matches!(refused, Err(AppError::Invalid(e)) if e.field == "dateTimeOfEvent"));
    assert_eq!(
        world.state.token_of(VISA_TOKEN).unwrap().state.status,
        TokenStatus::Inactive
    );
}
