//! `AuthorizeTokenization`: open, verify, count, decide, persist, answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tmp_core::AppError;
use tmp_core::domain::card::{CardStatus, CvcResponse, CvcResult};
use tmp_core::domain::decision::{Decision, RuleId};
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Initiator, TokenStatus};
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_core::error::CardDataRejection;
use tmp_core::ports::{AuthorizationStore, KeyVault, TokenLifecycleStore};
use tmp_core::usecases::authorize::{OPERATION, contact_context, open_contact};
use tmp_testkit::memory::IssuerFault;

use crate::support::{
    CALL_CENTRE, OTHER_PAN, PAN, RacingAuthorizations, TOKEN, TOKEN_REQUESTOR, TestCardData, World,
    active_card, authorize_command, card_with_contact, green_wallet, yellow_wallet,
};

/// Asserts that an authorization left no trace but its released claim.
fn nothing_written(world: &World, request_id: &str, token_ref: &str) {
    assert_eq!(
        world.ledger_state(OPERATION, request_id),
        None,
        "claim released"
    );
    assert!(world.state.token_of(token_ref).is_none(), "no token");
    assert!(
        world.state.decisions_of(token_ref).is_empty(),
        "no decision"
    );
    assert!(world.state.history_of(token_ref).is_empty(), "no history");
    assert!(world.outbox(token_ref).is_empty(), "no event");
    assert!(world.publisher.events().is_empty(), "nothing published");
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 0);
}

#[tokio::test]
async fn a_green_card_is_approved_counted_recorded_and_announced() {
    // GIVEN an active card whose CVC2 and expiry match, and a confident wallet
    let world = World::default().with_card(active_card());
    let card = TestCardData::entered(PAN);
    // WHEN the network asks to tokenize it
    let outcome = world
        .authorize()
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await
        .unwrap();
    // THEN approved, with the CVC2 result
    assert_eq!(outcome.decision, Decision::Approved);
    assert!(outcome.activation_methods.is_empty());
    assert_eq!(outcome.cvc_response, Some(CvcResponse::Match));
    assert!(!outcome.replayed);
    // AND the token is live, awaiting activation, and counted on its card
    let fingerprint = world.fingerprint(PAN);
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Inactive);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(token.pan_last4.as_deref(), Some("4444"));
    assert!(!token.has_contact);
    let facts = world.state.authorization_of(TOKEN).unwrap();
    assert!(facts.live);
    assert_eq!(
        (facts.decision, facts.decided_by),
        (Decision::Approved, RuleId::Approve)
    );
    assert_eq!(facts.correlation_id, "corr-r1");
    assert_eq!(facts.issuer_card_id.as_deref(), Some("card-1"));
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    // AND the decision is kept with every one of its 7 rules
    let decisions = world.state.decisions_of(TOKEN);
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].decision, Decision::Approved);
    assert_eq!(decisions[0].rules.len(), 7);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].to, history[0].applied),
        (TokenStatus::Inactive, true)
    );
    // AND TOKEN_AUTHORIZED is published once and marked in the outbox
    let published = world.publisher.events();
    assert_eq!(published.len(), 1);
    let event = &published[0];
    assert_eq!(event.event_type, TokenEventType::TokenAuthorized);
    assert_eq!(event.token_unique_reference, TOKEN);
    assert_eq!(event.status, Some(TokenStatus::Inactive));
    assert_eq!(event.initiator, Some(Initiator::Tsp));
    assert_eq!(event.source_request_id.as_deref(), Some("r1"));
    assert_eq!(event.pan_last4.as_deref(), Some("4444"));
    assert_eq!(event.token_requestor_id.as_deref(), Some(TOKEN_REQUESTOR));
    assert_eq!(event.details["decision"], "APPROVED");
    assert_eq!(world.outbox(TOKEN), vec![(event.clone(), true)]);
    // AND the request is completed with the answer
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
    assert_eq!(card.opened(), 1);
}

/// Authorizes [`TOKEN`] with `card` known as `issuer_card` (or unknown).
async fn declined_case(issuer_card: Option<tmp_core::domain::card::VerifiedCard>) -> World {
    let world = World::default();
    if let Some(card) = issuer_card {
        world.cards.set_card(PAN, card);
    }
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    assert_eq!(outcome.decision, Decision::Declined);
    assert!(outcome.activation_methods.is_empty());
    // a decline is not counted, is kept DECLINED, and is not announced
    let token = world.state.token_of(TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Declined);
    assert!(!world.state.authorization_of(TOKEN).unwrap().live);
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 0);
    assert!(world.outbox(TOKEN).is_empty());
    assert!(world.publisher.events().is_empty());
    assert_eq!(world.state.history_of(TOKEN)[0].to, TokenStatus::Declined);
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
    world
}

#[tokio::test]
async fn an_unknown_card_is_declined_by_the_card_status_rule() {
    // GIVEN the issuer does not know the PAN
    let world = declined_case(None).await;
    let record = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(record.decided_by, RuleId::CardStatus);
    assert_eq!(record.rules[0].inputs["cardKnown"], "false");
    // the CVC2 was not checked by anyone
    assert!(
        world
            .state
            .authorization_of(TOKEN)
            .unwrap()
            .issuer_card_id
            .is_none()
    );
}

#[tokio::test]
async fn a_lost_card_is_declined() {
    let card = tmp_core::domain::card::VerifiedCard {
        status: CardStatus::Lost,
        ..active_card()
    };
    let world = declined_case(Some(card)).await;
    assert_eq!(
        world.state.decisions_of(TOKEN)[0].decided_by,
        RuleId::CardStatus
    );
}

#[tokio::test]
async fn a_cvc_mismatch_is_declined_and_reported_invalid() {
    // GIVEN the issuer says the CVC2 does not match
    let world = World::default().with_card(tmp_core::domain::card::VerifiedCard {
        cvc_result: CvcResult::Mismatch,
        ..active_card()
    });
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN declined by the card-data rule, CVC2 reported invalid, nothing counted
    assert_eq!(outcome.decision, Decision::Declined);
    assert_eq!(outcome.cvc_response, Some(CvcResponse::Invalid));
    assert_eq!(
        world.state.decisions_of(TOKEN)[0].decided_by,
        RuleId::CardDataMatch
    );
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 0);
    assert!(world.publisher.events().is_empty());
}

#[tokio::test]
async fn a_yellow_decision_offers_masked_methods_and_keeps_the_contact_sealed() {
    // GIVEN a card with phone and e-mail on file and a doubtful wallet
    let world = World::default().with_card(card_with_contact());
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            yellow_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN additional authentication, with masked SMS and e-mail, then the call centre
    assert_eq!(outcome.decision, Decision::RequireAdditionalAuthentication);
    assert_eq!(
        outcome.activation_methods,
        vec![
            ActivationMethod {
                kind: ActivationMethodKind::Sms,
                value: "***-***-0123".to_owned(),
            },
            ActivationMethod {
                kind: ActivationMethodKind::Email,
                value: "j***@e***.com".to_owned(),
            },
            ActivationMethod {
                kind: ActivationMethodKind::CallCentre,
                value: CALL_CENTRE.to_owned(),
            },
        ]
    );
    assert_eq!(
        world.state.decisions_of(TOKEN)[0].decided_by,
        RuleId::WalletRiskAuthenticate
    );
    // AND the token is live and counted, with its contact sealed to it
    let token = world.state.token_of(TOKEN).unwrap();
    assert!(token.has_contact);
    assert_eq!(token.state.status, TokenStatus::Inactive);
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
    let sealed = world
        .state
        .contact_ciphertext(TOKEN)
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&sealed).to_string();
    assert!(
        text.contains("cardholder-contact"),
        "sealed under its purpose"
    );
    let opened = world
        .vault
        .decrypt(&sealed, &contact_context(TOKEN))
        .await
        .unwrap();
    let contact = open_contact(&opened).unwrap();
    assert_eq!(contact.phone_number.unwrap().expose(), "+44 7700 900123");
    assert_eq!(contact.email.unwrap().expose(), "jane.doe@example.com");
    // bound to its token: another token's context does not open it
    assert!(
        world
            .vault
            .decrypt(&sealed, &contact_context("another-token"))
            .await
            .is_err()
    );
    // AND TOKEN_AUTHORIZED is published
    let published = world.publisher.events();
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].details["decision"],
        "REQUIRE_ADDITIONAL_AUTHENTICATION"
    );
}

#[tokio::test]
async fn a_yellow_decision_without_contact_offers_only_the_call_centre() {
    let world = World::default().with_card(active_card());
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            yellow_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    assert_eq!(outcome.decision, Decision::RequireAdditionalAuthentication);
    assert_eq!(
        outcome.activation_methods,
        vec![ActivationMethod {
            kind: ActivationMethodKind::CallCentre,
            value: CALL_CENTRE.to_owned(),
        }]
    );
    assert!(!world.state.token_of(TOKEN).unwrap().has_contact);
}

#[tokio::test]
async fn a_card_at_its_live_token_limit_is_declined() {
    // GIVEN the card already holds the default limit of 10 live tokens
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    world.state.set_live_tokens(&fingerprint, 10);
    // WHEN another token is asked for
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN declined by the token limit, and the counter stays
    assert_eq!(outcome.decision, Decision::Declined);
    assert_eq!(
        world.state.decisions_of(TOKEN)[0].decided_by,
        RuleId::TokenLimit
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 10);
    assert!(world.publisher.events().is_empty());
}

#[tokio::test]
async fn re_authorizing_a_counted_token_does_not_count_it_twice() {
    // GIVEN a card at its limit, one of whose live tokens is this one
    let world = World::default().with_card(active_card());
    let authorize = world.authorize();
    let first = authorize
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    assert_eq!(first.decision, Decision::Approved);
    let fingerprint = world.fingerprint(PAN);
    world.state.set_live_tokens(&fingerprint, 10);
    // WHEN the same token is authorized again (a new request)
    let again = authorize
        .authorize(&authorize_command(
            "r2",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN it is approved, and the counter does not move
    assert_eq!(again.decision, Decision::Approved);
    assert_eq!(world.state.live_tokens(&fingerprint), 10);
    assert_eq!(world.state.decisions_of(TOKEN).len(), 2);
}

#[tokio::test]
async fn a_concurrent_request_taking_the_last_slot_turns_approval_into_decline() {
    // GIVEN a card one below its limit, and a concurrent request that takes
    // the last slot between our count and our write
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    world.state.set_live_tokens(&fingerprint, 9);
    let mut racing = RacingAuthorizations::new(world.state.clone());
    racing.fill_card_to = Some((fingerprint.clone(), 10));
    let racing = Arc::new(racing);
    // WHEN authorized
    let outcome = world
        .authorize_on(racing.clone())
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN the refused write is decided again on the full count: declined
    assert_eq!(outcome.decision, Decision::Declined);
    assert_eq!(racing.saves.load(Ordering::SeqCst), 2);
    let record = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(record.decided_by, RuleId::TokenLimit);
    assert_eq!(world.state.live_tokens(&fingerprint), 10);
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
    assert!(world.publisher.events().is_empty());
    let stored = world
        .state
        .ledger_entry(&crate::support::key(OPERATION, "r1"))
        .unwrap();
    assert!(
        stored.2.unwrap().contains("DECLINED"),
        "the stored answer is the decline"
    );
}

#[tokio::test]
async fn colliding_transactions_are_retried_with_backoff() {
    // GIVEN the first two writes collide with other transactions
    let world = World::default().with_card(active_card());
    let racing = Arc::new(RacingAuthorizations::new(world.state.clone()));
    racing.contention.store(2, Ordering::SeqCst);
    // WHEN authorized
    let outcome = world
        .authorize_on(racing.clone())
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN the third write lands, after two growing back-offs
    assert_eq!(outcome.decision, Decision::Approved);
    assert_eq!(racing.saves.load(Ordering::SeqCst), 3);
    assert_eq!(
        world.clock.slept(),
        vec![Duration::from_millis(10), Duration::from_millis(20)]
    );
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
    assert_eq!(world.publisher.events().len(), 1);
}

#[tokio::test]
async fn endless_contention_is_unavailable_and_releases_the_claim() {
    let world = World::default().with_card(active_card());
    let racing = Arc::new(RacingAuthorizations::new(world.state.clone()));
    racing.contention.store(100, Ordering::SeqCst);
    let result = world
        .authorize_on(racing.clone())
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert_eq!(racing.saves.load(Ordering::SeqCst), 6);
    nothing_written(&world, "r1", TOKEN);
}

#[tokio::test]
async fn too_many_attempts_in_24_hours_are_declined() {
    // GIVEN 5 attempts for this card and token requestor in the last hours
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    for i in 0..5 {
        let at = world.now() - time::Duration::hours(i + 1);
        world
            .state
            .record_attempt(&fingerprint, TOKEN_REQUESTOR, &format!("earlier-{i}"), at)
            .await
            .unwrap();
    }
    // AND one for another token requestor, which does not count
    world
        .state
        .record_attempt(&fingerprint, "99999999999", "elsewhere", world.now())
        .await
        .unwrap();
    // WHEN a sixth arrives
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN declined by velocity
    assert_eq!(outcome.decision, Decision::Declined);
    let record = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(record.decided_by, RuleId::Velocity);
    let velocity = record
        .rules
        .iter()
        .find(|r| r.rule == RuleId::Velocity)
        .unwrap();
    assert_eq!(velocity.inputs["attemptsIn24h"], "6");
}

#[tokio::test]
async fn the_fifth_attempt_within_24_hours_is_still_allowed() {
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    for i in 0..4 {
        world
            .state
            .record_attempt(
                &fingerprint,
                TOKEN_REQUESTOR,
                &format!("earlier-{i}"),
                world.now(),
            )
            .await
            .unwrap();
    }
    // an attempt of 25 h ago no longer counts
    world
        .state
        .record_attempt(
            &fingerprint,
            TOKEN_REQUESTOR,
            "old",
            world.now() - time::Duration::hours(25),
        )
        .await
        .unwrap();
    let outcome = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    assert_eq!(outcome.decision, Decision::Approved);
}

#[tokio::test]
async fn an_unavailable_issuer_writes_nothing_and_the_retry_runs_clean() {
    // GIVEN the issuer's API is down
    let world = World::default().with_card(active_card());
    world.cards.fail_with(Some(IssuerFault::Unavailable));
    let authorize = world.authorize();
    let card = TestCardData::entered(PAN);
    // WHEN the network asks
    let result = authorize
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await;
    // THEN Unavailable, and nothing was written (no attempt counted either)
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    nothing_written(&world, "r1", TOKEN);
    assert_eq!(
        world
            .state
            .attempts_recorded(&world.fingerprint(PAN), TOKEN_REQUESTOR),
        0
    );
    // WHEN the issuer is back and the network retries
    world.cards.fail_with(None);
    let retried = authorize
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await
        .unwrap();
    // THEN it is processed afresh
    assert_eq!(retried.decision, Decision::Approved);
    assert!(!retried.replayed);
    assert_eq!(world.cards.calls(), 2);
    assert_eq!(card.opened(), 2);
}

#[tokio::test]
async fn an_issuer_timeout_is_unavailable_too() {
    let world = World::default().with_card(active_card());
    world.cards.fail_with(Some(IssuerFault::Timeout));
    let result = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    nothing_written(&world, "r1", TOKEN);
}

#[tokio::test]
async fn refused_card_data_is_the_card_data_error_and_writes_nothing() {
    // GIVEN card data past its validity limit
    let world = World::default().with_card(active_card());
    let card = TestCardData::rejected(CardDataRejection::Expired);
    let result = world
        .authorize()
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await;
    // THEN that rejection, the issuer never asked, nothing written
    assert_eq!(result, Err(AppError::CardData(CardDataRejection::Expired)));
    assert_eq!(world.cards.calls(), 0);
    nothing_written(&world, "r1", TOKEN);
}

#[tokio::test]
async fn unusable_card_fields_are_an_input_error_and_write_nothing() {
    let world = World::default().with_card(active_card());
    let result = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::invalid_field("cardInfo.expiryMonth"),
        ))
        .await;
    match result {
        Err(AppError::Invalid(input)) => assert_eq!(input.field, "cardInfo.expiryMonth"),
        other => panic!("expected an input error, got {other:?}"),
    }
    assert_eq!(world.cards.calls(), 0);
    nothing_written(&world, "r1", TOKEN);
}

#[tokio::test]
async fn a_failed_write_releases_the_claim_and_the_retry_counts_one_attempt() {
    // GIVEN the state store fails the decision's transaction once
    let world = World::default().with_card(active_card());
    world.state.fail_next_commits(1);
    let authorize = world.authorize();
    let card = TestCardData::entered(PAN);
    let failed = authorize
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await;
    assert!(matches!(failed, Err(AppError::Unavailable(_))));
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert!(world.state.token_of(TOKEN).is_none());
    // WHEN the network retries
    let retried = authorize
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await
        .unwrap();
    // THEN approved, and the two attempts of one request count once
    assert_eq!(retried.decision, Decision::Approved);
    let fingerprint = world.fingerprint(PAN);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    let record = &world.state.decisions_of(TOKEN)[0];
    let velocity = record
        .rules
        .iter()
        .find(|r| r.rule == RuleId::Velocity)
        .unwrap();
    assert_eq!(velocity.inputs["attemptsIn24h"], "1");
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
}

#[tokio::test]
async fn a_retry_replays_the_answer_without_opening_counting_or_asking_again() {
    // GIVEN a yellow decision already answered
    let world = World::default().with_card(card_with_contact());
    let authorize = world.authorize();
    let card = TestCardData::entered(PAN);
    let first = authorize
        .authorize(&authorize_command("r1", TOKEN, yellow_wallet(), &card))
        .await
        .unwrap();
    // WHEN the network retries it (even after the card changed at the issuer)
    world.cards.set_card(
        PAN,
        tmp_core::domain::card::VerifiedCard {
            status: CardStatus::Blocked,
            ..card_with_contact()
        },
    );
    world.clock.advance(time::Duration::seconds(3));
    let again = authorize
        .authorize(&authorize_command("r1", TOKEN, yellow_wallet(), &card))
        .await
        .unwrap();
    // THEN the same answer, marked replayed
    assert!(again.replayed);
    assert_eq!(again.decision, first.decision);
    assert_eq!(again.activation_methods, first.activation_methods);
    assert_eq!(again.cvc_response, first.cvc_response);
    // AND the card data was opened once, the issuer asked once, one attempt counted
    assert_eq!(card.opened(), 1);
    assert_eq!(world.cards.calls(), 1);
    let fingerprint = world.fingerprint(PAN);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(world.state.decisions_of(TOKEN).len(), 1);
    assert_eq!(world.publisher.events().len(), 1);
}

#[tokio::test]
async fn a_request_id_reused_for_another_token_is_refused() {
    let world = World::default().with_card(active_card());
    let authorize = world.authorize();
    authorize
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    let other = TestCardData::entered(OTHER_PAN);
    let reused = authorize
        .authorize(&authorize_command(
            "r1",
            "another-token",
            green_wallet(),
            &other,
        ))
        .await;
    assert_eq!(reused.map(|o| o.decision), Err(AppError::RequestIdReused));
    assert_eq!(other.opened(), 0);
    assert!(world.state.token_of("another-token").is_none());
}

#[tokio::test]
async fn a_key_service_outage_while_sealing_the_contact_writes_nothing() {
    let world = World::default().with_card(card_with_contact());
    world.vault.fail(true);
    let result = world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            yellow_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert!(world.state.token_of(TOKEN).is_none());
    // the token store was never touched beyond the attempt
    assert!(world.state.token(TOKEN).await.unwrap().is_none());
}
