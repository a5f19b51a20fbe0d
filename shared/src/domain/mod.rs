//! Pure payments-domain rules and types: no HTTP, no AWS.

pub mod card;
