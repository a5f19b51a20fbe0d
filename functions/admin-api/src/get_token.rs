//! `GET /admin-api/v1/tokens/{tokenId}`: the token page: summary, history,
//! the decision trail in plain words, and what this agent may do to it now.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::page::token_page;
use tmp_api::ids::TokenId;
use tmp_api::{Problem, http};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (guard, queries) = tokio::try_join!(
        crate::guard(sdk, env),
        issuer::token_queries(sdk, env, false),
    )?;
    Ok(crate::endpoint(guard, GetToken { queries }))
}

pub struct GetToken {
    pub queries: TokenQueries,
}

#[async_trait::async_trait]
impl AdminOperation for GetToken {
    const NAME: &'static str = "adminGetToken";
    const ACTION: AuditAction = AuditAction::ViewToken;
    const PERMISSION: Permission = Permission::TokensRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let token_id = match TokenId::from_path(request.path("tokenId")) {
            Ok(id) => id,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let target = Some(format!("token {}", token_id.as_str()));
        let response = async {
            let view = self.queries.token(token_id.as_str()).await?;
            let page = token_page(&view, &request.agent.roles).ok_or_else(Problem::not_found)?;
            Ok(http::json(200, &page))
        }
        .await;
        Answer::new(response, target)
    }
}
