//! What bulk preview and bulk start share: whose tokens (a card's or a
//! device's, by the route's path parameter) and which action.

use tmp_api::Problem;
use tmp_api::action::BulkAction;
use tmp_api::ids::{CardId, DeviceId};
use tmp_core::usecases::jobs::JobTarget;

use crate::AdminRequest;

/// The target of the route (`cardId` or `deviceId`) and what the audit log
/// calls it.
pub fn target(request: &AdminRequest<'_>) -> Result<(JobTarget, String), Problem> {
    if request.path.contains_key("cardId") {
        let card = CardId::from_path(request.path("cardId"))?;
        Ok((
            JobTarget::Card {
                card_id: card.as_str().to_owned(),
            },
            format!("cardId {}", card.as_str()),
        ))
    } else {
        let device = DeviceId::from_path(request.path("deviceId"))?;
        Ok((
            JobTarget::Device {
                device_id: device.as_str().to_owned(),
            },
            format!("deviceId {}", device.as_str()),
        ))
    }
}

pub fn action(request: &AdminRequest<'_>) -> Result<BulkAction, Problem> {
    BulkAction::from_path(request.path("action"))
}

/// Starts `plan` on `target` as a job, keyed by the agent's Idempotency-Key
/// (a replay answers the same job): 202 `{"jobId"}`.
pub async fn start_job(
    jobs: &tmp_core::usecases::jobs::Jobs,
    request: &AdminRequest<'_>,
    target: JobTarget,
    plan: tmp_core::domain::job::JobPlan,
) -> Result<lambda_http::Response<Vec<u8>>, Problem> {
    let key = tmp_api::ids::IdempotencyKey::from_header(request.idempotency_key)?;
    let command = tmp_core::usecases::jobs::StartJobCommand {
        target,
        plan,
        request: tmp_core::usecases::token_actions::IssuerRequest {
            client_id: crate::token_action::client_of(&request.agent.email),
            idempotency_key: key.as_str().to_owned(),
        },
    };
    let job_id = jobs.start(&command).await?;
    let job_id = tmp_api::ids::JobId::try_from(job_id).map_err(|_| Problem::unavailable())?;
    Ok(tmp_api::http::json(
        202,
        &tmp_api::action::JobAccepted { job_id },
    ))
}
