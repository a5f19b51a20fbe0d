//! Cryptography: Mastercard field-level encryption and envelope encryption.
pub mod mdes_fle;
