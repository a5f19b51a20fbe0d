//! [`JobStore`] on the token state table: a job is one partition,
//! `JOB#<jobId>`, holding its header (`JOB`: plan, client, creation) and one
//! item per token (`ITEM#<tokenRef>`: state, outcome). The header and the
//! items are written in one transaction, once; an item is settled once.
//! A card update's sealed new PAN is on the header (`sealed_card`). A job is
//! kept [`JOB_RETENTION`], then expires (table TTL), sealed PAN and all.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_core::domain::job::{ItemState, JobItem, JobRecord};
use tmp_core::ports::{JobStore, SaveError, StoreError};

use super::TokenStateTable;
use super::codec::{
    Item, blob, corrupt, epoch, get_blob, get_s, item, json, key, put, rfc3339, s, unavailable,
};
use super::keys::{self, EXPIRES_AT, SK};

const JOB_SK: &str = "JOB";
const SEALED_CARD: &str = "sealed_card";

/// How long a job (its items, a card update's sealed PAN) is kept.
pub const JOB_RETENTION: time::Duration = time::Duration::days(30);

fn item_entry(
    job_id: &str,
    job_item: &JobItem,
    at: &str,
    expires: &AttributeValue,
) -> Result<Item, StoreError> {
    let mut entry = key(keys::job_item(job_id, &job_item.token_ref));
    entry.extend(item([
        ("token_unique_reference", Some(s(&job_item.token_ref))),
        ("item", Some(s(json(job_item)?))),
        ("state", Some(s(state_name(job_item.state)))),
        ("updated_at", Some(s(at))),
        (EXPIRES_AT, Some(expires.clone())),
    ]));
    Ok(entry)
}

fn state_name(state: ItemState) -> &'static str {
    match state {
        ItemState::Queued => "QUEUED",
        ItemState::Succeeded => "SUCCEEDED",
        ItemState::Failed => "FAILED",
    }
}

#[async_trait]
impl JobStore for TokenStateTable {
    async fn create(&self, job: &JobRecord) -> Result<bool, SaveError> {
        let at = rfc3339(job.created_at);
        let expires = epoch(job.created_at + JOB_RETENTION);
        let mut header = key(keys::job(&job.job_id));
        header.extend(item([
            ("client_id", Some(s(&job.client_id))),
            ("plan", Some(s(json(&job.plan)?))),
            (
                "total",
                Some(AttributeValue::N(job.items.len().to_string())),
            ),
            ("created_at", Some(s(&at))),
            (EXPIRES_AT, Some(expires.clone())),
            (SEALED_CARD, job.sealed_card.as_deref().map(blob)),
        ]));
        let mut items = vec![put(
            &self.table,
            header,
            Some("attribute_not_exists(pk)"),
            &[],
        )?];
        for job_item in &job.items {
            items.push(put(
                &self.table,
                item_entry(&job.job_id, job_item, &at, &expires)?,
                None,
                &[],
            )?);
        }
        match self.transact(items, None).await {
            Ok(()) => Ok(true),
            // The header exists: a retried start of the same job.
            Err(SaveError::Conflict) => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn job(&self, job_id: &str) -> Result<Option<JobRecord>, StoreError> {
        let (pk, _) = keys::job(job_id);
        let items = self.partition(&pk, "").await?;
        let Some(header) = items.iter().find(|i| get_s(i, SK) == Some(JOB_SK)) else {
            return Ok(None);
        };
        let plan = get_s(header, "plan")
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| corrupt("job plan"))?;
        let created_at = get_s(header, "created_at")
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .ok_or_else(|| corrupt("job creation time"))?;
        let job_items = items
            .iter()
            .filter(|i| get_s(i, SK).is_some_and(|sk| sk.starts_with("ITEM#")))
            .map(|i| {
                get_s(i, "item")
                    .and_then(|raw| serde_json::from_str(raw).ok())
                    .ok_or_else(|| corrupt("job item"))
            })
            .collect::<Result<Vec<JobItem>, _>>()?;
        Ok(Some(JobRecord {
            job_id: job_id.to_owned(),
            client_id: get_s(header, "client_id").unwrap_or_default().to_owned(),
            plan,
            created_at,
            items: job_items,
            sealed_card: get_blob(header, SEALED_CARD),
        }))
    }

    async fn settle(
        &self,
        job_id: &str,
        job_item: &JobItem,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::job_item(job_id, &job_item.token_ref))))
            .update_expression("SET #item = :item, #state = :state, updated_at = :at")
            .condition_expression("#state = :queued")
            .expression_attribute_names("#item", "item")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":item", s(json(job_item)?))
            .expression_attribute_values(":state", s(state_name(job_item.state)))
            .expression_attribute_values(":queued", s(state_name(ItemState::Queued)))
            .expression_attribute_values(":at", s(rfc3339(now)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => {
                let e = e.into_service_error();
                if e.is_conditional_check_failed_exception() {
                    Ok(false)
                } else {
                    Err(unavailable(e))
                }
            }
        }
    }
}
