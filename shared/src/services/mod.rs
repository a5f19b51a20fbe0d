//! Use cases: each orchestrates ports around the pure domain rules.

pub mod activation_methods;
pub mod events;
pub mod mdes_authorize;
pub mod mdes_predigitization;
pub mod predigitization;
#[cfg(feature = "test-support")]
pub mod predigitization_fake;
pub mod predigitization_wiring;
