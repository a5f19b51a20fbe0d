//! [`TokenLifecycleStore`] on the token state table: a lifecycle change is
//! one transaction of the token (versioned), its history line, the card's
//! live-token counter, its outbox events and the message's completion.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use tmp_core::domain::token::HistoryEntry;
use tmp_core::ports::{LifecycleCommit, SaveError, StoreError, TokenLifecycleStore, TokenRecord};

use super::TokenStateTable;
use super::codec::{
    CONTACT_CIPHERTEXT, PENDING_ACTION, attribute_columns, b, built, delete, get_blob,
    history_entry, history_item, json, key, n, new_token_item, outbox_item, put, rfc3339, s,
    token_index_items, token_record, update,
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
        if c.expected_version.is_none() {
            for index in token_index_items(
                &c.token_ref,
                None,
                None,
                c.attributes.payment_app_instance_id.as_deref(),
                &now,
            ) {
                items.push(put(&self.table, index, None, &[])?);
            }
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
