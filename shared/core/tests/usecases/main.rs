//! Unit tests of every `tmp-core` use case against the in-memory ports of
//! `tmp-testkit`, one module per use case. An integration-test binary rather
//! than `#[cfg(test)]` modules: the testkit depends on `tmp-core`, so inside
//! `src` a dev-dependency on it would bring a second, different `tmp_core`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod support;

mod agent_roles;
mod authorize;
mod check_eligibility;
mod decision_rules;
mod deliver_activation_code;
mod events;
mod jobs;
mod ledger;
mod lifecycle;
mod notify_activated;
mod reconcile;
mod reports;
mod request_activation_methods;
mod suspicious_activity;
mod token_actions;
mod token_changed;
mod token_queries;
mod token_records;
mod update_tokens;
mod validate_activation_code;
