//! Handler tests over the real decision engine and in-memory ports: each
//! decision path, the stricter of the wallet's and Visa's advice, retries,
//! unusable payloads, one card's limits across networks, hostile bodies.

use serde_json::{Value, json};
use time::OffsetDateTime;
use tmp_core::AppError;
use tmp_core::domain::Network;
use tmp_core::domain::card::{CardData, EnteredCard, Expiry, SealedCardData};
use tmp_core::domain::decision::{Decision, RuleId, WalletAdvice};
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::policy::DecisionPolicy;
use tmp_core::domain::token::TokenStatus;
use tmp_core::secret::Secret;
use tmp_core::usecases::authorize::{AuthorizeCommand, OPERATION};
use tmp_core::usecases::ledger::{Message, signature};
use tmp_testkit::world::pan;

use crate::testing::*;

fn approved() -> Value {
    json!({"actionCode": "00", "cvv2ResultsCode": "M"})
}

#[tokio::test]
async fn a_trusted_wallet_and_visa_approve_a_good_card() {
    // GIVEN the issuer's active Visa card, a trusting wallet and Visa approving
    let fx = Fixture::new();
    // WHEN VTS asks to provision a token for it
    let answer = fx
        .approve(
            GREEN_TOKEN,
            &provisioning(VISA_PAN, Some(VISA_CVV2), trusted()),
        )
        .await;
    // THEN 00 with the CVV2 matched
    answer.assert_ok(&approved());
    // AND the token is Visa's, awaiting activation, counted on its card
    let fingerprint = fx.fingerprint(VISA_PAN);
    let token = fx.state.token_of(GREEN_TOKEN).unwrap();
    assert_eq!(token.network, Network::Visa);
    assert_eq!(token.state.status, TokenStatus::Inactive);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(token.pan_last4.as_deref(), Some("1111"));
    assert_eq!(
        token.pan_unique_reference.as_deref(),
        Some("V-PANREF-000001")
    );
    assert_eq!(token.token_requestor_id.as_deref(), Some(TOKEN_REQUESTOR));
    assert!(token.has_contact);
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
    let facts = fx.state.authorization_of(GREEN_TOKEN).unwrap();
    assert_eq!(facts.decided_by, RuleId::Approve);
    assert_eq!(facts.correlation_id, "381234567890123");
    // AND TOKEN_AUTHORIZED is in the outbox for the topic, as a Visa event
    let events = fx.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TokenEventType::TokenAuthorized);
    assert_eq!(events[0].network, Network::Visa);
    assert_eq!(serde_json::to_value(&events[0]).unwrap()["network"], "VISA");
    assert_eq!(events[0].pan_last4.as_deref(), Some("1111"));
    // AND the request is completed in the ledger under its token reference
    assert_eq!(
        fx.visa_ledger_state(OPERATION, GREEN_TOKEN).as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_retry_is_answered_the_same_and_counts_once() {
    // GIVEN an answered approveProvisioning
    let fx = Fixture::new();
    let content = provisioning(VISA_PAN, Some(VISA_CVV2), trusted());
    fx.approve(GREEN_TOKEN, &content)
        .await
        .assert_ok(&approved());
    // WHEN VTS retries it (re-encrypted: another JWE of the same content)
    let answer = fx.approve(GREEN_TOKEN, &content).await;
    // THEN the same answer, one attempt, one issuer call, one event
    answer.assert_ok(&approved());
    let fingerprint = fx.fingerprint(VISA_PAN);
    assert_eq!(fx.state.attempts_recorded(&fingerprint, TOKEN_REQUESTOR), 1);
    assert_eq!(fx.cards.calls(), 1);
    assert_eq!(fx.committed_events().len(), 1);
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
}

#[tokio::test]
async fn step_up_offers_verification_and_seals_the_contact() {
    // GIVEN a wallet and Visa both asking for cardholder verification
    let fx = Fixture::new();
    // WHEN VTS asks THEN 85: provision inactive, verify the cardholder
    fx.approve_yellow().await;
    // AND the token awaits authentication with the card's contact sealed on it
    let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Inactive);
    assert_eq!(
        token.authorization_decision,
        Some(Decision::RequireAdditionalAuthentication)
    );
    assert!(token.has_contact);
    let facts = fx.state.authorization_of(YELLOW_TOKEN).unwrap();
    assert_eq!(facts.decided_by, RuleId::WalletRiskAuthenticate);
}

#[tokio::test]
async fn the_stricter_of_the_wallets_and_visas_advice_decides() {
    for (wallet, visa, action) in [
        // A confident wallet never overrides Visa's step-up or decline.
        ("0", "85", "85"),
        ("0", "05", "05"),
        // Nor does Visa's approval override the wallet's doubt.
        ("1", "00", "85"),
        ("2", "00", "05"),
    ] {
        // GIVEN the wallet's assessment and Visa's decisioning
        let fx = Fixture::new();
        // WHEN VTS asks
        let answer = fx
            .approve(
                GREEN_TOKEN,
                &provisioning(VISA_PAN, Some(VISA_CVV2), risk(wallet, visa)),
            )
            .await;
        // THEN the stricter answer
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.json()["actionCode"], action, "{wallet} {visa}");
    }
}

#[tokio::test]
async fn a_lost_card_and_a_cvv2_mismatch_are_declined() {
    // GIVEN a card reported lost WHEN VTS asks THEN 05, by the card status rule
    let fx = Fixture::new();
    let answer = fx
        .approve(
            GREEN_TOKEN,
            &provisioning(LOST_PAN, Some(VISA_CVV2), trusted()),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["actionCode"], "05");
    let facts = fx.state.authorization_of(GREEN_TOKEN).unwrap();
    assert_eq!(facts.decided_by, RuleId::CardStatus);
    // AND the declined token is not live
    assert_eq!(fx.state.live_tokens(&fx.fingerprint(LOST_PAN)), 0);

    // GIVEN a wrong CVV2 WHEN VTS asks THEN 05 and cvv2ResultsCode N
    let answer = fx
        .approve(
            YELLOW_TOKEN,
            &provisioning(CVV2_MISMATCH_PAN, Some(WRONG_CVV2), trusted()),
        )
        .await;
    answer.assert_ok(&json!({"actionCode": "05", "cvv2ResultsCode": "N"}));
    let facts = fx.state.authorization_of(YELLOW_TOKEN).unwrap();
    assert_eq!(facts.decided_by, RuleId::CardDataMatch);
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
}

#[tokio::test]
async fn unusable_payloads_are_one_answer_and_leave_no_trace() {
    // GIVEN payloads Visa could send that we cannot use
    let fx = Fixture::new();
    let content = provisioning(VISA_PAN, Some(VISA_CVV2), trusted());
    let mut bad_pan = content.clone();
    bad_pan["cardholderInfo"]["primaryAccountNumber"] = json!("4111111111111112");
    let mut no_expiry = content.clone();
    no_expiry["cardholderInfo"]
        .as_object_mut()
        .unwrap()
        .remove("expirationDate");
    let jwes = [
        tampered(&content),
        seal_for_kid(&content, "vts-0000000000000000"),
        seal(&bad_pan),
        seal(&no_expiry),
        seal(&json!({"riskInformation": trusted()})),
        "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d".to_owned(),
    ];
    let before = fx.snapshot(&[GREEN_TOKEN]);
    for jwe in jwes {
        // WHEN sent
        let answer = fx
            .call(APPROVE, &Call::body(&approve_body(&jwe)).token(GREEN_TOKEN))
            .await;
        // THEN the one identical 400 ISE40010, byte for byte
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json(), cryptography_error());
    }
    // AND nothing was written, nothing asked of the issuer, no ledger entry
    assert_eq!(fx.snapshot(&[GREEN_TOKEN]), before);
    assert_eq!(fx.visa_ledger_state(OPERATION, GREEN_TOKEN), None);
    // AND the same request, now readable, is decided (the refusal left no claim)
    fx.approve(GREEN_TOKEN, &content)
        .await
        .assert_ok(&approved());
}

#[tokio::test]
async fn our_own_outage_is_503_and_the_retry_runs_clean() {
    // GIVEN the token state table is down
    let fx = Fixture::new();
    let content = provisioning(VISA_PAN, Some(VISA_CVV2), trusted());
    fx.state.unavailable(true);
    // WHEN VTS asks THEN 503 ISE40504 and nothing is written
    let answer = fx.approve(GREEN_TOKEN, &content).await;
    fx.state.unavailable(false);
    answer.assert_refused(503, "ISE40504");
    assert_eq!(fx.state.token_of(GREEN_TOKEN), None);
    // AND VTS's retry is decided
    fx.approve(GREEN_TOKEN, &content)
        .await
        .assert_ok(&approved());
}

/// A card MDES sent, in the clear: what the MDES adapter's sealed payload
/// opens to.
struct MastercardCard(&'static str);

impl SealedCardData for MastercardCard {
    fn open(&self, _: OffsetDateTime) -> Result<CardData, AppError> {
        let card = EnteredCard {
            pan: pan(self.0),
            expiry: Some(Expiry {
                month: 12,
                year: 29,
            }),
            cvc: Some(Secret::new(VISA_CVV2.to_owned())),
        };
        Ok(CardData {
            account_number: Some(card.pan.clone()),
            card: Ok(card),
            token_number: None,
            wallet: None,
        })
    }
}

/// Tokenizes `card` on MDES (the same decision engine, Mastercard's ledger).
async fn tokenize_on_mdes(fx: &Fixture, card: &'static str, token_ref: &str) -> Decision {
    let command = AuthorizeCommand {
        message: Message {
            network: Network::Mastercard,
            request_id: format!("mdes-{token_ref}"),
            signature: signature(&[token_ref]),
        },
        correlation_id: "C000000000001".to_owned(),
        token_ref: token_ref.to_owned(),
        pan_unique_reference: None,
        token_requestor_id: Some("50110030273".to_owned()),
        wallet_id: Some("103".to_owned()),
        payment_app_instance_id: None,
        token_type: "CLOUD".to_owned(),
        device_name: None,
        device_type: None,
        device_os: None,
        wallet: WalletAdvice::default(),
        card_data: Box::new(card_of(card)),
    };
    fx.authorize().authorize(&command).await.unwrap().decision
}

fn card_of(card: &'static str) -> MastercardCard {
    MastercardCard(card)
}

fn policy(json: &str) -> DecisionPolicy {
    DecisionPolicy::from_json(json).unwrap()
}

#[tokio::test]
async fn a_visa_token_counts_against_the_cards_live_token_limit_like_a_mastercard_one() {
    // GIVEN a limit of one live token per card, and the card tokenized on MDES
    let fx = Fixture::with_policy(policy(r#"{"default": {"maxLiveTokensPerCard": 1}}"#));
    const MDES_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000077";
    assert_eq!(
        tokenize_on_mdes(&fx, VISA_PAN, MDES_TOKEN).await,
        Decision::Approved
    );
    // WHEN VTS asks for the same PAN
    let answer = fx
        .approve(
            GREEN_TOKEN,
            &provisioning(VISA_PAN, Some(VISA_CVV2), trusted()),
        )
        .await;
    // THEN declined by the token limit: both are one card (one fingerprint)
    assert_eq!(answer.json()["actionCode"], "05", "{}", answer.text());
    let facts = fx.state.authorization_of(GREEN_TOKEN).unwrap();
    assert_eq!(facts.decided_by, RuleId::TokenLimit);
    let fingerprint = fx.fingerprint(VISA_PAN);
    assert_eq!(
        fx.state.token_of(MDES_TOKEN).unwrap().pan_fingerprint,
        fx.state.token_of(GREEN_TOKEN).unwrap().pan_fingerprint
    );
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
}

#[tokio::test]
async fn visa_attempts_count_against_the_cards_velocity_like_mastercard_ones() {
    // GIVEN one attempt per card per day, used on MDES
    let fx = Fixture::with_policy(policy(r#"{"default": {"maxCardAttemptsPer24h": 1}}"#));
    tokenize_on_mdes(
        &fx,
        VISA_PAN,
        "DWSPMC000000000000000000000000000000000000000078",
    )
    .await;
    let calls = fx.cards.calls();
    // WHEN VTS asks for the same PAN
    let answer = fx
        .approve(
            GREEN_TOKEN,
            &provisioning(VISA_PAN, Some(VISA_CVV2), trusted()),
        )
        .await;
    // THEN declined by the card's velocity, without asking the issuer, no CVV2 answer
    answer.assert_ok(&json!({"actionCode": "05"}));
    let facts = fx.state.authorization_of(GREEN_TOKEN).unwrap();
    assert_eq!(facts.decided_by, RuleId::CardVelocity);
    assert_eq!(fx.cards.calls(), calls);
}

#[tokio::test]
async fn hostile_bodies_are_refused_by_the_contract() {
    let fx = Fixture::new();
    let valid = Call::body(&approve_body(&seal(&provisioning(
        VISA_PAN,
        Some(VISA_CVV2),
        trusted(),
    ))))
    .token(OTHER_TOKEN);
    assert_hostile_bodies(&fx, APPROVE, &valid).await;
    // AND a bad path parameter or a repeated one is refused before anything runs
    let mut event = proxy_event(APPROVE, &valid);
    event["pathParameters"]["tokenReferenceID"] = json!(MARKER);
    let answer = send(&fx.handler_for(APPROVE), request(&event)).await;
    answer.assert_refused(400, "ISE40011");
    assert!(!answer.text().contains("PWNED"));
    let repeated = valid.clone().query("eventID", "a").query("eventID", "b");
    fx.call(APPROVE, &repeated)
        .await
        .assert_refused(400, "ISE40011");
}
