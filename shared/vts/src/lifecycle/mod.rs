//! The calls the TMP makes to VTS to manage a token (our statement:
//! `api/vts-lifecycle.openapi.yaml`): `POST rsrv_VNTSTokenUpdateService/LifeCycle/v1`
//! (suspend, resume, delete, activate, expiry and PAN updates) and
//! `POST rsrv_VNTSTokenUpdateService/Inquiry/v1` (a token's state), JSON,
//! camelCase with Visa's capitalised `ID`s.
//!
//! Basis: the VTS issuer lifecycle calls as a public third-party issuer
//! integration shows them (paths, field names, the `messageReasonCode`
//! table); Visa publishes no document for them. Our assumptions, to confirm
//! with Visa at onboarding (the OpenAPI file states the same list):
//! - `messageReasonCode` is a string: `3701` delete, `3702` suspend, `3703`
//!   resume, `3713` activate (with `activationCode` when the cardholder has
//!   one), `3720` expiry update, `3721` PAN update; `operationType` is
//!   `DELETE` for `3701` and `UPDATE` otherwise.
//! - `requestID` (at most 36 characters) is our stable id of the action: a
//!   retry repeats it, and VTS answers a repeated `requestID` as it answered
//!   the first, applying it once.
//! - Success is HTTP 200 with `{"requestID": …}` (the body is otherwise not
//!   relied upon; an empty body is success too). An error is 4xx/5xx with
//!   `{"errorResponse": {"status", "message", "reason", "details": […]}}`:
//!   4xx is a refusal (not retried), 5xx or no answer is unknown (retry the
//!   same `requestID`). An `errorResponse` under a 2xx is unreadable.
//! - An unknown token is a 404 whose `reason` is `TOKEN_NOT_FOUND`: VTS does
//!   not know it.
//! - `cardholderInfo.encryptedData` of `3720` / `3721` is a compact JWE for
//!   Visa's key (RSA-OAEP-256, A256GCM, Visa's `kid`) of
//!   `{"primaryAccountNumber"?, "expirationDate"?: {"month": "MM", "year": "YYYY"}}`,
//!   the Cardholder Information names of the VTS issuer API.
//! - The inquiry answers `tokenDetails[]`, `tokenState` one of `ACTIVE`,
//!   `INACTIVE`, `SUSPENDED`, `DEACTIVATED`; other members are ignored.
//!
//! Transport: mutual TLS with Visa's client certificate (not this module's
//! concern). Answers are read with [`read_answer`], whose errors never
//! carry Visa's free text or our request.

mod cardholder;
mod error;
mod inquiry;
mod request;

pub use cardholder::VisaEncryptionKey;

pub use error::{ErrorBody, ErrorResponse, LifecycleError, TOKEN_NOT_FOUND, read_answer};
pub use inquiry::{InquiryRequest, InquiryResponse, TokenDetail, TokenState};
pub use request::{
    LifecycleCardholderInfo, LifecycleRequest, LifecycleResponse, MessageReasonCode, OperationType,
};

/// The lifecycle call, relative to the Visa base URL.
pub const LIFECYCLE_PATH: &str = "rsrv_VNTSTokenUpdateService/LifeCycle/v1";
/// The inquiry call, relative to the Visa base URL.
pub const INQUIRY_PATH: &str = "rsrv_VNTSTokenUpdateService/Inquiry/v1";
/// Longest `requestID` we send (our assumption, a UUID fits).
pub const MAX_REQUEST_ID_LEN: usize = 36;

#[cfg(test)]
mod tests;
