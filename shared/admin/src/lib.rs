//! The admin panel's API (our contract: `api/admin-api.openapi.yaml`): who
//! may do what (roles from the agent's Cognito groups, checked in every
//! function), the request and answer types, the tokenization decision in
//! words an agent can read out to a cardholder, and the audit log's wire
//! form. Problems, identifiers and token views are the TMP API's
//! (`tmp-api`), so both APIs describe a token alike.

pub mod action;
pub mod agent;
pub mod agents;
pub mod audit;
pub mod card_event;
pub mod csv;
pub mod explain;
pub mod page;
pub mod reports;
pub mod roles;
pub mod rules;
pub mod search;
pub mod transactions;

pub use agent::Agent;
pub use roles::{Permission, Role, Roles};
