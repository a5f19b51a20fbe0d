//! `GET /admin-api/v1/decision-rules`: the tokenization decision rules in
//! force, the default and each token requestor's (administrators).

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::rules::view;
use tmp_api::http;
use tmp_aws::cold_start::Init;
use tmp_aws::compose::admin;
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
        GetDecisionRules {
            rules: Arc::new(admin::decision_rules(sdk, env)?),
        },
    ))
}

pub struct GetDecisionRules {
    pub rules: Arc<DecisionRulesAdmin>,
}

#[async_trait::async_trait]
impl AdminOperation for GetDecisionRules {
    const NAME: &'static str = "adminGetDecisionRules";
    const ACTION: AuditAction = AuditAction::ReadRules;
    const PERMISSION: Permission = Permission::RulesManage;

    async fn call(&self, _request: &AdminRequest<'_>) -> Answer {
        let response = self
            .rules
            .current()
            .await
            .map(|rules| http::json(200, &view(&rules)))
            .map_err(Into::into);
        Answer::new(response, Some("decision rules".to_owned()))
    }
}
