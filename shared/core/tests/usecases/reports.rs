//! The reports' counting from the stream: decisions by path, the active
//! count moved by status changes, a first activation counted on the day the
//! token was requested, each input once however often it is delivered; and
//! the reading: abandoned once a day is settled, filters by wallet.

use std::sync::Arc;

use time::Duration;
use tmp_core::domain::Network;
use tmp_core::domain::events::{TokenEvent, TokenEventType};
use tmp_core::domain::report::{DecisionFact, DecisionPath, FunnelKey};
use tmp_core::domain::token::TokenStatus;
use tmp_core::domain::wallet::Wallet;
use tmp_core::usecases::events::new_event;
use tmp_core::usecases::reports::{
    AggregateReports, ReportFilter, ReportInput, ReportQueries, ReportRecord,
};
use tmp_testkit::memory::MemoryReports;

use crate::support::{
    PAN, TOKEN, TOKEN_REQUESTOR, TestCardData, World, authorize_command, card_with_contact,
    green_wallet,
};

fn status_event(
    world: &World,
    token: &str,
    previous: TokenStatus,
    now: TokenStatus,
    at: time::OffsetDateTime,
) -> TokenEvent {
    let mut event = new_event(
        world.ids.as_ref(),
        Network::Mastercard,
        TokenEventType::TokenStatusChanged,
        token,
        at,
    );
    event.token_requestor_id = Some(TOKEN_REQUESTOR.to_owned());
    event.previous_status = Some(previous);
    event.status = Some(now);
    event
}

fn record(position: u32, input: ReportInput) -> ReportRecord {
    ReportRecord {
        position: position.to_string(),
        input,
    }
}

#[tokio::test]
async fn each_input_counts_once_and_an_activation_counts_on_the_day_it_was_requested() {
    // GIVEN a token requested (approved) eight days ago, per the table
    let world = World::default().with_card(card_with_contact());
    let requested = world.now() - Duration::days(8);
    world.clock.set(requested);
    world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    world.clock.set(requested + Duration::days(8));
    let reports = Arc::new(MemoryReports::default());
    let aggregate = AggregateReports {
        store: reports.clone(),
        tokens: world.state.clone(),
    };
    let day = |at: time::OffsetDateTime| at.date();
    let key = FunnelKey {
        day: day(requested),
        network: Network::Mastercard,
        token_requestor_id: Some(TOKEN_REQUESTOR.to_owned()),
    };
    let decision = ReportInput::Decision(DecisionFact {
        id: format!("TOKEN#{TOKEN}#DECISION#r1"),
        key: key.clone(),
        wallet: Wallet::ApplePay,
        path: DecisionPath::Green,
    });
    // AND today it became active, then was suspended; and a yellow decision of another token
    let now = world.now();
    let activated = status_event(
        &world,
        TOKEN,
        TokenStatus::Inactive,
        TokenStatus::Active,
        now,
    );
    let suspended = status_event(
        &world,
        TOKEN,
        TokenStatus::Active,
        TokenStatus::Suspended,
        now,
    );
    let yellow = ReportInput::Decision(DecisionFact {
        id: "TOKEN#T2#DECISION#r2".to_owned(),
        key: key.clone(),
        wallet: Wallet::ApplePay,
        path: DecisionPath::Yellow,
    });
    let batch = vec![
        record(1, decision),
        record(2, ReportInput::Event(Box::new(activated.clone()))),
        record(3, yellow),
        record(4, ReportInput::Event(Box::new(suspended))),
    ];
    // WHEN the stream delivers the batch twice
    for _ in 0..2 {
        let outcome = aggregate.aggregate(&batch).await;
        assert_eq!(outcome.retry_from, None);
        assert_eq!(outcome.counted, 4);
    }
    // THEN the requested day's row counts each decision and the activation once
    let queries = ReportQueries {
        store: reports.clone(),
    };
    let today = day(now);
    let rows = queries
        .funnel(day(requested), today, today, &ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row.key, key);
    assert_eq!(
        (
            row.counts.requests,
            row.counts.green,
            row.counts.yellow,
            row.counts.activations
        ),
        (2, 1, 1, 1)
    );
    // AND the day is settled: of two approved, one never activated
    assert!(row.settled);
    assert_eq!(row.abandoned, Some(1));
    // AND nothing is active now (activated, then suspended)
    assert!(
        queries
            .active_tokens(&ReportFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    // AND unsuspending it counts it active again, but not a second activation
    let unsuspended = status_event(
        &world,
        TOKEN,
        TokenStatus::Suspended,
        TokenStatus::Active,
        now,
    );
    aggregate
        .aggregate(&[record(5, ReportInput::Event(Box::new(unsuspended)))])
        .await;
    let active = queries
        .active_tokens(&ReportFilter {
            wallet: Some(Wallet::ApplePay),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].active, 1);
    let rows = queries
        .funnel(day(requested), today, today, &ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(rows[0].counts.activations, 1);
    // AND another wallet's filter shows none of it
    let google = ReportFilter {
        wallet: Some(Wallet::GooglePay),
        ..ReportFilter::default()
    };
    assert!(
        queries
            .funnel(day(requested), today, today, &google)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_token_never_seen_requested_counts_its_activation_on_the_events_day() {
    // GIVEN no token in the table
    let world = World::default();
    let reports = Arc::new(MemoryReports::default());
    let aggregate = AggregateReports {
        store: reports.clone(),
        tokens: world.state.clone(),
    };
    // WHEN the network tells us a token we never saw is active
    let event = status_event(
        &world,
        "T-UNSEEN",
        TokenStatus::Inactive,
        TokenStatus::Active,
        world.now(),
    );
    aggregate
        .aggregate(&[record(1, ReportInput::Event(Box::new(event)))])
        .await;
    // THEN today's row has the activation, and no request
    let today = world.now().date();
    let rows = ReportQueries { store: reports }
        .funnel(today, today, today, &ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].counts.requests, rows[0].counts.activations),
        (0, 1)
    );
    assert!(!rows[0].settled);
    assert_eq!(rows[0].abandoned, None);
}
