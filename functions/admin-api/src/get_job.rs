//! `GET /admin-api/v1/jobs/{jobId}`: a bulk job's progress, item by item.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_api::ids::JobId;
use tmp_api::{Problem, http, translate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::jobs::Jobs;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (guard, jobs) = tokio::try_join!(
        crate::guard(sdk, env),
        issuer::jobs(sdk, env, issuer::JobRole::Read),
    )?;
    Ok(crate::endpoint(guard, GetJob { jobs }))
}

pub struct GetJob {
    pub jobs: Jobs,
}

#[async_trait::async_trait]
impl AdminOperation for GetJob {
    const NAME: &'static str = "adminGetJob";
    const ACTION: AuditAction = AuditAction::ViewJob;
    const PERMISSION: Permission = Permission::TokensBulk;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let job_id = match JobId::from_path(request.path("jobId")) {
            Ok(id) => id,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let target = Some(format!("job {}", job_id.as_str()));
        let response = async {
            let job = self.jobs.job(job_id.as_str()).await?;
            let answer = translate::job_response(&job).ok_or_else(Problem::unavailable)?;
            Ok::<_, Problem>(http::json(200, &answer))
        }
        .await;
        Answer::new(response, target)
    }
}
