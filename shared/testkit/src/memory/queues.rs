//! The OTP job queue and the token-events topic, recording what they are given.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use tmp_core::domain::delivery::OtpDeliveryJob;
use tmp_core::domain::events::TokenEvent;
use tmp_core::ports::{DeliveryError, EventPublisher, OtpJobQueue};

/// Records enqueued OTP jobs; `fail(true)` makes enqueueing fail transiently.
#[derive(Debug, Default)]
pub struct RecordingOtpQueue {
    jobs: Mutex<Vec<OtpDeliveryJob>>,
    failing: AtomicBool,
    attempts: AtomicUsize,
}

impl RecordingOtpQueue {
    /// Jobs accepted, in order.
    pub fn jobs(&self) -> Vec<OtpDeliveryJob> {
        self.jobs.lock().unwrap().clone()
    }

    /// While `true`, `enqueue` answers [`DeliveryError::Transient`] and records nothing.
    pub fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// Calls of `enqueue`, failed ones included.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl OtpJobQueue for RecordingOtpQueue {
    async fn enqueue(&self, job: &OtpDeliveryJob) -> Result<(), DeliveryError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(DeliveryError::Transient("fake OTP queue outage".to_owned()));
        }
        self.jobs.lock().unwrap().push(job.clone());
        Ok(())
    }
}

/// Records published token events; `fail(true)` makes publishing fail transiently.
#[derive(Debug, Default)]
pub struct RecordingPublisher {
    events: Mutex<Vec<TokenEvent>>,
    failing: AtomicBool,
    attempts: AtomicUsize,
    /// When set, publishes succeed only while fewer than this many were recorded.
    capacity: Mutex<Option<usize>>,
}

impl RecordingPublisher {
    /// Events published, in order.
    pub fn events(&self) -> Vec<TokenEvent> {
        self.events.lock().unwrap().clone()
    }

    /// While `true`, `publish` answers [`DeliveryError::Transient`] and records nothing.
    pub fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// Lets `count` more publishes through, then fails every one (a topic
    /// that goes down in the middle of a batch).
    pub fn fail_after(&self, count: usize) {
        let recorded = self.events.lock().unwrap().len();
        *self.capacity.lock().unwrap() = Some(recorded + count);
    }

    /// Calls of `publish`, failed ones included.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl EventPublisher for RecordingPublisher {
    async fn publish(&self, event: &TokenEvent) -> Result<(), DeliveryError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let mut events = self.events.lock().unwrap();
        let full = self
            .capacity
            .lock()
            .unwrap()
            .is_some_and(|capacity| events.len() >= capacity);
        if self.failing.load(Ordering::SeqCst) || full {
            return Err(DeliveryError::Transient("fake topic outage".to_owned()));
        }
        events.push(event.clone());
        Ok(())
    }
}
