#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use serde_json::json;
use tmp_shared::services::predigitization_fake::{
    FakePreDigitization, FunctionUnderTest, assert_answers, assert_refusals, call,
};

use crate::handler;

const FUNCTION: &str = "mdes-notify-service-activated";

#[tokio::test]
async fn activation_is_acknowledged_with_the_request_id() {
    // GIVEN a service that records activations
    let fake = Arc::new(FakePreDigitization::default());
    // WHEN MDES reports the yellow-path token active (payload for the test key)
    let body = json!({"responseId": "sample-nsa-0001"});
    assert_answers(
        handler(fake.clone()),
        FUNCTION,
        "yellow-token-activated",
        body,
    )
    .await;
    // THEN the service saw it once, for the token in fundingAccountInfo
    assert_eq!(
        fake.calls(),
        [call(
            "notifyServiceActivated",
            "sample-nsa-0001",
            "DWSPMC000000000000000000000000000000000000000002"
        )]
    );
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(FunctionUnderTest {
        make: handler,
        function: FUNCTION,
        valid_event: "yellow-token-activated",
        missing_event: "error-missing-account-pan-suffix",
        missing_field: "accountPanSuffix",
    })
    .await;
}
