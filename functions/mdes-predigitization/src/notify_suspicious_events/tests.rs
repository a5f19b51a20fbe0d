#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use serde_json::json;
use tmp_shared::services::predigitization_fake::{
    FakePreDigitization, FunctionUnderTest, assert_answers, assert_refusals, call,
};

use crate::handler;

const FUNCTION: &str = "mdes-notify-suspicious-events";

#[tokio::test]
async fn suspicious_replenishment_is_acknowledged() {
    // GIVEN a service that records suspicious events
    let fake = Arc::new(FakePreDigitization::default());
    // WHEN MDES reports suspicious ATCs on the sample token
    let body = json!({"responseId": "sample-nse-0001"});
    assert_answers(
        handler(fake.clone()),
        FUNCTION,
        "replenish-suspicious-atcs",
        body,
    )
    .await;
    // THEN the service saw it once
    assert_eq!(
        fake.calls(),
        [call(
            "notifySuspiciousEvents",
            "sample-nse-0001",
            "DWSPMC000000000000000000000000000000000000000002"
        )]
    );
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(FunctionUnderTest {
        make: handler,
        function: FUNCTION,
        valid_event: "replenish-suspicious-atcs",
        missing_event: "error-missing-events",
        missing_field: "events",
    })
    .await;
}
