//! Which activation methods a yellow decision offers the cardholder.

use crate::domain::card::VerifiedCard;
use crate::domain::delivery::ContactDetails;
use crate::domain::verification::{ActivationMethod, ActivationMethodKind};
use crate::secret::{mask_email, mask_phone};

/// Issuer contact points offered when the cardholder cannot get a code.
#[derive(Debug, Clone)]
pub struct IssuerContact {
    /// The issuer's call centre, offered last.
    pub call_centre_number: String,
}

/// Masked SMS number and masked e-mail when the issuer knows them, then the
/// call centre. Neither known: the call centre only (the orange path).
pub fn activation_methods(
    contact: &ContactDetails,
    issuer: &IssuerContact,
) -> Vec<ActivationMethod> {
    let mut methods = Vec::with_capacity(3);
    if let Some(phone) = &contact.phone_number {
        methods.push(ActivationMethod {
            kind: ActivationMethodKind::Sms,
            value: mask_phone(phone.expose()),
        });
    }
    if let Some(email) = &contact.email {
        methods.push(ActivationMethod {
            kind: ActivationMethodKind::Email,
            value: mask_email(email.expose()),
        });
    }
    methods.push(ActivationMethod {
        kind: ActivationMethodKind::CallCentre,
        value: issuer.call_centre_number.clone(),
    });
    methods
}

/// The contact details the issuer gave for a card.
pub fn contact_of(card: &VerifiedCard) -> ContactDetails {
    ContactDetails {
        phone_number: card.phone_number.clone(),
        email: card.email.clone(),
    }
}
