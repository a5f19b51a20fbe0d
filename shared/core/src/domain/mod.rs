//! Pure payments-domain rules and types: no I/O.

pub mod action;
pub mod activation_code;
pub mod agent;
pub mod audit;
pub mod card;
pub mod decision;
pub mod delivery;
pub mod delivery_log;
pub mod events;
pub mod job;
pub mod network;
pub mod phone;
pub mod policy;
pub mod report;
pub mod token;
pub mod velocity;
pub mod verification;
pub mod wallet;

pub use network::Network;
