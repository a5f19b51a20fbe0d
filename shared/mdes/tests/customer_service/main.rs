//! tmp-mdes integration tests for the MDES Customer Service API 2.0.7
//! client: one binary, a module per concern.
//!
//! The OpenAPI checks and the OAuth interoperability run Python from the
//! workspace's `.venv` (`make venv`): openapi-spec-validator and
//! openapi-schema-validator read our statement of the API,
//! `api/mdes-customer-service.openapi.yaml`; mastercard-oauth1-signer is
//! Mastercard's own signer. Nothing outside the repository is read.
#![recursion_limit = "256"]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::unwrap_in_result
)]

mod oauth_interop;
mod openapi;
mod support;
mod wire;
