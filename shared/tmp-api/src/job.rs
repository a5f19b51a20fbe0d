//! `GET /jobs/{jobId}`: the progress of a card event or a bulk action.

use serde::Serialize;

use crate::Problem;
use crate::ids::{JobId, TokenId};
use crate::token::NetworkStatus;

/// `RUNNING` until every item is settled; then `DONE` when all succeeded,
/// `PARTIAL` when at least one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Running,
    Done,
    Partial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemOutcome {
    Pending,
    Succeeded,
    Failed,
}

/// One token the job acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobItem {
    pub token_id: TokenId,
    pub outcome: ItemOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_status: Option<NetworkStatus>,
    /// Why the item failed, as a problem (never card data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobResponse {
    pub job_id: JobId,
    pub status: JobStatus,
    pub total: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub items: Vec<JobItem>,
}

impl JobResponse {
    /// Builds the answer from the items, so the counts and the status can
    /// never disagree with them.
    pub fn from_items(job_id: JobId, items: Vec<JobItem>) -> Self {
        let count = |o: ItemOutcome| {
            u32::try_from(items.iter().filter(|i| i.outcome == o).count()).unwrap_or(u32::MAX)
        };
        let (succeeded, failed) = (count(ItemOutcome::Succeeded), count(ItemOutcome::Failed));
        let status = if count(ItemOutcome::Pending) > 0 {
            JobStatus::Running
        } else if failed > 0 {
            JobStatus::Partial
        } else {
            JobStatus::Done
        };
        Self {
            job_id,
            status,
            total: u32::try_from(items.len()).unwrap_or(u32::MAX),
            succeeded,
            failed,
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, outcome: ItemOutcome) -> JobItem {
        JobItem {
            token_id: TokenId::try_from(id.to_owned()).unwrap(),
            outcome,
            network_status: None,
            problem: None,
        }
    }

    #[test]
    fn status_and_counts_follow_the_items() {
        let job = || JobId::try_from("job_00000001".to_owned()).unwrap();
        // GIVEN one item still pending THEN RUNNING
        let running = JobResponse::from_items(
            job(),
            vec![
                item("tok_00000001", ItemOutcome::Succeeded),
                item("tok_00000002", ItemOutcome::Pending),
            ],
        );
        assert_eq!(
            (
                running.status,
                running.total,
                running.succeeded,
                running.failed
            ),
            (JobStatus::Running, 2, 1, 0)
        );
        // GIVEN one failure among settled items THEN PARTIAL
        let partial = JobResponse::from_items(
            job(),
            vec![
                item("tok_00000001", ItemOutcome::Succeeded),
                item("tok_00000002", ItemOutcome::Failed),
            ],
        );
        assert_eq!((partial.status, partial.failed), (JobStatus::Partial, 1));
        // GIVEN all succeeded (or nothing to do) THEN DONE
        assert_eq!(
            JobResponse::from_items(job(), vec![item("tok_00000001", ItemOutcome::Succeeded)])
                .status,
            JobStatus::Done
        );
        assert_eq!(
            JobResponse::from_items(job(), vec![]).status,
            JobStatus::Done
        );
    }
}
