//! DynamoDB adapters over the single `TokenStateTable` (pk/sk, gsi1, TTL on
//! `expires_at`). Item keys are built in `keys.rs` only.

pub mod attributes;
pub mod authorization;
pub mod idempotency;
pub mod keys;
pub mod lifecycle;

pub use authorization::DynamoAuthorizationStore;
pub use lifecycle::DynamoTokenStore;
