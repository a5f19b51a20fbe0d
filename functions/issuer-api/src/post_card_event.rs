//! `POST /api/v1/cards/{cardId}/events`: what happened to a card, carried to
//! each of its tokens as a job (lost / stolen → the configured action, blocked
//! → suspend, unblocked → lift only the block's suspensions, closed → delete,
//! replaced / renewed → each token mapped to the new PAN or expiry at its
//! network; the new PAN is fingerprinted and sealed with the job, never
//! queued).

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::auth::Scope;
use tmp_api::card_event::{CardEvent, CardEventType};
use tmp_api::ids::CardId;
use tmp_api::{Problem, translate, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::action::TokenAction;
use tmp_core::domain::card::Expiry;
use tmp_core::domain::job::JobPlan;
use tmp_core::usecases::jobs::{CardUpdateCommand, JobTarget, Jobs, StartJobCommand};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{IssuerOperation, IssuerRequest, job_start};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the token issuer's keys, the table and the job queue, the
/// PAN-fingerprint and data-sealing keys (unwrapped once); the policy for
/// lost and stolen cards.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let lost_or_stolen = issuer::lost_or_stolen_action(env)?;
    let (verifier, mut jobs, card_keys) = tokio::try_join!(
        issuer::access_token_verifier(env),
        issuer::jobs(sdk, env, issuer::JobRole::Start),
        issuer::card_keys(sdk, env, true),
    )?;
    jobs.card_keys = Some(card_keys);
    Ok(crate::endpoint(
        Arc::new(verifier),
        PostCardEvent {
            jobs,
            lost_or_stolen,
        },
    ))
}

pub struct PostCardEvent {
    pub jobs: Jobs,
    pub lost_or_stolen: TokenAction,
}

#[async_trait::async_trait]
impl IssuerOperation for PostCardEvent {
    const NAME: &'static str = "postCardEvent";
    const SCOPE: Scope = Scope::TokensWrite;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let card_id = CardId::from_path(request.path("cardId"))?;
        let keyed = job_start::keyed(request)?;
        let event: CardEvent = validate::parse(request.body)?;
        if matches!(event.kind, CardEventType::Replaced | CardEventType::Renewed) {
            let command = CardUpdateCommand {
                card_id: card_id.as_str().to_owned(),
                event: translate::card_event(event.kind),
                new_pan: event.new_pan,
                // Validated as MM/YY by the contract's rules.
                new_expiry: event.new_expiry.as_deref().and_then(Expiry::parse_slashed),
                request: keyed,
            };
            return job_start::start_card_update(&self.jobs, &command).await;
        }
        let command = StartJobCommand {
            target: JobTarget::Card {
                card_id: card_id.as_str().to_owned(),
            },
            plan: JobPlan::CardEvent {
                event: translate::card_event(event.kind),
                lost_or_stolen: self.lost_or_stolen,
                operator: None,
                comment: None,
            },
            request: keyed,
        };
        job_start::start(&self.jobs, &command).await
    }
}

#[cfg(test)]
mod tests;
