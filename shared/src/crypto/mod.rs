//! Cryptography: Mastercard field-level encryption and envelope encryption.

pub mod config_secret;
pub mod envelope;
mod error;
pub mod mdes_fle;
pub mod mdes_keys;

pub use error::CryptoError;
pub use mdes_fle::{AesKeySize, EncryptedPayload, MdesKeyRing, MdesPrivateKey, OaepHash};
