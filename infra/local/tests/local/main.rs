//! tmp-local's integration tests, one binary: the gateway, the event sources
//! (SQS, DynamoDB streams), the end-to-end authorizeService path, the VTS
//! API, keys and flow, the TMP API's edge and token issuer, and the
//! scheduled functions run on request, against a private moto.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod demo;
mod e2e_authorize_service;
mod event_sources;
mod gateway;
mod iam;
mod issuer_api;
mod jobs;
mod stream_sources;
mod tsp_simulator;
mod vts;
