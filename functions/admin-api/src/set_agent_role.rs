//! `PUT /admin-api/v1/agent-roles`: leaves one agent in exactly the role
//! given, or in none (administrators; never their own), and ends their
//! sessions; the audit log records the change as "agent …: old → new".

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::agents::{RoleChangeView, SetAgentRole, audit_target, problem};
use tmp_api::{http, validate};
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
        SetAgentRoleOperation {
            roles: Arc::new(admin::agent_roles(sdk, env)?),
        },
    ))
}

pub struct SetAgentRoleOperation {
    pub roles: Arc<AgentRoles>,
}

#[async_trait::async_trait]
impl AdminOperation for SetAgentRoleOperation {
    const NAME: &'static str = "adminSetAgentRole";
    const ACTION: AuditAction = AuditAction::SetAgentRole;
    const PERMISSION: Permission = Permission::AgentsManage;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let body: SetAgentRole = match validate::parse(request.body) {
            Ok(body) => body,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let asked = format!("agent {}", body.username);
        match self
            .roles
            .set_role(&request.agent.email, &body.username, body.role())
            .await
        {
            Ok(change) => Answer::new(
                Ok(http::json(200, &RoleChangeView::from(&change))),
                Some(audit_target(&change)),
            ),
            Err(error) => Answer::new(Err(problem(error)), Some(asked)),
        }
    }
}
