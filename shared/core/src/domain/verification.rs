//! How a cardholder can prove it is them when a tokenization needs extra
//! verification (yellow / orange paths).

use serde::{Deserialize, Serialize};

/// The kinds we offer. Stored in the request ledger under the names MDES
/// uses for them (our stored format predates other networks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationMethodKind {
    /// A code by SMS to the phone on file.
    #[serde(rename = "TEXT_TO_CARDHOLDER_NUMBER")]
    Sms,
    /// A code by e-mail to the address on file.
    #[serde(rename = "EMAIL_TO_CARDHOLDER_ADDRESS")]
    Email,
    /// The cardholder calls the issuer's call centre.
    #[serde(rename = "CARDHOLDER_TO_CALL_MANNED_NUMBER")]
    CallCentre,
}

/// One method with what the cardholder is shown: masked for SMS and e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationMethod {
    #[serde(rename = "type")]
    pub kind: ActivationMethodKind,
    pub value: String,
}
