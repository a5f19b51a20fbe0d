//! tmp-vts integration tests: one binary, a module per concern.
//!
//! The JOSE interoperability and OpenAPI checks run Python from the
//! workspace's `.venv` (`make venv`): jwcrypto is an independent
//! implementation of RFC 7516, openapi-schema-validator reads our contract.
// Test helpers outside #[test] functions may unwrap and index too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::unwrap_in_result
)]

mod hostile;
mod jwe_interop;
mod lifecycle_openapi;
mod openapi;
mod support;
mod translate;
