//! Cryptographic failures shared by every layer that encrypts or decrypts,
//! and the operating system's random numbers.

pub mod envelope;
mod error;

pub use error::{CryptoError, random_bytes};
