//! [`AuditLog`] on the admin audit table (`AdminAuditTable`): one partition
//! per UTC day (`DAY#2026-12-01`), entries sorted by time
//! (`<rfc3339>#<auditId>`), each the entry's JSON. An entry is only ever
//! put once (`attribute_not_exists`); nothing here updates or deletes one,
//! and the table's resource policy denies both. Entries expire (table TTL)
//! after the retention the deployment sets (`AUDIT_RETENTION_DAYS`, at least
//! a year).

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration};
use tmp_core::domain::audit::AuditEntry;
use tmp_core::ports::{AuditLog, AuditPage, AuditQuery, SearchError, StoreError};

use super::codec::{Item, corrupt, epoch, get_s, json, s, unavailable};
use super::keys::{EXPIRES_AT, PK, SK};

const CURSOR_V1: &str = "a1";

/// The audit table and its client.
#[derive(Clone)]
pub struct AuditTable {
    client: Client,
    table: String,
    retention: Duration,
}

fn day_key(day: Date) -> String {
    let text = day
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    format!("DAY#{text}")
}

fn encode_cursor(day: Date, sk: &str) -> String {
    let text = day
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    format!(
        "{CURSOR_V1}{}",
        URL_SAFE_NO_PAD.encode(format!("{text}\n{sk}"))
    )
}

/// A cursor we produced, and inside the query's days: the day, and where in
/// it to go on (`None`: from its newest entry).
fn decode_cursor(cursor: &str, query: &AuditQuery) -> Result<(Date, Option<String>), SearchError> {
    let decoded = cursor
        .strip_prefix(CURSOR_V1)
        .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(SearchError::BadCursor)?;
    let (day, sk) = decoded.split_once('\n').ok_or(SearchError::BadCursor)?;
    let day = Date::parse(day, format_description!("[year]-[month]-[day]"))
        .map_err(|_| SearchError::BadCursor)?;
    if day < query.from || day > query.to || sk.len() > 128 {
        return Err(SearchError::BadCursor);
    }
    Ok((day, (!sk.is_empty()).then(|| sk.to_owned())))
}

impl AuditTable {
    pub fn new(client: Client, table: impl Into<String>, retention: Duration) -> Self {
        Self {
            client,
            table: table.into(),
            retention,
        }
    }
}

#[async_trait]
impl AuditLog for AuditTable {
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let at = entry
            .at
            .format(&Rfc3339)
            .map_err(|_| corrupt("audit time"))?;
        let item: Item = [
            (PK.to_owned(), s(day_key(entry.at.date()))),
            (SK.to_owned(), s(format!("{at}#{}", entry.audit_id))),
            ("actor".to_owned(), s(&entry.actor)),
            ("entry".to_owned(), s(json(entry)?)),
            (EXPIRES_AT.to_owned(), epoch(entry.at + self.retention)),
        ]
        .into_iter()
        .collect();
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(())
    }

    async fn page(&self, query: &AuditQuery) -> Result<AuditPage, SearchError> {
        let (mut day, mut start) = match &query.cursor {
            None => (query.to, None),
            Some(cursor) => decode_cursor(cursor, query)?,
        };
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let mut entries = Vec::new();
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(day_key(day)))
                .scan_index_forward(false)
                .limit(i32::try_from(query.limit.saturating_add(1)).unwrap_or(201));
            if let Some(actor) = &query.actor {
                request = request
                    .filter_expression("actor = :actor")
                    .expression_attribute_values(":actor", s(actor));
            }
            if let Some(sk) = start.take() {
                request = request.set_exclusive_start_key(Some(
                    [
                        (PK.to_owned(), s(day_key(day))),
                        (SK.to_owned(), AttributeValue::S(sk)),
                    ]
                    .into_iter()
                    .collect(),
                ));
            }
            let out = request
                .send()
                .await
                .map_err(|e| SearchError::Store(unavailable(e.into_service_error())))?;
            let items = out.items.unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                let entry: AuditEntry = get_s(item, "entry")
                    .and_then(|e| serde_json::from_str(e).ok())
                    .ok_or_else(|| SearchError::Store(corrupt("audit entry")))?;
                entries.push(entry);
                if entries.len() == limit {
                    let more_today = i + 1 < items.len() || out.last_evaluated_key.is_some();
                    let next_cursor = if more_today {
                        get_s(item, SK).map(|sk| encode_cursor(day, sk))
                    } else {
                        day.previous_day()
                            .filter(|d| *d >= query.from)
                            .map(|d| encode_cursor(d, ""))
                    };
                    return Ok(AuditPage {
                        entries,
                        next_cursor,
                    });
                }
            }
            if let Some(key) = out.last_evaluated_key {
                start = key.get(SK).and_then(|v| v.as_s().ok()).cloned();
                continue;
            }
            match day.previous_day().filter(|d| *d >= query.from) {
                Some(previous) => day = previous,
                None => {
                    return Ok(AuditPage {
                        entries,
                        next_cursor: None,
                    });
                }
            }
        }
    }
}
