//! [`EventOutbox`] on the token state table: `EVENT#<eventId>` items in the
//! token's partition, written with each change, published from the table's
//! stream and marked once published.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use time::OffsetDateTime;
use tmp_core::ports::{EventOutbox, OutboxKey, StoreError};

use super::TokenStateTable;
use super::codec::{b, get_bool, get_s, key, rfc3339, s, unavailable};
use super::keys::{self, EVENT_PREFIX};

/// BatchGetItem reads at most 100 keys per call.
const BATCH_GET_LIMIT: usize = 100;
/// Rounds of re-asking BatchGetItem for keys it left unprocessed.
const UNPROCESSED_RETRIES: usize = 3;

#[async_trait]
impl EventOutbox for TokenStateTable {
    async fn published_among(&self, wanted: &[OutboxKey]) -> Result<HashSet<String>, StoreError> {
        let mut published = HashSet::new();
        for chunk in wanted.chunks(BATCH_GET_LIMIT) {
            let mut request = KeysAndAttributes::builder()
                .consistent_read(true)
                .projection_expression("sk, published");
            for k in chunk {
                request = request.keys(key(keys::event(&k.token_ref, &k.event_id)));
            }
            let request = request
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let mut pending = Some(HashMap::from([(self.table.clone(), request)]));
            for _ in 0..UNPROCESSED_RETRIES {
                let Some(ask) = pending.take().filter(|r| !r.is_empty()) else {
                    break;
                };
                let out = self
                    .client
                    .batch_get_item()
                    .set_request_items(Some(ask))
                    .send()
                    .await
                    .map_err(|e| unavailable(e.into_service_error()))?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    if get_bool(&item, "published") == Some(true)
                        && let Some(event_id) =
                            get_s(&item, keys::SK).and_then(|sk| sk.strip_prefix(EVENT_PREFIX))
                    {
                        published.insert(event_id.to_owned());
                    }
                }
                pending = out.unprocessed_keys;
            }
            if pending.is_some_and(|p| !p.is_empty()) {
                return Err(StoreError::Unavailable(
                    "batch read left keys unprocessed".into(),
                ));
            }
        }
        Ok(published)
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
