//! Handler tests over the real use case and in-memory ports: each sample
//! decision path, undecryptable payloads, retries, and the shared refusals.

use serde_json::{Value, json};
use tmp_core::AppError;
use tmp_core::domain::Network;
use tmp_core::domain::card::{CvcResult, VerifiedCard};
use tmp_core::domain::decision::{Decision, RuleId};
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Initiator, TokenStatus};
use tmp_core::error::CardDataRejection;
use tmp_core::usecases::authorize::OPERATION;
use tmp_mdes::MdesError;
use tmp_mdes::error::CRYPTOGRAPHY_ERROR_DESCRIPTION;
use tmp_mdes::fle::LegacyForms;

use crate::testing::{
    AUTHORIZE, CALL_CENTRE, Fixture, FunctionUnderTest, JANE_PAN, LOST_PAN, NO_CONTACT_PAN, NOW,
    PHONE_ONLY_PAN, REFUSED_PAYLOADS, TOKEN_REQUESTOR, YELLOW_TOKEN, assert_answers,
    assert_refusals, cryptography_error, jane, sample_body, sample_request_id, sample_token,
};

const GREEN_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000001";

fn call_centre() -> Value {
    json!({"type": "CARDHOLDER_TO_CALL_MANNED_NUMBER", "value": CALL_CENTRE})
}

#[tokio::test]
async fn green_card_is_approved_with_a_matching_cvc() {
    // GIVEN the issuer knows Jane's card as active, and a trusting wallet
    let fx = Fixture::new();
    // WHEN MDES asks to tokenize it THEN APPROVED, CVC2 MATCH, no activation methods
    let expected = json!({
        "responseId": "sample-as-0001",
        "services": ["DIGITIZATION"],
        "decision": "APPROVED",
        "cvcResponse": "MATCH",
    });
    assert_answers(
        &fx.authorize_service_handler(),
        AUTHORIZE,
        "green-approved",
        expected,
    )
    .await;
    // AND the decision is recorded with the rule that made it
    let decisions = fx.state.decisions_of(GREEN_TOKEN);
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].decision, Decision::Approved);
    assert_eq!(decisions[0].decided_by, RuleId::Approve);
    // AND the token awaits activation, counted against Jane's card, contact sealed
    let fingerprint = fx.fingerprint(JANE_PAN);
    let token = fx.state.token_of(GREEN_TOKEN).unwrap();
    assert_eq!(token.network, Network::Mastercard);
    assert_eq!(token.state.status, TokenStatus::Inactive);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(token.pan_last4.as_deref(), Some("4444"));
    assert_eq!(token.token_requestor_id.as_deref(), Some(TOKEN_REQUESTOR));
    assert!(token.has_contact);
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
    let facts = fx.state.authorization_of(GREEN_TOKEN).unwrap();
    assert_eq!(facts.correlation_id, "C000000000001");
    assert_eq!(facts.issuer_card_id.as_deref(), Some("card-0001"));
    assert!(facts.live);
    // AND its history says who decided, when, for which request
    let history = fx.state.history_of(GREEN_TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].at, NOW);
    assert_eq!(history[0].operation, OPERATION);
    assert_eq!(history[0].initiator, Initiator::Tsp);
    assert_eq!(history[0].reason_code.as_deref(), Some("APPROVE"));
    assert_eq!(history[0].source_request_id, "sample-as-0001");
    assert_eq!(history[0].from, None);
    assert_eq!(history[0].to, TokenStatus::Inactive);
    assert!(history[0].applied);
    // AND TOKEN_AUTHORIZED was committed once to the outbox, for the stream's publisher
    let published = fx.committed_events();
    assert_eq!(published.len(), 1);
    let event = &published[0];
    assert_eq!(event.event_type, TokenEventType::TokenAuthorized);
    assert_eq!(event.token_unique_reference, GREEN_TOKEN);
    assert_eq!(event.status, Some(TokenStatus::Inactive));
    assert_eq!(event.initiator, Some(Initiator::Tsp));
    assert_eq!(event.pan_last4.as_deref(), Some("4444"));
    assert_eq!(event.source_request_id.as_deref(), Some("sample-as-0001"));
    assert_eq!(event.details["decision"], "APPROVED");
    assert_eq!(fx.state.events_of(GREEN_TOKEN), [(event.clone(), false)]);
    assert_eq!(
        fx.publisher.attempts(),
        0,
        "the request publishes nothing itself"
    );
    // AND the request is completed in the ledger
    let (state, _, _) = fx.ledger_entry(OPERATION, "sample-as-0001").unwrap();
    assert_eq!(state, "COMPLETED");
}

#[tokio::test]
async fn a_retry_replays_the_same_answer_and_counts_one_attempt() {
    // GIVEN an answered request
    let fx = Fixture::new();
    let (status, first) = fx.send_sample(AUTHORIZE, "green-approved").await;
    assert_eq!(status, 200, "{first}");
    // WHEN MDES retries it with the same requestId
    let (status, retried) = fx.send_sample(AUTHORIZE, "green-approved").await;
    // THEN the very same body comes back
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried, first);
    // AND it counted once: one attempt, one issuer call, one decision, one event
    let fingerprint = fx.fingerprint(JANE_PAN);
    assert_eq!(fx.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR), 1);
    assert_eq!(fx.cards.calls(), 1);
    assert_eq!(fx.state.decisions_of(GREEN_TOKEN).len(), 1);
    assert_eq!(fx.state.history_of(GREEN_TOKEN).len(), 1);
    assert_eq!(fx.committed_events().len(), 1);
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
}

#[tokio::test]
async fn yellow_offers_the_masked_phone_and_email_then_the_call_centre() {
    // GIVEN Jane's card (phone and e-mail on file) and a doubtful wallet
    let fx = Fixture::new();
    // WHEN MDES asks THEN additional authentication, with the methods in order
    let expected = json!({
        "responseId": "sample-as-0002",
        "services": ["DIGITIZATION"],
        "decision": "REQUIRE_ADDITIONAL_AUTHENTICATION",
        "activationMethods": [
            {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0123"},
            {"type": "EMAIL_TO_CARDHOLDER_ADDRESS", "value": "j***@e***.com"},
            call_centre(),
        ],
        "cvcResponse": "MATCH",
    });
    assert_answers(
        &fx.authorize_service_handler(),
        AUTHORIZE,
        "yellow-sms-and-email",
        expected,
    )
    .await;
    // AND the wallet's doubt is the recorded reason; the token is live and has Jane's contact
    let facts = fx.state.authorization_of(YELLOW_TOKEN).unwrap();
    assert_eq!(facts.decision, Decision::RequireAdditionalAuthentication);
    assert_eq!(facts.decided_by, RuleId::WalletRiskAuthenticate);
    let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Inactive);
    assert!(token.has_contact);
    let history = fx.state.history_of(YELLOW_TOKEN);
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0].reason_code.as_deref(),
        Some("WALLET_RISK_AUTHENTICATE")
    );
    assert_eq!(fx.committed_events().len(), 1);
}

#[tokio::test]
async fn orange_offers_only_the_call_centre() {
    // GIVEN a card the issuer holds no contact details for, and a doubtful wallet
    let fx = Fixture::new();
    // WHEN MDES asks THEN additional authentication through the call centre only
    let expected = json!({
        "responseId": "sample-as-0003",
        "services": ["DIGITIZATION"],
        "decision": "REQUIRE_ADDITIONAL_AUTHENTICATION",
        "activationMethods": [call_centre()],
        "cvcResponse": "MATCH",
    });
    assert_answers(
        &fx.authorize_service_handler(),
        AUTHORIZE,
        "orange-call-centre-only",
        expected,
    )
    .await;
    // AND no contact is sealed on the token
    let token_ref = sample_token(AUTHORIZE, "orange-call-centre-only");
    let token = fx.state.token_of(&token_ref).unwrap();
    assert!(!token.has_contact);
    assert_eq!(token.pan_fingerprint, Some(fx.fingerprint(NO_CONTACT_PAN)));
}

#[tokio::test]
async fn an_aes256_payload_without_cvc_is_opened() {
    // GIVEN a payload encrypted with AES-256, for a card without CVC2
    let fx = Fixture::new();
    // WHEN MDES asks THEN it is decided (phone on file) and no cvcResponse is given
    let expected = json!({
        "responseId": "sample-as-0004",
        "services": ["DIGITIZATION"],
        "decision": "REQUIRE_ADDITIONAL_AUTHENTICATION",
        "activationMethods": [
            {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0456"},
            call_centre(),
        ],
    });
    assert_answers(
        &fx.authorize_service_handler(),
        AUTHORIZE,
        "yellow-aes256",
        expected,
    )
    .await;
    let token_ref = sample_token(AUTHORIZE, "yellow-aes256");
    assert_eq!(
        fx.state.token_of(&token_ref).unwrap().pan_fingerprint,
        Some(fx.fingerprint(PHONE_ONLY_PAN))
    );
}

#[tokio::test]
async fn red_paths_are_declined_by_the_rule_that_failed() {
    let mismatched_cvc = VerifiedCard {
        cvc_result: CvcResult::Mismatch,
        ..jane()
    };
    let mismatched_expiry = VerifiedCard {
        expiry_match: false,
        ..jane()
    };
    // (sample, what the issuer answers for Jane's card, deciding rule, card, cvcResponse)
    let cases = [
        (
            "red-card-lost",
            None,
            RuleId::CardStatus,
            LOST_PAN,
            Some("MATCH"),
        ),
        (
            "red-cvc-mismatch",
            Some(mismatched_cvc),
            RuleId::CardDataMatch,
            JANE_PAN,
            Some("INVALID"),
        ),
        (
            "red-expiry-mismatch",
            Some(mismatched_expiry),
            RuleId::CardDataMatch,
            JANE_PAN,
            Some("MATCH"),
        ),
        (
            "red-wallet-declined",
            None,
            RuleId::WalletRiskDecline,
            JANE_PAN,
            Some("MATCH"),
        ),
        (
            "red-unknown-card",
            None,
            RuleId::CardStatus,
            "5204740000001002",
            None,
        ),
    ];
    for (sample, issuer_answer, rule, card, cvc_response) in cases {
        // GIVEN the issuer's view of the sample's card
        let fx = Fixture::new();
        if let Some(answer) = issuer_answer {
            fx.cards.set_card(JANE_PAN, answer);
        }
        // WHEN MDES asks THEN DECLINED, with no activation method
        let mut expected = json!({
            "responseId": sample_request_id(AUTHORIZE, sample),
            "services": ["DIGITIZATION"],
            "decision": "DECLINED",
        });
        if let Some(cvc) = cvc_response {
            expected["cvcResponse"] = json!(cvc);
        }
        assert_answers(&fx.authorize_service_handler(), AUTHORIZE, sample, expected).await;
        // AND the failing rule decided; the token is DECLINED and not counted
        let token_ref = sample_token(AUTHORIZE, sample);
        let decisions = fx.state.decisions_of(&token_ref);
        assert_eq!(decisions.len(), 1, "{sample}");
        assert_eq!(decisions[0].decision, Decision::Declined, "{sample}");
        assert_eq!(decisions[0].decided_by, rule, "{sample}");
        let token = fx.state.token_of(&token_ref).unwrap();
        assert_eq!(token.state.status, TokenStatus::Declined, "{sample}");
        assert_eq!(fx.state.live_tokens(&fx.fingerprint(card)), 0, "{sample}");
        assert_eq!(
            fx.state.history_of(&token_ref)[0].to,
            TokenStatus::Declined,
            "{sample}"
        );
        // AND nothing is announced
        assert!(fx.committed_events().is_empty(), "{sample}");
        assert!(fx.state.events_of(&token_ref).is_empty(), "{sample}");
    }
}

#[tokio::test]
async fn unusable_payloads_are_one_and_the_same_cryptography_error_and_leave_no_trace() {
    // every card-data rejection maps to the very same MDES error
    let rejections = [
        CardDataRejection::UnknownKey,
        CardDataRejection::Undecryptable,
        CardDataRejection::NotCardData,
        CardDataRejection::ValidityUnreadable,
        CardDataRejection::Expired,
        CardDataRejection::ValidityTooFarAhead,
        CardDataRejection::InvalidCardData,
        CardDataRejection::RefusedAlgorithm,
    ];
    for rejection in rejections {
        assert_eq!(
            MdesError::from(AppError::CardData(rejection)),
            MdesError::crypto(CRYPTOGRAPHY_ERROR_DESCRIPTION),
            "{rejection:?}"
        );
    }
    let mut answers = std::collections::BTreeSet::new();
    for sample in REFUSED_PAYLOADS {
        // GIVEN a payload for another key, whose key cannot be unwrapped, in a
        // refused legacy form (PKCS#1 v1.5 wrap, no IV), holding an invalid
        // card field, or past its validity
        let fx = Fixture::new();
        // WHEN MDES sends it THEN 400 CRYPTOGRAPHY_ERROR, the one description
        let (status, body) = fx.send_sample(AUTHORIZE, sample).await;
        assert_eq!(status, 400, "{sample}: {body}");
        let request_id = sample_request_id(AUTHORIZE, sample);
        assert_eq!(body, cryptography_error(&request_id), "{sample}");
        let mut without_id = body.clone();
        without_id["responseId"] = json!(null);
        answers.insert(without_id.to_string());
        // AND nothing was written or asked: no token, no attempt, claim released
        let token_ref = sample_token(AUTHORIZE, sample);
        assert_eq!(fx.state.token_of(&token_ref), None, "{sample}");
        assert!(fx.state.decisions_of(&token_ref).is_empty(), "{sample}");
        assert!(fx.state.history_of(&token_ref).is_empty(), "{sample}");
        let fingerprint = fx.fingerprint(JANE_PAN);
        assert_eq!(
            fx.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR),
            0,
            "{sample}"
        );
        assert_eq!(fx.cards.calls(), 0, "{sample}");
        assert_eq!(fx.ledger_entry(OPERATION, &request_id), None, "{sample}");
        assert!(fx.committed_events().is_empty(), "{sample}");
    }
    // AND every reason gets the very same answer (no oracle)
    assert_eq!(answers.len(), 1, "{answers:?}");
}

#[tokio::test]
async fn legacy_forms_are_decided_once_the_issuer_accepts_them() {
    for (sample, legacy) in [
        (
            "crypto-pkcs1-key-wrap",
            LegacyForms {
                pkcs1v15_key_wrap: true,
                absent_iv: false,
            },
        ),
        (
            "crypto-absent-iv",
            LegacyForms {
                pkcs1v15_key_wrap: false,
                absent_iv: true,
            },
        ),
    ] {
        // GIVEN a key ring that accepts exactly the legacy form of the sample
        let fx = Fixture::new().accepting(legacy);
        // WHEN MDES sends it THEN it is opened and decided: Jane's card, a trusting wallet
        let request_id = sample_request_id(AUTHORIZE, sample);
        let (status, body) = fx.send_sample(AUTHORIZE, sample).await;
        assert_eq!(status, 200, "{sample}: {body}");
        assert_eq!(
            body,
            json!({
                "responseId": request_id,
                "services": ["DIGITIZATION"],
                "decision": "APPROVED",
                "cvcResponse": "MATCH",
            }),
            "{sample}"
        );
        assert_eq!(fx.cards.calls(), 1, "{sample}");
        let token_ref = sample_token(AUTHORIZE, sample);
        assert_eq!(
            fx.state.token_of(&token_ref).unwrap().pan_fingerprint,
            Some(fx.fingerprint(JANE_PAN)),
            "{sample}"
        );
        // AND the other legacy form stays refused
        let other = if sample == "crypto-pkcs1-key-wrap" {
            "crypto-absent-iv"
        } else {
            "crypto-pkcs1-key-wrap"
        };
        let (status, body) = fx.send_sample(AUTHORIZE, other).await;
        assert_eq!(status, 400, "{other}: {body}");
        assert_eq!(
            body,
            cryptography_error(&sample_request_id(AUTHORIZE, other))
        );
    }
}

#[tokio::test]
async fn another_card_asking_for_a_held_token_reference_is_declined_unasked() {
    // GIVEN the green token authorized for Jane's card
    let fx = Fixture::new();
    fx.expect_ok(AUTHORIZE, "green-approved").await;
    let before = fx.snapshot(&[GREEN_TOKEN]);
    // WHEN another card's request names that token reference
    let mut body = sample_body(AUTHORIZE, "orange-call-centre-only");
    body["fundingAccountInfo"]["tokenUniqueReference"] = json!(GREEN_TOKEN);
    let (status, answer) = fx
        .send_body(AUTHORIZE, "orange-call-centre-only", &body)
        .await;
    // THEN DECLINED, no cvcResponse, the issuer not asked
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({
            "responseId": sample_request_id(AUTHORIZE, "orange-call-centre-only"),
            "services": ["DIGITIZATION"],
            "decision": "DECLINED",
        })
    );
    // AND nothing of Jane's token changed, nothing more asked or published
    assert_eq!(fx.snapshot(&[GREEN_TOKEN]), before);
    assert_eq!(
        fx.state
            .attempts_recorded(&fx.fingerprint(NO_CONTACT_PAN), TOKEN_REQUESTOR),
        1
    );
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::authorize_service_handler,
            function: AUTHORIZE,
            valid_event: "green-approved",
            missing_event: "error-missing-correlation-id",
            missing_field: "correlationId",
            operation: Some(OPERATION),
        },
        &Fixture::new(),
    )
    .await;
}
