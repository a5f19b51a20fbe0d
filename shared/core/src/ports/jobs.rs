//! Where jobs live and how their items travel: the job with one item per
//! token in the store, one queue message per item.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::job::{JobItem, JobRecord};
use crate::ports::{DeliveryError, SaveError, StoreError};

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Writes the job and its items at once; `false` when a job of that id
    /// exists already (a retried start), which is left as it is.
    async fn create(&self, job: &JobRecord) -> Result<bool, SaveError>;

    async fn job(&self, job_id: &str) -> Result<Option<JobRecord>, StoreError>;

    /// Settles one item, once: an item already settled stays as it was
    /// (`false`).
    async fn settle(
        &self,
        job_id: &str,
        item: &JobItem,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

/// One message per item: the job and the token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobMessage {
    pub job_id: String,
    pub token_ref: String,
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue(&self, messages: &[JobMessage]) -> Result<(), DeliveryError>;
}
