//! Use cases: each orchestrates ports around the pure domain rules.

pub mod activation_methods;
pub mod cardholder_notification;
pub mod issuer_notification;
pub mod mdes_authorize;
pub mod otp_delivery;
pub mod templates;
