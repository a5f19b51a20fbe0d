//! `AuthorizationStore` on DynamoDB: conditional claims for idempotency, one
//! item per attempt for velocity, and one transaction per decision.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValue, Select, TransactWriteItem, Update,
};
use time::{Duration, OffsetDateTime};

use super::attributes::{Item, epoch, get_n, get_s, item, n, rfc3339, s, unavailable};
use super::idempotency;
use super::keys::{self, EXPIRES_AT, GSI1PK, GSI1SK, PK, SK};
use crate::domain::decision::Decision;
use crate::ports::{
    AuthorizationStore, AuthorizationWrite, RequestClaim, SaveError, StoreError, TokenSnapshot,
};

const OPERATION: &str = "authorizeService";
const VELOCITY_WINDOW: Duration = Duration::hours(24);

#[derive(Clone)]
pub struct DynamoAuthorizationStore {
    client: Client,
    table: String,
}

impl DynamoAuthorizationStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn key(pk: String, sk: String) -> Item {
        item([(PK, Some(s(pk))), (SK, Some(s(sk)))])
    }

    /// A strongly consistent read of one item.
    async fn get(&self, pk: String, sk: String) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(out.item)
    }
}

/// Sortable, unique position of an attempt: epoch millis, then request id.
fn attempt_key(at: OffsetDateTime, request_id: &str) -> String {
    format!("{:015}#{request_id}", at.unix_timestamp_nanos() / 1_000_000)
}

#[async_trait]
impl AuthorizationStore for DynamoAuthorizationStore {
    async fn claim_request(
        &self,
        request_id: &str,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError> {
        idempotency::claim(
            &self.client,
            &self.table,
            OPERATION,
            request_id,
            signature,
            now,
        )
        .await
    }

    async fn release_request(&self, request_id: &str, lease_id: &str) -> Result<(), StoreError> {
        idempotency::release(&self.client, &self.table, OPERATION, request_id, lease_id).await
    }

    async fn record_attempt(
        &self,
        pan_fingerprint: &str,
        token_requestor_id: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        let (pk, sk) = keys::attempt(pan_fingerprint, token_requestor_id, request_id);
        // A retried request keeps its first position in the window.
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(pk.clone(), sk)))
            .update_expression("SET attempt_key = if_not_exists(attempt_key, :key), #exp = if_not_exists(#exp, :exp)")
            .expression_attribute_names("#exp", EXPIRES_AT)
            .expression_attribute_values(":key", s(attempt_key(now, request_id)))
            .expression_attribute_values(":exp", epoch(now + VELOCITY_WINDOW + Duration::hours(1)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        let own_key = updated
            .attributes
            .as_ref()
            .and_then(|a| get_s(a, "attempt_key"))
            .ok_or_else(|| StoreError::Corrupt("attempt without attempt_key".into()))?
            .to_owned();
        // Attempts ranked at or before ours, within 24 h: concurrent requests
        // each see a distinct rank, so the limit holds under races.
        let since = format!(
            "{:015}",
            (now - VELOCITY_WINDOW).unix_timestamp_nanos() / 1_000_000
        );
        let mut count = 0u32;
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .filter_expression("attempt_key BETWEEN :since AND :own")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":since", s(&since))
                .expression_attribute_values(":own", s(&own_key))
                .select(Select::Count)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable(e.into_service_error()))?;
            count += u32::try_from(page.count).unwrap_or(0);
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(count);
            }
        }
    }

    async fn live_token_count(&self, pan_fingerprint: &str) -> Result<u32, StoreError> {
        let (pk, sk) = keys::card(pan_fingerprint);
        let live = match self.get(pk, sk).await? {
            Some(card) => get_n(&card, "live_tokens")?.unwrap_or(0),
            None => 0,
        };
        Ok(u32::try_from(live).unwrap_or(u32::MAX))
    }

    async fn find_token(&self, token_ref: &str) -> Result<Option<TokenSnapshot>, StoreError> {
        let (pk, sk) = keys::token(token_ref);
        Ok(self.get(pk, sk).await?.map(|token| TokenSnapshot {
            live: token
                .get("live")
                .and_then(|v| v.as_bool().ok())
                .copied()
                .unwrap_or(false),
        }))
    }

    async fn save_authorization(&self, w: &AuthorizationWrite) -> Result<(), SaveError> {
        let at = rfc3339(w.now);
        let approved = w.record.decision != Decision::Declined;
        let already_live = w.existing.as_ref().is_some_and(|t| t.live);
        let becomes_live = approved && !already_live;
        let live = approved || already_live;
        let token_status = if live { "INACTIVE" } else { "DECLINED" };
        let rules_json = serde_json::to_string(&w.record)
            .map_err(|e| StoreError::Corrupt(format!("decision record: {e}")))?;

        let mut items = Vec::with_capacity(4);
        let (dpk, _) = keys::token(&w.token_ref);
        items.push(
            TransactWriteItem::builder()
                .put(build_put(
                    &self.table,
                    item([
                        (PK, Some(s(dpk))),
                        (SK, Some(s(keys::decision_sk(&at, &w.request_id)))),
                        ("request_id", Some(s(&w.request_id))),
                        ("correlation_id", Some(s(&w.correlation_id))),
                        ("decision", Some(s(decision_name(w.record.decision)))),
                        ("decided_by", Some(s(serde_plain(&w.record.decided_by)))),
                        ("explanation", Some(s(rules_json))),
                        ("issuer_card_id", w.issuer_card_id.as_deref().map(s)),
                        ("product_category", w.product_category.as_deref().map(s)),
                        ("created_at", Some(s(&at))),
                    ]),
                    None,
                )?)
                .build(),
        );

        if becomes_live {
            let (cpk, csk) = keys::card(&w.pan_fingerprint);
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(Self::key(cpk, csk)))
                .update_expression("SET live_tokens = if_not_exists(live_tokens, :zero) + :one, pan_last4 = :last4, updated_at = :at")
                .condition_expression("attribute_not_exists(live_tokens) OR live_tokens < :limit")
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":limit", n(w.live_token_limit))
                .expression_attribute_values(":last4", s(&w.pan_last4))
                .expression_attribute_values(":at", s(&at))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            items.push(TransactWriteItem::builder().update(update).build());
        }

        let (tpk, tsk) = keys::token(&w.token_ref);
        let (gpk, gsk) = keys::card_tokens_index(&w.pan_fingerprint, &at, &w.token_ref);
        let token_item = item([
            (PK, Some(s(tpk))),
            (SK, Some(s(tsk))),
            (GSI1PK, Some(s(gpk))),
            (GSI1SK, Some(s(gsk))),
            ("network", Some(s("MDES"))),
            ("token_unique_reference", Some(s(&w.token_ref))),
            (
                "pan_unique_reference",
                w.pan_unique_reference.as_deref().map(s),
            ),
            ("pan_fingerprint", Some(s(&w.pan_fingerprint))),
            ("pan_last4", Some(s(&w.pan_last4))),
            ("token_requestor_id", w.token_requestor_id.as_deref().map(s)),
            ("wallet_id", w.wallet_id.as_deref().map(s)),
            (
                "payment_app_instance_id",
                w.payment_app_instance_id.as_deref().map(s),
            ),
            ("correlation_id", Some(s(&w.correlation_id))),
            ("token_type", Some(s(&w.token_type))),
            ("device_name", w.device_name.as_deref().map(s)),
            ("status", Some(s(token_status))),
            (
                "authorization_decision",
                Some(s(decision_name(w.record.decision))),
            ),
            ("live", Some(AttributeValue::Bool(live))),
            ("suspenders", Some(s("[]"))),
            ("version", Some(n(1))),
            (
                "contact_ciphertext",
                w.contact_ciphertext
                    .as_ref()
                    .map(|c| AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(c.clone()))),
            ),
            ("created_at", Some(s(&at))),
            ("updated_at", Some(s(&at))),
        ]);
        // New token: must not exist. Re-authorization: must still be as we read it.
        let token_condition = match &w.existing {
            None => "attribute_not_exists(pk)",
            Some(t) if t.live => "live = :true",
            Some(_) => "attribute_exists(pk) AND live = :false",
        };
        let token_values = match &w.existing {
            None => None,
            Some(t) => Some((
                if t.live { ":true" } else { ":false" },
                AttributeValue::Bool(t.live),
            )),
        };
        items.push(
            TransactWriteItem::builder()
                .put(build_put(
                    &self.table,
                    token_item,
                    Some((token_condition, token_values)),
                )?)
                .build(),
        );

        let history_json = serde_json::to_string(&w.history)
            .map_err(|e| StoreError::Corrupt(format!("history: {e}")))?;
        let (hpk, _) = keys::token(&w.token_ref);
        items.push(
            TransactWriteItem::builder()
                .put(build_put(
                    &self.table,
                    item([
                        (PK, Some(s(&hpk))),
                        (SK, Some(s(format!("HISTORY#{at}#{}", w.request_id)))),
                        ("entry", Some(s(history_json))),
                        ("to_status", Some(s(w.history.to.as_str()))),
                        ("applied", Some(AttributeValue::Bool(true))),
                        ("created_at", Some(s(&at))),
                    ]),
                    None,
                )?)
                .build(),
        );
        if let Some(event) = &w.event {
            let event_json = serde_json::to_string(event)
                .map_err(|e| StoreError::Corrupt(format!("event: {e}")))?;
            items.push(
                TransactWriteItem::builder()
                    .put(build_put(
                        &self.table,
                        item([
                            (PK, Some(s(&hpk))),
                            (SK, Some(s(format!("EVENT#{}", event.event_id)))),
                            ("event", Some(s(event_json))),
                            ("published", Some(AttributeValue::Bool(false))),
                            ("created_at", Some(s(&at))),
                        ]),
                        None,
                    )?)
                    .build(),
            );
        }
        items.push(idempotency::completion(
            &self.table,
            OPERATION,
            &w.request_id,
            &w.lease_id,
            &w.outcome_json,
            w.now,
        )?);

        let card_index = if becomes_live { Some(1) } else { None };
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e) => {
                    let code = |i: usize| e.cancellation_reasons().get(i).and_then(|r| r.code());
                    let any = |wanted: &[&str]| {
                        e.cancellation_reasons()
                            .iter()
                            .any(|r| r.code().is_some_and(|c| wanted.contains(&c)))
                    };
                    if card_index.is_some_and(|i| code(i) == Some("ConditionalCheckFailed")) {
                        Err(SaveError::TokenLimitReached)
                    } else if any(&[
                        "TransactionConflict",
                        "ThrottlingError",
                        "ProvisionedThroughputExceeded",
                    ]) {
                        Err(SaveError::Contention)
                    } else {
                        let codes: Vec<&str> = e
                            .cancellation_reasons()
                            .iter()
                            .map(|r| r.code().unwrap_or("-"))
                            .collect();
                        tracing::warn!(?codes, "decision transaction cancelled");
                        Err(SaveError::Conflict)
                    }
                }
                TransactWriteItemsError::TransactionInProgressException(_)
                | TransactWriteItemsError::ProvisionedThroughputExceededException(_)
                | TransactWriteItemsError::RequestLimitExceeded(_) => Err(SaveError::Contention),
                other => Err(SaveError::Store(unavailable(other))),
            },
        }
    }
}

type Condition<'a> = (&'a str, Option<(&'a str, AttributeValue)>);

fn build_put(table: &str, item: Item, condition: Option<Condition<'_>>) -> Result<Put, StoreError> {
    let mut put = Put::builder().table_name(table).set_item(Some(item));
    if let Some((expression, value)) = condition {
        put = put.condition_expression(expression);
        if let Some((name, value)) = value {
            put = put.expression_attribute_values(name, value);
        }
    }
    put.build().map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Approved => "APPROVED",
        Decision::RequireAdditionalAuthentication => "REQUIRE_ADDITIONAL_AUTHENTICATION",
        Decision::Declined => "DECLINED",
    }
}

fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
