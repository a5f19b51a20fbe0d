//! The four lifecycle actions (`POST /api/v1/tokens/{tokenId}/<action>`):
//! one operation, parameterised by its action. `Idempotency-Key` is
//! required; a replay answers the first outcome with the token as it is now.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::action::ActionRequest;
use tmp_api::auth::Scope;
use tmp_api::ids::{IdempotencyKey, TokenId};
use tmp_api::token::{LifecycleAction, TokenActionResponse};
use tmp_api::{Problem, http, translate};
use tmp_aws::compose::issuer;
use tmp_core::usecases::token_actions::{
    IssuerRequest as KeyedRequest, TokenActionCommand, TokenActions,
};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{IssuerOperation, IssuerRequest};

/// Cold start of every action: the token issuer's keys, the table and the
/// network clients (the MDES signing key unwrapped once) at once.
pub async fn init(
    sdk: &SdkConfig,
    env: &FunctionEnv,
    action: LifecycleAction,
) -> Result<HttpHandler, HandlerError> {
    let (verifier, actions) = tokio::try_join!(
        issuer::access_token_verifier(env),
        issuer::token_actions(sdk, env),
    )?;
    Ok(match action {
        LifecycleAction::Activate => {
            crate::endpoint(Arc::new(verifier), Act::<Activate>::new(actions))
        }
        LifecycleAction::Suspend => {
            crate::endpoint(Arc::new(verifier), Act::<Suspend>::new(actions))
        }
        LifecycleAction::Unsuspend => {
            crate::endpoint(Arc::new(verifier), Act::<Unsuspend>::new(actions))
        }
        LifecycleAction::Delete => crate::endpoint(Arc::new(verifier), Act::<Delete>::new(actions)),
    })
}

/// Which action an [`Act`] takes, and its name in logs.
pub trait Action: Send + Sync + 'static {
    const ACTION: LifecycleAction;
    const NAME: &'static str;
}

pub struct Activate;
pub struct Suspend;
pub struct Unsuspend;
pub struct Delete;

impl Action for Activate {
    const ACTION: LifecycleAction = LifecycleAction::Activate;
    const NAME: &'static str = "activateToken";
}
impl Action for Suspend {
    const ACTION: LifecycleAction = LifecycleAction::Suspend;
    const NAME: &'static str = "suspendToken";
}
impl Action for Unsuspend {
    const ACTION: LifecycleAction = LifecycleAction::Unsuspend;
    const NAME: &'static str = "unsuspendToken";
}
impl Action for Delete {
    const ACTION: LifecycleAction = LifecycleAction::Delete;
    const NAME: &'static str = "deleteToken";
}

pub struct Act<A> {
    pub actions: TokenActions,
    action: std::marker::PhantomData<A>,
}

impl<A> Act<A> {
    pub fn new(actions: TokenActions) -> Self {
        Self {
            actions,
            action: std::marker::PhantomData,
        }
    }
}

#[async_trait::async_trait]
impl<A: Action> IssuerOperation for Act<A> {
    const NAME: &'static str = A::NAME;
    const SCOPE: Scope = Scope::TokensWrite;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let token_id = TokenId::from_path(request.path("tokenId"))?;
        let key = IdempotencyKey::from_header(request.idempotency_key)?;
        let body = ActionRequest::parse(A::ACTION, request.body)?;
        let command = TokenActionCommand {
            token_ref: token_id.as_str().to_owned(),
            action: translate::action(A::ACTION),
            reason: translate::reason(body.reason_code),
            comment: body.comment,
            operator: body.operator,
            request: KeyedRequest {
                client_id: request.client_id.to_owned(),
                idempotency_key: key.as_str().to_owned(),
            },
        };
        let answer = self.actions.act(&command).await?;
        let network_status =
            translate::network_status(answer.outcome).ok_or_else(Problem::network_refused)?;
        let token = translate::details(&answer.token).ok_or_else(Problem::not_found)?;
        Ok(http::json(
            200,
            &TokenActionResponse {
                token,
                network_status,
            },
        ))
    }
}
