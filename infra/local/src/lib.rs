//! The local platform: runs the Lambda handlers on this machine against the
//! moto AWS emulator, with `template.yaml` as the single source of truth for
//! resources and routes.
//!
//! [`platform::LocalPlatform`] is the entry point used by the `tmp-local`
//! binary and by tests.
// A developer tool: it prints what it serves and where.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;

pub mod apigw_event;
pub mod consumers;
pub mod demo;
pub mod deployment;
pub use tmp_testkit::moto as emulator;
pub mod event_sources;
pub mod gateway;
pub mod iam;
pub mod intrinsics;
pub mod issuer_simulator;
pub mod jobs;
pub mod local_admin;
pub mod local_auth;
pub mod outbox;
pub mod platform;
pub mod provision;
pub mod registry;
pub mod resolve;
pub mod routes;
pub mod seed;
pub mod stream_sources;
pub mod template;
pub mod tsp_simulator;

pub use deployment::Deployment;
pub use platform::{LocalPlatform, PlatformOptions, RunningPlatform};

/// The cargo workspace root (where `template.yaml` and `.venv` live).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join("../.."))
}
