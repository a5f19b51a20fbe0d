//! A clock that only moves when told to and identifiers that count, so that
//! use-case tests are deterministic.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration as StdDuration;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tmp_core::clock::{Clock, IdGenerator};

/// The default instant of a [`FixedClock`].
pub const DEFAULT_NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

/// Frozen time: tests decide when it moves; `sleep` advances it instantly.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<OffsetDateTime>,
    slept: Mutex<Vec<StdDuration>>,
}

impl Default for FixedClock {
    fn default() -> Self {
        Self::at(DEFAULT_NOW)
    }
}

impl FixedClock {
    /// A clock stopped at `now`.
    pub fn at(now: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(now),
            slept: Mutex::new(Vec::new()),
        }
    }

    /// Moves the clock by `by` (negative moves it back).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap();
        *now = now.saturating_add(by);
    }

    /// Sets the clock to `now`.
    pub fn set(&self, now: OffsetDateTime) {
        *self.now.lock().unwrap() = now;
    }

    /// Every duration `sleep` was asked for, in order.
    pub fn slept(&self) -> Vec<StdDuration> {
        self.slept.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap()
    }

    async fn sleep(&self, duration: StdDuration) {
        self.slept.lock().unwrap().push(duration);
        self.advance(Duration::try_from(duration).unwrap_or(Duration::MAX));
    }
}

/// Identifiers `id-1`, `id-2`, … in call order; jitter is always 0.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl SequentialIds {
    /// How many identifiers were handed out.
    pub fn issued(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }
}

impl IdGenerator for SequentialIds {
    fn new_id(&self) -> String {
        format!("id-{}", self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn jitter(&self, _bound: u64) -> u64 {
        0
    }
}
