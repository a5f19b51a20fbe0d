//! Visa Token Service issuer API wire format (our contract:
//! `api/vts-issuer.openapi.yaml`): the request and answer types under Visa's
//! field names, validation to the `ISE…` error codes, decryption of
//! `encryptedData` (compact JWE, RSA-OAEP-256 + A256GCM), translation to and
//! from core commands, and the HTTP mapping; and the lifecycle calls the TMP
//! makes to VTS ([`lifecycle`], `api/vts-lifecycle.openapi.yaml`). Depends on
//! the core, never the reverse.

pub mod approve_provisioning;
pub mod card_data;
pub mod cardholder_verification_methods;
pub mod check_eligibility;
pub mod common;
pub mod error;
pub mod http;
pub mod jwe;
pub mod lifecycle;
pub mod operation;
pub mod payload;
pub mod send_passcode;
#[cfg(test)]
mod testing;
pub mod token_changed;
pub mod translate;
pub mod validate;

pub use error::{ErrorResponse, VtsError, VtsErrorCode};
