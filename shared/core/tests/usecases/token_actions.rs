//! The issuer's lifecycle actions: once per Idempotency-Key, state only on
//! the network's word, pending when it did not answer, refused untouched.

use std::collections::BTreeSet;

use tmp_core::AppError;
use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Change, Initiator, Suspender, TokenStatus};
use tmp_core::ports::TokenAttributes;
use tmp_core::ports::{NetworkAnswer, PageRequest, TokenFilter};
use tmp_core::usecases::lifecycle::{ActionNote, EventRule, NewToken, Transition};
use tmp_core::usecases::token_actions::{
    ActionOutcome, IssuerRequest, TokenActionCommand, network_request_id,
};
use tmp_core::usecases::token_queries::SearchBy;

use crate::support::{PAN, TOKEN, World, pan, token_record};

fn command(action: TokenAction, key: &str) -> TokenActionCommand {
    TokenActionCommand {
        token_ref: TOKEN.to_owned(),
        action,
        reason: ActionReason::DeviceLost,
        comment: Some("Cardholder called".to_owned()),
        operator: "agent.17".to_owned(),
        request: IssuerRequest {
            client_id: "issuer-backoffice".to_owned(),
            idempotency_key: key.to_owned(),
        },
    }
}

#[tokio::test]
async fn a_confirmed_suspension_changes_our_state_with_the_operators_note() {
    // GIVEN an active token
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    // WHEN the issuer suspends it and the network confirms
    let answer = world
        .token_actions()
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // THEN the network got one call under the id derived from the key
    let calls = world.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].request_id,
        network_request_id(
            &command(TokenAction::Suspend, "k-1").request,
            TokenAction::Suspend
        )
    );
    assert_eq!(
        (calls[0].action, calls[0].reason, calls[0].operator.as_str()),
        (TokenAction::Suspend, ActionReason::DeviceLost, "agent.17")
    );
    // AND the token is suspended by the issuer, nothing pending
    assert_eq!(answer.outcome, ActionOutcome::Confirmed);
    assert!(!answer.replayed);
    let record = &answer.token.record;
    assert_eq!(record.state.status, TokenStatus::Suspended);
    assert_eq!(record.state.suspenders, BTreeSet::from([Suspender::Issuer]));
    assert_eq!(record.pending, None);
    // AND the history says who did it and why
    let line = answer.token.history.last().unwrap();
    assert_eq!(line.initiator, Initiator::Operator);
    assert_eq!(line.reason_code.as_deref(), Some("DEVICE_LOST"));
    assert_eq!(line.comment.as_deref(), Some("Cardholder called"));
    assert_eq!(line.operator.as_deref(), Some("agent.17"));
    // AND the change leaves as an event
    let events = world.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TokenEventType::TokenStatusChanged);
}

#[tokio::test]
async fn a_replay_answers_the_first_outcome_and_calls_no_network() {
    // GIVEN a suspension already confirmed under key k-1
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let actions = world.token_actions();
    actions
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // WHEN the issuer retries it
    let replay = actions
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // THEN the same outcome, flagged as a replay, and still one network call
    assert_eq!(replay.outcome, ActionOutcome::Confirmed);
    assert!(replay.replayed);
    assert_eq!(world.networks.calls().len(), 1);
    // AND the key reused for another request is refused
    let mut other = command(TokenAction::Suspend, "k-1");
    other.reason = ActionReason::SuspectedFraud;
    assert_eq!(
        actions.act(&other).await.unwrap_err(),
        AppError::RequestIdReused
    );
}

#[tokio::test]
async fn an_unanswered_call_leaves_the_action_pending_and_never_guesses() {
    // GIVEN an active token and a network that will not answer
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.networks.answer_next([NetworkAnswer::Unknown]);
    let actions = world.token_actions();
    // WHEN the issuer suspends it
    let answer = actions
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // THEN pending, our state unchanged
    assert_eq!(answer.outcome, ActionOutcome::Pending);
    assert_eq!(answer.token.record.state.status, TokenStatus::Active);
    let pending = answer.token.record.pending.clone().unwrap();
    assert_eq!(pending.action, TokenAction::Suspend);
    assert!(world.committed_events().is_empty());
    // WHEN the issuer retries with the same key THEN pending, no second call
    let replay = actions
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    assert_eq!(
        (replay.outcome, replay.replayed),
        (ActionOutcome::Pending, true)
    );
    assert_eq!(world.networks.calls().len(), 1);
    // WHEN the issuer asks again under a new key THEN the network sees the
    // same request id again (one request for it), and now confirms
    let again = actions
        .act(&command(TokenAction::Suspend, "k-2"))
        .await
        .unwrap();
    let calls = world.networks.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].request_id, pending.network_request_id);
    assert_eq!(again.outcome, ActionOutcome::Confirmed);
    assert_eq!(again.token.record.state.status, TokenStatus::Suspended);
    assert_eq!(again.token.record.pending, None);
}

#[tokio::test]
async fn the_networks_notification_settles_a_pending_action() {
    // GIVEN a suspension pending at the network
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.networks.answer_next([NetworkAnswer::Unknown]);
    world
        .token_actions()
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // WHEN the network's notification says it is suspended by the issuer
    world
        .lifecycle()
        .apply(&Transition {
            network: tmp_core::domain::Network::Mastercard,
            token_ref: TOKEN.to_owned(),
            change: Some(Change::SetStatus {
                status: TokenStatus::Suspended,
                suspended_by: BTreeSet::from([Suspender::Issuer]),
            }),
            at: world.now() + time::Duration::seconds(1),
            event_time: None,
            operation: "notifyTokenUpdated",
            initiator: Initiator::Tsp,
            reason_code: None,
            source_request_id: "ntu-1".to_owned(),
            new_token: NewToken {
                status: TokenStatus::Active,
                pan_fingerprint: None,
            },
            attributes: TokenAttributes::default(),
            event: EventRule::TokenUpdate {
                announces_update: false,
            },
            details: serde_json::Value::Null,
            completion: None,
            note: ActionNote::default(),
            settles_pending: false,
            card_move: None,
        })
        .await
        .unwrap();
    // THEN the pending action is settled
    let token = world.token_queries().token(TOKEN).await.unwrap();
    assert_eq!(token.record.state.status, TokenStatus::Suspended);
    assert_eq!(token.record.pending, None);
}

#[tokio::test]
async fn a_refusal_changes_nothing_and_is_replayed_as_such() {
    // GIVEN an active token and a network that refuses
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.networks.answer_next([NetworkAnswer::Refused {
        code: "INVALID_TOKEN_STATUS".to_owned(),
    }]);
    let actions = world.token_actions();
    // WHEN the issuer deletes it
    let answer = actions
        .act(&command(TokenAction::Delete, "k-1"))
        .await
        .unwrap();
    // THEN refused, still active, nothing pending, no event
    assert_eq!(answer.outcome, ActionOutcome::Refused);
    assert_eq!(answer.token.record.state.status, TokenStatus::Active);
    assert_eq!(answer.token.record.pending, None);
    assert!(world.committed_events().is_empty());
    // AND a replay is the same refusal without another call
    let replay = actions
        .act(&command(TokenAction::Delete, "k-1"))
        .await
        .unwrap();
    assert_eq!(replay.outcome, ActionOutcome::Refused);
    assert_eq!(world.networks.calls().len(), 1);
}

#[tokio::test]
async fn actions_the_state_does_not_allow_never_reach_the_network() {
    // GIVEN an active token (nothing to unsuspend, nothing to activate)
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    let actions = world.token_actions();
    for action in [TokenAction::Unsuspend, TokenAction::Activate] {
        // WHEN asked THEN 409-class refusal, no call
        assert!(matches!(
            actions.act(&command(action, "k-x")).await.unwrap_err(),
            AppError::ActionNotAllowed(_)
        ));
    }
    assert!(world.networks.calls().is_empty());
    // AND an unknown token is unknown
    let mut unknown = command(TokenAction::Suspend, "k-y");
    unknown.token_ref = "DWSPMC00000000000000000000000000000000000000NONE".to_owned();
    assert_eq!(
        actions.act(&unknown).await.unwrap_err(),
        AppError::UnknownToken
    );
}

#[tokio::test]
async fn a_different_action_waits_for_the_pending_one() {
    // GIVEN a suspension pending
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.networks.answer_next([NetworkAnswer::Unknown]);
    let actions = world.token_actions();
    actions
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // WHEN the issuer deletes it meanwhile THEN refused until it settles
    assert!(matches!(
        actions
            .act(&command(TokenAction::Delete, "k-2"))
            .await
            .unwrap_err(),
        AppError::ActionNotAllowed(_)
    ));
    assert_eq!(world.networks.calls().len(), 1);
}

#[tokio::test]
async fn searches_find_a_cards_tokens_by_pan_fingerprint_in_pages() {
    // GIVEN three tokens of PAN, one of them deleted
    let world = World::default();
    let fingerprint = world.fingerprint(PAN);
    for (i, status) in [
        TokenStatus::Active,
        TokenStatus::Deactivated,
        TokenStatus::Suspended,
    ]
    .into_iter()
    .enumerate()
    {
        world.state.seed_token(
            token_record(
                &format!("DWSPMC00000000000000000000000000000000000000000{i}"),
                status,
                Some(fingerprint.clone()),
            ),
            None,
        );
    }
    let queries = world.token_queries();
    let card = pan(PAN);
    // WHEN searched by PAN, two per page
    let page = PageRequest {
        limit: 2,
        cursor: None,
    };
    let first = queries
        .search(SearchBy::Pan(&card), &TokenFilter::default(), &page)
        .await
        .unwrap();
    // THEN two tokens and a cursor to the third
    assert_eq!(first.tokens.len(), 2);
    let next = PageRequest {
        limit: 2,
        cursor: first.next_cursor.clone(),
    };
    let second = queries
        .search(SearchBy::Pan(&card), &TokenFilter::default(), &next)
        .await
        .unwrap();
    assert_eq!((second.tokens.len(), second.next_cursor), (1, None));
    // AND a status filter keeps only matching tokens
    let suspended = TokenFilter {
        status: Some(TokenStatus::Suspended),
        ..TokenFilter::default()
    };
    let only = queries
        .search(SearchBy::Pan(&card), &suspended, &page)
        .await
        .unwrap();
    assert_eq!(only.tokens.len(), 1);
    assert_eq!(only.tokens[0].record.state.status, TokenStatus::Suspended);
    // AND a cursor we never produced is refused as invalid input
    let forged = PageRequest {
        limit: 2,
        cursor: Some("forged".to_owned()),
    };
    assert!(matches!(
        queries
            .search(SearchBy::Pan(&card), &TokenFilter::default(), &forged)
            .await
            .unwrap_err(),
        AppError::Invalid(_)
    ));
}

#[tokio::test]
async fn a_notice_that_does_not_say_who_suspended_is_the_pending_suspension() {
    // GIVEN a suspension pending at the network
    let world = World::default();
    world.seed_token(TokenStatus::Active);
    world.networks.answer_next([NetworkAnswer::Unknown]);
    world
        .token_actions()
        .act(&command(TokenAction::Suspend, "k-1"))
        .await
        .unwrap();
    // WHEN the network says "suspended" without saying by whom (Visa)
    world
        .lifecycle()
        .apply(&Transition {
            network: tmp_core::domain::Network::Visa,
            token_ref: TOKEN.to_owned(),
            change: Some(Change::NetworkStatus(TokenStatus::Suspended)),
            at: world.now() + time::Duration::seconds(1),
            event_time: None,
            operation: "tokenChanged",
            initiator: Initiator::Tsp,
            reason_code: None,
            source_request_id: "tc-1".to_owned(),
            new_token: NewToken {
                status: TokenStatus::Active,
                pan_fingerprint: None,
            },
            attributes: TokenAttributes::default(),
            event: EventRule::StatusNotice,
            details: serde_json::Value::Null,
            completion: None,
            note: ActionNote::default(),
            settles_pending: false,
            card_move: None,
        })
        .await
        .unwrap();
    // THEN it is the issuer's suspension, settled; the issuer can lift it
    let token = world.token_queries().token(TOKEN).await.unwrap();
    assert_eq!(
        token.record.state.suspenders,
        BTreeSet::from([Suspender::Issuer])
    );
    assert_eq!(token.record.pending, None);
    world.clock.advance(time::Duration::seconds(2));
    let lifted = world
        .token_actions()
        .act(&command(TokenAction::Unsuspend, "k-2"))
        .await
        .unwrap();
    assert_eq!(lifted.token.record.state.status, TokenStatus::Active);
}
