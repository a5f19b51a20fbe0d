//! MDES Pre-Digitization API wire types (spec 2.0.21), exactly as the network
//! names them, with the spec's validation and error codes.

pub mod activation_method;
pub mod authorize_service;
pub mod error;
pub mod funding_account;
pub mod http;
pub mod validate;

pub use error::{ErrorsResponse, MdesError, MdesErrorCode};
