#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use serde_json::json;
use tmp_shared::mdes::validate_activation_code::ValidationResult;
use tmp_shared::services::predigitization_fake::{
    FakePreDigitization, FunctionUnderTest, assert_answers, assert_refusals, call,
};

use crate::handler;

const FUNCTION: &str = "mdes-validate-activation-code";

#[tokio::test]
async fn each_validation_result_is_answered_in_spec_form() {
    let cases = [
        (ValidationResult::Success, "SUCCESS"),
        (ValidationResult::IncorrectCode, "INCORRECT_CODE"),
        (
            ValidationResult::IncorrectCodeRetriesExceeded,
            "INCORRECT_CODE_RETRIES_EXCEEDED",
        ),
        (ValidationResult::ExpiredCode, "EXPIRED_CODE"),
    ];
    for (result, name) in cases {
        // GIVEN a service that finds the entered code to be <result>
        let fake = Arc::new(FakePreDigitization::answering(result));
        // WHEN the cardholder's code is sent THEN the result is echoed with the requestId
        let body = json!({"responseId": "sample-vac-0001", "result": name});
        assert_answers(handler(fake.clone()), FUNCTION, "yellow-code-entered", body).await;
        assert_eq!(
            fake.calls(),
            [call(
                "validateActivationCode",
                "sample-vac-0001",
                "DWSPMC000000000000000000000000000000000000000002"
            )]
        );
    }
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(FunctionUnderTest {
        make: handler,
        function: FUNCTION,
        valid_event: "yellow-code-entered",
        missing_event: "error-missing-activation-code",
        missing_field: "activationCode",
    })
    .await;
}
