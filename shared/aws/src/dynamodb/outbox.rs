//! [`EventOutbox`] on the token state table: `EVENT#<eventId>` items in the
//! token's partition, written with each change, published from the table's
//! stream and marked once published.

use std::collections::HashSet;

use async_trait::async_trait;
use time::OffsetDateTime;
use tmp_core::ports::{EventOutbox, OutboxKey, StoreError};

use super::TokenStateTable;
use super::codec::{b, get_bool, get_s, key, rfc3339, s, unavailable};
use super::keys::{self, EVENT_PREFIX};

#[async_trait]
impl EventOutbox for TokenStateTable {
    async fn published_among(&self, wanted: &[OutboxKey]) -> Result<HashSet<String>, StoreError> {
        let keys = wanted
            .iter()
            .map(|k| key(keys::event(&k.token_ref, &k.event_id)))
            .collect();
        Ok(self
            .batch_get(keys, Some("sk, published"))
            .await?
            .iter()
            .filter(|item| get_bool(item, "published") == Some(true))
            .filter_map(|item| get_s(item, keys::SK)?.strip_prefix(EVENT_PREFIX))
            .map(str::to_owned)
            .collect())
    }

    async fn mark_published(&self, k: &OutboxKey, now: OffsetDateTime) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::event(&k.token_ref, &k.event_id))))
            .update_expression("SET published = :true, published_at = :at")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":true", b(true))
            .expression_attribute_values(":at", s(rfc3339(now)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| unavailable(e.into_service_error()))
    }
}
