//! Cryptography: Mastercard field-level encryption and envelope encryption.
