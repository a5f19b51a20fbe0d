//! Pure payments-domain rules and types: no HTTP, no AWS.

pub mod card;
pub mod decision;
pub mod delivery;
pub mod events;
pub mod policy;
