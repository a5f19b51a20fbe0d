//! The request ledger: one item per (operation, requestId). A request is
//! claimed with a lease before processing, completed in the same transaction
//! as its effects, or released on failure so the TSP's retry runs again.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use time::{Duration, OffsetDateTime};

use super::attributes::{Item, epoch, get_s, item, rfc3339, s, unavailable};
use super::keys::{self, EXPIRES_AT, PK, SK};
use crate::ports::{RequestClaim, StoreError};

/// How long a claim protects a request being processed; a crashed
/// invocation's claim can be taken over after it.
const LEASE: Duration = Duration::seconds(30);
/// Answers are replayed for TSP retries for this long.
const REPLAY_WINDOW: Duration = Duration::days(7);

fn key(operation: &str, request_id: &str) -> Item {
    let (pk, sk) = keys::request(operation, request_id);
    item([(PK, Some(s(pk))), (SK, Some(s(sk)))])
}

pub async fn claim(
    client: &Client,
    table: &str,
    operation: &str,
    request_id: &str,
    signature: &str,
    now: OffsetDateTime,
) -> Result<RequestClaim, StoreError> {
    let lease_id = uuid::Uuid::new_v4().to_string();
    let mut record = key(operation, request_id);
    record.extend(item([
        ("state", Some(s("IN_PROGRESS"))),
        ("lease_id", Some(s(&lease_id))),
        ("lease_until", Some(epoch(now + LEASE))),
        ("signature", Some(s(signature))),
        ("created_at", Some(s(rfc3339(now)))),
        (EXPIRES_AT, Some(epoch(now + REPLAY_WINDOW))),
    ]));
    let result = client
        .put_item()
        .table_name(table)
        .set_item(Some(record))
        .condition_expression(
            "attribute_not_exists(pk) OR (#state = :in_progress AND lease_until < :now)",
        )
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
        .expression_attribute_values(":now", epoch(now))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    let existing = match result.map_err(|e| e.into_service_error()) {
        Ok(_) => return Ok(RequestClaim::Claimed { lease_id }),
        Err(PutItemError::ConditionalCheckFailedException(e)) => e.item,
        Err(other) => return Err(unavailable(other)),
    };
    let Some(existing) = existing else {
        return Ok(RequestClaim::InProgress);
    };
    match get_s(&existing, "state") {
        Some("COMPLETED") => Ok(RequestClaim::Completed {
            signature: get_s(&existing, "signature").unwrap_or_default().to_owned(),
            outcome_json: get_s(&existing, "outcome")
                .ok_or_else(|| StoreError::Corrupt("completed request without outcome".into()))?
                .to_owned(),
        }),
        _ => Ok(RequestClaim::InProgress),
    }
}

pub async fn release(
    client: &Client,
    table: &str,
    operation: &str,
    request_id: &str,
    lease_id: &str,
) -> Result<(), StoreError> {
    let result = client
        .delete_item()
        .table_name(table)
        .set_key(Some(key(operation, request_id)))
        .condition_expression("lease_id = :lease AND #state = :in_progress")
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":lease", s(lease_id))
        .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
        .send()
        .await;
    match result.map_err(|e| e.into_service_error()) {
        // Someone else owns it now: nothing of ours to release.
        Ok(_) | Err(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(()),
        Err(other) => Err(unavailable(other)),
    }
}

/// The ledger's completion, to put in the transaction that writes the effects:
/// it fails the whole transaction if our lease was lost.
pub fn completion(
    table: &str,
    operation: &str,
    request_id: &str,
    lease_id: &str,
    outcome_json: &str,
    at: OffsetDateTime,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key(operation, request_id)))
        .update_expression(
            "SET #state = :completed, outcome = :outcome, completed_at = :at REMOVE lease_until",
        )
        .condition_expression("lease_id = :lease AND #state = :in_progress")
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":completed", s("COMPLETED"))
        .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
        .expression_attribute_values(":outcome", s(outcome_json))
        .expression_attribute_values(":lease", s(lease_id))
        .expression_attribute_values(":at", s(rfc3339(at)))
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}
