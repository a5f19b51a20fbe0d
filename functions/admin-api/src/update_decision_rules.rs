//! `PUT /admin-api/v1/decision-rules`: replaces the tokenization decision
//! rules (administrators), made from the version read (a concurrent change
//! is a 409), checked as authorization will read them, applied from the next
//! authorization on; the audit log names the version set.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::rules::{ReplaceRules, view};
use tmp_api::{Problem, ProblemKind, http, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::admin;
use tmp_core::AppError;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::decision_rules::DecisionRulesAdmin;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the rules table, the deployment's
/// rules and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let guard = crate::guard(sdk, env).await?;
    Ok(crate::endpoint(
        guard,
        UpdateDecisionRules {
            rules: Arc::new(admin::decision_rules(sdk, env)?),
        },
    ))
}

pub struct UpdateDecisionRules {
    pub rules: Arc<DecisionRulesAdmin>,
}

#[async_trait::async_trait]
impl AdminOperation for UpdateDecisionRules {
    const NAME: &'static str = "adminUpdateDecisionRules";
    const ACTION: AuditAction = AuditAction::UpdateRules;
    const PERMISSION: Permission = Permission::RulesManage;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let body: ReplaceRules = match validate::parse(request.body) {
            Ok(body) => body,
            Err(problem) => return Answer::new(Err(problem), Some("decision rules".to_owned())),
        };
        let target = Some(format!("decision rules v{}", body.version + 1));
        let response = self
            .rules
            .replace(body.version, &body.rules.to_string(), &request.agent.email)
            .await
            .map(|rules| http::json(200, &view(&rules)))
            .map_err(|error| match error {
                // Not the token wording of the shared mapping.
                AppError::ActionNotAllowed(_) => Problem::new(
                    ProblemKind::Conflict,
                    "The decision rules changed since they were read; read them again",
                ),
                other => other.into(),
            });
        Answer::new(response, target)
    }
}
