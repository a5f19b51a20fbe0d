//! [`RequestLedger`] on the token state table: one item per (network,
//! operation, requestId), claimed with a lease before processing, completed in
//! the same transaction as the effects, or released on failure.

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use time::{Duration, OffsetDateTime};
use tmp_core::ports::{
    RequestAnswer, RequestClaim, RequestCompletion, RequestKey, RequestLedger, RequestState,
    SaveError, StoreError,
};

use super::TokenStateTable;
use super::codec::{Item, built, epoch, get_s, item, key, rfc3339, s, unavailable, update};
use super::keys::{self, EXPIRES_AT};

/// How long a claim protects a request being processed; a crashed
/// invocation's claim can be taken over after it.
const LEASE: Duration = Duration::seconds(30);
/// Answers are replayed for network retries for this long.
const REPLAY_WINDOW: Duration = Duration::days(7);

/// The ledger's completion, to put in the transaction that writes the effects:
/// it fails the whole transaction if our lease was lost.
pub fn completion(
    table: &str,
    request: &RequestCompletion,
    at: OffsetDateTime,
) -> Result<TransactWriteItem, StoreError> {
    let completed = Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::request(&request.key))))
        .update_expression(
            "SET #state = :completed, outcome = :outcome, completed_at = :at REMOVE lease_until",
        )
        .condition_expression("lease_id = :lease AND #state = :in_progress")
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":completed", s("COMPLETED"))
        .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
        .expression_attribute_values(":outcome", s(&request.outcome_json))
        .expression_attribute_values(":lease", s(&request.lease_id))
        .expression_attribute_values(":at", s(rfc3339(at)))
        .build();
    Ok(update(built(completed)?))
}

/// A message's answer recorded without a prior claim, in the transaction of
/// its effects: only if none was recorded (a claim of an earlier release is
/// taken over: that invocation's completion then fails on its lease).
pub fn answer(
    table: &str,
    request: &RequestAnswer,
    at: OffsetDateTime,
) -> Result<TransactWriteItem, StoreError> {
    let answered = Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::request(&request.key))))
        .update_expression(
            "SET #state = :completed, signature = :signature, outcome = :outcome, created_at = if_not_exists(created_at, :at), completed_at = :at, #expires = :expires REMOVE lease_id, lease_until",
        )
        .condition_expression("attribute_not_exists(pk) OR #state = :in_progress")
        .expression_attribute_names("#state", "state")
        .expression_attribute_names("#expires", EXPIRES_AT)
        .expression_attribute_values(":completed", s("COMPLETED"))
        .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
        .expression_attribute_values(":signature", s(&request.signature))
        .expression_attribute_values(":outcome", s(&request.outcome_json))
        .expression_attribute_values(":at", s(rfc3339(at)))
        .expression_attribute_values(":expires", epoch(at + REPLAY_WINDOW))
        .build();
    Ok(update(built(answered)?))
}

/// A ledger item as a snapshot sees it: completed, or not yet.
pub fn request_state(item: &Item) -> Result<RequestState, StoreError> {
    match get_s(item, "state") {
        Some("COMPLETED") => Ok(RequestState::Completed {
            signature: get_s(item, "signature").unwrap_or_default().to_owned(),
            outcome_json: get_s(item, "outcome")
                .ok_or_else(|| StoreError::Corrupt("completed request without outcome".into()))?
                .to_owned(),
        }),
        _ => Ok(RequestState::New),
    }
}

#[async_trait]
impl RequestLedger for TokenStateTable {
    async fn claim(
        &self,
        request: &RequestKey,
        signature: &str,
        lease_id: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError> {
        let mut record = key(keys::request(request));
        record.extend(item([
            ("state", Some(s("IN_PROGRESS"))),
            ("lease_id", Some(s(lease_id))),
            ("lease_until", Some(epoch(now + LEASE))),
            ("signature", Some(s(signature))),
            ("created_at", Some(s(rfc3339(now)))),
            (EXPIRES_AT, Some(epoch(now + REPLAY_WINDOW))),
        ]));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
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
            Ok(_) => return Ok(RequestClaim::Claimed),
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

    async fn release(&self, request: &RequestKey, lease_id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::request(request))))
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

    async fn complete(
        &self,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        self.transact(vec![completion(&self.table, request, now)?], None)
            .await
    }
}
