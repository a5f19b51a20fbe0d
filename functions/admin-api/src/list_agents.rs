//! `GET /admin-api/v1/agents`: the admin user pool's agents and their
//! roles (administrators).

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::agents::{AgentList, problem};
use tmp_api::http;
use tmp_aws::cold_start::Init;
use tmp_aws::compose::admin;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::agent_roles::AgentRoles;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys and directory, the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let guard = crate::guard(sdk, env).await?;
    Ok(crate::endpoint(
        guard,
        ListAgents {
            roles: Arc::new(admin::agent_roles(sdk, env)?),
        },
    ))
}

pub struct ListAgents {
    pub roles: Arc<AgentRoles>,
}

#[async_trait::async_trait]
impl AdminOperation for ListAgents {
    const NAME: &'static str = "adminListAgents";
    const ACTION: AuditAction = AuditAction::ListAgents;
    const PERMISSION: Permission = Permission::AgentsManage;

    async fn call(&self, _request: &AdminRequest<'_>) -> Answer {
        let response = self
            .roles
            .list()
            .await
            .map(|listing| http::json(200, &AgentList::from(&listing)))
            .map_err(problem);
        Answer::new(response, Some("agents".to_owned()))
    }
}
