//! Small async traits the use cases talk to. Adapters implement them; the
//! testkit holds an in-memory implementation of each.

pub mod agent_directory;
pub mod audit_log;
pub mod authorization_store;
pub mod card_verifier;
pub mod contact_directory;
pub mod decision_rules;
pub mod jobs;
pub mod key_material;
pub mod key_vault;
pub mod ledger;
pub mod network_records;
pub mod notifications;
pub mod reconciliation;
pub mod reports;
pub mod store_error;
pub mod token_directory;
pub mod token_lifecycle;
pub mod token_networks;

pub use agent_directory::{AgentDirectory, AgentListing, DirectoryError};
pub use audit_log::{AuditLog, AuditPage, AuditQuery};
pub use authorization_store::{
    AuthorizationSnapshot, AuthorizationStore, AuthorizationWrite, CardAggregate, TokenSnapshot,
};
pub use card_verifier::{CardVerifier, IssuerError};
pub use contact_directory::{ContactDirectory, ContactDirectoryError, TokenSummary};
pub use decision_rules::{DecisionRulesStore, StoredRules};
pub use jobs::{JobMessage, JobQueue, JobStore};
pub use key_material::{KeyMaterial, KeyMaterialStatus, KeyMaterialStore, KeyMaterialStoreError};
pub use key_vault::{DataKey, KeyVault, KeyVaultError, KeyedMac, PanFingerprinter};
pub use ledger::{
    Origin, RequestAnswer, RequestClaim, RequestCompletion, RequestKey, RequestLedger, RequestState,
};
pub use network_records::{
    NetworkParty, NetworkStatusEntry, NetworkTransaction, RecordsError, TokenNetworkRecords,
};
pub use notifications::{
    DeliveryError, DeliveryLog, EventPublisher, IssuerNotifier, OtpJobQueue, SmsSender,
    record_delivery,
};
pub use reconciliation::ReconciliationSweep;
pub use reports::{ActiveChange, Counted, ReportStore};
pub use store_error::{SaveError, StoreError};
pub use token_directory::{
    DeviceFacts, PageRequest, SearchError, TokenDirectory, TokenFilter, TokenPage, TokenQuery,
    TokenView,
};
pub use token_lifecycle::{
    ActivationCodeStore, CardMove, EventOutbox, LifecycleCommit, OutboxKey, StoredCode,
    TokenAttributes, TokenLifecycleStore, TokenRecord,
};
pub use token_networks::{
    NetworkAnswer, NetworkCall, NetworkError, NetworkUpdate, NetworkView, TokenNetworks,
};
