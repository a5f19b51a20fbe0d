//! getJob over its samples: the card suspension's job (the one the bulk
//! sample starts) RUNNING with its items PENDING until the worker settles
//! them, then DONE or PARTIAL; an impossible or unknown job id is not found.

use serde_json::{Value, json};

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        GET_JOB,
        &[
            "card-suspension-job",
            "error-invalid-job-id",
            "error-unknown-job",
        ],
    );
}

/// The items of a JobResponse: (tokenId, outcome, networkStatus), by token.
fn items(body: &Value) -> Vec<(String, String, Option<String>)> {
    let mut items: Vec<_> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["tokenId"].as_str().unwrap().to_owned(),
                i["outcome"].as_str().unwrap().to_owned(),
                i["networkStatus"].as_str().map(str::to_owned),
            )
        })
        .collect();
    items.sort();
    items
}

fn item(
    token: &str,
    outcome: &str,
    network_status: Option<&str>,
) -> (String, String, Option<String>) {
    (
        token.to_owned(),
        outcome.to_owned(),
        network_status.map(str::to_owned),
    )
}

#[tokio::test]
async fn a_job_is_running_until_the_worker_settles_its_items_then_done() {
    // GIVEN the card suspension accepted: the job the sample asks for
    let fx = Fixture::new();
    let job_id = accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    let (event, _) = sample(GET_JOB, "card-suspension-job");
    assert_eq!(event["pathParameters"]["jobId"], job_id.as_str());
    // WHEN read before the worker ran
    let body = fx.play(GET_JOB, "card-suspension-job").await.assert_ok();
    // THEN RUNNING, its three items PENDING, nothing counted yet
    assert_eq!(body["jobId"], job_id.as_str());
    assert_eq!(
        (
            &body["status"],
            &body["total"],
            &body["succeeded"],
            &body["failed"]
        ),
        (&json!("RUNNING"), &json!(3), &json!(0), &json!(0))
    );
    assert_eq!(
        items(&body),
        [ACTIVE_TOKEN, SUSPENDED_TOKEN, INACTIVE_TOKEN].map(|t| item(t, "PENDING", None))
    );
    // WHEN the worker has run them
    assert!(failed(&fx.work(1).await).is_empty());
    let body = fx.play(GET_JOB, "card-suspension-job").await.assert_ok();
    // THEN DONE: the suspension confirmed, the two others had nothing to do
    assert_eq!(
        (
            &body["status"],
            &body["total"],
            &body["succeeded"],
            &body["failed"]
        ),
        (&json!("DONE"), &json!(3), &json!(3), &json!(0))
    );
    assert_eq!(
        items(&body),
        [
            item(ACTIVE_TOKEN, "SUCCEEDED", Some("CONFIRMED")),
            item(SUSPENDED_TOKEN, "SUCCEEDED", None),
            item(INACTIVE_TOKEN, "SUCCEEDED", None),
        ]
    );
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("problem").is_none()),
        "{body}"
    );
}

#[tokio::test]
async fn an_item_the_network_never_answered_makes_the_job_partial() {
    // GIVEN the card suspension whose MDES call is never answered, its item
    // delivered up to its last attempt
    let fx = Fixture::new();
    accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    for attempt in 1..=MAX_ATTEMPTS {
        fx.networks
            .answer_next([tmp_core::ports::NetworkAnswer::Unknown]);
        let left = fx.work(attempt).await;
        assert_eq!(failed(&left).len(), usize::from(attempt < MAX_ATTEMPTS));
    }
    // WHEN the job is read
    let body = fx.play(GET_JOB, "card-suspension-job").await.assert_ok();
    // THEN PARTIAL: the active token's item failed, its action pending at the network
    assert_eq!(
        (&body["status"], &body["succeeded"], &body["failed"]),
        (&json!("PARTIAL"), &json!(2), &json!(1))
    );
    let failed_item = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["tokenId"] == ACTIVE_TOKEN)
        .unwrap();
    assert_eq!(failed_item["outcome"], "FAILED");
    assert_eq!(failed_item["networkStatus"], "PENDING");
    assert_eq!(failed_item["problem"]["status"], 503, "{failed_item}");
    assert_eq!(
        failed_item["problem"]["detail"],
        "The card network did not answer; the action stays pending on the token"
    );
}

#[tokio::test]
async fn jobs_that_cannot_be_answered_are_not_found() {
    // GIVEN no job started: even the card suspension's is unknown
    let fx = Fixture::new();
    fx.play(GET_JOB, "card-suspension-job")
        .await
        .assert_problem(404, NOT_FOUND);
    // AND an impossible id and one never started are not found either
    assert_refusals(
        GET_JOB,
        &[
            ("error-invalid-job-id", 404, NOT_FOUND),
            ("error-unknown-job", 404, NOT_FOUND),
        ],
    )
    .await;
    // (however many jobs there are)
    let fx = Fixture::new();
    accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    fx.play(GET_JOB, "error-unknown-job")
        .await
        .assert_problem(404, NOT_FOUND);
}
