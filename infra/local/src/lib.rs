//! The local platform: runs the Lambda handlers on this machine against the
//! moto AWS emulator, with `template.yaml` as the single source of truth for
//! resources and routes.
//!
//! [`platform::LocalPlatform`] is the entry point used by the `tmp-local`
//! binary and by tests.

pub mod deployment;
pub mod intrinsics;
pub mod resolve;
pub mod template;
