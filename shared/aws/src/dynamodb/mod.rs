//! DynamoDB adapters. One table holds token state (`TokenStateTable`: pk/sk,
//! gsi1, TTL on `expires_at`); [`TokenStateTable`] implements every store port
//! over it, one file per port. Keys are built in `keys.rs` only, items are
//! encoded and decoded in `codec.rs` only, and transaction failures are mapped
//! in `transact.rs` only.

pub mod audit;
pub mod authorization;
pub mod codec;
pub mod codes;
pub mod contacts;
pub mod decision_rules;
pub mod deliveries;
pub mod directory;
pub mod jobs;
pub mod key_material;
pub mod keys;
pub mod ledger;
pub mod outbox;
pub mod reports;
pub mod stream;
pub mod tokens;
pub mod transact;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use tmp_core::ports::StoreError;

/// BatchGetItem reads at most 100 keys per call.
const BATCH_GET_LIMIT: usize = 100;
/// Rounds of re-asking BatchGetItem for keys it left unprocessed.
const UNPROCESSED_RETRIES: usize = 3;

pub use contacts::DynamoDbContactDirectory;
pub use key_material::DynamoDbKeyMaterialStore;

use codec::{Item, unavailable};

/// The token state table and its client.
#[derive(Clone)]
pub struct TokenStateTable {
    client: Client,
    table: String,
    /// Where an administrator's decision rules are (read with each
    /// authorization's snapshot), when this function reads them.
    decision_rules_table: Option<String>,
}

impl TokenStateTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            decision_rules_table: None,
        }
    }

    /// Authorization's snapshot also reads the current decision rules of `table`.
    pub fn with_decision_rules(mut self, table: Option<String>) -> Self {
        self.decision_rules_table = table.filter(|t| !t.is_empty());
        self
    }

    /// The items of `wanted` that exist, strongly consistent, in as few
    /// `BatchGetItem` calls as the 100-key limit allows (one, for every read
    /// on a request path); keys left unprocessed under load are asked again.
    pub(crate) async fn batch_get(
        &self,
        wanted: Vec<Item>,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(BATCH_GET_LIMIT) {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .set_projection_expression(projection.map(str::to_owned))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let responses = self
                .batch_get_tables(HashMap::from([(self.table.clone(), request)]))
                .await?;
            found.extend(responses.into_values().flatten());
        }
        Ok(found)
    }

    /// One BatchGetItem over several tables (at most 100 keys in all), keys
    /// left unprocessed under load asked again; the items found per table.
    pub(crate) async fn batch_get_tables(
        &self,
        requests: HashMap<String, KeysAndAttributes>,
    ) -> Result<HashMap<String, Vec<Item>>, StoreError> {
        let mut found: HashMap<String, Vec<Item>> = HashMap::new();
        {
            let mut pending = Some(requests);
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
                for (table, items) in out.responses.unwrap_or_default() {
                    found.entry(table).or_default().extend(items);
                }
                pending = out.unprocessed_keys;
            }
            if pending.is_some_and(|p| !p.is_empty()) {
                return Err(StoreError::Unavailable(
                    "batch read left keys unprocessed".into(),
                ));
            }
        }
        Ok(found)
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

    /// Items of a partition whose sort key starts with `prefix` (every item
    /// of it when `prefix` is empty).
    async fn partition(&self, pk: &str, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":pk", codec::s(pk));
            let query = if prefix.is_empty() {
                query.key_condition_expression("pk = :pk")
            } else {
                query
                    .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(":prefix", codec::s(prefix))
            };
            let page = query
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
