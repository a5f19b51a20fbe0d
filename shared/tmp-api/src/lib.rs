//! The issuer-facing TMP API (our contract: `api/tmp-api.openapi.yaml`): the
//! request and answer types, their validation to RFC 9457 problems, the one
//! mapping from core errors, and verification of the bearer access tokens
//! (Cognito's, or our local issuer's: the same code). Depends on the core,
//! never the reverse.

pub mod action;
pub mod auth;
pub mod card_event;
pub mod http;
pub mod ids;
pub mod job;
pub mod problem;
pub mod search;
pub mod token;
pub mod translate;
pub mod validate;

pub use problem::{PROBLEM_JSON, PROBLEM_TYPE_BASE, Problem, ProblemKind};
