//! The admin API functions' cold start: the verifier of the admin user
//! pool's access tokens (its JWKS fetched once) and the audit trail on
//! `ADMIN_AUDIT_TABLE`. Look-ups and actions are the TMP API's
//! ([`super::issuer`]).

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_api::auth::AccessTokenVerifier;
use tmp_core::usecases::audit_trail::AuditTrail;
use tmp_runtime::config::{ConfigError, FunctionEnv};
use tmp_runtime::lambda::HandlerError;

use super::{clock, ids};
use crate::dynamodb::audit::AuditTable;

/// How long audit entries are kept unless `AUDIT_RETENTION_DAYS` says
/// otherwise (PCI DSS 10.5.1 asks for at least a year).
pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 400;
/// The shortest retention accepted.
pub const MIN_AUDIT_RETENTION_DAYS: i64 = 366;

/// The verifier of agents' access tokens: issuer `TMP_ADMIN_TOKEN_ISSUER`
/// (the admin user pool, or the local sign-in), app clients
/// `TMP_ADMIN_CLIENT_IDS`.
pub async fn agent_token_verifier(env: &FunctionEnv) -> Result<AccessTokenVerifier, HandlerError> {
    super::issuer::token_verifier(env, "TMP_ADMIN_TOKEN_ISSUER", "TMP_ADMIN_CLIENT_IDS").await
}

/// The audit trail on `ADMIN_AUDIT_TABLE`, entries kept
/// `AUDIT_RETENTION_DAYS`.
pub fn audit_trail(sdk: &SdkConfig, env: &FunctionEnv) -> Result<AuditTrail, ConfigError> {
    let days = env.parse_or("AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS)?;
    if days < MIN_AUDIT_RETENTION_DAYS {
        return Err(ConfigError::Invalid {
            name: "AUDIT_RETENTION_DAYS".to_owned(),
            reason: format!("must be at least {MIN_AUDIT_RETENTION_DAYS}"),
        });
    }
    Ok(AuditTrail {
        log: Arc::new(AuditTable::new(
            aws_sdk_dynamodb::Client::new(sdk),
            env.require("ADMIN_AUDIT_TABLE")?,
            time::Duration::days(days),
        )),
        clock: clock(),
        ids: ids(),
    })
}

/// The reports, read from `REPORTS_TABLE`.
pub fn report_queries(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<tmp_core::usecases::reports::ReportQueries, ConfigError> {
    Ok(tmp_core::usecases::reports::ReportQueries {
        store: super::reports_table(sdk, env)?,
    })
}

/// The decision rules an administrator reads and replaces: the stored ones
/// on `DECISION_RULES_TABLE`, the deployment's `DECISION_RULES` until then.
pub fn decision_rules(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<tmp_core::usecases::decision_rules::DecisionRulesAdmin, HandlerError> {
    Ok(tmp_core::usecases::decision_rules::DecisionRulesAdmin {
        store: Arc::new(crate::dynamodb::decision_rules::DecisionRulesTable::new(
            aws_sdk_dynamodb::Client::new(sdk),
            env.require("DECISION_RULES_TABLE")?,
        )),
        deployment: tmp_core::domain::policy::DecisionPolicy::from_json(
            env.get("DECISION_RULES").unwrap_or("{}"),
        )?,
        clock: clock(),
    })
}

/// The agents' roles, on the admin user pool `ADMIN_USER_POOL_ID`.
pub fn agent_roles(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<tmp_core::usecases::agent_roles::AgentRoles, ConfigError> {
    Ok(tmp_core::usecases::agent_roles::AgentRoles {
        directory: Arc::new(crate::cognito::CognitoAgentPool::new(
            aws_sdk_cognitoidentityprovider::Client::new(sdk),
            env.require("ADMIN_USER_POOL_ID")?,
        )),
    })
}
