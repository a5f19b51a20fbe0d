//! Cryptographic failures shared by every layer that encrypts or decrypts,
//! and the operating system's random numbers.

pub mod envelope;
mod error;
pub mod sealed_key;

pub use error::{CryptoError, random_bytes};
