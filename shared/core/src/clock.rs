//! Time and identifiers as ports, so that use cases are deterministic under
//! test and nothing reaches for the system clock behind their back.

use std::time::Duration;

use time::OffsetDateTime;

/// The current time, and waiting.
#[async_trait::async_trait]
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    async fn sleep(&self, duration: Duration);
}

/// Fresh unique identifiers (event ids, job ids, lease ids).
pub trait IdGenerator: Send + Sync {
    fn new_id(&self) -> String;
    /// A small random number below `bound`, for jitter.
    fn jitter(&self, bound: u64) -> u64;
}

/// The system clock and the runtime's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[async_trait::async_trait]
impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Random (v4) UUIDs.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn jitter(&self, bound: u64) -> u64 {
        u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % bound.max(1)
    }
}
