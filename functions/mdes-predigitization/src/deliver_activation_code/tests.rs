#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use serde_json::json;
use tmp_shared::services::predigitization_fake::{
    FakePreDigitization, FunctionUnderTest, assert_answers, assert_refusals, call,
};

use crate::handler;

const FUNCTION: &str = "mdes-deliver-activation-code";

#[tokio::test]
async fn deliveries_are_acknowledged_with_the_request_id() {
    // GIVEN a service that accepts deliveries
    let fake = Arc::new(FakePreDigitization::default());
    // WHEN MDES asks for an SMS (issuer-generated code), then hands over its own code
    let sms = json!({"responseId": "sample-dac-0001"});
    assert_answers(
        handler(fake.clone()),
        FUNCTION,
        "yellow-sms-issuer-code",
        sms,
    )
    .await;
    let mdes = json!({"responseId": "sample-dac-0002"});
    assert_answers(
        handler(fake.clone()),
        FUNCTION,
        "yellow-mdes-generated-code",
        mdes,
    )
    .await;
    // THEN each request reached the service once, for the sample token
    assert_eq!(
        fake.calls(),
        [
            call(
                "deliverActivationCode",
                "sample-dac-0001",
                "DWSPMC000000000000000000000000000000000000000002"
            ),
            call(
                "deliverActivationCode",
                "sample-dac-0002",
                "DWSPMC000000000000000000000000000000000000000002"
            ),
        ]
    );
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(FunctionUnderTest {
        make: handler,
        function: FUNCTION,
        valid_event: "yellow-sms-issuer-code",
        missing_event: "error-missing-activation-method",
        missing_field: "activationMethod",
    })
    .await;
}
