//! [`AuthorizationStore`] on the token state table: one batched read of the
//! message's ledger entry, the card aggregate (`CARD#<fingerprint>`: live
//! tokens, the attempts of the last 24 h, a version) and the token; one
//! transaction per decision, conditional on the aggregate's version and on
//! the message being unanswered, so concurrent decisions for a card
//! serialise and a duplicate replays the first answer.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{ConditionCheck, KeysAndAttributes, TransactWriteItem, Update};
use tmp_core::ports::{
    AuthorizationSnapshot, AuthorizationStore, AuthorizationWrite, RequestKey, SaveError,
    StoreError,
};

use super::TokenStateTable;
use super::codec::{
    Item, attempts_json, authorized_token_item, built, card_aggregate, decision_item,
    device_index_item, history_item, issuer_card_alias, key, n, outbox_item, put, rfc3339, s,
    search_index_items, token_snapshot, update, utc_day,
};
use super::decision_rules::{current_key, document_of};
use super::keys;
use super::ledger::{answer, request_state};

#[async_trait]
impl AuthorizationStore for TokenStateTable {
    async fn snapshot(
        &self,
        request: &RequestKey,
        pan_fingerprint: &str,
        token_ref: &str,
    ) -> Result<AuthorizationSnapshot, StoreError> {
        let request_key = key(keys::request(request));
        let card_key = key(keys::card(pan_fingerprint));
        let token_key = key(keys::token(token_ref));
        // One call: the three items, and the administrator's rules when this
        // function reads them.
        let keys = |keys: Vec<Item>| {
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        };
        let mut requests = HashMap::from([(
            self.table.clone(),
            keys(vec![
                request_key.clone(),
                card_key.clone(),
                token_key.clone(),
            ])?,
        )]);
        if let Some(rules) = &self.decision_rules_table {
            requests.insert(rules.clone(), keys(vec![current_key()])?);
        }
        let mut found = self.batch_get_tables(requests).await?;
        let items = found.remove(&self.table).unwrap_or_default();
        let decision_rules = self
            .decision_rules_table
            .as_ref()
            .and_then(|rules| found.remove(rules))
            .and_then(|rules| rules.first().and_then(document_of));
        let is = |item: &Item, wanted: &Item| {
            item.get(keys::PK) == wanted.get(keys::PK) && item.get(keys::SK) == wanted.get(keys::SK)
        };
        Ok(AuthorizationSnapshot {
            request: items
                .iter()
                .find(|i| is(i, &request_key))
                .map(request_state)
                .transpose()?
                .unwrap_or_default(),
            card: items
                .iter()
                .find(|i| is(i, &card_key))
                .map(card_aggregate)
                .transpose()?
                .unwrap_or_default(),
            token: items
                .iter()
                .find(|i| is(i, &token_key))
                .map(token_snapshot)
                .transpose()?,
            decision_rules,
        })
    }

    async fn save_authorization(&self, w: &AuthorizationWrite) -> Result<(), SaveError> {
        let at = rfc3339(w.now);
        let mut items = Vec::with_capacity(10);
        items.push(card_write(&self.table, w, &at)?);
        if w.writes_token {
            items.push(put(&self.table, decision_item(w, &at)?, None, &[])?);
            items.push(token_write(&self.table, w, &at)?);
            items.push(put(
                &self.table,
                history_item(&w.token_ref, &w.history, &at)?,
                None,
                &[],
            )?);
            // The issuer finds the token by card id and by device.
            if w.existing.is_none() {
                if let Some(card_id) = w.issuer_card_id.as_deref() {
                    items.push(issuer_card_alias(
                        &self.table,
                        card_id,
                        &w.pan_fingerprint,
                        &at,
                    )?);
                }
                if let Some(entry) =
                    device_index_item(&w.token_ref, w.payment_app_instance_id.as_deref(), &at)
                {
                    items.push(put(&self.table, entry, None, &[])?);
                }
                // Customer service finds it by last four + expiry, phone and day.
                let card = w
                    .pan_expiry
                    .as_deref()
                    .map(|expiry| (w.pan_last4.as_str(), expiry));
                for entry in search_index_items(
                    &w.token_ref,
                    &at,
                    &utc_day(w.now),
                    card,
                    w.phone_fingerprint.as_deref(),
                ) {
                    items.push(put(&self.table, entry, None, &[])?);
                }
            }
        }
        if let Some(event) = &w.event {
            items.push(put(
                &self.table,
                outbox_item(&w.token_ref, event, &at)?,
                None,
                &[],
            )?);
        }
        items.push(answer(&self.table, &w.answer, w.now)?);
        self.transact(items, None).await
    }
}

/// The card aggregate, only if it is still the version read.
fn card_write(
    table: &str,
    w: &AuthorizationWrite,
    at: &str,
) -> Result<TransactWriteItem, StoreError> {
    // Version 0: no aggregate yet, or one only a lifecycle counter touched.
    let condition = if w.card_version == 0 {
        "attribute_not_exists(version)"
    } else {
        "version = :version"
    };
    let mut card = Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::card(&w.pan_fingerprint))))
        .update_expression(
            "SET attempts = :attempts, version = :next, pan_last4 = :last4, updated_at = :at ADD live_tokens :delta",
        )
        .condition_expression(condition)
        .expression_attribute_values(":attempts", s(attempts_json(&w.attempts)?))
        .expression_attribute_values(":next", n(w.card_version + 1))
        .expression_attribute_values(":last4", s(&w.pan_last4))
        .expression_attribute_values(":at", s(at))
        .expression_attribute_values(":delta", n(w.live_delta));
    if w.card_version != 0 {
        card = card.expression_attribute_values(":version", n(w.card_version));
    }
    Ok(update(built(card.build())?))
}

/// A new token is created; a token that exists is only checked to be as read
/// (never reset: its status, suspensions and card stay).
fn token_write(
    table: &str,
    w: &AuthorizationWrite,
    at: &str,
) -> Result<TransactWriteItem, StoreError> {
    match &w.existing {
        None => put(
            table,
            authorized_token_item(w, at),
            Some("attribute_not_exists(pk)"),
            &[],
        ),
        Some(token) => {
            let check = ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key(keys::token(&w.token_ref))))
                .condition_expression("#status = :status AND pan_fingerprint = :fingerprint")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(token.status.as_str()))
                .expression_attribute_values(":fingerprint", s(&w.pan_fingerprint))
                .build();
            Ok(TransactWriteItem::builder()
                .condition_check(built(check)?)
                .build())
        }
    }
}
