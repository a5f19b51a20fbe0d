//! MDES Pre-Digitization API wire types (spec 2.0.21), exactly as the network
//! names them, with the spec's validation and error codes.

pub mod activation_method;
pub mod authorize_service;
pub mod common;
pub mod deliver_activation_code;
pub mod error;
pub mod funding_account;
pub mod handler;
pub mod http;
pub mod notify_service_activated;
pub mod notify_suspicious_events;
pub mod notify_token_updated;
pub mod request_activation_methods;
#[cfg(test)]
mod testing;
pub mod validate;
pub mod validate_activation_code;

pub use error::{ErrorsResponse, MdesError, MdesErrorCode};
