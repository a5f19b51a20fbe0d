//! `GET /api/v1/tokens/{tokenId}`: one token with its history, its
//! tokenization decision and any action still pending at its network.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::auth::Scope;
use tmp_api::ids::TokenId;
use tmp_api::{Problem, http, translate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{IssuerOperation, IssuerRequest};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the token issuer's keys and the table; no key service.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (verifier, queries) = tokio::try_join!(
        issuer::access_token_verifier(env),
        issuer::token_queries(sdk, env, false),
    )?;
    Ok(crate::endpoint(Arc::new(verifier), GetToken { queries }))
}

pub struct GetToken {
    pub queries: TokenQueries,
}

#[async_trait::async_trait]
impl IssuerOperation for GetToken {
    const NAME: &'static str = "getToken";
    const SCOPE: Scope = Scope::TokensRead;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let token_id = TokenId::from_path(request.path("tokenId"))?;
        let view = self.queries.token(token_id.as_str()).await?;
        let details = translate::details(&view).ok_or_else(Problem::not_found)?;
        Ok(http::json(200, &details))
    }
}

#[cfg(test)]
mod tests;
