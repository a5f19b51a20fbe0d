//! In-memory implementations of every `tmp-core` port, for use-case unit
//! tests: deterministic, inspectable, and with switches to inject failures.
//! Share them between the use case and the test with `Arc`.

pub mod agents;
pub mod audit;
pub mod channels;
pub mod clock;
pub mod issuer;
pub mod jobs;
pub mod keys;
pub mod networks;
pub mod queues;
pub mod reports;
pub mod rules;
pub mod state;

pub use agents::{DirectoryCall, MemoryAgents};
pub use audit::MemoryAuditLog;
pub use channels::{FakeContacts, FakeVault, RecordingNotifier, RecordingSms};
pub use clock::{DEFAULT_NOW, FixedClock, SequentialIds};
pub use issuer::{CardBook, IssuerFault};
pub use jobs::{MemoryJobs, RecordingJobQueue};
pub use keys::{MemoryKeyMaterialStore, MemoryKeyVault, MemoryMac, fresh_data_key};
pub use networks::FakeNetworks;
pub use queues::{RecordingOtpQueue, RecordingPublisher};
pub use reports::MemoryReports;
pub use rules::MemoryDecisionRules;
pub use state::{AuthorizationFacts, MemoryTokenState};

#[cfg(test)]
mod tests;
