//! `AuthorizeTokenization`: open, verify, count, decide, persist, answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tmp_core::AppError;
use tmp_core::domain::card::{CardStatus, CvcResponse, CvcResult};
use tmp_core::domain::decision::{
    Decision, DecisionRecord, RuleId, RuleOutcome, RuleVerdict, WalletAdvice,
};
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Initiator, Suspender, TokenStatus};
use tmp_core::domain::velocity::Attempt;
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_core::error::CardDataRejection;
use tmp_core::ports::{KeyVault, TokenLifecycleStore};
use tmp_core::usecases::authorize::{
    AuthorizationOutcome, OPERATION, contact_context, open_contact,
};
use tmp_testkit::memory::IssuerFault;

use crate::support::{
    CALL_CENTRE, OTHER_PAN, PAN, RacingAuthorizations, TOKEN, TOKEN_REQUESTOR, TestCardData, World,
    active_card, authorize_command, card_with_contact, green_wallet, sealed_contact, state_of,
    token_record, yellow_wallet,
};

/// The rules in the order they are evaluated.
const RULE_ORDER: [RuleId; 9] = [
    RuleId::TokenReference,
    RuleId::Velocity,
    RuleId::CardVelocity,
    RuleId::CardStatus,
    RuleId::CardDataMatch,
    RuleId::TokenLimit,
    RuleId::WalletRiskDecline,
    RuleId::WalletRiskAuthenticate,
    RuleId::Approve,
];

/// The outcome of `rule` in `record`.
fn rule(record: &DecisionRecord, rule: RuleId) -> &RuleOutcome {
    record
        .rules
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("{rule:?} evaluated"))
}

/// Asserts a decline made before the issuer was asked: by `by`, no CVC2
/// result, no method, the issuer's rules not evaluated.
fn declined_unasked(outcome: &AuthorizationOutcome, record: &DecisionRecord, by: RuleId) {
    assert_eq!(outcome.decision, Decision::Declined);
    assert_eq!(
        outcome.cvc_response, None,
        "nothing about the card is revealed"
    );
    assert!(outcome.activation_methods.is_empty());
    assert_eq!(
        (record.decision, record.decided_by),
        (Decision::Declined, by)
    );
    for issuer_rule in [RuleId::CardStatus, RuleId::CardDataMatch] {
        assert_eq!(
            rule(record, issuer_rule).verdict,
            RuleVerdict::NotEvaluated,
            "{issuer_rule:?}"
        );
    }
}

/// `n` attempts for `requestor`, `age` old, with ids `<prefix>-<i>`.
fn attempts(
    world: &World,
    prefix: &str,
    requestor: &str,
    n: usize,
    age: time::Duration,
) -> Vec<Attempt> {
    (0..n)
        .map(|i| Attempt {
            request_id: format!("{prefix}-{i}"),
            token_requestor_id: requestor.to_owned(),
            at: world.now() - age,
        })
        .collect()
}

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
    assert!(world.committed_events().is_empty(), "nothing published");
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
    // AND the device as the network described it, for the issuer's look-ups
    let device = world.token_queries().token(TOKEN).await.unwrap().device;
    assert_eq!(
        (
            device.name.as_deref(),
            device.kind.as_deref(),
            device.os.as_deref()
        ),
        (Some("Jane's phone"), Some("PHONE"), Some("ANDROID"))
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    // AND the decision is kept with every one of its 9 rules, in order, all passed
    let decisions = world.state.decisions_of(TOKEN);
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].decision, Decision::Approved);
    let order: Vec<RuleId> = decisions[0].rules.iter().map(|r| r.rule).collect();
    assert_eq!(order, RULE_ORDER);
    assert!(
        decisions[0].rules[..8]
            .iter()
            .all(|r| r.verdict == RuleVerdict::Pass),
        "{:?}",
        decisions[0].rules
    );
    assert_eq!(
        rule(&decisions[0], RuleId::TokenReference).inputs["referenceUsable"],
        "true"
    );
    assert_eq!(
        rule(&decisions[0], RuleId::Velocity).inputs["attemptsIn24h"],
        "1"
    );
    assert_eq!(
        rule(&decisions[0], RuleId::CardVelocity).inputs["cardAttemptsIn24h"],
        "1"
    );
    assert_eq!(
        rule(&decisions[0], RuleId::CardVelocity).inputs["limit"],
        "10"
    );
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from, history[0].to, history[0].applied),
        (None, TokenStatus::Inactive, true)
    );
    assert_eq!(history[0].event_time, None);
    // AND TOKEN_AUTHORIZED is published once and marked in the outbox
    let published = world.committed_events();
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
    assert_eq!(world.outbox(TOKEN), vec![(event.clone(), false)]);
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
    assert!(world.committed_events().is_empty());
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
    assert_eq!(
        rule(record, RuleId::CardStatus).inputs["cardKnown"],
        "false"
    );
    assert_eq!(
        rule(record, RuleId::CardStatus).verdict,
        RuleVerdict::Decline
    );
    // the issuer was asked: its rules are evaluated, the velocity ones passed
    assert_eq!(world.cards.calls(), 1);
    assert_eq!(
        rule(record, RuleId::CardVelocity).verdict,
        RuleVerdict::Pass
    );
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
    assert!(world.committed_events().is_empty());
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
    let sealed = world.state.contact_ciphertext_of(TOKEN).unwrap();
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
    let published = world.committed_events();
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
    assert!(world.committed_events().is_empty());
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
    let decisions = world.state.decisions_of(TOKEN);
    assert_eq!(decisions.len(), 2);
    assert_eq!(
        rule(&decisions[1], RuleId::TokenLimit).inputs["liveTokens"],
        "9"
    );
    // AND the token keeps its status: the history says INACTIVE to INACTIVE
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Inactive
    );
    let history = world.state.history_of(TOKEN);
    assert_eq!(
        (history[1].from, history[1].to, history[1].applied),
        (Some(TokenStatus::Inactive), TokenStatus::Inactive, true)
    );
}

#[tokio::test]
async fn re_authorizing_a_live_token_never_resets_it() {
    // GIVEN an ACTIVE-then-suspended token of the card (issuer's suspension),
    // with contact details sealed on it and authorized yellow long ago
    let world = World::default().with_card(card_with_contact());
    let fingerprint = world.fingerprint(PAN);
    let mut record = token_record(TOKEN, TokenStatus::Suspended, Some(fingerprint.clone()));
    record.state = state_of(TokenStatus::Suspended, &[Suspender::Issuer]);
    record.authorization_decision = Some(Decision::RequireAdditionalAuthentication);
    let contact = sealed_contact(TOKEN, Some("+44 7700 900999"), None);
    world
        .state
        .seed_token(record.clone(), Some(contact.clone()));
    world.state.set_live_tokens(&fingerprint, 1);
    let facts_before = world.state.authorization_of(TOKEN);
    let attributes_before = world.state.attributes_of(TOKEN);
    // WHEN the network asks to authorize that token reference again, green
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
    // THEN the issuer is asked and the answer is approved, with the CVC2 result
    assert_eq!(outcome.decision, Decision::Approved);
    assert_eq!(outcome.cvc_response, Some(CvcResponse::Match));
    assert_eq!(world.cards.calls(), 1);
    // AND the token is exactly as it was: status, suspenders, version,
    // contact, attributes and authorization facts
    assert_eq!(
        world.state.token_of(TOKEN).unwrap(),
        record_as_stored(&record)
    );
    assert_eq!(world.state.contact_ciphertext_of(TOKEN), Some(contact));
    assert_eq!(world.state.authorization_of(TOKEN), facts_before);
    assert_eq!(world.state.attributes_of(TOKEN), attributes_before);
    // AND it is not counted again
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(
        rule(&world.state.decisions_of(TOKEN)[0], RuleId::TokenLimit).inputs["liveTokens"],
        "0"
    );
    // AND the decision and a history line SUSPENDED to SUSPENDED are written
    assert_eq!(world.state.decisions_of(TOKEN).len(), 1);
    let history = world.state.history_of(TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from, history[0].to, history[0].applied),
        (Some(TokenStatus::Suspended), TokenStatus::Suspended, true)
    );
    // AND TOKEN_AUTHORIZED carries the status the token keeps
    let published = world.committed_events();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].status, Some(TokenStatus::Suspended));
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

/// `record` as the store reads a seeded token back.
fn record_as_stored(record: &tmp_core::ports::TokenRecord) -> tmp_core::ports::TokenRecord {
    tmp_core::ports::TokenRecord {
        has_contact: true,
        ..record.clone()
    }
}

#[tokio::test]
async fn a_token_reference_of_another_card_is_declined_and_that_token_untouched() {
    // GIVEN TOKEN authorized for PAN, awaiting activation
    let world = World::default().with_card(active_card());
    world.cards.set_card(OTHER_PAN, active_card());
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
    let theirs = world.token_state(TOKEN);
    let published = world.committed_events();
    // WHEN another card asks for the very same token reference
    let other = TestCardData::entered(OTHER_PAN);
    let outcome = authorize
        .authorize(&authorize_command("r2", TOKEN, green_wallet(), &other))
        .await
        .unwrap();
    // THEN declined by the token-reference rule, without asking the issuer
    assert_eq!(outcome.decision, Decision::Declined);
    assert_eq!(outcome.cvc_response, None);
    assert!(outcome.activation_methods.is_empty());
    assert_eq!(world.cards.calls(), 1, "only the first request asked");
    // AND nothing of the other card's token changed: no decision, no history,
    // no event, status, contact and facts as they were
    assert_eq!(world.token_state(TOKEN), theirs);
    assert_eq!(world.committed_events(), published);
    // AND PAN's card is as it was
    let fingerprint = world.fingerprint(PAN);
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    // AND the asking card counts the attempt, and no token
    let other_fingerprint = world.fingerprint(OTHER_PAN);
    assert_eq!(
        world
            .state
            .attempts_recorded(&other_fingerprint, TOKEN_REQUESTOR),
        1
    );
    assert_eq!(world.state.live_tokens(&other_fingerprint), 0);
    // AND the request is completed with the decline, replayed as such
    let stored = world.ledger_entry(OPERATION, "r2").unwrap();
    assert_eq!(stored.0, "COMPLETED");
    assert!(stored.2.unwrap().contains("DECLINED"));
    let replayed = authorize
        .authorize(&authorize_command("r2", TOKEN, green_wallet(), &other))
        .await
        .unwrap();
    assert!(replayed.replayed);
    assert_eq!(replayed.decision, Decision::Declined);
    assert_eq!(
        world
            .state
            .attempts_recorded(&other_fingerprint, TOKEN_REQUESTOR),
        1,
        "the replay counts nothing"
    );
}

#[tokio::test]
async fn a_deleted_or_declined_token_is_never_re_authorized() {
    for status in [TokenStatus::Deactivated, TokenStatus::Declined] {
        // GIVEN the card's token, deleted (or declined at its authorization)
        let world = World::default().with_card(active_card());
        let fingerprint = world.fingerprint(PAN);
        world.seed_token(status);
        let before = world.token_state(TOKEN);
        // WHEN the network asks to authorize that token reference again
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
        // THEN declined without asking the issuer, nothing revealed
        assert_eq!(outcome.decision, Decision::Declined, "{status:?}");
        assert_eq!(outcome.cvc_response, None, "{status:?}");
        assert!(outcome.activation_methods.is_empty(), "{status:?}");
        assert_eq!(world.cards.calls(), 0, "{status:?}");
        // AND the token is untouched: no decision, history or event on it
        assert_eq!(world.token_state(TOKEN), before, "{status:?}");
        assert!(world.committed_events().is_empty(), "{status:?}");
        // AND the attempt is counted on the card, nothing else
        assert_eq!(
            world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
            1,
            "{status:?}"
        );
        assert_eq!(world.state.live_tokens(&fingerprint), 0, "{status:?}");
        assert_eq!(
            world.ledger_state(OPERATION, "r1").as_deref(),
            Some("COMPLETED"),
            "{status:?}"
        );
    }
}

#[tokio::test]
async fn a_token_declined_here_is_declined_again_by_its_reference() {
    // GIVEN a token declined because the card was lost
    let world = World::default().with_card(tmp_core::domain::card::VerifiedCard {
        status: CardStatus::Lost,
        ..active_card()
    });
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
    assert_eq!(first.decision, Decision::Declined);
    let before = world.token_state(TOKEN);
    // WHEN the card is found and the same token reference is asked for again
    world.cards.set_card(PAN, active_card());
    let again = authorize
        .authorize(&authorize_command(
            "r2",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN still declined, the issuer not asked again, the token untouched
    assert_eq!(again.decision, Decision::Declined);
    assert_eq!(again.cvc_response, None);
    assert_eq!(world.cards.calls(), 1);
    assert_eq!(world.token_state(TOKEN), before);
    assert_eq!(world.state.decisions_of(TOKEN).len(), 1);
    assert_eq!(
        world
            .state
            .attempts_recorded(&world.fingerprint(PAN), TOKEN_REQUESTOR),
        2
    );
}

#[tokio::test]
async fn a_concurrent_request_taking_the_last_slot_turns_approval_into_decline() {
    // GIVEN a card one below its limit, and a concurrent request that takes
    // the last slot between our read and our write
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    world.state.set_live_tokens(&fingerprint, 9);
    let racing = RacingAuthorizations::new(world.state.clone());
    *racing.fill_card_to.lock().unwrap() = Some((fingerprint.clone(), 10));
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
    // THEN the refused write is decided again on what was read anew: declined
    assert_eq!(outcome.decision, Decision::Declined);
    assert_eq!(racing.saves.load(Ordering::SeqCst), 2);
    assert_eq!(racing.snapshots.load(Ordering::SeqCst), 2);
    // AND the issuer was asked once, whatever the rounds
    assert_eq!(world.cards.calls(), 1);
    let record = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(world.state.decisions_of(TOKEN).len(), 1);
    assert_eq!(record.decided_by, RuleId::TokenLimit);
    assert_eq!(world.state.live_tokens(&fingerprint), 10);
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    assert!(world.committed_events().is_empty());
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
async fn a_concurrent_request_for_the_same_card_is_counted_in_ours() {
    // GIVEN another request for the same card that commits between our read
    // and our write
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    let racing = RacingAuthorizations::new(world.state.clone());
    *racing.interloper.lock().unwrap() = Some((
        world.authorize(),
        authorize_command(
            "other",
            "another-token",
            green_wallet(),
            &TestCardData::entered(PAN),
        ),
    ));
    let racing = Arc::new(racing);
    // WHEN ours is decided
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
    // THEN ours lost the first write, re-read and counted the other one too
    assert_eq!(outcome.decision, Decision::Approved);
    assert_eq!(racing.saves.load(Ordering::SeqCst), 2);
    let record = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(rule(record, RuleId::Velocity).inputs["attemptsIn24h"], "2");
    assert_eq!(
        rule(record, RuleId::CardVelocity).inputs["cardAttemptsIn24h"],
        "2"
    );
    assert_eq!(rule(record, RuleId::TokenLimit).inputs["liveTokens"], "1");
    // AND both tokens and both attempts are on the card, exactly
    assert_eq!(world.state.live_tokens(&fingerprint), 2);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        2
    );
    // AND each request asked the issuer once
    assert_eq!(world.cards.calls(), 2);
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
    // THEN the third write lands, after two growing back-offs, each round
    // reading afresh but asking the issuer once
    assert_eq!(outcome.decision, Decision::Approved);
    assert_eq!(racing.saves.load(Ordering::SeqCst), 3);
    assert_eq!(racing.snapshots.load(Ordering::SeqCst), 3);
    assert_eq!(
        world.clock.slept(),
        vec![Duration::from_millis(5), Duration::from_millis(10)]
    );
    assert_eq!(world.cards.calls(), 1);
    assert_eq!(world.state.live_tokens(&world.fingerprint(PAN)), 1);
    assert_eq!(
        world
            .state
            .attempts_recorded(&world.fingerprint(PAN), TOKEN_REQUESTOR),
        1
    );
    assert_eq!(world.committed_events().len(), 1);
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
    // 32 rounds, backing off up to 25 ms, the issuer asked once
    assert_eq!(racing.saves.load(Ordering::SeqCst), 32);
    let slept = world.clock.slept();
    assert_eq!(slept.len(), 32);
    assert_eq!(slept.iter().max(), Some(&Duration::from_millis(25)));
    assert_eq!(world.cards.calls(), 1);
    nothing_written(&world, "r1", TOKEN);
    assert_eq!(
        world
            .state
            .attempts_recorded(&world.fingerprint(PAN), TOKEN_REQUESTOR),
        0
    );
}

#[tokio::test]
async fn too_many_attempts_in_24_hours_are_declined_without_asking_the_issuer() {
    // GIVEN 5 attempts for this card and token requestor in the last hours
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    for i in 0..5 {
        let earlier = attempts(
            &world,
            &format!("earlier-{i}"),
            TOKEN_REQUESTOR,
            1,
            time::Duration::hours(i + 1),
        );
        world.seed_attempts(&fingerprint, &earlier).await;
    }
    // AND one for another token requestor, which does not count per requestor
    let elsewhere = attempts(&world, "elsewhere", "99999999999", 1, time::Duration::ZERO);
    world.seed_attempts(&fingerprint, &elsewhere).await;
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
    // THEN declined by velocity, before the issuer is asked, nothing revealed
    let record = &world.state.decisions_of(TOKEN)[0];
    declined_unasked(&outcome, record, RuleId::Velocity);
    assert_eq!(world.cards.calls(), 0);
    let velocity = rule(record, RuleId::Velocity);
    assert_eq!(velocity.inputs["attemptsIn24h"], "6");
    assert_eq!(velocity.inputs["limit"], "5");
    assert_eq!(velocity.verdict, RuleVerdict::Decline);
    // the card-wide count includes the other requestor, within its limit
    let card = rule(record, RuleId::CardVelocity);
    assert_eq!(card.inputs["cardAttemptsIn24h"], "7");
    assert_eq!(card.verdict, RuleVerdict::Pass);
    // AND the token is DECLINED, not counted, and the attempt is counted
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
    assert!(
        world
            .state
            .authorization_of(TOKEN)
            .unwrap()
            .issuer_card_id
            .is_none()
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 0);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        6
    );
    assert!(world.committed_events().is_empty());
}

#[tokio::test]
async fn the_fifth_attempt_within_24_hours_is_still_allowed() {
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    let recent = attempts(&world, "earlier", TOKEN_REQUESTOR, 4, time::Duration::ZERO);
    world.seed_attempts(&fingerprint, &recent).await;
    // an attempt of 25 h ago no longer counts
    let old = attempts(&world, "old", TOKEN_REQUESTOR, 1, time::Duration::hours(25));
    world.seed_attempts(&fingerprint, &old).await;
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        5
    );
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
    let record = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(rule(record, RuleId::Velocity).inputs["attemptsIn24h"], "5");
    // AND the old attempt left the aggregate with this decision
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        5
    );
}

#[tokio::test]
async fn the_card_wide_limit_declines_across_requestors_without_asking_the_issuer() {
    // GIVEN 10 authorizations of the card in 24 h, spread over three token
    // requestors so that none of them reaches its own limit of 5 (every
    // other one declined by its wallet, all of them decided by the issuer)
    let world = World::default().with_card(active_card());
    let fingerprint = world.fingerprint(PAN);
    let authorize = world.authorize();
    let requestors = ["11111111111", "22222222222", "33333333333"];
    let risky = WalletAdvice {
        recommended_decision: Some(Decision::Declined),
        ..green_wallet()
    };
    for i in 0..10 {
        world.clock.advance(time::Duration::minutes(10));
        let wallet = if i % 2 == 0 { green_wallet() } else { risky };
        let mut command = authorize_command(
            &format!("r{i}"),
            &format!("token-{i}"),
            wallet,
            &TestCardData::entered(PAN),
        );
        command.token_requestor_id = Some(requestors[i % 3].to_owned());
        let outcome = authorize.authorize(&command).await.unwrap();
        let expected = if i % 2 == 0 {
            Decision::Approved
        } else {
            Decision::Declined
        };
        assert_eq!(outcome.decision, expected, "attempt {i}");
        assert!(
            outcome.cvc_response.is_some(),
            "attempt {i}: the issuer answered"
        );
    }
    assert_eq!(world.cards.calls(), 10);
    let published = world.committed_events().len();
    // WHEN an 11th arrives, from a requestor with no attempt yet
    world.clock.advance(time::Duration::minutes(10));
    let card = TestCardData::entered(PAN);
    let outcome = authorize
        .authorize(&authorize_command("r10", TOKEN, green_wallet(), &card))
        .await
        .unwrap();
    // THEN declined by the card-wide rule, the issuer never asked, no CVC2 result
    let record = &world.state.decisions_of(TOKEN)[0];
    declined_unasked(&outcome, record, RuleId::CardVelocity);
    assert_eq!(world.cards.calls(), 10);
    let card_rule = rule(record, RuleId::CardVelocity);
    assert_eq!(card_rule.inputs["cardAttemptsIn24h"], "11");
    assert_eq!(card_rule.inputs["limit"], "10");
    assert_eq!(card_rule.verdict, RuleVerdict::Decline);
    let own = rule(record, RuleId::Velocity);
    assert_eq!(own.inputs["attemptsIn24h"], "1");
    assert_eq!(own.verdict, RuleVerdict::Pass);
    // AND the token is DECLINED, the attempt counted, nothing announced
    assert_eq!(
        world.state.token_of(TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 5);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    assert_eq!(world.committed_events().len(), published);
    assert_eq!(card.opened(), 1);
    // WHEN the day's first three attempts have left the 24 h window
    world
        .clock
        .advance(time::Duration::hours(24) - time::Duration::minutes(80));
    let later = authorize
        .authorize(&authorize_command(
            "r11",
            "token-later",
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    // THEN the issuer is asked again and the card may be tokenized
    assert_eq!(later.decision, Decision::Approved);
    assert_eq!(later.cvc_response, Some(CvcResponse::Match));
    assert_eq!(world.cards.calls(), 11);
    let record = &world.state.decisions_of("token-later")[0];
    assert_eq!(
        rule(record, RuleId::CardVelocity).inputs["cardAttemptsIn24h"],
        "9"
    );
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
    // THEN that rejection, the issuer never asked, nothing written or counted
    assert_eq!(result, Err(AppError::CardData(CardDataRejection::Expired)));
    assert_eq!(world.cards.calls(), 0);
    nothing_written(&world, "r1", TOKEN);
    assert_eq!(
        world
            .state
            .attempts_recorded(&world.fingerprint(PAN), TOKEN_REQUESTOR),
        0
    );
}

#[tokio::test]
async fn unusable_card_fields_are_the_card_data_error_and_write_nothing() {
    // GIVEN card data that decrypts but holds an invalid field
    let world = World::default().with_card(active_card());
    let card = TestCardData::invalid_card_fields();
    // WHEN the network asks
    let result = world
        .authorize()
        .authorize(&authorize_command("r1", TOKEN, green_wallet(), &card))
        .await;
    // THEN refused like undecryptable data (no field named), nothing asked or written
    assert_eq!(
        result,
        Err(AppError::CardData(CardDataRejection::InvalidCardData))
    );
    assert_eq!(card.opened(), 1);
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
    assert_eq!(rule(record, RuleId::Velocity).inputs["attemptsIn24h"], "1");
    assert_eq!(
        rule(record, RuleId::CardVelocity).inputs["cardAttemptsIn24h"],
        "1"
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
}

#[tokio::test]
async fn a_retry_replays_the_answer_without_counting_or_asking_again() {
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
    // AND the issuer was asked once and one attempt counted (the card data is
    // opened again, in memory: its fingerprint keys the one batched read)
    assert_eq!(card.opened(), 2);
    assert_eq!(world.cards.calls(), 1);
    let fingerprint = world.fingerprint(PAN);
    assert_eq!(
        world.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
        1
    );
    assert_eq!(world.state.live_tokens(&fingerprint), 1);
    assert_eq!(world.state.decisions_of(TOKEN).len(), 1);
    assert_eq!(world.committed_events().len(), 1);
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
    assert_eq!(
        world.cards.calls(),
        1,
        "the issuer is not asked for the reuse"
    );
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
    // the token store was never touched: not even the attempt is counted
    assert!(world.state.token(TOKEN).await.unwrap().is_none());
    assert_eq!(
        world
            .state
            .attempts_recorded(&world.fingerprint(PAN), TOKEN_REQUESTOR),
        0
    );
}
