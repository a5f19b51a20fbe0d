//! `POST /admin-api/v1/{cards/{cardId}|devices/{deviceId}}/tokens/{action}`:
//! the action on every live token of the card or device, as a job run by
//! the TMP's job worker (the supervisor as operator); 202 `{"jobId"}`.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_api::action::JobAccepted;
use tmp_api::ids::{IdempotencyKey, JobId};
use tmp_api::{Problem, http, translate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::{admin, issuer};
use tmp_core::domain::audit::AuditAction;
use tmp_core::domain::job::JobPlan;
use tmp_core::usecases::jobs::{Jobs, StartJobCommand};
use tmp_core::usecases::token_actions::IssuerRequest as KeyedRequest;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer, bulk};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table, the job queue and the
/// audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (verifier, jobs) = tokio::try_join!(
        admin::agent_token_verifier(env),
        issuer::jobs(sdk, env, issuer::JobRole::Start),
    )?;
    let audit = admin::audit_trail(sdk, env)?;
    Ok(crate::endpoint(
        Arc::new(verifier),
        audit,
        StartBulk { jobs },
    ))
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
        let key = IdempotencyKey::from_header(request.idempotency_key)?;
        let body = tmp_admin::action::parse(action, request.body, &request.agent.email)?;
        *reason = serde_json::to_value(body.reason_code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        let command = StartJobCommand {
            target,
            plan: JobPlan::Action {
                action: translate::action(action),
                reason: translate::reason(body.reason_code),
                comment: body.comment,
                operator: body.operator,
            },
            request: KeyedRequest {
                client_id: crate::token_action::client_of(&request.agent.email),
                idempotency_key: key.as_str().to_owned(),
            },
        };
        let job_id = self.jobs.start(&command).await?;
        let job_id = JobId::try_from(job_id).map_err(|_| Problem::unavailable())?;
        Ok(http::json(202, &JobAccepted { job_id }))
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
