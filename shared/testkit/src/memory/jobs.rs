//! In-memory jobs and their queue: the store settles each item once, the
//! queue records every message (a test delivers them to the worker).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use time::OffsetDateTime;
use tmp_core::domain::job::{ItemState, JobItem, JobRecord};
use tmp_core::ports::{DeliveryError, JobMessage, JobQueue, JobStore, SaveError, StoreError};

#[derive(Debug, Default)]
pub struct MemoryJobs {
    jobs: Mutex<HashMap<String, JobRecord>>,
}

impl MemoryJobs {
    #[allow(clippy::unwrap_used)]
    fn lock(&self) -> MutexGuard<'_, HashMap<String, JobRecord>> {
        self.jobs.lock().unwrap()
    }
}

#[async_trait]
impl JobStore for MemoryJobs {
    async fn create(&self, job: &JobRecord) -> Result<bool, SaveError> {
        let mut jobs = self.lock();
        if jobs.contains_key(&job.job_id) {
            return Ok(false);
        }
        jobs.insert(job.job_id.clone(), job.clone());
        Ok(true)
    }

    async fn job(&self, job_id: &str) -> Result<Option<JobRecord>, StoreError> {
        Ok(self.lock().get(job_id).cloned())
    }

    async fn settle(
        &self,
        job_id: &str,
        item: &JobItem,
        _now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut jobs = self.lock();
        let Some(slot) = jobs
            .get_mut(job_id)
            .and_then(|j| j.items.iter_mut().find(|i| i.token_ref == item.token_ref))
        else {
            return Ok(false);
        };
        if slot.state != ItemState::Queued {
            return Ok(false);
        }
        *slot = item.clone();
        Ok(true)
    }
}

#[derive(Debug, Default)]
pub struct RecordingJobQueue {
    messages: Mutex<Vec<JobMessage>>,
    fail_next: Mutex<u32>,
}

impl RecordingJobQueue {
    #[allow(clippy::unwrap_used)]
    pub fn messages(&self) -> Vec<JobMessage> {
        self.messages.lock().unwrap().clone()
    }

    /// The next `n` enqueues fail (transiently) and queue nothing.
    #[allow(clippy::unwrap_used)]
    pub fn fail_next(&self, n: u32) {
        *self.fail_next.lock().unwrap() = n;
    }
}

#[async_trait]
impl JobQueue for RecordingJobQueue {
    #[allow(clippy::unwrap_used)]
    async fn enqueue(&self, messages: &[JobMessage]) -> Result<(), DeliveryError> {
        let mut fail = self.fail_next.lock().unwrap();
        if *fail > 0 {
            *fail -= 1;
            return Err(DeliveryError::Transient("queue switched off".into()));
        }
        self.messages.lock().unwrap().extend_from_slice(messages);
        Ok(())
    }
}
