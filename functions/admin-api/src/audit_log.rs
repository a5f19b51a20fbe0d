//! `GET /admin-api/v1/audit`: the audit log, newest first, a range of UTC
//! days at a time, optionally one agent's (supervisor and admin). Reading
//! it is itself audited.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::audit;
use tmp_api::http;
use tmp_aws::cold_start::Init;
use tmp_aws::compose::admin;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::audit_trail::AuditTrail;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let verifier = admin::agent_token_verifier(env).await?;
    let audit = admin::audit_trail(sdk, env)?;
    Ok(crate::endpoint(
        Arc::new(verifier),
        audit.clone(),
        ReadAudit { audit },
    ))
}

pub struct ReadAudit {
    pub audit: AuditTrail,
}

#[async_trait::async_trait]
impl AdminOperation for ReadAudit {
    const NAME: &'static str = "adminAuditLog";
    const ACTION: AuditAction = AuditAction::ReadAudit;
    const PERMISSION: Permission = Permission::AuditRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let today = self.audit.clock.now().date();
        let query = match audit::query(|name| request.query.get(name).cloned(), today) {
            Ok(query) => query,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let target = Some(format!("days {} to {}", query.from, query.to));
        let response = self
            .audit
            .page(&query)
            .await
            .map(|page| http::json(200, &audit::page(&page)))
            .map_err(Into::into);
        Answer::new(response, target)
    }
}
