//! Small async traits the domain services talk to. Adapters implement them.

pub mod authorization_store;
pub mod card_verifier;
pub mod contact_directory;
pub mod key_vault;
pub mod mdes_key_material;
pub mod notifications;
pub mod payload_decryptor;
pub mod token_lifecycle;

pub use authorization_store::{
    AuthorizationStore, AuthorizationWrite, RequestClaim, SaveError, StoreError, TokenSnapshot,
};
pub use card_verifier::{CardVerifier, IssuerError};
pub use contact_directory::{ContactDirectory, ContactDirectoryError, TokenSummary};
pub use key_vault::{DataKey, KeyVault, KeyVaultError, KeyedMac, PanFingerprinter};
pub use mdes_key_material::{
    KeyMaterialStatus, KeyMaterialStoreError, MdesKeyMaterial, MdesKeyMaterialStore,
};
pub use notifications::{DeliveryError, EventPublisher, IssuerNotifier, OtpJobQueue, SmsSender};
pub use payload_decryptor::PayloadDecryptor;
pub use token_lifecycle::{
    ActivationCodeStore, IssueOutcome, LifecycleCommit, RequestCompletion, RequestLedger,
    StoredCode, TokenLifecycleStore, TokenRecord,
};
