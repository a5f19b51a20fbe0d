//! Handler tests over the real use case and in-memory ports: the yellow
//! path's methods, when none is offered, and the shared refusals.

use serde_json::json;
use tmp_core::AppError;
use tmp_core::error::CardDataRejection;
use tmp_mdes::MdesError;

use crate::testing::{
    CALL_CENTRE, Fixture, FunctionUnderTest, OTHER_TOKEN, REFUSED_PAYLOADS, REQUEST_METHODS,
    TOKEN_UPDATED, YELLOW_TOKEN, assert_answers, assert_refusals, body_with_payload,
    cryptography_error, errors_response, sample_body, sample_payload,
};

#[tokio::test]
async fn the_authorized_tokens_methods_are_returned_in_spec_form() {
    // GIVEN the yellow path's token, authorized through authorizeService
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN]);
    // WHEN MDES asks for its methods (with the same card) THEN Jane's masked
    // phone and e-mail, then the call centre
    let body = json!({"responseId": "sample-ram-0001", "activationMethods": [
        {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0123"},
        {"type": "EMAIL_TO_CARDHOLDER_ADDRESS", "value": "j***@e***.com"},
        {"type": "CARDHOLDER_TO_CALL_MANNED_NUMBER", "value": CALL_CENTRE},
    ]});
    let handler = fx.request_activation_methods_handler();
    assert_answers(
        &handler,
        REQUEST_METHODS,
        "yellow-request-methods",
        body.clone(),
    )
    .await;
    // AND asking again gives the same (nothing is written)
    assert_answers(&handler, REQUEST_METHODS, "yellow-request-methods", body).await;
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), before);
}

#[tokio::test]
async fn no_method_is_an_empty_array() {
    // GIVEN a token we never authorized WHEN asked THEN activationMethods is [] (never absent)
    let fx = Fixture::new();
    let body = json!({"responseId": "sample-ram-0001", "activationMethods": []});
    let handler = fx.request_activation_methods_handler();
    assert_answers(
        &handler,
        REQUEST_METHODS,
        "yellow-request-methods",
        body.clone(),
    )
    .await;
    // GIVEN the authorized token was deleted since WHEN asked THEN [] too
    fx.authorize_yellow().await;
    fx.expect_ok(TOKEN_UPDATED, "deactivated").await;
    assert_answers(&handler, REQUEST_METHODS, "yellow-request-methods", body).await;
}

#[tokio::test]
async fn card_data_for_another_key_is_a_cryptography_error() {
    // GIVEN the authorized token, and card data encrypted for a key we do not hold
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let mut body = sample_body(REQUEST_METHODS, "yellow-request-methods");
    body["fundingAccountInfo"]["encryptedPayload"]["publicKeyFingerprint"] =
        json!("4c4ead5927f0df8117f178eea9308daa58e27c2b");
    // WHEN sent THEN 400 CRYPTOGRAPHY_ERROR
    let (status, answer) = fx
        .send_body(REQUEST_METHODS, "yellow-request-methods", &body)
        .await;
    assert_eq!(status, 400, "{answer}");
    let error = MdesError::from(AppError::CardData(CardDataRejection::UnknownKey));
    assert_eq!(answer, errors_response("sample-ram-0001", &error));
}

#[tokio::test]
async fn every_unusable_payload_is_the_same_cryptography_error_not_an_empty_list() {
    // GIVEN the authorized token
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN, OTHER_TOKEN]);
    let handler = fx.request_activation_methods_handler();
    for sample in REFUSED_PAYLOADS {
        for token in [YELLOW_TOKEN, OTHER_TOKEN] {
            // WHEN its methods (or those of a token we do not hold) are asked
            // for with card data for another key, whose key cannot be
            // unwrapped, in a refused legacy form, with an invalid card
            // field, or expired
            let mut body = body_with_payload(
                REQUEST_METHODS,
                "yellow-request-methods",
                &sample_payload(sample),
            );
            body["fundingAccountInfo"]["tokenUniqueReference"] = json!(token);
            let (status, answer) = crate::testing::send(
                &handler,
                crate::testing::event_with_body(REQUEST_METHODS, "yellow-request-methods", &body),
            )
            .await;
            // THEN 400 with the one CRYPTOGRAPHY_ERROR: never an empty list,
            // which would say the ciphertext opened
            assert_eq!(status, 400, "{sample} {token}: {answer}");
            assert_eq!(
                answer,
                cryptography_error("sample-ram-0001"),
                "{sample} {token}"
            );
        }
    }
    // AND nothing was written, published or asked
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN, OTHER_TOKEN]), before);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    // GIVEN the yellow path's token, authorized
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::request_activation_methods_handler,
            function: REQUEST_METHODS,
            valid_event: "yellow-request-methods",
            missing_event: "error-missing-correlation-id",
            missing_field: "correlationId",
            operation: None,
        },
        &fx,
    )
    .await;
}
