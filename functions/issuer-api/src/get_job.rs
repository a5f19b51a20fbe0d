//! `GET /api/v1/jobs/{jobId}`: a job's progress, item by item.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::auth::Scope;
use tmp_api::ids::JobId;
use tmp_api::{Problem, http, translate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::usecases::jobs::Jobs;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{IssuerOperation, IssuerRequest};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the token issuer's keys and the table.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (verifier, jobs) = tokio::try_join!(
        issuer::access_token_verifier(env),
        issuer::jobs(sdk, env, issuer::JobRole::Read),
    )?;
    Ok(crate::endpoint(Arc::new(verifier), GetJob { jobs }))
}

pub struct GetJob {
    pub jobs: Jobs,
}

#[async_trait::async_trait]
impl IssuerOperation for GetJob {
    const NAME: &'static str = "getJob";
    const SCOPE: Scope = Scope::TokensRead;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let job_id = JobId::from_path(request.path("jobId"))?;
        let job = self.jobs.job(job_id.as_str()).await?;
        let answer = translate::job_response(&job).ok_or_else(Problem::unavailable)?;
        Ok(http::json(200, &answer))
    }
}

#[cfg(test)]
mod tests;
