//! [`AuthorizationStore`] on the token state table: one item per attempt for
//! velocity, the card's live-token counter, and one transaction per decision.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, Select, Update};
use time::{Duration, OffsetDateTime};
use tmp_core::domain::decision::Decision;
use tmp_core::ports::{
    AuthorizationStore, AuthorizationWrite, SaveError, StoreError, TokenSnapshot,
};

use super::TokenStateTable;
use super::codec::{
    Item, authorized_token_item, b, built, decision_item, epoch, get_bool, get_n, get_s,
    history_item, key, n, outbox_item, put, rfc3339, s, unavailable, update,
};
use super::keys::{self, EXPIRES_AT};
use super::ledger::completion;

const VELOCITY_WINDOW: Duration = Duration::hours(24);

/// Sortable, unique position of an attempt: epoch millis, then request id.
fn attempt_key(at: OffsetDateTime, request_id: &str) -> String {
    format!("{:015}#{request_id}", at.unix_timestamp_nanos() / 1_000_000)
}

#[async_trait]
impl AuthorizationStore for TokenStateTable {
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
            .set_key(Some(key((pk.clone(), sk))))
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
        let live = match self.get(key(keys::card(pan_fingerprint))).await? {
            Some(card) => get_n(&card, "live_tokens")?.unwrap_or(0),
            None => 0,
        };
        Ok(u32::try_from(live).unwrap_or(u32::MAX))
    }

    async fn find_token(&self, token_ref: &str) -> Result<Option<TokenSnapshot>, StoreError> {
        Ok(self
            .get(key(keys::token(token_ref)))
            .await?
            .map(|token| TokenSnapshot {
                live: get_bool(&token, "live").unwrap_or(false),
            }))
    }

    async fn save_authorization(&self, w: &AuthorizationWrite) -> Result<(), SaveError> {
        let at = rfc3339(w.now);
        let approved = w.record.decision != Decision::Declined;
        let already_live = w.existing.as_ref().is_some_and(|t| t.live);
        let becomes_live = approved && !already_live;

        let mut items = Vec::with_capacity(6);
        items.push(put(&self.table, decision_item(w, &at)?, None, &[])?);
        let limit_item = if becomes_live {
            let counter = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::card(&w.pan_fingerprint))))
                .update_expression("SET live_tokens = if_not_exists(live_tokens, :zero) + :one, pan_last4 = :last4, updated_at = :at")
                .condition_expression("attribute_not_exists(live_tokens) OR live_tokens < :limit")
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":limit", n(w.live_token_limit))
                .expression_attribute_values(":last4", s(&w.pan_last4))
                .expression_attribute_values(":at", s(&at))
                .build();
            items.push(update(built(counter)?));
            Some(items.len() - 1)
        } else {
            None
        };
        // New token: must not exist. Re-authorization: must still be as we read it.
        let (condition, values): (&str, Vec<(&str, AttributeValue)>) = match &w.existing {
            None => ("attribute_not_exists(pk)", vec![]),
            Some(t) if t.live => ("live = :true", vec![(":true", b(true))]),
            Some(_) => (
                "attribute_exists(pk) AND live = :false",
                vec![(":false", b(false))],
            ),
        };
        items.push(put(
            &self.table,
            authorized_token_item(w, &at),
            Some(condition),
            &values,
        )?);
        items.push(put(
            &self.table,
            history_item(&w.token_ref, &w.history, &at)?,
            None,
            &[],
        )?);
        if let Some(event) = &w.event {
            items.push(put(
                &self.table,
                outbox_item(&w.token_ref, event, &at)?,
                None,
                &[],
            )?);
        }
        items.push(completion(&self.table, &w.completion, w.now)?);
        self.transact(items, limit_item).await
    }
}
