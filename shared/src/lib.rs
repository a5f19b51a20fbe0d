//! Token Management Platform shared library.
//!
//! Hexagonal layout: `domain` holds pure rules and state, `ports` the traits the
//! domain talks to, `adapters` the only code that knows AWS or HTTP clients.

pub mod adapters;
pub mod config;
pub mod consumer;
pub mod crypto;
pub mod domain;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod lambda;
pub mod mdes;
pub mod ports;
pub mod secret;
pub mod services;
pub mod telemetry;
