//! `GET /admin-api/v1/{cards/{cardId}|devices/{deviceId}}/tokens/{action}/preview`:
//! every live token of the card or device and whether the action would
//! change it now, before a supervisor starts it.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::page::bulk_preview;
use tmp_api::{Problem, http, translate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::action::ActionReason;
use tmp_core::domain::audit::AuditAction;
use tmp_core::domain::job::JobPlan;
use tmp_core::usecases::jobs::Jobs;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer, bulk};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table (the card's or
/// device's tokens, read only) and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (guard, jobs) = tokio::try_join!(
        crate::guard(sdk, env),
        issuer::jobs(sdk, env, issuer::JobRole::Read),
    )?;
    Ok(crate::endpoint(guard, PreviewBulk { jobs }))
}

pub struct PreviewBulk {
    pub jobs: Jobs,
}

#[async_trait::async_trait]
impl AdminOperation for PreviewBulk {
    const NAME: &'static str = "adminPreviewBulk";
    const ACTION: AuditAction = AuditAction::PreviewBulk;
    const PERMISSION: Permission = Permission::TokensBulk;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let (target, audited) = match bulk::target(request) {
            Ok(target) => target,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let response = async {
            let action = bulk::action(request)?.lifecycle();
            // The reason does not decide a step: any of the action's will do.
            let plan = JobPlan::Action {
                action: translate::action(action),
                reason: ActionReason::IssuerDecision,
                comment: None,
                operator: request.agent.email.clone(),
            };
            let tokens = self.jobs.preview(&target, &plan).await?;
            Ok::<_, Problem>(http::json(200, &bulk_preview(action, &tokens)))
        }
        .await;
        Answer::new(response, Some(audited))
    }
}
