//! IAM enforcement for the local platform. moto does not enforce IAM, so a
//! permission missing from `template.yaml` passes locally and fails on AWS.
//! These are the building blocks that close that gap:
//!
//! - [`policy`]: policy documents and their evaluation ([`evaluate`]);
//! - [`actions`]: what one SDK request needs authorized ([`classify`]);
//! - [`proxy`]: a reverse proxy in front of moto that authorizes each
//!   request signed with a function's access key id ([`IamProxy`]);
//! - [`principals`]: one principal per template function, with its
//!   resolved `Policies:` and a deterministic access key id.

pub mod actions;
pub mod policy;
pub mod principals;
pub mod proxy;

pub use actions::{ApiCall, CredentialScope, Protocol, classify, credential_scope};
pub use policy::{AuthzRequest, Decision, PolicyDocument, PolicyError, evaluate};
pub use principals::{
    FunctionPolicies, PrincipalsError, access_key_id, function_policies, function_sdk_config,
    principals,
};
pub use proxy::{IamProxy, IamProxyError, Principal, PrincipalUsage, RunningIamProxy, UsageHandle};
