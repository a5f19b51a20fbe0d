//! Use cases, one per operation: each a struct holding exactly the ports it
//! needs (built by the composition root), taking a network-neutral command.

pub mod activation_methods;
pub mod agent_roles;
pub mod audit_trail;
pub mod authorize;
pub mod cardholder_notification;
pub mod check_eligibility;
pub mod decision_rules;
pub mod deliver_activation_code;
pub mod events;
pub mod issuer_notification;
pub mod jobs;
pub mod ledger;
pub mod lifecycle;
pub mod notify_activated;
pub mod otp_delivery;
pub mod reconcile;
pub mod reports;
pub mod request_activation_methods;
pub mod suspicious_activity;
pub mod templates;
pub mod token_actions;
pub mod token_changed;
pub mod token_queries;
pub mod token_records;
pub mod update_tokens;
pub mod validate_activation_code;
