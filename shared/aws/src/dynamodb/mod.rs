//! DynamoDB adapters. One table holds token state (`TokenStateTable`: pk/sk,
//! gsi1, TTL on `expires_at`); [`TokenStateTable`] implements every store port
//! over it, one file per port. Keys are built in `keys.rs` only, items are
//! encoded and decoded in `codec.rs` only, and transaction failures are mapped
//! in `transact.rs` only.

pub mod authorization;
pub mod codec;
pub mod codes;
pub mod contacts;
pub mod key_material;
pub mod keys;
pub mod ledger;
pub mod outbox;
pub mod stream;
pub mod tokens;
pub mod transact;

use aws_sdk_dynamodb::Client;
use tmp_core::ports::StoreError;

pub use contacts::DynamoDbContactDirectory;
pub use key_material::DynamoDbKeyMaterialStore;

use codec::{Item, unavailable};

/// The token state table and its client.
#[derive(Clone)]
pub struct TokenStateTable {
    client: Client,
    table: String,
}

impl TokenStateTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A strongly consistent read of one item.
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

    /// Items of a partition whose sort key starts with `prefix`.
    async fn partition(&self, pk: &str, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", codec::s(pk))
                .expression_attribute_values(":prefix", codec::s(prefix))
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
}
