//! The two bulk starters (`POST /api/v1/cards/{cardId}/tokens/{action}`,
//! `POST /api/v1/devices/{deviceId}/tokens/{action}`): one action on every
//! live token of a card or device, as a job.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::action::{ActionRequest, BulkAction};
use tmp_api::auth::Scope;
use tmp_api::ids::{CardId, DeviceId};
use tmp_api::{Problem, translate};
use tmp_aws::compose::issuer;
use tmp_core::domain::job::JobPlan;
use tmp_core::usecases::jobs::{JobTarget, Jobs, StartJobCommand};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{IssuerOperation, IssuerRequest, job_start};

/// Whose tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Card,
    Device,
}

pub async fn init(
    sdk: &SdkConfig,
    env: &FunctionEnv,
    owner: Owner,
) -> Result<HttpHandler, HandlerError> {
    let (verifier, jobs) = tokio::try_join!(
        issuer::access_token_verifier(env),
        issuer::jobs(sdk, env, issuer::JobRole::Start),
    )?;
    Ok(match owner {
        Owner::Card => crate::endpoint(Arc::new(verifier), BulkCardTokens { jobs }),
        Owner::Device => crate::endpoint(Arc::new(verifier), BulkDeviceTokens { jobs }),
    })
}

async fn start(
    jobs: &Jobs,
    request: &IssuerRequest<'_>,
    target: JobTarget,
) -> Result<Response<Vec<u8>>, Problem> {
    let action = BulkAction::from_path(request.path("action"))?;
    let keyed = job_start::keyed(request)?;
    let body = ActionRequest::parse(action.lifecycle(), request.body)?;
    let command = StartJobCommand {
        target,
        plan: JobPlan::Action {
            action: translate::action(action.lifecycle()),
            reason: translate::reason(body.reason_code),
            comment: body.comment,
            operator: body.operator,
        },
        request: keyed,
    };
    job_start::start(jobs, &command).await
}

pub struct BulkCardTokens {
    pub jobs: Jobs,
}

#[async_trait::async_trait]
impl IssuerOperation for BulkCardTokens {
    const NAME: &'static str = "bulkCardTokens";
    const SCOPE: Scope = Scope::TokensWrite;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let card_id = CardId::from_path(request.path("cardId"))?;
        let target = JobTarget::Card {
            card_id: card_id.as_str().to_owned(),
        };
        start(&self.jobs, request, target).await
    }
}

pub struct BulkDeviceTokens {
    pub jobs: Jobs,
}

#[async_trait::async_trait]
impl IssuerOperation for BulkDeviceTokens {
    const NAME: &'static str = "bulkDeviceTokens";
    const SCOPE: Scope = Scope::TokensWrite;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let device_id = DeviceId::from_path(request.path("deviceId"))?;
        let target = JobTarget::Device {
            device_id: device_id.as_str().to_owned(),
        };
        start(&self.jobs, request, target).await
    }
}

#[cfg(test)]
mod tests;
