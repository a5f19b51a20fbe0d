//! Use cases: each orchestrates ports around the pure domain rules.

pub mod activation_methods;
pub mod cardholder_notification;
pub mod delivery_wiring;
pub mod events;
pub mod issuer_notification;
pub mod mdes_authorize;
pub mod mdes_predigitization;
pub mod otp_delivery;
pub mod predigitization;
#[cfg(feature = "test-support")]
pub mod predigitization_fake;
pub mod predigitization_wiring;
pub mod templates;
