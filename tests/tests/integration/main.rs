//! Adapter and flow tests against the AWS emulator, one binary: the real SDK
//! clients, the local platform, the issuer simulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod admin_api;
mod admin_panel;
mod audit_table;
mod authorize_service_events;
mod event_publisher;
mod issuer_api;
mod issuer_jobs;
mod issuer_lifecycle;
mod issuer_support;
mod kms_and_key_material;
mod notifications;
mod predigitization_flow;
mod reports_table;
mod vts_flow;
