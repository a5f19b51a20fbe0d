//! Handler tests over the real use case and in-memory ports: codes delivered
//! through deliverActivationCode, checked through validateActivationCode.

use serde_json::{Value, json};
use time::macros::datetime;
use tmp_core::usecases::validate_activation_code::OPERATION;

use crate::testing::{
    DELIVER, Fixture, FunctionUnderTest, VALIDATE, YELLOW_TOKEN, assert_answers, assert_refusals,
    sample_body,
};

const ENTERED: &str = "yellow-code-entered";

/// The yellow path up to MDES handing over its code (482913, until 10:30).
async fn mdes_code_delivered() -> Fixture {
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    fx.expect_ok(DELIVER, "yellow-mdes-generated-code").await;
    fx
}

/// The yellow path up to MDES handing over `code` instead.
async fn code_delivered(code: &str) -> Fixture {
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let mut body = sample_body(DELIVER, "yellow-mdes-generated-code");
    body["activationCode"] = json!(code);
    let (status, answer) = fx
        .send_body(DELIVER, "yellow-mdes-generated-code", &body)
        .await;
    assert_eq!(status, 200, "{answer}");
    fx
}

/// The cardholder enters `code` in a request of its own.
async fn enter(fx: &Fixture, request_id: &str, code: &str) -> (u16, Value) {
    let mut body = sample_body(VALIDATE, ENTERED);
    body["requestId"] = json!(request_id);
    body["activationCode"] = json!(code);
    fx.send_body(VALIDATE, ENTERED, &body).await
}

fn result(request_id: &str, result: &str) -> Value {
    json!({"responseId": request_id, "result": result})
}

#[tokio::test]
async fn the_delivered_code_validates_once() {
    // GIVEN MDES's code 482913 delivered for the yellow-path token
    let fx = mdes_code_delivered().await;
    let handler = fx.validate_activation_code_handler();
    // WHEN the cardholder enters it THEN SUCCESS, echoing the requestId
    assert_answers(
        &handler,
        VALIDATE,
        ENTERED,
        result("sample-vac-0001", "SUCCESS"),
    )
    .await;
    // AND the code is used up
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert!(stored.issued.used);
    assert_eq!(stored.issued.attempts, 0);
    let (state, _, _) = fx.ledger_entry(OPERATION, "sample-vac-0001").unwrap();
    assert_eq!(state, "COMPLETED");
    // WHEN MDES retries the request THEN the same answer is replayed
    assert_answers(
        &handler,
        VALIDATE,
        ENTERED,
        result("sample-vac-0001", "SUCCESS"),
    )
    .await;
    // WHEN the same code is entered again (a new request) THEN it no longer works
    let (status, body) = enter(&fx, "sample-vac-0002", "482913").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, result("sample-vac-0002", "INCORRECT_CODE"));
}

#[tokio::test]
async fn the_issuer_generated_code_as_sent_validates() {
    // GIVEN an SMS delivery with a code we generated
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    fx.expect_ok(DELIVER, "yellow-sms-issuer-code").await;
    let code = fx.open_job_code(&fx.otp_queue.jobs()[0]).await;
    // WHEN the cardholder enters the code the SMS carried THEN SUCCESS
    let (status, body) = enter(&fx, "sample-vac-0003", &code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, result("sample-vac-0003", "SUCCESS"));
}

#[tokio::test]
async fn a_wrong_code_is_incorrect_and_counted() {
    // GIVEN code 111111 delivered
    let fx = code_delivered("111111").await;
    // WHEN the cardholder enters 482913 THEN INCORRECT_CODE
    assert_answers(
        &fx.validate_activation_code_handler(),
        VALIDATE,
        ENTERED,
        result("sample-vac-0001", "INCORRECT_CODE"),
    )
    .await;
    // AND one attempt of three is spent
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert_eq!(stored.issued.attempts, 1);
    assert!(!stored.issued.used);
}

#[tokio::test]
async fn the_third_wrong_code_exhausts_the_retries() {
    // GIVEN code 111111 delivered and two wrong attempts
    let fx = code_delivered("111111").await;
    for request_id in ["sample-vac-0011", "sample-vac-0012"] {
        let (status, body) = enter(&fx, request_id, "482913").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, result(request_id, "INCORRECT_CODE"));
    }
    // WHEN the third wrong code is entered THEN INCORRECT_CODE_RETRIES_EXCEEDED
    assert_answers(
        &fx.validate_activation_code_handler(),
        VALIDATE,
        ENTERED,
        result("sample-vac-0001", "INCORRECT_CODE_RETRIES_EXCEEDED"),
    )
    .await;
    assert_eq!(fx.state.code_of(YELLOW_TOKEN).unwrap().issued.attempts, 3);
    // AND even the right code is refused afterwards, without counting further
    let (status, body) = enter(&fx, "sample-vac-0013", "111111").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        result("sample-vac-0013", "INCORRECT_CODE_RETRIES_EXCEEDED")
    );
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert_eq!(stored.issued.attempts, 3);
    assert!(!stored.issued.used);
}

#[tokio::test]
async fn a_code_past_its_expiry_is_expired() {
    // GIVEN MDES's code, valid until 10:30, and the clock at 10:30
    let fx = mdes_code_delivered().await;
    fx.clock.set(datetime!(2026-11-26 10:30 UTC));
    // WHEN the cardholder enters it THEN EXPIRED_CODE
    assert_answers(
        &fx.validate_activation_code_handler(),
        VALIDATE,
        ENTERED,
        result("sample-vac-0001", "EXPIRED_CODE"),
    )
    .await;
    // AND the code is neither used nor charged an attempt
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert!(!stored.issued.used);
    assert_eq!(stored.issued.attempts, 0);
}

#[tokio::test]
async fn a_token_without_a_code_answers_incorrect_code() {
    // GIVEN an authorized token no code was delivered for
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    // WHEN a code is entered THEN INCORRECT_CODE, and nothing is stored
    assert_answers(
        &fx.validate_activation_code_handler(),
        VALIDATE,
        ENTERED,
        result("sample-vac-0001", "INCORRECT_CODE"),
    )
    .await;
    assert_eq!(fx.state.code_of(YELLOW_TOKEN), None);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    // GIVEN MDES's code delivered for the yellow-path token
    let fx = mdes_code_delivered().await;
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::validate_activation_code_handler,
            function: VALIDATE,
            valid_event: ENTERED,
            missing_event: "error-missing-activation-code",
            missing_field: "activationCode",
            operation: Some(OPERATION),
        },
        &fx,
    )
    .await;
}
