//! Token lifecycle, history, outbox events and activation codes on the token
//! state table. Items live in the token's partition (`TOKEN#<ref>`):
//! `TOKEN`, `HISTORY#<at>#<requestId>`, `EVENT#<eventId>`, `ACTIVATION_CODE`.

use std::collections::BTreeSet;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::attributes::{Item, epoch, get_n, get_s, item, n, rfc3339, s, unavailable};
use super::idempotency;
use super::keys::{self, PK, SK};
use crate::domain::activation_code::{CodeSource, IssuedCode};
use crate::domain::events::TokenEvent;
use crate::domain::token::{HistoryEntry, LifecycleState, Suspender, TokenStatus};
use crate::ports::token_lifecycle::code_source_name;
use crate::ports::{
    ActivationCodeStore, IssueOutcome, LifecycleCommit, RequestClaim, RequestCompletion,
    RequestLedger, SaveError, StoreError, StoredCode, TokenLifecycleStore, TokenRecord,
};

const CODE_SK: &str = "ACTIVATION_CODE";

#[derive(Clone)]
pub struct DynamoTokenStore {
    client: Client,
    table: String,
}

impl DynamoTokenStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn key(pk: String, sk: impl Into<String>) -> Item {
        item([(PK, Some(s(pk))), (SK, Some(s(sk.into())))])
    }

    fn token_key(token_ref: &str) -> Item {
        let (pk, sk) = keys::token(token_ref);
        Self::key(pk, sk)
    }

    async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map(|out| out.item)
            .map_err(|e| unavailable(e.into_service_error()))
    }

    /// Items of a token's partition whose sort key starts with `prefix`.
    async fn partition(&self, token_ref: &str, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let (pk, _) = keys::token(token_ref);
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(prefix))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable(e.into_service_error()))?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), SaveError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => Err(match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e) => {
                    let codes: Vec<&str> = e
                        .cancellation_reasons()
                        .iter()
                        .filter_map(|r| r.code())
                        .collect();
                    if codes
                        .iter()
                        .any(|c| matches!(*c, "TransactionConflict" | "ThrottlingError"))
                    {
                        SaveError::Contention
                    } else {
                        SaveError::Conflict
                    }
                }
                TransactWriteItemsError::TransactionInProgressException(_)
                | TransactWriteItemsError::ProvisionedThroughputExceededException(_)
                | TransactWriteItemsError::RequestLimitExceeded(_) => SaveError::Contention,
                other => SaveError::Store(unavailable(other)),
            }),
        }
    }

    fn completion(
        &self,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<TransactWriteItem, StoreError> {
        idempotency::completion(
            &self.table,
            &request.operation,
            &request.request_id,
            &request.lease_id,
            &request.outcome_json,
            now,
        )
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn build<T, E: std::fmt::Display>(built: Result<T, E>) -> Result<T, StoreError> {
    built.map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_time(value: Option<&str>) -> Option<OffsetDateTime> {
    value.and_then(|v| OffsetDateTime::parse(v, &Rfc3339).ok())
}

fn token_record(token_ref: &str, token: &Item) -> Result<TokenRecord, StoreError> {
    let status = get_s(token, "status")
        .and_then(TokenStatus::parse)
        .ok_or_else(|| corrupt("token status"))?;
    let suspenders: BTreeSet<Suspender> = match get_s(token, "suspenders") {
        Some(raw) => serde_json::from_str(raw).map_err(|_| corrupt("token suspenders"))?,
        None => BTreeSet::new(),
    };
    Ok(TokenRecord {
        token_ref: token_ref.to_owned(),
        state: LifecycleState {
            status,
            suspenders,
            last_event_at: parse_time(get_s(token, "last_event_at")),
        },
        version: get_n(token, "version")?.unwrap_or(0),
        pan_fingerprint: get_s(token, "pan_fingerprint").map(str::to_owned),
        pan_last4: get_s(token, "pan_last4").map(str::to_owned),
        pan_unique_reference: get_s(token, "pan_unique_reference").map(str::to_owned),
        token_requestor_id: get_s(token, "token_requestor_id").map(str::to_owned),
        wallet_id: get_s(token, "wallet_id").map(str::to_owned),
        has_contact: token.contains_key("contact_ciphertext"),
        language: get_s(token, "language").map(str::to_owned),
    })
}

#[async_trait]
impl RequestLedger for DynamoTokenStore {
    async fn claim(
        &self,
        operation: &str,
        request_id: &str,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError> {
        idempotency::claim(
            &self.client,
            &self.table,
            operation,
            request_id,
            signature,
            now,
        )
        .await
    }

    async fn release(
        &self,
        operation: &str,
        request_id: &str,
        lease_id: &str,
    ) -> Result<(), StoreError> {
        idempotency::release(&self.client, &self.table, operation, request_id, lease_id).await
    }

    async fn complete(
        &self,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        self.transact(vec![self.completion(request, now)?]).await
    }
}

#[async_trait]
impl TokenLifecycleStore for DynamoTokenStore {
    async fn token(&self, token_ref: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.get(Self::token_key(token_ref))
            .await?
            .map(|t| token_record(token_ref, &t))
            .transpose()
    }

    async fn commit(&self, c: &LifecycleCommit) -> Result<(), SaveError> {
        let now = OffsetDateTime::now_utc();
        let (pk, _) = keys::token(&c.token_ref);
        let mut items = Vec::with_capacity(4 + c.events.len());

        let mut names: Vec<(String, String)> = vec![("#status".into(), "status".into())];
        let mut values: Vec<(String, AttributeValue)> = vec![
            (":status".into(), s(c.state.status.as_str())),
            (
                ":live".into(),
                AttributeValue::Bool(c.state.status.is_live()),
            ),
            (":suspenders".into(), s(json(&c.state.suspenders)?)),
            (":updated".into(), s(rfc3339(now))),
        ];
        let mut sets = vec![
            "#status = :status".to_owned(),
            "live = :live".to_owned(),
            "suspenders = :suspenders".to_owned(),
            "updated_at = :updated".to_owned(),
        ];
        if let Some(last) = c.state.last_event_at {
            sets.push("last_event_at = :last".into());
            values.push((":last".into(), s(rfc3339(last))));
        }
        for (i, (name, value)) in c.attributes.iter().enumerate() {
            sets.push(format!("#a{i} = :a{i}"));
            values.push((format!(":a{i}"), s(value)));
            names.push((format!("#a{i}"), name.clone()));
        }
        let token_write = match c.expected_version {
            Some(version) => {
                sets.push("version = :next".into());
                values.push((":next".into(), n(version + 1)));
                let condition = if version == 0 {
                    "attribute_exists(pk) AND attribute_not_exists(version)".to_owned()
                } else {
                    values.push((":version".into(), n(version)));
                    "version = :version".to_owned()
                };
                let mut update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(Self::token_key(&c.token_ref)))
                    .update_expression(format!("SET {}", sets.join(", ")))
                    .condition_expression(condition);
                for (k, v) in names {
                    update = update.expression_attribute_names(k, v);
                }
                for (k, v) in values {
                    update = update.expression_attribute_values(k, v);
                }
                TransactWriteItem::builder()
                    .update(build(update.build())?)
                    .build()
            }
            None => {
                let mut token = Self::token_key(&c.token_ref);
                token.extend(item([
                    ("token_unique_reference", Some(s(&c.token_ref))),
                    ("network", Some(s("MDES"))),
                    ("status", Some(s(c.state.status.as_str()))),
                    ("live", Some(AttributeValue::Bool(c.state.status.is_live()))),
                    ("suspenders", Some(s(json(&c.state.suspenders)?))),
                    (
                        "last_event_at",
                        c.state.last_event_at.map(|t| s(rfc3339(t))),
                    ),
                    ("pan_fingerprint", c.pan_fingerprint.as_deref().map(s)),
                    ("version", Some(n(1))),
                    ("created_at", Some(s(rfc3339(now)))),
                    ("updated_at", Some(s(rfc3339(now)))),
                ]));
                for (name, value) in &c.attributes {
                    token.insert(name.clone(), s(value));
                }
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(token))
                    .condition_expression("attribute_not_exists(pk)");
                TransactWriteItem::builder()
                    .put(build(put.build())?)
                    .build()
            }
        };
        items.push(token_write);

        let mut history = Self::key(
            pk.clone(),
            format!("HISTORY#{}#{}", rfc3339(now), c.history.source_request_id),
        );
        history.extend(item([
            ("entry", Some(s(json(&c.history)?))),
            ("to_status", Some(s(c.history.to.as_str()))),
            ("applied", Some(AttributeValue::Bool(c.history.applied))),
            ("created_at", Some(s(rfc3339(now)))),
        ]));
        items.push(
            TransactWriteItem::builder()
                .put(build(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(history))
                        .build(),
                )?)
                .build(),
        );

        if let (delta @ (1 | -1), Some(fingerprint)) = (c.live_delta, c.pan_fingerprint.as_deref())
        {
            let (cpk, csk) = keys::card(fingerprint);
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(Self::key(cpk, csk)))
                .update_expression("ADD live_tokens :delta SET updated_at = :at")
                .expression_attribute_values(":delta", n(delta))
                .expression_attribute_values(":at", s(rfc3339(now)));
            items.push(
                TransactWriteItem::builder()
                    .update(build(update.build())?)
                    .build(),
            );
        }

        for event in &c.events {
            let mut outbox = Self::key(pk.clone(), format!("EVENT#{}", event.event_id));
            outbox.extend(item([
                ("event", Some(s(json(event)?))),
                ("published", Some(AttributeValue::Bool(false))),
                ("created_at", Some(s(rfc3339(now)))),
            ]));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(outbox));
            items.push(
                TransactWriteItem::builder()
                    .put(build(put.build())?)
                    .build(),
            );
        }
        if let Some(request) = &c.request {
            items.push(self.completion(request, now)?);
        }
        self.transact(items).await
    }

    async fn history(&self, token_ref: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        self.partition(token_ref, "HISTORY#")
            .await?
            .iter()
            .map(|i| {
                get_s(i, "entry")
                    .and_then(|e| serde_json::from_str(e).ok())
                    .ok_or_else(|| corrupt("history entry"))
            })
            .collect()
    }

    async fn unpublished_events(&self, token_ref: &str) -> Result<Vec<TokenEvent>, StoreError> {
        let mut events = Vec::new();
        for outbox in self.partition(token_ref, "EVENT#").await? {
            if outbox
                .get("published")
                .and_then(|v| v.as_bool().ok())
                .copied()
                == Some(true)
            {
                continue;
            }
            let event = get_s(&outbox, "event").and_then(|e| serde_json::from_str(e).ok());
            events.push(event.ok_or_else(|| corrupt("outbox event"))?);
        }
        Ok(events)
    }

    async fn mark_published(&self, token_ref: &str, event_id: &str) -> Result<(), StoreError> {
        let (pk, _) = keys::token(token_ref);
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(pk, format!("EVENT#{event_id}"))))
            .update_expression("SET published = :true, published_at = :at")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":at", s(rfc3339(OffsetDateTime::now_utc())))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| unavailable(e.into_service_error()))
    }

    async fn contact_ciphertext(&self, token_ref: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get(Self::token_key(token_ref)).await?.and_then(|t| {
            t.get("contact_ciphertext")
                .and_then(|v| v.as_b().ok())
                .map(|b| b.as_ref().to_vec())
        }))
    }
}

fn stored_code(code: &Item) -> Result<StoredCode, StoreError> {
    let source = match get_s(code, "source") {
        Some("NETWORK") => CodeSource::Network,
        _ => CodeSource::Issuer,
    };
    let expires = get_n(code, "expires_at")?.ok_or_else(|| corrupt("code expiry"))?;
    Ok(StoredCode {
        issued: IssuedCode {
            mac: get_s(code, "mac")
                .ok_or_else(|| corrupt("code mac"))?
                .to_owned(),
            expires_at: OffsetDateTime::from_unix_timestamp(
                i64::try_from(expires).unwrap_or(i64::MAX),
            )
            .map_err(|_| corrupt("code expiry"))?,
            attempts: u32::try_from(get_n(code, "attempts")?.unwrap_or(0)).unwrap_or(u32::MAX),
            max_attempts: u32::try_from(get_n(code, "max_attempts")?.unwrap_or(0)).unwrap_or(0),
            used: code
                .get("used")
                .and_then(|v| v.as_bool().ok())
                .copied()
                .unwrap_or(false),
            source,
        },
        ciphertext: code
            .get("ciphertext")
            .and_then(|v| v.as_b().ok())
            .map(|b| b.as_ref().to_vec())
            .unwrap_or_default(),
    })
}

impl DynamoTokenStore {
    fn code_key(token_ref: &str) -> Item {
        let (pk, _) = keys::token(token_ref);
        Self::key(pk, CODE_SK)
    }

    fn code_update(
        &self,
        token_ref: &str,
        expression: &str,
        condition: &str,
        now: OffsetDateTime,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::code_key(token_ref)))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", epoch(now));
        let update = if expression.contains(":one") {
            update.expression_attribute_values(":one", n(1))
        } else {
            update
        };
        let update = if expression.contains(":true") {
            update.expression_attribute_values(":true", AttributeValue::Bool(true))
        } else {
            update
        };
        Ok(TransactWriteItem::builder()
            .update(build(update.build())?)
            .build())
    }
}

#[async_trait]
impl ActivationCodeStore for DynamoTokenStore {
    async fn code(&self, token_ref: &str) -> Result<Option<StoredCode>, StoreError> {
        self.get(Self::code_key(token_ref))
            .await?
            .map(|c| stored_code(&c))
            .transpose()
    }

    async fn issue(
        &self,
        token_ref: &str,
        code: &StoredCode,
        now: OffsetDateTime,
    ) -> Result<IssueOutcome, SaveError> {
        let mut record = Self::code_key(token_ref);
        record.extend(item([
            ("mac", Some(s(&code.issued.mac))),
            ("expires_at", Some(epoch(code.issued.expires_at))),
            ("expires_at_text", Some(s(rfc3339(code.issued.expires_at)))),
            ("attempts", Some(n(0))),
            ("max_attempts", Some(n(code.issued.max_attempts))),
            ("used", Some(AttributeValue::Bool(false))),
            ("source", Some(s(code_source_name(code.issued.source)))),
            (
                "ciphertext",
                Some(AttributeValue::B(Blob::new(code.ciphertext.clone()))),
            ),
            ("issued_at", Some(s(rfc3339(now)))),
        ]));
        // Only replaces a code that is no longer in force.
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(record))
            .condition_expression("attribute_not_exists(pk) OR used = :true OR expires_at <= :now OR attempts >= max_attempts")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", epoch(now));
        let items = vec![
            TransactWriteItem::builder()
                .put(build(put.build())?)
                .build(),
        ];
        match self.transact(items).await {
            Ok(()) => Ok(IssueOutcome::Issued),
            Err(SaveError::Conflict) => match self.code(token_ref).await? {
                Some(existing) => Ok(IssueOutcome::Existing(existing)),
                None => Err(SaveError::Conflict),
            },
            Err(other) => Err(other),
        }
    }

    async fn record_failure(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let failure = self.code_update(
            token_ref,
            "ADD attempts :one",
            "used = :false AND attempts < max_attempts",
            now,
        )?;
        self.transact(vec![failure, self.completion(request, now)?])
            .await
    }

    async fn consume(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let consume = self.code_update(
            token_ref,
            "SET used = :true, used_at = :now REMOVE ciphertext",
            "used = :false AND attempts < max_attempts AND expires_at > :now",
            now,
        )?;
        self.transact(vec![consume, self.completion(request, now)?])
            .await
    }
}
