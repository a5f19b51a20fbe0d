#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use serde_json::json;
use tmp_shared::services::predigitization_fake::{
    FakePreDigitization, FunctionUnderTest, assert_answers, assert_refusals, call,
};

use crate::handler;

const FUNCTION: &str = "mdes-notify-token-updated";

#[tokio::test]
async fn status_changes_and_deletions_are_acknowledged() {
    // GIVEN a service that records token updates
    let fake = Arc::new(FakePreDigitization::default());
    let events = [
        ("suspended-by-token-requestor", "sample-ntu-0001"),
        ("deactivated", "sample-ntu-0002"),
        ("deleted-from-consumer-app", "sample-ntu-0003"),
    ];
    // WHEN MDES notifies a suspension, a deactivation and a wallet deletion
    for (event, request_id) in events {
        let body = json!({"responseId": request_id});
        assert_answers(handler(fake.clone()), FUNCTION, event, body).await;
    }
    // THEN each reached the service once, in order, for the sample token
    let expected: Vec<_> = events
        .iter()
        .map(|(_, id)| {
            call(
                "notifyTokenUpdated",
                id,
                "DWSPMC000000000000000000000000000000000000000002",
            )
        })
        .collect();
    assert_eq!(fake.calls(), expected);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    assert_refusals(FunctionUnderTest {
        make: handler,
        function: FUNCTION,
        valid_event: "suspended-by-token-requestor",
        missing_event: "error-missing-status",
        missing_field: "tokens[0].status",
    })
    .await;
}
