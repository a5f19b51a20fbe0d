//! Handler tests over the real use case and in-memory ports: the masked
//! methods of a token awaiting verification, and every token they are not
//! offered for.

use serde_json::json;
use tmp_core::domain::Network;
use tmp_core::domain::token::TokenStatus;

use crate::testing::*;

#[tokio::test]
async fn a_stepped_up_token_is_offered_its_masked_phone_email_and_call_centre() {
    // GIVEN a token awaiting verification (approveProvisioning answered 85)
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN]);
    // WHEN VTS asks how the cardholder can be verified
    let answer = fx.methods(YELLOW_TOKEN).await;
    // THEN the masked phone and e-mail (masked as on MDES), then the call centre
    answer.assert_ok(
        &json!({"actionCode": "00", "cardholderVerificationMethod": [
            {"type": "cell_phone", "value": "***-***-0222", "identifier": "cvm-sms"},
            {"type": "email", "value": "a***@e***.com", "identifier": "cvm-email"},
            {"type": "customer_service", "value": CALL_CENTRE, "identifier": "cvm-call"},
        ]}),
    );
    // AND nothing is written: asking again answers the same
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), before);
    assert_eq!(fx.methods(YELLOW_TOKEN).await, answer);
    assert!(!answer.text().contains("+447700900222"));
}

#[tokio::test]
async fn an_unknown_token_is_404_ise40500() {
    // GIVEN no token WHEN VTS asks THEN 404 ISE40500
    let fx = Fixture::new();
    let answer = fx.methods(OTHER_TOKEN).await;
    answer.assert_ok_status_and_body(
        404,
        &json!({"errorCode": "ISE40500", "errorDescription": "tokenReferenceID is not valid"}),
    );
}

#[tokio::test]
async fn a_token_of_another_network_is_unknown_to_visa() {
    // GIVEN a Mastercard token under the reference VTS names
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let mut record = fx.state.token_of(YELLOW_TOKEN).unwrap();
    record.network = Network::Mastercard;
    record.token_ref = OTHER_TOKEN.to_owned();
    fx.state.seed_token(record, None);
    // WHEN VTS asks for it THEN it is not Visa's: 404 ISE40500
    fx.methods(OTHER_TOKEN)
        .await
        .assert_refused(404, "ISE40500");
}

#[tokio::test]
async fn a_token_not_awaiting_verification_has_nothing_to_offer() {
    // GIVEN an approved token (00) and a declined one (05)
    let fx = Fixture::new();
    fx.approve(
        GREEN_TOKEN,
        &provisioning(VISA_PAN, Some(VISA_CVV2), trusted()),
    )
    .await
    .assert_ok(&json!({"actionCode": "00", "cvv2ResultsCode": "M"}));
    fx.approve(
        YELLOW_TOKEN,
        &provisioning(LOST_PAN, Some(VISA_CVV2), step_up()),
    )
    .await;
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Declined
    );
    // WHEN VTS asks for their methods THEN 400 ISE40011, none offered
    for token in [GREEN_TOKEN, YELLOW_TOKEN] {
        let answer = fx.methods(token).await;
        answer.assert_refused(400, "ISE40011");
        assert!(!answer.text().contains("***"), "{}", answer.text());
    }
}

#[tokio::test]
async fn our_own_outage_is_503() {
    let fx = Fixture::new();
    fx.approve_yellow().await;
    fx.state.unavailable(true);
    let answer = fx.methods(YELLOW_TOKEN).await;
    fx.state.unavailable(false);
    answer.assert_refused(503, "ISE40504");
}

#[tokio::test]
async fn hostile_bodies_are_refused_by_the_contract() {
    let fx = Fixture::new();
    fx.approve_yellow().await;
    assert_hostile_bodies(&fx, METHODS, &Call::body(&methods_body(YELLOW_TOKEN))).await;
}
