#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use serde_json::json;
use tmp_shared::mdes::activation_method::{ActivationMethod, ActivationMethodType};
use tmp_shared::services::predigitization_fake::{
    FakePreDigitization, FunctionUnderTest, assert_answers, assert_refusals, call,
};

use crate::handler;

const FUNCTION: &str = "mdes-request-activation-methods";

#[tokio::test]
async fn offered_methods_are_returned_and_none_is_an_empty_array() {
    // GIVEN a service that offers SMS to a masked number
    let fake = Arc::new(FakePreDigitization::offering(vec![ActivationMethod {
        method_type: ActivationMethodType::TextToCardholderNumber,
        value: "***-***-4444".into(),
    }]));
    // WHEN MDES asks for the yellow-path token's methods THEN they come back in spec form
    let body = json!({"responseId": "sample-ram-0001", "activationMethods": [
        {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-4444"}]});
    assert_answers(
        handler(fake.clone()),
        FUNCTION,
        "yellow-request-methods",
        body,
    )
    .await;
    assert_eq!(
        fake.calls(),
        [call(
            "requestActivationMethods",
            "sample-ram-0001",
            "DWSPMC000000000000000000000000000000000000000002"
        )]
    );
    // GIVEN a service with no method WHEN asked THEN activationMethods is [] (never absent)
    let none = Arc::new(FakePreDigitization::default());
    let body = json!({"responseId": "sample-ram-0001", "activationMethods": []});
    assert_answers(handler(none), FUNCTION, "yellow-request-methods", body).await;
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(FunctionUnderTest {
        make: handler,
        function: FUNCTION,
        valid_event: "yellow-request-methods",
        missing_event: "error-missing-correlation-id",
        missing_field: "correlationId",
    })
    .await;
}
