//! MDES `activationMethod`: how a cardholder can receive an activation code.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivationMethodType {
    TextToCardholderNumber,
    EmailToCardholderAddress,
    CardholderToCallAutomatedNumber,
    CardholderToCallMannedNumber,
    CardholderToVisitWebsite,
    CardholderToUseMobileApp,
    IssuerToCallCardholderNumber,
}

/// `{type, value}`; the value is masked for phone and e-mail methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationMethod {
    #[serde(rename = "type")]
    pub method_type: ActivationMethodType,
    pub value: String,
}

impl ActivationMethod {
    /// `value` is 1 to 64 characters (`type` is checked when deserialised).
    pub fn validate(&self, field: &str) -> Result<(), crate::MdesError> {
        crate::validate::length(&format!("{field}.value"), &self.value, 1, 64)
    }
}
