//! `GET /admin-api/v1/me`: the signed-in agent, their roles and what those
//! allow (the panel shows only the controls they may use).

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::agent::Me;
use tmp_api::http;
use tmp_aws::cold_start::Init;
use tmp_core::domain::audit::AuditAction;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let guard = crate::guard(sdk, env).await?;
    Ok(crate::endpoint(guard, ReadMe))
}

pub struct ReadMe;

#[async_trait::async_trait]
impl AdminOperation for ReadMe {
    const NAME: &'static str = "adminMe";
    const ACTION: AuditAction = AuditAction::ReadProfile;
    const PERMISSION: Permission = Permission::TokensRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        Answer::new(Ok(http::json(200, &Me::from(request.agent))), None)
    }
}
