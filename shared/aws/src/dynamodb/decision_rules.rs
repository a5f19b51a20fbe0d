//! [`DecisionRulesStore`] on the decision rules table (`DecisionRulesTable`,
//! key `pk`): the current document (`CURRENT`, with its version) and every
//! document ever stored (`VERSION#<000001>`), the two written in one
//! transaction on condition that the current version is the one read.
//! Authorization reads `CURRENT` in its snapshot's BatchGetItem.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_core::ports::{DecisionRulesStore, SaveError, StoreError, StoredRules};

use super::codec::{Item, get_n, get_s, n, put, rfc3339, s, unavailable};
use super::transact::save_error;

/// The key of the document in force.
pub const CURRENT: &str = "CURRENT";

pub fn current_key() -> Item {
    Item::from([("pk".to_owned(), s(CURRENT))])
}

/// The document of a `CURRENT` item (`None` when it has none).
pub fn document_of(item: &Item) -> Option<String> {
    get_s(item, "document").map(str::to_owned)
}

#[derive(Clone)]
pub struct DecisionRulesTable {
    client: Client,
    table: String,
}

impl DecisionRulesTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn item(pk: String, r: &StoredRules) -> Item {
    Item::from([
        ("pk".to_owned(), s(pk)),
        ("version".to_owned(), n(r.version)),
        ("document".to_owned(), s(&r.document)),
        ("updated_by".to_owned(), s(&r.updated_by)),
        ("updated_at".to_owned(), s(rfc3339(r.updated_at))),
    ])
}

#[async_trait]
impl DecisionRulesStore for DecisionRulesTable {
    async fn current(&self) -> Result<Option<StoredRules>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(current_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        let Some(found) = out.item else {
            return Ok(None);
        };
        let corrupt = || StoreError::Corrupt("decision rules item".to_owned());
        Ok(Some(StoredRules {
            version: get_n(&found, "version")?.ok_or_else(corrupt)?,
            document: document_of(&found).ok_or_else(corrupt)?,
            updated_by: get_s(&found, "updated_by").unwrap_or_default().to_owned(),
            updated_at: get_s(&found, "updated_at")
                .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
                .ok_or_else(corrupt)?,
        }))
    }

    async fn replace(&self, expected: u64, next: &StoredRules) -> Result<(), SaveError> {
        let (condition, values): (&str, Vec<(&str, AttributeValue)>) = if expected == 0 {
            ("attribute_not_exists(pk)", Vec::new())
        } else {
            ("version = :expected", vec![(":expected", n(expected))])
        };
        let items = vec![
            put(
                &self.table,
                item(CURRENT.to_owned(), next),
                Some(condition),
                &values,
            )?,
            put(
                &self.table,
                item(format!("VERSION#{:06}", next.version), next),
                Some("attribute_not_exists(pk)"),
                &[],
            )?,
        ];
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| save_error(err, None))
    }
}
