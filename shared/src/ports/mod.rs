//! Small async traits the domain services talk to. Adapters implement them.

pub mod card_verifier;
pub mod key_vault;
pub mod mdes_key_material;

pub use card_verifier::{CardVerifier, IssuerError};
pub use key_vault::{DataKey, KeyVault, KeyVaultError, PanFingerprinter};
pub use mdes_key_material::{
    KeyMaterialStatus, KeyMaterialStoreError, MdesKeyMaterial, MdesKeyMaterialStore,
};
