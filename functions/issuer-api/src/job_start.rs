//! What the three job starters share: the `Idempotency-Key` and the 202
//! answer with the job's id.

use lambda_http::Response;
use tmp_api::action::JobAccepted;
use tmp_api::ids::{IdempotencyKey, JobId};
use tmp_api::{Problem, http};
use tmp_core::usecases::jobs::{CardUpdateCommand, Jobs, StartJobCommand};
use tmp_core::usecases::token_actions::IssuerRequest as KeyedRequest;

use crate::IssuerRequest;

/// The keyed request of the caller (400 without a valid key).
pub fn keyed(request: &IssuerRequest<'_>) -> Result<KeyedRequest, Problem> {
    let key = IdempotencyKey::from_header(request.idempotency_key)?;
    Ok(KeyedRequest {
        client_id: request.client_id.to_owned(),
        idempotency_key: key.as_str().to_owned(),
    })
}

/// Starts the job and answers 202 `{"jobId"}`.
pub async fn start(jobs: &Jobs, command: &StartJobCommand) -> Result<Response<Vec<u8>>, Problem> {
    accepted(jobs.start(command).await?)
}

/// Starts a card update (a replaced or renewed card) and answers 202.
pub async fn start_card_update(
    jobs: &Jobs,
    command: &CardUpdateCommand,
) -> Result<Response<Vec<u8>>, Problem> {
    accepted(jobs.start_card_update(command).await?)
}

fn accepted(job_id: String) -> Result<Response<Vec<u8>>, Problem> {
    let job_id = JobId::try_from(job_id).map_err(|_| Problem::unavailable())?;
    Ok(http::json(202, &JobAccepted { job_id }))
}
