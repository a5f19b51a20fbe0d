//! Which activation methods a yellow decision offers the cardholder.

use crate::domain::card::VerifiedCard;
use crate::mdes::activation_method::{ActivationMethod, ActivationMethodType};
use crate::secret::{mask_email, mask_phone};

/// Issuer contact points offered when the cardholder cannot get a code.
#[derive(Debug, Clone)]
pub struct IssuerContact {
    /// `CARDHOLDER_TO_CALL_MANNED_NUMBER`: the issuer's call centre.
    pub call_centre_number: String,
}

/// Masked SMS number and masked e-mail when the issuer knows them, then the
/// call centre. Neither known: the call centre only (the orange path).
pub fn activation_methods(card: &VerifiedCard, contact: &IssuerContact) -> Vec<ActivationMethod> {
    let mut methods = Vec::with_capacity(3);
    if let Some(phone) = &card.phone_number {
        methods.push(ActivationMethod {
            method_type: ActivationMethodType::TextToCardholderNumber,
            value: mask_phone(phone.expose()),
        });
    }
    if let Some(email) = &card.email {
        methods.push(ActivationMethod {
            method_type: ActivationMethodType::EmailToCardholderAddress,
            value: mask_email(email.expose()),
        });
    }
    methods.push(ActivationMethod {
        method_type: ActivationMethodType::CardholderToCallMannedNumber,
        value: contact.call_centre_number.clone(),
    });
    methods
}
