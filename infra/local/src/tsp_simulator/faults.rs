//! `POST …/fail-next` `{"count": 1, "mode": "timeout"|"500", "operations"?: […]}`:
//! the next `count` calls of the named operations (default: the network's
//! lifecycle operations) fail. `timeout` applies the call but never answers
//! within any client's deadline; `500` applies nothing and answers 500.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;

/// How long a `timeout` call holds its answer: far beyond any client
/// deadline (the client's disconnect ends it sooner: the server drops the
/// request when the connection closes).
pub const HOLD: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FaultMode {
    #[serde(rename = "timeout")]
    Timeout,
    #[serde(rename = "500")]
    ServerError,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailNext {
    pub count: u32,
    pub mode: FaultMode,
    /// Operation names (`token/suspend`, `search`; `LifeCycle`, `Inquiry`).
    #[serde(default)]
    pub operations: Option<Vec<String>>,
}

struct Armed {
    remaining: u32,
    mode: FaultMode,
    operations: Vec<String>,
}

/// The armed faults of one network API.
pub struct Faults {
    lifecycle: &'static [&'static str],
    armed: Mutex<Option<Armed>>,
}

impl Faults {
    /// `lifecycle`: the operations a fault without `operations` applies to.
    pub fn new(lifecycle: &'static [&'static str]) -> Self {
        Self {
            lifecycle,
            armed: Mutex::new(None),
        }
    }

    /// Replaces what was armed; a count of 0 disarms.
    pub fn arm(&self, request: FailNext) {
        let operations = request
            .operations
            .unwrap_or_else(|| self.lifecycle.iter().map(|&o| o.to_owned()).collect());
        *self.armed.lock().unwrap_or_else(PoisonError::into_inner) =
            (request.count > 0).then_some(Armed {
                remaining: request.count,
                mode: request.mode,
                operations,
            });
    }

    /// The fault this call of `operation` must suffer, if one is armed for it.
    pub fn take(&self, operation: &str) -> Option<FaultMode> {
        let mut armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
        let fault = armed.as_mut()?;
        if !fault.operations.iter().any(|o| o == operation) {
            return None;
        }
        fault.remaining = fault.remaining.saturating_sub(1);
        let mode = fault.mode;
        if fault.remaining == 0 {
            *armed = None;
        }
        Some(mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_hits_only_its_operations_and_only_count_times() {
        // GIVEN two 500s armed for the default (lifecycle) operations
        let faults = Faults::new(&["token/suspend", "token/delete"]);
        faults.arm(FailNext {
            count: 2,
            mode: FaultMode::ServerError,
            operations: None,
        });
        // THEN a read is not hit, the next two lifecycle calls are, the third is not
        assert_eq!(faults.take("search"), None);
        assert_eq!(faults.take("token/suspend"), Some(FaultMode::ServerError));
        assert_eq!(faults.take("token/delete"), Some(FaultMode::ServerError));
        assert_eq!(faults.take("token/suspend"), None);
        // AND a named operation can be targeted
        faults.arm(FailNext {
            count: 1,
            mode: FaultMode::Timeout,
            operations: Some(vec!["search".into()]),
        });
        assert_eq!(faults.take("token/suspend"), None);
        assert_eq!(faults.take("search"), Some(FaultMode::Timeout));
        assert_eq!(faults.take("search"), None);
    }
}
