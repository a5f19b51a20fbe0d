//! `POST /admin-api/v1/{cards/{cardId}|devices/{deviceId}}/tokens/{action}`:
//! the action on every live token of the card or device, as a job run by
//! the TMP's job worker (the supervisor as operator); 202 `{"jobId"}`.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_api::{Problem, translate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::audit::AuditAction;
use tmp_core::domain::job::JobPlan;
use tmp_core::usecases::jobs::Jobs;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer, bulk};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table, the job queue and the
/// audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (guard, jobs) = tokio::try_join!(
        crate::guard(sdk, env),
        issuer::jobs(sdk, env, issuer::JobRole::Start),
    )?;
    Ok(crate::endpoint(guard, StartBulk { jobs }))
}

pub struct StartBulk {
    pub jobs: Jobs,
}

impl StartBulk {
    async fn start(
        &self,
        request: &AdminRequest<'_>,
        target: tmp_core::usecases::jobs::JobTarget,
        reason: &mut Option<String>,
    ) -> Result<lambda_http::Response<Vec<u8>>, Problem> {
        let action = bulk::action(request)?.lifecycle();
        // The key is checked before the body, as the TMP API's starts do.
        tmp_api::ids::IdempotencyKey::from_header(request.idempotency_key)?;
        let body = tmp_admin::action::parse(action, request.body, &request.agent.email)?;
        *reason = serde_json::to_value(body.reason_code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        let plan = JobPlan::Action {
            action: translate::action(action),
            reason: translate::reason(body.reason_code),
            comment: body.comment,
            operator: body.operator,
        };
        bulk::start_job(&self.jobs, request, target, plan).await
    }
}

#[async_trait::async_trait]
impl AdminOperation for StartBulk {
    const NAME: &'static str = "adminStartBulk";
    const ACTION: AuditAction = AuditAction::StartBulk;
    const PERMISSION: Permission = Permission::TokensBulk;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let (target, audited) = match bulk::target(request) {
            Ok(target) => target,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let mut reason = None;
        let response = self.start(request, target, &mut reason).await;
        Answer {
            response,
            target: Some(format!("{audited} {}", request.path("action"))),
            reason_code: reason,
            action: None,
        }
    }
}
