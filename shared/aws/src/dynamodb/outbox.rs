//! [`EventOutbox`] on the token state table: `EVENT#<eventId>` items in the
//! token's partition, written with each change and marked once published.

use async_trait::async_trait;
use time::OffsetDateTime;
use tmp_core::domain::events::TokenEvent;
use tmp_core::ports::{EventOutbox, StoreError};

use super::TokenStateTable;
use super::codec::{b, key, rfc3339, s, unavailable, unpublished_event};
use super::keys::{self, EVENT_PREFIX};

#[async_trait]
impl EventOutbox for TokenStateTable {
    async fn unpublished_events(&self, token_ref: &str) -> Result<Vec<TokenEvent>, StoreError> {
        let mut events = Vec::new();
        for item in self
            .partition(&keys::token_partition(token_ref), EVENT_PREFIX)
            .await?
        {
            events.extend(unpublished_event(&item)?);
        }
        Ok(events)
    }

    async fn mark_published(
        &self,
        token_ref: &str,
        event_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::event(token_ref, event_id))))
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
