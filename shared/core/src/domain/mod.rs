//! Pure payments-domain rules and types: no I/O.

pub mod action;
pub mod activation_code;
pub mod audit;
pub mod card;
pub mod decision;
pub mod delivery;
pub mod events;
pub mod job;
pub mod network;
pub mod policy;
pub mod token;
pub mod velocity;
pub mod verification;

pub use network::Network;
