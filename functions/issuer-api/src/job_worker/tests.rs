//! The job worker over its samples (SQS batches of the job queue): an item
//! run once and settled, an item whose network does not answer left on the
//! queue until its last delivery settles it as failed, a poison body
//! reported rather than a panic, and one bad record never holding back the
//! others.

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::job::{ItemFailure, ItemState};
use tmp_core::domain::token::TokenStatus;
use tmp_core::ports::{JobMessage, NetworkAnswer};

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        JOB_WORKER,
        &[
            "card-suspension-item",
            "card-suspension-item-fifth-delivery",
            "error-poison-body",
        ],
    );
}

#[test]
fn every_sample_is_one_record_of_the_job_queue() {
    for name in sample_names(JOB_WORKER) {
        // GIVEN a sample batch
        let batch = sqs_sample(&name);
        // THEN one record off TokenJobQueue, with its id, handle and delivery count
        assert_eq!(batch.records.len(), 1, "{name}");
        let record = &batch.records[0];
        assert!(record.message_id.is_some() && record.receipt_handle.is_some());
        assert_eq!(record.event_source.as_deref(), Some("aws:sqs"));
        assert!(
            record
                .event_source_arn
                .as_deref()
                .unwrap()
                .ends_with(":TokenJobQueue"),
            "{name}"
        );
        let count: u32 = record.attributes["ApproximateReceiveCount"]
            .parse()
            .unwrap();
        assert!((1..=MAX_ATTEMPTS).contains(&count), "{name}");
        // AND the good ones carry the card suspension's item for the active token
        if !name.starts_with("error-") {
            let message: JobMessage =
                serde_json::from_str(record.body.as_deref().unwrap()).unwrap();
            assert_eq!(message.token_ref, ACTIVE_TOKEN, "{name}");
        }
    }
}

/// The id of a sample's record.
fn record_id(name: &str) -> String {
    sqs_sample(name).records[0].message_id.clone().unwrap()
}

/// The card suspension accepted (its job is the one the worker's samples name).
async fn card_suspension(fx: &Fixture) -> String {
    let job_id = accepted_job(&fx.play(BULK_CARD, "card-tokens-suspended").await);
    let message: JobMessage = serde_json::from_str(
        sqs_sample("card-suspension-item").records[0]
            .body
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        message.job_id, job_id,
        "the samples name the bulk sample's job"
    );
    job_id
}

#[tokio::test]
async fn a_queued_item_is_run_once_and_settled() {
    // GIVEN the card suspension accepted
    let fx = Fixture::new();
    let job_id = card_suspension(&fx).await;
    // WHEN the active token's item is delivered
    let response = fx.deliver(sqs_sample("card-suspension-item")).await;
    // THEN the record is done (not reported), MDES asked once, the item settled
    assert!(failed(&response).is_empty());
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].token_ref.as_str(),
            calls[0].action,
            calls[0].reason
        ),
        (
            ACTIVE_TOKEN,
            TokenAction::Suspend,
            ActionReason::SuspectedFraud
        )
    );
    let items = fx.job_items(&job_id).await;
    let item = items.iter().find(|i| i.token_ref == ACTIVE_TOKEN).unwrap();
    assert_eq!(
        (item.state, item.confirmed),
        (ItemState::Succeeded, Some(true))
    );
    assert_eq!(
        fx.state.token_of(ACTIVE_TOKEN).unwrap().state.status,
        TokenStatus::Suspended
    );
    // AND the job's other items still wait for theirs
    assert_eq!(
        fx.item_state(&job_id, SUSPENDED_TOKEN).await,
        ItemState::Queued
    );
    // WHEN SQS delivers the same record again THEN done, no network asked again
    let again = fx.deliver(sqs_sample("card-suspension-item")).await;
    assert!(failed(&again).is_empty());
    assert_eq!(fx.networks.calls().len(), 1);
}

#[tokio::test]
async fn an_unanswered_item_stays_on_the_queue_until_its_last_delivery_fails_it() {
    // GIVEN the card suspension accepted and MDES not answering
    let fx = Fixture::new();
    let job_id = card_suspension(&fx).await;
    fx.networks.answer_next([NetworkAnswer::Unknown]);
    // WHEN the item is first delivered
    let response = fx.deliver(sqs_sample("card-suspension-item")).await;
    // THEN the record is reported (left on the queue), the item not settled,
    // the suspension pending on the still active token
    assert_eq!(failed(&response), [record_id("card-suspension-item")]);
    assert_eq!(
        fx.item_state(&job_id, ACTIVE_TOKEN).await,
        ItemState::Queued
    );
    let record = fx.state.token_of(ACTIVE_TOKEN).unwrap();
    assert_eq!(record.state.status, TokenStatus::Active);
    assert_eq!(record.pending.unwrap().action, TokenAction::Suspend);
    // WHEN it is delivered the fifth time (the last attempt) and MDES still does not answer
    fx.networks.answer_next([NetworkAnswer::Unknown]);
    let response = fx
        .deliver(sqs_sample("card-suspension-item-fifth-delivery"))
        .await;
    // THEN the record is done, the item settled FAILED as unavailable
    assert!(failed(&response).is_empty());
    let items = fx.job_items(&job_id).await;
    let item = items.iter().find(|i| i.token_ref == ACTIVE_TOKEN).unwrap();
    assert_eq!(
        (item.state, item.failure),
        (ItemState::Failed, Some(ItemFailure::NetworkUnavailable))
    );
    // AND MDES was asked on each delivery, as one request
    let calls = fx.networks.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].request_id, calls[1].request_id);
    // AND a delivery after that changes nothing
    assert!(failed(&fx.deliver(sqs_sample("card-suspension-item")).await).is_empty());
    assert_eq!(fx.networks.calls().len(), 2);
}

#[tokio::test]
async fn a_poison_body_is_reported_not_a_panic() {
    // GIVEN the card suspension accepted
    let fx = Fixture::new();
    let job_id = card_suspension(&fx).await;
    // WHEN a record whose body is no item is delivered
    let response = fx.deliver(sqs_sample("error-poison-body")).await;
    // THEN it is reported (towards the dead-letter queue), nothing asked or settled
    assert_eq!(failed(&response), [record_id("error-poison-body")]);
    assert!(fx.networks.calls().is_empty());
    let items = fx.job_items(&job_id).await;
    assert!(items.iter().all(|i| i.state == ItemState::Queued));
}

#[tokio::test]
async fn one_bad_record_does_not_hold_back_the_others() {
    // GIVEN one batch: the active token's item and a poison body
    let fx = Fixture::new();
    let job_id = card_suspension(&fx).await;
    let mut batch = sqs_sample("card-suspension-item");
    batch
        .records
        .extend(sqs_sample("error-poison-body").records);
    // WHEN delivered
    let response = fx.deliver(batch).await;
    // THEN only the poison record is reported; the item is settled
    assert_eq!(failed(&response), [record_id("error-poison-body")]);
    assert_eq!(
        fx.item_state(&job_id, ACTIVE_TOKEN).await,
        ItemState::Succeeded
    );
}

#[tokio::test]
async fn an_item_of_a_job_that_does_not_exist_is_dropped() {
    // GIVEN no job started
    let fx = Fixture::new();
    // WHEN the card suspension's item is delivered
    let response = fx.deliver(sqs_sample("card-suspension-item")).await;
    // THEN done (nothing to retry) and no network asked
    assert!(failed(&response).is_empty());
    assert!(fx.networks.calls().is_empty());
    assert_eq!(
        fx.state.token_of(ACTIVE_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}
