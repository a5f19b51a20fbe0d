//! Token Management Platform core: the payments domain, the ports it talks to
//! and one use case per operation.
//!
//! The rule of this crate: no AWS SDK, no Lambda runtime, no HTTP stack (its
//! `[dependencies]` say so, and `cargo tree -p tmp-core -e normal` proves it).
//! Use cases take network-neutral commands and return network-neutral results
//! or one [`AppError`]; each network's wire crate translates at the edge.

pub mod clock;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod ports;
pub mod secret;
pub mod usecases;

pub use error::AppError;
