//! [`TokenLifecycleStore`] on the token state table: a lifecycle change is
//! one transaction of the token (versioned), its history line, the card's
//! live-token counter, its outbox events and the message's completion.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use tmp_core::domain::token::HistoryEntry;
use tmp_core::ports::{
    CardMove, LifecycleCommit, SaveError, StoreError, TokenLifecycleStore, TokenRecord,
};

use super::TokenStateTable;
use super::codec::{
    CONTACT_CIPHERTEXT, PENDING_ACTION, attribute_columns, b, built, card_last4_item, delete,
    device_index_item, get_blob, history_entry, history_item, json, key, n, new_token_item,
    outbox_item, put, rfc3339, s, search_index_items, token_record, update, utc_day,
};
use super::keys::{self, HISTORY_PREFIX};
use super::ledger::completion;

impl TokenStateTable {
    /// The token write of a commit: an update of the version we read, or
    /// the creation of a token new to us.
    fn token_write(
        &self,
        c: &LifecycleCommit,
        now: &str,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
        let Some(version) = c.expected_version else {
            let token = new_token_item(
                &c.token_ref,
                c.network,
                &c.state,
                c.pan_fingerprint.as_deref(),
                &c.attributes,
                c.now,
            )?;
            return put(&self.table, token, Some("attribute_not_exists(pk)"), &[]);
        };
        let mut names: Vec<(String, String)> = vec![("#status".into(), "status".into())];
        let mut values: Vec<(String, AttributeValue)> = vec![
            (":status".into(), s(c.state.status.as_str())),
            (":live".into(), b(c.state.status.is_live())),
            (":suspenders".into(), s(json(&c.state.suspenders)?)),
            (":updated".into(), s(now)),
            (":next".into(), n(version + 1)),
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
        for (i, (name, value)) in attribute_columns(&c.attributes).into_iter().enumerate() {
            sets.push(format!("#a{i} = :a{i}"));
            values.push((format!(":a{i}"), s(value)));
            names.push((format!("#a{i}"), name.to_owned()));
        }
        // A card update moves the token to the new card: its fingerprint and
        // its entry in the card's index (gsi1 sort key unchanged).
        if let Some(moved) = &c.card_move {
            let (gpk, _) = keys::card_tokens_index(&moved.to_fingerprint, "", "");
            sets.push("pan_fingerprint = :to_fp".into());
            sets.push("#gsi1pk = :to_gpk".into());
            names.push(("#gsi1pk".into(), keys::GSI1PK.into()));
            values.push((":to_fp".into(), s(&moved.to_fingerprint)));
            values.push((":to_gpk".into(), s(gpk)));
        }
        sets.push("version = :next".into());
        let condition = if version == 0 {
            "attribute_exists(pk) AND attribute_not_exists(version)".to_owned()
        } else {
            values.push((":version".into(), n(version)));
            "version = :version".to_owned()
        };
        // The pending action is settled with this change.
        let remove = if c.clear_pending {
            names.push(("#pending".into(), PENDING_ACTION.into()));
            " REMOVE #pending"
        } else {
            ""
        };
        let mut token = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::token(&c.token_ref))))
            .update_expression(format!("SET {}{remove}", sets.join(", ")))
            .condition_expression(condition);
        for (k, v) in names {
            token = token.expression_attribute_names(k, v);
        }
        for (k, v) in values {
            token = token.expression_attribute_values(k, v);
        }
        Ok(update(built(token.build())?))
    }
}

/// A token moving to the new card: the old card counts one live token less
/// and the new one more (each version moves, as with any counter change),
/// and the issuer's card id names the new card, remembering the old one (its
/// tokens the network did not move stay findable by the card id).
fn card_move_writes(
    table: &str,
    moved: &CardMove,
    now: &str,
) -> Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>, StoreError> {
    let mut items = Vec::with_capacity(3);
    let counter = |fingerprint: &str, delta: i64| {
        Update::builder()
            .table_name(table)
            .set_key(Some(key(keys::card(fingerprint))))
            .update_expression("ADD live_tokens :delta, version :one SET updated_at = :at")
            .expression_attribute_values(":delta", n(delta))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":at", s(now))
            .build()
    };
    if moved.live {
        if let Some(from) = &moved.from_fingerprint {
            items.push(update(built(counter(from, -1))?));
        }
        items.push(update(built(counter(&moved.to_fingerprint, 1))?));
    }
    let mut alias = Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::issuer_card(&moved.card_id))))
        .expression_attribute_values(":to", s(&moved.to_fingerprint))
        .expression_attribute_values(":at", s(now));
    alias = match &moved.from_fingerprint {
        Some(from) => alias
            .update_expression(
                "SET pan_fingerprint = :to, updated_at = :at ADD previous_pan_fingerprints :from",
            )
            .expression_attribute_values(":from", AttributeValue::Ss(vec![from.clone()])),
        None => alias.update_expression("SET pan_fingerprint = :to, updated_at = :at"),
    };
    items.push(update(built(alias.build())?));
    Ok(items)
}

#[async_trait]
impl TokenLifecycleStore for TokenStateTable {
    async fn token(&self, token_ref: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.get(key(keys::token(token_ref)))
            .await?
            .map(|t| token_record(token_ref, &t))
            .transpose()
    }

    async fn commit(&self, c: &LifecycleCommit) -> Result<(), SaveError> {
        let now = rfc3339(c.now);
        let mut items = Vec::with_capacity(5 + c.events.len());
        items.push(self.token_write(c, &now)?);
        // A token new to us joins its device's list.
        if c.expected_version.is_none()
            && let Some(entry) = device_index_item(
                &c.token_ref,
                c.attributes.payment_app_instance_id.as_deref(),
                &now,
            )
        {
            items.push(put(&self.table, entry, None, &[])?);
        }
        // A token new to us is listed on its creation day; a card update
        // lists it under its card's new last four and expiry.
        if c.expected_version.is_none() {
            for entry in search_index_items(&c.token_ref, &now, &utc_day(c.now), None, None) {
                items.push(put(&self.table, entry, None, &[])?);
            }
        }
        if let (Some(last4), Some(expiry)) = (&c.attributes.pan_last4, &c.attributes.pan_expiry) {
            items.push(put(
                &self.table,
                card_last4_item(&c.token_ref, last4, expiry, &now),
                None,
                &[],
            )?);
        }
        items.push(put(
            &self.table,
            history_item(&c.token_ref, &c.history, &now)?,
            None,
            &[],
        )?);
        if let (delta @ (1 | -1), Some(fingerprint)) = (c.live_delta, c.pan_fingerprint.as_deref())
        {
            let counter = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::card(fingerprint))))
                // The version moves too: an authorization deciding on the old
                // count loses its transaction and decides again.
                .update_expression("ADD live_tokens :delta, version :one SET updated_at = :at")
                .expression_attribute_values(":delta", n(delta))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":at", s(&now));
            items.push(update(built(counter.build())?));
        }
        if let Some(moved) = &c.card_move {
            items.extend(card_move_writes(&self.table, moved, &now)?);
        }
        for event in &c.events {
            items.push(put(
                &self.table,
                outbox_item(&c.token_ref, event, &now)?,
                None,
                &[],
            )?);
        }
        if c.clear_pending {
            items.push(delete(
                &self.table,
                key(keys::pending_action(&c.token_ref)),
            )?);
        }
        if let Some(request) = &c.request {
            items.push(completion(&self.table, request, c.now)?);
        }
        self.transact(items, None).await
    }

    async fn history(&self, token_ref: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        self.partition(&keys::token_partition(token_ref), HISTORY_PREFIX)
            .await?
            .iter()
            .map(history_entry)
            .collect()
    }

    async fn token_with_contact(
        &self,
        token_ref: &str,
    ) -> Result<Option<(TokenRecord, Option<Vec<u8>>)>, StoreError> {
        self.get(key(keys::token(token_ref)))
            .await?
            .map(|t| {
                Ok((
                    token_record(token_ref, &t)?,
                    get_blob(&t, CONTACT_CIPHERTEXT),
                ))
            })
            .transpose()
    }
}
