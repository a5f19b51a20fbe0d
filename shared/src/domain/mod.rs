//! Pure payments-domain rules and types: no HTTP, no AWS.

pub mod activation_code;
pub mod card;
pub mod decision;
pub mod delivery;
pub mod events;
pub mod policy;
pub mod token;
