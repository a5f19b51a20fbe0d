//! The four lifecycle actions an agent may take
//! (`POST /admin-api/v1/tokens/{tokenId}/activate|suspend|unsuspend|delete`):
//! one operation, parameterised by its action, run as the TMP API's (the
//! same ledger, pending marks and network request ids) with the agent as
//! operator. `Idempotency-Key` is required and scoped to the agent.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::page::{ActionResult, token_page};
use tmp_api::ids::{IdempotencyKey, TokenId};
use tmp_api::token::LifecycleAction;
use tmp_api::{Problem, http, translate};
use tmp_aws::compose::issuer;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::token_actions::{
    IssuerRequest as KeyedRequest, TokenActionCommand, TokenActions,
};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

/// Cold start of every action: the admin user pool's keys, the table, the
/// network clients (the MDES signing key unwrapped once) and the audit log.
pub async fn init(
    sdk: &SdkConfig,
    env: &FunctionEnv,
    action: LifecycleAction,
) -> Result<HttpHandler, HandlerError> {
    let (guard, actions) =
        tokio::try_join!(crate::guard(sdk, env), issuer::token_actions(sdk, env),)?;
    Ok(match action {
        LifecycleAction::Activate => crate::endpoint(guard, Act::<Activate>::new(actions)),
        LifecycleAction::Suspend => crate::endpoint(guard, Act::<Suspend>::new(actions)),
        LifecycleAction::Unsuspend => crate::endpoint(guard, Act::<Unsuspend>::new(actions)),
        LifecycleAction::Delete => crate::endpoint(guard, Act::<Delete>::new(actions)),
    })
}

/// Which action an [`Act`] takes.
pub trait Action: Send + Sync + 'static {
    const ACTION: LifecycleAction;
    const NAME: &'static str;
    const AUDIT: AuditAction;
}

pub struct Activate;
pub struct Suspend;
pub struct Unsuspend;
pub struct Delete;

impl Action for Activate {
    const ACTION: LifecycleAction = LifecycleAction::Activate;
    const NAME: &'static str = "adminActivateToken";
    const AUDIT: AuditAction = AuditAction::ActivateToken;
}
impl Action for Suspend {
    const ACTION: LifecycleAction = LifecycleAction::Suspend;
    const NAME: &'static str = "adminSuspendToken";
    const AUDIT: AuditAction = AuditAction::SuspendToken;
}
impl Action for Unsuspend {
    const ACTION: LifecycleAction = LifecycleAction::Unsuspend;
    const NAME: &'static str = "adminUnsuspendToken";
    const AUDIT: AuditAction = AuditAction::UnsuspendToken;
}
impl Action for Delete {
    const ACTION: LifecycleAction = LifecycleAction::Delete;
    const NAME: &'static str = "adminDeleteToken";
    const AUDIT: AuditAction = AuditAction::DeleteToken;
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

/// The key space of agents' requests: never an OAuth client's.
pub(crate) fn client_of(agent_email: &str) -> String {
    format!("admin:{agent_email}")
}

impl<A: Action> Act<A> {
    async fn act(
        &self,
        request: &AdminRequest<'_>,
        token_id: &TokenId,
        reason: &mut Option<String>,
    ) -> Result<lambda_http::Response<Vec<u8>>, Problem> {
        let key = IdempotencyKey::from_header(request.idempotency_key)?;
        let body = tmp_admin::action::parse(A::ACTION, request.body, &request.agent.email)?;
        *reason = serde_json::to_value(body.reason_code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        let command = TokenActionCommand {
            token_ref: token_id.as_str().to_owned(),
            action: translate::action(A::ACTION),
            reason: translate::reason(body.reason_code),
            comment: body.comment,
            operator: body.operator,
            request: KeyedRequest {
                client_id: client_of(&request.agent.email),
                idempotency_key: key.as_str().to_owned(),
            },
        };
        let answer = self.actions.act(&command).await?;
        let network_status =
            translate::network_status(answer.outcome).ok_or_else(Problem::network_refused)?;
        let page =
            token_page(&answer.token, &request.agent.roles).ok_or_else(Problem::not_found)?;
        Ok(http::json(
            200,
            &ActionResult {
                page,
                network_status,
            },
        ))
    }
}

#[async_trait::async_trait]
impl<A: Action> AdminOperation for Act<A> {
    const NAME: &'static str = A::NAME;
    const ACTION: AuditAction = A::AUDIT;
    const PERMISSION: Permission = match A::ACTION {
        LifecycleAction::Activate => Permission::TokensActivate,
        LifecycleAction::Suspend => Permission::TokensSuspend,
        LifecycleAction::Unsuspend => Permission::TokensUnsuspend,
        LifecycleAction::Delete => Permission::TokensDelete,
    };

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let token_id = match TokenId::from_path(request.path("tokenId")) {
            Ok(id) => id,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let mut reason = None;
        let response = self.act(request, &token_id, &mut reason).await;
        Answer {
            response,
            target: Some(format!("token {}", token_id.as_str())),
            reason_code: reason,
            action: None,
        }
    }
}
