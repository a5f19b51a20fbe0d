//! `POST /admin-api/v1/cards/{cardId}/events`: a supervisor reports the card
//! lost, stolen, blocked, unblocked or closed; every token of it follows as
//! the TMP API's card events do (the same job, the same policy for lost and
//! stolen cards), the supervisor as operator; 202 `{"jobId"}`.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::card_event::CardEventRequest;
use tmp_api::ids::CardId;
use tmp_api::{Problem, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::action::TokenAction;
use tmp_core::domain::audit::AuditAction;
use tmp_core::domain::job::JobPlan;
use tmp_core::usecases::jobs::{JobTarget, Jobs};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table, the job queue, the
/// audit log; the policy for lost and stolen cards.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let lost_or_stolen = issuer::lost_or_stolen_action(env)?;
    let (guard, jobs) = tokio::try_join!(
        crate::guard(sdk, env),
        issuer::jobs(sdk, env, issuer::JobRole::Start),
    )?;
    Ok(crate::endpoint(
        guard,
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

impl PostCardEvent {
    async fn start(
        &self,
        request: &AdminRequest<'_>,
        card_id: &CardId,
        event: &CardEventRequest,
    ) -> Result<lambda_http::Response<Vec<u8>>, Problem> {
        let target = JobTarget::Card {
            card_id: card_id.as_str().to_owned(),
        };
        let plan = JobPlan::CardEvent {
            event: event.kind.kind(),
            lost_or_stolen: self.lost_or_stolen,
            operator: Some(request.agent.email.clone()),
            comment: event.comment.clone(),
        };
        crate::bulk::start_job(&self.jobs, request, target, plan).await
    }
}

#[async_trait::async_trait]
impl AdminOperation for PostCardEvent {
    const NAME: &'static str = "adminPostCardEvent";
    const ACTION: AuditAction = AuditAction::PostCardEvent;
    const PERMISSION: Permission = Permission::CardsEvents;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let card_id = match CardId::from_path(request.path("cardId")) {
            Ok(id) => id,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let target = Some(format!("cardId {}", card_id.as_str()));
        let event: CardEventRequest = match validate::parse(request.body) {
            Ok(event) => event,
            Err(problem) => return Answer::new(Err(problem), target),
        };
        let response = self.start(request, &card_id, &event).await;
        Answer {
            response,
            target,
            reason_code: Some(event.kind.as_str().to_owned()),
            action: None,
        }
    }
}
