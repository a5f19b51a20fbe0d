//! MDES Pre-Digitization API (spec 2.0.21) wire format: the request and answer
//! types exactly as the network names them, the spec's validation and error
//! codes, Mastercard field-level decryption, translation to and from core
//! commands, and the HTTP mapping; and for the calls we make to MDES, the
//! Customer Service API (2.0.7) types and its OAuth 1.0a request signing.
//! Depends on the core, never the reverse.

pub mod activation_method;
pub mod authorize_service;
pub mod card_data;
pub mod common;
pub mod customer_service;
pub mod deliver_activation_code;
pub mod error;
pub mod fle;
pub mod funding_account;
pub mod http;
pub mod keys;
pub mod notify_service_activated;
pub mod notify_suspicious_events;
pub mod notify_token_updated;
pub mod oauth1;
pub mod operation;
pub mod request_activation_methods;
#[cfg(test)]
mod testing;
pub mod translate;
pub mod validate;
pub mod validate_activation_code;

pub use error::{ErrorsResponse, MdesError, MdesErrorCode};
